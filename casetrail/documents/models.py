"""Issued 文书 (第二十、三十六条): the 文号 register and each document as printed and sealed.

An issued document is a recorded fact (insert-only): its PDF is a content-addressed blob that is
never re-rendered; a correction of the record is issued as a new document with a new number, and
a withdrawal is its own row that keeps the number and says why.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from casetrail.cases.models import Case
from casetrail.evidence.models import Blob
from casetrail.org.models import Agency, Officer
from casetrail.records.models import Record


class Family(models.TextChoices):
    """Families of 文书 that share a layout and, for the numbered ones, a 文号 series."""

    DECISION = "decision", "决定书"
    NOTICE = "notice", "告知书"
    DEMAND = "demand", "催告书"
    MINUTES = "minutes", "笔录"
    RECEIPT = "receipt", "送达回证"
    OTHER = "other", "其他文书"


class NumberPattern(models.Model):
    """The agency's 文号 pattern of one family, e.g. ``陵民罚决〔{year}〕{n}号``. Set by the
    ``document_pattern_set`` action; the latest row of an (agency, family) is in force, earlier
    ones stay as they were (numbers already drawn keep the text they were drawn with)."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    family = models.CharField("文书类别", max_length=20, choices=Family.choices)
    pattern = models.CharField("文号格式", max_length=60)
    set_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField("设置时间")

    class Meta:
        verbose_name = verbose_name_plural = "文号格式"
        ordering = ["agency", "family", "-set_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_family_display()}：{self.pattern}"


class NumberCounter(models.Model):
    """The last 文号 drawn per agency, family and year; locked while a number is drawn, so the
    numbers are gapless (an issuing action that rolls back gives its number back)."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    family = models.CharField(max_length=20, choices=Family.choices)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "family", "year"], name="document_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.family}/{self.year}: {self.last}"


class IssuedDocument(models.Model):
    """One record issued as a sealed PDF/A: its 文号 (numbered families), the PDF blob (SHA-256
    address, SM3 beside it), the digest printed on every page and who issued it when. Insert-only;
    one per record (a corrected record is a new record, issued anew)."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="issued_documents")
    record = models.OneToOneField(Record, on_delete=models.PROTECT, related_name="issued")
    family = models.CharField("文书类别", max_length=20, choices=Family.choices)
    doc_no = models.CharField("文号", max_length=60, null=True, blank=True)
    number_year = models.PositiveIntegerField(null=True, blank=True)
    number_seq = models.PositiveIntegerField(null=True, blank=True)
    # The ledger entry of the record the document prints: with the agency's code it is what the
    # verification line and the QR code carry (the issuing entry's own seq is not known while the
    # pages are drawn inside that entry's action).
    record_seq = models.PositiveBigIntegerField("记录账本序号")
    # SM3 of the document's content (RFC 8785 JSON of what the pages print, see content.py): the
    # pages carry its first 16 hex, which a PDF cannot carry of its own bytes.
    content_sm3 = models.CharField("内容 SM3", max_length=64)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    template = models.CharField("模板", max_length=80)
    pages = models.PositiveIntegerField("页数")
    sealed = models.BooleanField("已加盖电子印章", default=True)
    timestamped = models.BooleanField("含 RFC 3161 时间戳", default=False)
    issued_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("签发时间")

    class Meta:
        verbose_name = verbose_name_plural = "已签发文书"
        ordering = ["issued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "family", "number_year", "number_seq"],
                condition=models.Q(number_seq__isnull=False),
                name="document_number_unique",
            ),
            models.UniqueConstraint(
                fields=["agency", "doc_no"],
                condition=models.Q(doc_no__isnull=False),
                name="document_doc_no_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.doc_no or f"{self.get_family_display()} #{self.pk}"

    @property
    def code(self) -> str:
        """What the verification line prints: the digest prefix of the content."""
        return self.content_sm3[:16]


class Withdrawal(models.Model):
    """A document withdrawn (撤回): it keeps its 文号 and its PDF; this row says why. Insert-only."""

    RECORDED_AGENCY: ClassVar[str] = "document__agency_id"  # a recorded fact (casetrail.lib.facts)

    document = models.OneToOneField(
        IssuedDocument, on_delete=models.PROTECT, related_name="withdrawal"
    )
    reason = models.CharField("撤回理由", max_length=300)
    by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "文书撤回"

    def __str__(self) -> str:
        return f"撤回 {self.document}"
