"""Copies of the record for parties, their agents and courts (第三十二条), and what is withheld
from them (第三十三条): the 调用单 with the items asked for, the director's decision per item, the
redactions derived from originals, the copy packages and every delivery of one (the disclosure
register). Every table is insert-only (第三十五条): a decision made again is a new row, the latest
row made before the chain was approved is the one that binds.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from casetrail.approvals.models import Chain
from casetrail.cases.models import Case
from casetrail.documents.models import IssuedDocument
from casetrail.evidence.models import Blob, Item
from casetrail.org.models import Agency, Officer
from casetrail.records.models import Record


class Requester(models.TextChoices):
    PARTY = "party", "当事人"
    AGENT = "agent", "当事人的代理人"
    COURT = "court", "人民法院"


class ItemKind(models.TextChoices):
    RECORD = "record", "执法记录"
    DOCUMENT = "document", "已签发文书"
    MEDIA = "media", "音像记录"


class Disposition(models.TextChoices):
    GIVEN = "given", "提供"
    REDACTED = "redacted", "删除保密部分后提供"
    WITHHELD = "withheld", "不予提供"


class CopyRequest(models.Model):
    """One 行政执法全过程记录调用单: who asks, for what purpose, with which authority, registered
    by an officer of the case; ``record`` is its form (catalogue ``copy_request``) and ``chain``
    the approval that decides it (承办人 → 审核人 → 局长)."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="copy_requests")
    number = models.CharField("调用单编号", max_length=40)
    year = models.PositiveIntegerField()
    seq = models.PositiveIntegerField()
    record = models.OneToOneField(Record, on_delete=models.PROTECT, related_name="copy_request")
    chain = models.OneToOneField(Chain, on_delete=models.PROTECT, related_name="copy_request")
    requester_kind = models.CharField("申请人类别", max_length=10, choices=Requester.choices)
    requester = models.CharField("申请人（单位）", max_length=100)
    purpose = models.TextField("调用事由")
    # 授权委托书 (agent) or the court's letter: a scan in the blob store (NULL for a party).
    authority = models.ForeignKey(
        Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    registered_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "调用单"
        ordering = ["registered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "seq"], name="copy_request_number")
        ]

    def __str__(self) -> str:
        return self.number


class CopyItem(models.Model):
    """One item asked for: a record, an issued document or an audio/video record of the case, what
    is marked in it when registered (personal data, secrets), and what the handler proposes."""

    RECORDED_AGENCY: ClassVar[str] = "request__agency_id"  # a recorded fact (casetrail.lib.facts)

    request = models.ForeignKey(CopyRequest, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField("类别", max_length=10, choices=ItemKind.choices)
    record = models.ForeignKey(
        Record, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(
        IssuedDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    media = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.CharField("材料", max_length=200)
    marks = models.JSONField("标注的保密内容", default=list)
    proposed = models.CharField("承办人建议", max_length=10, choices=Disposition.choices)

    class Meta:
        verbose_name = verbose_name_plural = "调用材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.label


class CopyDecision(models.Model):
    """The 局长's decision on one item (第三十二条): given, redacted or withheld, with the reason.
    Made while the chain waits for the 局长; the latest row of an item binds when they approve."""

    RECORDED_AGENCY: ClassVar[str] = (
        "item__request__agency_id"  # a recorded fact (casetrail.lib.facts)
    )

    item = models.ForeignKey(CopyItem, on_delete=models.PROTECT, related_name="decisions")
    disposition = models.CharField("决定", max_length=10, choices=Disposition.choices)
    reason = models.CharField("理由", max_length=300)
    decided_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "调用决定"
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_disposition_display()}"


class Method(models.TextChoices):
    FIELDS = "fields", "记录中个人信息隐去后重新生成"
    PDF = "pdf", "PDF 页面区域涂黑（文字层删除）"
    IMAGE = "image", "照片区域涂黑"
    AV = "av", "音像画面区域遮挡、声音时段静音"


class Redaction(models.Model):
    """Derived material (the original is never touched): the redacted file with its own digests,
    the original it comes from (its digests and its ledger entry), what was removed, the legal
    basis, who made it and the 局长 who decided the item is given redacted."""

    RECORDED_AGENCY: ClassVar[str] = (
        "item__request__agency_id"  # a recorded fact (casetrail.lib.facts)
    )

    item = models.ForeignKey(CopyItem, on_delete=models.PROTECT, related_name="redactions")
    method = models.CharField("方式", max_length=10, choices=Method.choices)
    original_sha256 = models.CharField(max_length=64)
    original_sm3 = models.CharField(max_length=64)
    original_seq = models.PositiveBigIntegerField("原件账本序号")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    regions = models.JSONField("删除的区域或字段")
    reason = models.CharField("删除理由（法律依据）", max_length=300)
    approved_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    made_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "删除处理件"
        ordering = ["made_at", "id"]

    def __str__(self) -> str:
        return f"{self.item} ({self.get_method_display()})"


class Delivery(models.TextChoices):
    LINK = "link", "下载链接"
    FOLDER = "folder", "导出到文件夹（U盘）"


class CopyPackage(models.Model):
    """A copy package for one recipient: the approved items (originals or redactions), watermarked,
    with the ledger extract, the 调用单 and a README, as a BagIt bag. The bag's files and digests
    are in the ledger entry; the zip appears under ``CASETRAIL_COPY_DIR`` only when complete.
    A link package is downloaded with its token (its SHA-256 is stored) until ``expires_at`` and
    at most ``max_uses`` times."""

    RECORDED_AGENCY: ClassVar[str] = "request__agency_id"  # a recorded fact (casetrail.lib.facts)

    request = models.ForeignKey(CopyRequest, on_delete=models.PROTECT, related_name="packages")
    recipient = models.CharField("接收人", max_length=100)
    delivery = models.CharField("交付方式", max_length=10, choices=Delivery.choices)
    token_sha256 = models.CharField(max_length=64, null=True, blank=True, unique=True)
    expires_at = models.DateTimeField("链接有效期至", null=True, blank=True)
    max_uses = models.PositiveIntegerField("可下载次数", null=True, blank=True)
    files = models.JSONField("包内文件")
    made_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "复制件包"
        ordering = ["made_at", "id"]

    def __str__(self) -> str:
        return f"{self.request} → {self.recipient}"


class CopyReceipt(models.Model):
    """One delivery of a package (调用记录): downloaded through its link, or written to a folder
    by an officer. With the package it is the disclosure register: who received what, when."""

    RECORDED_AGENCY: ClassVar[str] = (
        "package__request__agency_id"  # a recorded fact (casetrail.lib.facts)
    )

    package = models.ForeignKey(CopyPackage, on_delete=models.PROTECT, related_name="receipts")
    at = models.DateTimeField("交付时间")
    by = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    address = models.CharField("下载地址", max_length=64, blank=True)
    package_sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "复制件交付记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.package} @ {self.at:%Y-%m-%d %H:%M}"
