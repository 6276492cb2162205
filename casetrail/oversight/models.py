"""Oversight (第七章; 第三十四、三十五条): findings the system raises from what it already knows,
and what the supervisor ordered about each.

A finding is keyed by its kind and subject within an agency, so it is raised once however often
the refresh runs. Its ``state`` is a projection: every change is a ``FindingStep`` (insert-only)
recorded in the same ledger entry as the finding's new row, by the supervisor who made it."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from casetrail.cases.models import Case
from casetrail.evidence.models import Blob
from casetrail.org.models import Agency, Officer, Unit
from casetrail.records.models import Record


class FindingState(models.TextChoices):
    OPEN = "open", "待处理"
    ORDERED = "ordered", "已责令改正"
    CORRECTED = "corrected", "已改正"
    CLOSED = "closed", "已办结"
    CRITICISED = "criticised", "已通报批评"


class Finding(models.Model):
    """One breach the system found. ``kind`` is a code of the finding-kind registry
    (``oversight.kinds``), which gives its title, article and 第三十五条 item; those are copied here
    when it is raised so the finding says what it was under the rules of its day."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=40)
    subject = models.CharField(
        "对象", max_length=120, help_text="e.g. item:12, case:3:R27:2026-11-02"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="案件"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="股室"
    )
    officer = models.ForeignKey(
        Officer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任人员",
    )
    title = models.CharField("问题", max_length=200)
    article = models.CharField("依据", max_length=60)
    item = models.CharField("第三十五条情形", max_length=4)
    details = models.TextField("具体情况")
    facts = models.JSONField("来源", default=dict)
    raised_at = models.DateTimeField("发现时间")
    state = models.CharField(
        "状态", max_length=12, choices=FindingState.choices, default=FindingState.OPEN
    )
    changed_at = models.DateTimeField("状态变更时间")

    class Meta:
        verbose_name = verbose_name_plural = "监督发现"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "subject"], name="oversight_finding_once"
            )
        ]
        # Open findings of one kind: the supervisor's worklist counts each kind to a cap along
        # this index (issue 18: 159,557 findings at 10^5 cases; a GROUP BY over all took 78 ms).
        indexes = [models.Index(fields=["agency", "state", "kind"], name="finding_state_kind")]

    def __str__(self) -> str:
        return f"{self.title}（{self.subject}）"


class FindingStep(models.Model):
    """What the supervisor did about a finding: 责令改正 (the order and the deadline for
    correction), the correction recorded, closed, or 通报批评. Insert-only."""

    RECORDED_AGENCY: ClassVar[str] = "finding__agency_id"  # a recorded fact (casetrail.lib.facts)

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="steps")
    state = models.CharField("变更为", max_length=12, choices=FindingState.choices)
    text = models.TextField("内容")
    deadline = models.DateField("改正期限", null=True, blank=True)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "监督处理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_state_display()} {self.at:%Y-%m-%d}"


class NamePolicy(models.TextChoices):
    """How a natural person's name appears in a published decision (the agency's policy)."""

    SURNAME = "surname", "仅保留姓氏（如：周某）"
    FULL = "full", "公开姓名"
    NONE = "none", "不公开（写作“当事人”）"


class PublicationPolicy(models.Model):
    """The agency's rules for 公示 (国办发〔2018〕118号): how natural persons are named, and how long
    a decision stays published for a person and for an organisation. Insert-only: a changed
    policy is a new row; the latest counts. Without a row the defaults hold."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    person_names = models.CharField(
        "自然人姓名", max_length=10, choices=NamePolicy.choices, default=NamePolicy.SURNAME
    )
    years_person = models.PositiveSmallIntegerField("自然人公示期限（年）", default=2)
    years_organisation = models.PositiveSmallIntegerField("法人和其他组织公示期限（年）", default=5)
    set_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "公示规则"
        ordering = ["set_at", "id"]

    def __str__(self) -> str:
        return (
            f"{self.get_person_names_display()}；{self.years_person}/{self.years_organisation} 年"
        )


class PublicationState(models.TextChoices):
    DRAFT = "draft", "待审批"
    PUBLISHED = "published", "已公示"
    WITHDRAWN = "withdrawn", "已撤回"


class Publication(models.Model):
    """The 公示 of one 行政处罚 decision (国办发〔2018〕118号; 行政处罚法第四十八条): the public text
    generated from the 行政执法决定书 with personal data removed by rule, approved by the 负责人 and
    so published, withdrawn when the decision is revoked or changed, and no longer shown after
    ``take_down_on``. ``state`` is a projection; each change is a ``PublicationStep``."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(
        Record, on_delete=models.PROTECT, related_name="+", verbose_name="决定书"
    )
    doc_no = models.CharField("文号", max_length=100)
    party = models.CharField("当事人（公示名称）", max_length=200)
    text = models.TextField("公示内容")
    decided_on = models.DateField("决定日期")
    state = models.CharField(
        "状态", max_length=10, choices=PublicationState.choices, default=PublicationState.DRAFT
    )
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    take_down_on = models.DateField("撤下日期", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    changed_at = models.DateTimeField("状态变更时间")

    class Meta:
        verbose_name = verbose_name_plural = "行政处罚决定公示"
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["decision"], name="oversight_publication_once")
        ]

    def __str__(self) -> str:
        return f"{self.doc_no}（{self.get_state_display()}）"


