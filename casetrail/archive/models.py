"""The archive (第三十、三十一条; 行政处罚法第四十七条): the 案卷 assembled after 结案, its 档号 and
保管期限 (DA/T 22), the 四性检测 report (DA/T 70), the archive package (AIP) and its 移交.

A 案卷 is versioned: each assembly (立卷) or change before archiving is a new ``CaseFile`` row that
names the one it replaces; the rows of its items, reports, packages and transfers are insert-only.
``CaseFile.status`` is a projection whose every change is in the ledger (the action's entry
carries the row).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from casetrail.approvals.models import Chain
from casetrail.cases.models import Case
from casetrail.documents.models import IssuedDocument
from casetrail.evidence.models import Blob, Item
from casetrail.org.models import Agency, Officer


class Retention(models.TextChoices):
    """保管期限 with its DA/T 22 code (the 档号 carries the code)."""

    PERMANENT = "Y", "永久"
    YEARS_30 = "D30", "30年"
    YEARS_10 = "D10", "10年"


RETENTION_YEARS = {Retention.PERMANENT: None, Retention.YEARS_30: 30, Retention.YEARS_10: 10}


class ArchiveSettings(models.Model):
    """The agency's archive settings (档号的全宗号、门类代码、机构代码; 全宗名称; the formats the
    archive accepts; the order of documents in the 案卷; the 保管期限 rules). Insert-only: the
    newest row applies; without one the defaults of ``casetrail.archive.settings`` apply."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    fonds_code = models.CharField("全宗号", max_length=20)
    fonds_name = models.CharField("全宗名称", max_length=100)
    category_code = models.CharField("门类代码", max_length=10)
    category_name = models.CharField("类目名称", max_length=60)
    org_code = models.CharField("机构（问题）代码", max_length=20)
    formats = models.JSONField("可归档文件格式")  # ["application/pdf", "video/mp4", …]
    order = models.JSONField("卷内文件排列顺序")  # [group code, …]
    retention_rules = models.JSONField("保管期限规则")  # [{"when": {…}, "period": "Y", "basis": …}]
    set_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "档案设置"
        ordering = ["set_at", "id"]

    def __str__(self) -> str:
        return f"档案设置 {self.agency_id} @ {self.set_at:%Y-%m-%d}"


class PieceCounter(models.Model):
    """The last 件号 drawn per 全宗, 门类, year, 保管期限 and 机构 (DA/T 22): gapless, locked while
    drawn (``casetrail.lib.counters``)."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    fonds_code = models.CharField(max_length=20)
    category_code = models.CharField(max_length=10)
    retention = models.CharField(max_length=4, choices=Retention.choices)
    org_code = models.CharField(max_length=20)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "fonds_code", "category_code", "retention", "org_code", "year"],
                name="archive_piece_counter_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.fonds_code}-{self.category_code}·{self.year}-{self.retention}: {self.last}"


class FileStatus(models.TextChoices):
    DRAFT = "draft", "立卷中"
    SUBMITTED = "submitted", "归档审批中"
    ARCHIVED = "archived", "已归档"
    SUPERSEDED = "superseded", "已被新版本取代"
    DESTROYED = "destroyed", "已销毁"


class CaseFile(models.Model):
    """One version of a case's 案卷 (GB/T 9705 cover items beside it). ``status`` is a projection;
    every change of it is ledgered."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="case_files")
    version = models.PositiveIntegerField("版本")
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    change_reason = models.CharField("变更理由", max_length=300, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=FileStatus.choices, default=FileStatus.DRAFT
    )
    title = models.CharField("案卷题名", max_length=300)
    fonds_code = models.CharField("全宗号", max_length=20)
    fonds_name = models.CharField("全宗名称", max_length=100)
    category_code = models.CharField("门类代码", max_length=10)
    category_name = models.CharField("类目名称", max_length=60)
    org_code = models.CharField("机构代码", max_length=20)
    year = models.PositiveIntegerField("年度")
    retention = models.CharField("保管期限", max_length=4, choices=Retention.choices)
    retention_basis = models.CharField("保管期限依据", max_length=200)
    piece_no = models.PositiveIntegerField("件号")
    archive_code = models.CharField("档号", max_length=80)
    date_from = models.DateField("起始时间")
    date_to = models.DateField("终止时间")
    pdf = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+", null=True)
    pages = models.PositiveIntegerField("页数", default=0)
    piece_count = models.PositiveIntegerField("件数", default=0)
    media_count = models.PositiveIntegerField("音像件数", default=0)
    assembled_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    assembled_at = models.DateTimeField("立卷时间")
    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, null=True, related_name="+")
    checked_by = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, related_name="+"
    )  # 检查人: the unit head who confirmed completeness
    archived_at = models.DateTimeField("归档时间", null=True)
    dispose_after = models.DateField("保管期满日期", null=True)  # None: 永久

    class Meta:
        verbose_name = verbose_name_plural = "案卷"
        ordering = ["case_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="case_file_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.archive_code}（第{self.version}版）"


