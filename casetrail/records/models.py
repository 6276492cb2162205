"""Every text record of a case: one row per document, insert-only (第三十五条)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.org.models import Officer
from casetrail.records.catalogue import DocType, entry
from casetrail.records.display import referenced_ids, shown_fields
from casetrail.records.numbers import issued_number, prefetch_numbers


class Record(models.Model):
    """A document of the case as recorded: its type code and its field values.

    Never updated or deleted: a correction is a new Record whose ``replaces`` names this one and
    whose ``correction_reason`` says why.
    """

    RECORDED_AGENCY: ClassVar[str] = "case__agency_id"  # a recorded fact (casetrail.lib.facts)

    # No index of its own (issue 18): the (case, kind) index serves every lookup by case, and a
    # second index is one more page written by every record.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="records", db_index=False)
    kind = models.CharField("文书类型", max_length=40)
    fields = models.JSONField("内容")
    # No index (issue 18 §2): nothing reads records by their officer and officers are never
    # deleted; the index was one more page written by every record.
    created_by = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField("记录时间")
    # No index of its own: the partial unique index record_replaced_once serves every lookup of a
    # record's correction (replaces_id = ?), and the plain one was written for every record, NULL
    # included.
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        db_index=False,
    )
    correction_reason = models.CharField("更正理由", max_length=300, blank=True)
    # 第十一条: the officers present, their certificate numbers and whether they were shown.
    # Nullable without a default so SQLite adds the column in place: a default would make Django
    # rebuild the table, which drops its insert-only triggers.
    officers_present = models.JSONField("在场执法人员", null=True, blank=True)
    # The version of the catalogue entry the record was made with (NULL: 1, the records made
    # before entries had versions). It is read, shown and corrected under that version.
    # Nullable without a default so SQLite adds the column in place (see officers_present).
    catalogue_version = models.PositiveSmallIntegerField("文书目录版本", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法记录"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "kind"])]
        constraints = [
            # A record is corrected once; a later correction corrects the correction. Conditional,
            # so SQLite adds it as an index without rebuilding the insert-only table.
            models.UniqueConstraint(
                fields=["replaces"],
                condition=models.Q(replaces__isnull=False),
                name="record_replaced_once",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def doc_no(self) -> str:
        """The record's 文号, or "": the number drawn from the register when its document was
        issued (casetrail.records.numbers); else the number typed into a record made under an
        earlier catalogue version (``doc_no``) or printed on an on-the-spot decision's
        pre-printed form (``spot_form_no``, 行政处罚法第五十二条)."""
        issued = issued_number(self)
        if issued:
            return issued
        fields = self.fields if isinstance(self.fields, dict) else {}
        value = fields.get("doc_no") or fields.get("spot_form_no")
        return str(value).strip() if value else ""

    @property
    def reference(self) -> str:
        """How people name the record: its title, its 文号 when it has one, and when it was made
        (local date; the time too when there is no 文号, so two 询问笔录 of a day differ), e.g.
        "行政执法决定书 陵民罚决〔2026〕2号（2026-11-26）" or "询问笔录（2026-11-26 09:30）"."""
        if self.created_at is None:
            return self.title
        at = timezone.localtime(self.created_at)
        if self.doc_no:
            return f"{self.title} {self.doc_no}（{at:%Y-%m-%d}）"
        return f"{self.title}（{at:%Y-%m-%d %H:%M}）"

    @property
    def version(self) -> int:
        return self.catalogue_version or 1

    @property
    def doc(self) -> DocType | None:
        """The catalogue entry as it was when this record was made."""
        return entry(self.kind, self.version)

    @property
    def title(self) -> str:
        doc = self.doc
        return doc.title if doc else self.kind

    @property
    def kind_is_catalogued(self) -> bool:
        doc = self.doc
        return doc is not None and "start" not in doc.stages

    def shown_fields(
        self, *, personal: bool, references: Mapping[int, str] | None = None
    ) -> list[tuple[str, Any]]:
        """(label, text) of the fields, personal data masked unless ``personal``; the records
        a field points at named by ``references`` (id → reference), read here when not given."""
        if references is None:
            ids = referenced_ids(self.doc, self.fields)
            found = Record.objects.filter(case_id=self.case_id, pk__in=ids) if ids else []
            prefetch_numbers(found)
            references = {r.pk: r.reference for r in found}
        return shown_fields(self.doc, self.fields, personal=personal, references=references)

    @property
    def display_fields(self) -> list[tuple[str, Any]]:
        """The fields as a page that does not know its viewer shows them: masked."""
        return self.shown_fields(personal=False)


class RecordSignature(models.Model):
    """A signature a document requires (第十一、十二条): drawn on screen (an image blob with its
    digest), a scan of the signed paper, or the refusal with its reason. Insert-only."""

    class Method(models.TextChoices):
        DRAWN = "drawn", "当场签名（电子签名图像）"
        SCAN = "scan", "纸质签名扫描件"
        REFUSED = "refused", "拒绝签名（记录理由）"

    RECORDED_AGENCY: ClassVar[str] = (
        "record__case__agency_id"  # a recorded fact (casetrail.lib.facts)
    )

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField("签名人身份", max_length=20)
    # The signature's slot in the catalogue entry (two officers of a hearing sign in two slots of
    # one role). NULL in rows made before slots existed: their slot is their role. Nullable without
    # a default so SQLite adds the column in place and keeps the insert-only triggers.
    key = models.CharField("签名项", max_length=40, null=True, blank=True)
    name = models.CharField("签名人", max_length=100)
    method = models.CharField("方式", max_length=10, choices=Method.choices)
    blob = models.ForeignKey(
        "evidence.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refusal_reason = models.CharField("拒签理由", max_length=300, blank=True)
    signed_at = models.DateTimeField("签名时间")

    class Meta:
        verbose_name = verbose_name_plural = "签名"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_method_display()}）"

    @property
    def slot(self) -> str:
        return self.key or self.role

    @property
    def label(self) -> str:
        """What the catalogue entry of the record's version calls this signature."""
        doc = self.record.doc
        sig = doc.signature(self.slot) if doc else None
        return sig.label if sig else "签名"


# What people call each kind of attachment (the catalogue's ``attachments[].kind``).
ATTACHMENT_KINDS = {
    "av": "音像记录（录音、录像）",
    "photo": "照片",
    "signed_scan": "签字页扫描件",
    "document": "其他文件",
}


class RecordAttachment(models.Model):
    """A file that belongs to a record: the signed scan, a photo, the audio/video (第十三条), or
    another document. Audio/video and photos are evidence items of the case. Insert-only."""

    RECORDED_AGENCY: ClassVar[str] = (
        "record__case__agency_id"  # a recorded fact (casetrail.lib.facts)
    )

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField("类别", max_length=20)
    # The named slot of the catalogue entry it fills; NULL in rows made before slots existed,
    # whose slot is their kind. Nullable without a default (see RecordSignature.key).
    slot = models.CharField("附件项", max_length=40, null=True, blank=True)
    item = models.ForeignKey(
        "evidence.Item", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    blob = models.ForeignKey(
        "evidence.Blob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attached_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    attached_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "记录附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} → {self.record_id}"

    @property
    def kind_label(self) -> str:
        return ATTACHMENT_KINDS.get(self.kind, self.kind)

    @property
    def slot_name(self) -> str:
        return self.slot or self.kind

    @property
    def label(self) -> str:
        doc = self.record.doc
        att = doc.attachment(self.slot_name) if doc else None
        return att.label if att else self.kind