class PublicationStep(models.Model):
    """Who prepared, approved (published) or withdrew a publication, when and why. Insert-only."""

    RECORDED_AGENCY: ClassVar[str] = "publication__agency_id"  # a recorded fact

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="steps")
    state = models.CharField("变更为", max_length=10, choices=PublicationState.choices)
    text = models.TextField("说明", blank=True)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "公示处理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_state_display()} {self.at:%Y-%m-%d}"


class Sample(models.Model):
    """A random draw of closed cases for review (抽查) in one period. ``population`` is every case
    closed in the period (ids, ascending) and ``seed`` the random seed: anyone can re-draw and
    check it (``sampling.draw``). One draw per agency and period; insert-only."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    period = models.CharField("抽查期间", max_length=10, help_text="2026, 2026-Q3 or 2026-07")
    seed = models.CharField("随机种子", max_length=64)
    size = models.PositiveIntegerField("抽取数量")
    population = models.JSONField("总体（期间内结案案件）")
    drawn = models.JSONField("抽中案件")
    drawn_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField("抽取时间")

    class Meta:
        verbose_name = verbose_name_plural = "案卷抽查"
        ordering = ["-drawn_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "period"], name="oversight_sample_once")
        ]

    def __str__(self) -> str:
        return f"{self.period} 抽查 {len(self.drawn)} 件"


class SampleReview(models.Model):
    """The review of one sampled case against the checklist: each item's result and note.
    Insert-only; a case reviewed again is a new row (the latest counts)."""

    RECORDED_AGENCY: ClassVar[str] = "sample__agency_id"  # a recorded fact (casetrail.lib.facts)

    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="reviews")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    results = models.JSONField("评查结果")  # [{item, result: ok|issue|na, note}]
    conclusion = models.TextField("评查结论")
    reviewer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("评查时间")

    class Meta:
        verbose_name = verbose_name_plural = "抽查评查"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.at:%Y-%m-%d}"


class EvaluationReport(models.Model):
    """The 评议考核 report of one year for the agency or one unit (第三十四条), as issued: the
    numbers, each indicator with its weight, value and score, and the weighted total. Insert-only;
    the XLSX (and the PDF, when the documents app renders it) is laid out from this row."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="股室"
    )
    period = models.CharField("考核年度", max_length=10)
    numbers = models.JSONField("基础数据")
    indicators = models.JSONField("指标")  # [{code, title, article, weight, value, score}]
    # Scores are decimal strings ("86.5"): a ledger entry holds no floats (RFC 8785 as used here).
    total = models.CharField("综合得分", max_length=8)
    issued_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("出具时间")
    # The sealed PDF/A as issued (NULL: reports issued before it was kept). Nullable without a
    # default so SQLite adds the column in place (a rebuild would drop the insert-only triggers).
    pdf = models.ForeignKey(
        Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="PDF"
    )

    class Meta:
        verbose_name = verbose_name_plural = "评议考核报告"
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.period} 评议考核"


class FindingsWatermark(models.Model):
    """How far the findings' refresh has looked in an agency (``oversight.refresh``): the log
    entries with ``seq < size`` and the time up to ``looked_at`` are done; a pass under way
    (``upto`` set: the log's size when it began) has looked at the changed cases up to ``cursor``. A projection, not a recorded fact (like
    ``compliance.CaseDeadlineDirty``): without a row the next pass is a full one, and deleting the
    rows (or `casetrail findings --full`) only makes the refresh look at everything again."""

    agency = models.OneToOneField(
        Agency, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    size = models.PositiveBigIntegerField(default=0)  # the log entries done (seq < size)
    looked_at = models.DateTimeField(null=True, blank=True)  # end of the last pass (None: never)
    upto = models.PositiveBigIntegerField(null=True, blank=True)  # the pass under way: its end
    cursor = models.PositiveBigIntegerField(default=0)  # … and the last case it looked at
    full = models.BooleanField(default=True)  # the pass looks at every case, not the changed ones

    class Meta:
        verbose_name = verbose_name_plural = "监督发现刷新进度"

    def __str__(self) -> str:
        return f"{self.agency_id} @{self.size}"