class ItemKind(models.TextChoices):
    DOCUMENT = "document", "文书"
    ATTACHMENT = "attachment", "附件"
    MEDIA = "media", "音像资料"


class FileItem(models.Model):
    """One entry of the 卷内目录 (a document, an attachment) or of the 音像资料目录 (media)."""

    RECORDED_AGENCY: ClassVar[str] = "case_file__agency_id"  # a recorded fact

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="items")
    seq = models.PositiveIntegerField("序号")
    kind = models.CharField("类别", max_length=12, choices=ItemKind.choices)
    group = models.CharField("排列类别", max_length=20)
    document = models.ForeignKey(
        IssuedDocument, on_delete=models.PROTECT, null=True, related_name="+"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, related_name="+")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("题名", max_length=300)
    doc_no = models.CharField("文号", max_length=60, blank=True)
    responsible = models.CharField("责任者", max_length=100)
    date = models.DateField("日期")
    start_page = models.PositiveIntegerField("起始页号", null=True)
    pages = models.PositiveIntegerField("页数", default=0)
    note = models.CharField("备注", max_length=300, blank=True)
    reason = models.CharField("附件理由", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "卷内文件"
        ordering = ["case_file_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case_file", "seq"], name="file_item_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.title}"

    @property
    def page_label(self) -> str:
        if self.start_page is None or not self.pages:
            return ""
        end = self.start_page + self.pages - 1
        return str(self.start_page) if end == self.start_page else f"{self.start_page}-{end}"


class Aspect(models.TextChoices):
    AUTHENTICITY = "authenticity", "真实性"
    INTEGRITY = "integrity", "完整性"
    USABILITY = "usability", "可用性"
    SECURITY = "security", "安全性"


class CheckReport(models.Model):
    """One 四性检测 (DA/T 70) of a 案卷 version: passed only when every result passed."""

    RECORDED_AGENCY: ClassVar[str] = "case_file__agency_id"  # a recorded fact

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="reports")
    passed = models.BooleanField("通过")
    by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "四性检测报告"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"四性检测 {self.case_file_id} {'通过' if self.passed else '未通过'}"


class CheckResult(models.Model):
    """One item of a 四性检测: its aspect, check, the object it concerns, pass or fail and why."""

    RECORDED_AGENCY: ClassVar[str] = "report__case_file__agency_id"  # a recorded fact

    report = models.ForeignKey(CheckReport, on_delete=models.PROTECT, related_name="results")
    aspect = models.CharField("检测项", max_length=14, choices=Aspect.choices)
    code = models.CharField("检测代码", max_length=40)
    title = models.CharField("检测内容", max_length=100)
    target = models.CharField("检测对象", max_length=300)
    passed = models.BooleanField("通过")
    detail = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "四性检测结果"
        ordering = ["report_id", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.target}: {'通过' if self.passed else '未通过'}"


class Package(models.Model):
    """The archive package (AIP) of an archived 案卷: a BagIt bag, stored as one tar blob."""

    RECORDED_AGENCY: ClassVar[str] = "case_file__agency_id"  # a recorded fact

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="packages")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    files = models.PositiveIntegerField("文件数")
    payload_bytes = models.BigIntegerField("数据字节数")
    by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "归档信息包"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"AIP {self.blob.sha256[:12]}…"


class Transfer(models.Model):
    """移交: the package handed to the receiving archive (档案馆), who received it, when."""

    RECORDED_AGENCY: ClassVar[str] = "package__case_file__agency_id"  # a recorded fact

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="transfers")
    receiver = models.CharField("接收单位", max_length=100)
    receiver_person = models.CharField("接收人", max_length=50)
    note = models.CharField("备注", max_length=300, blank=True)
    by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "档案移交"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"移交 {self.receiver}"


class FixityCheck(models.Model):
    """One scheduled fixity run over an archived 案卷 (第三十一条: 保存): its package and every
    blob it holds re-hashed; ``findings`` lists what differs (empty: intact)."""

    RECORDED_AGENCY: ClassVar[str] = "case_file__agency_id"  # a recorded fact

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="fixity")
    passed = models.BooleanField("完好")
    blobs = models.PositiveIntegerField("检查文件数")
    bytes_read = models.BigIntegerField("读取字节数")
    findings = models.JSONField("发现的问题")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "档案定期检测"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"定期检测 {self.case_file_id} {'完好' if self.passed else '异常'}"


class UseKind(models.TextChoices):
    READ = "read", "查阅"
    BORROW = "borrow", "借阅"
    COPY = "copy", "复制"


class Use(models.Model):
    """The register of every use of an archived file (第三十一条): 查阅, 借阅 (with the date it is
    due back), 复制 — who, when, why, approved by whom. Insert-only; a return is a ``UseReturn``.
    Other apps record their uses through ``actions.archive_use_record`` (the copies of 第三十二条)."""

    RECORDED_AGENCY: ClassVar[str] = "case_file__agency_id"  # a recorded fact

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="uses")
    kind = models.CharField("利用方式", max_length=8, choices=UseKind.choices)
    user_name = models.CharField("利用人", max_length=60)
    user_org = models.CharField("利用人单位", max_length=100, blank=True)
    purpose = models.CharField("利用目的", max_length=300)
    approved_by = models.CharField("批准人", max_length=60)
    due_back = models.DateField("应归还日期", null=True)
    source = models.CharField("登记来源", max_length=40, blank=True)  # e.g. "access:copy:12"
    by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "档案利用登记"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.user_name}"


class UseReturn(models.Model):
    """A borrowed file returned (借阅归还)."""

    RECORDED_AGENCY: ClassVar[str] = "use__case_file__agency_id"  # a recorded fact

    use = models.OneToOneField(Use, on_delete=models.PROTECT, related_name="returned")
    by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.CharField("备注", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "借阅归还"

    def __str__(self) -> str:
        return f"归还 {self.use_id}"


class Addition(models.Model):
    """A 附卷: material found after archiving, proposed by the custodian with its reason; added to a
    new version of the 案卷 only when its chain (附卷审批) is approved."""

    RECORDED_AGENCY: ClassVar[str] = "case_file__agency_id"  # a recorded fact

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="additions")
    chain = models.OneToOneField(Chain, on_delete=models.PROTECT, related_name="+")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("题名", max_length=300)
    responsible = models.CharField("责任者", max_length=100)
    date = models.DateField("日期")
    pages = models.PositiveIntegerField("页数")
    reason = models.CharField("附卷理由", max_length=300)
    by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "附卷"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"附卷 {self.title}"


class HoldKind(models.TextChoices):
    LITIGATION = "litigation", "行政诉讼"
    REVIEW = "review", "行政复议"
    SUPERVISION = "supervision", "执法监督"


class LegalHold(models.Model):
    """A legal hold on a case (诉讼、复议、监督): while it stands, none of its files is destroyed.
    Insert-only; lifting it is a ``HoldRelease``."""

    RECORDED_AGENCY: ClassVar[str] = "case__agency_id"  # a recorded fact

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="legal_holds")
    kind = models.CharField("类别", max_length=12, choices=HoldKind.choices)
    reason = models.CharField("事由", max_length=300)
    by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "诉讼保全（禁止销毁）"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id}"


class HoldRelease(models.Model):
    RECORDED_AGENCY: ClassVar[str] = "hold__case__agency_id"  # a recorded fact

    hold = models.OneToOneField(LegalHold, on_delete=models.PROTECT, related_name="released")
    reason = models.CharField("解除理由", max_length=300)
    by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "解除诉讼保全"

    def __str__(self) -> str:
        return f"解除 {self.hold_id}"


class Destruction(models.Model):
    """An entry of the 销毁清册: the 案卷 destroyed after 鉴定 and its two-person approval, what it
    held (each file's digests), who approved. Kept forever, as its ledger entries."""

    RECORDED_AGENCY: ClassVar[str] = "case_file__agency_id"  # a recorded fact

    case_file = models.OneToOneField(CaseFile, on_delete=models.PROTECT, related_name="destruction")
    chain = models.OneToOneField(Chain, on_delete=models.PROTECT, related_name="+")
    archive_code = models.CharField("档号", max_length=80)
    title = models.CharField("案卷题名", max_length=300)
    retention = models.CharField("保管期限", max_length=4, choices=Retention.choices)
    appraisal = models.TextField("鉴定意见")
    files = models.JSONField("销毁的文件")  # [{"seq", "title", "sha256", "sm3", "size"}]
    proposed_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "销毁清册"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"销毁 {self.archive_code}"
