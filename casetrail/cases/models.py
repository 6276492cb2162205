"""Cases, their parties, assigned officers and stage history (第二章 and the stage model)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from casetrail.org.models import Agency, Officer, Unit


class Stage(models.TextChoices):
    START = "start", "程序启动"
    INVESTIGATION = "investigation", "调查取证"
    DECISION = "decision", "审查决定"
    SERVICE = "service", "送达执行"
    CLOSED = "closed", "结案"
    ARCHIVED = "archived", "已归档"


STAGE_ORDER = [s.value for s in Stage]


class StartMode(models.TextChoices):
    APPLICATION = "application", "依申请"
    EX_OFFICIO = "ex_officio", "依职权"
    COMPLAINT = "complaint", "投诉举报"
    # 简易程序 (第二十一条; 行政处罚法第五十一、五十二条): opened and decided on the spot by the
    # officers, without a prior start approval (casetrail.start).
    ON_THE_SPOT = "on_the_spot", "当场处罚"


class StartStatus(models.TextChoices):
    """Where the start of the case stands (第八、九条)."""

    REGISTERED = "registered", "已登记"
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准立案"
    REFUSED = "refused", "不予立案"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    NOT_TAKEN_UP = "not_taken_up", "不予启动"


class Procedure(models.TextChoices):
    ORDINARY = "ordinary", "普通程序"
    SUMMARY = "summary", "简易程序"


class Confidentiality(models.TextChoices):
    NORMAL = "normal", "一般"
    INTERNAL = "internal", "内部"
    SECRET = "secret", "涉密（国家秘密、商业秘密、个人隐私）"


class Category(models.TextChoices):
    SOCIAL_ORG = "social_org", "社会组织管理"
    FUNERAL = "funeral", "殡葬管理"
    ELDERLY = "elderly", "养老服务"
    MARRIAGE = "marriage", "婚姻登记"
    ASSISTANCE = "assistance", "社会救助"
    PLACE_NAME = "place_name", "地名管理"
    CHARITY = "charity", "慈善事业"
    OTHER = "other", "其他"


class Case(models.Model):
    """One enforcement matter. ``stage`` and ``start_status`` are projections changed only by actions,
    each change also written as a StageChange and a ledger entry."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases")
    number = models.CharField("案件编号", max_length=60, null=True, blank=True)
    number_year = models.PositiveIntegerField(null=True, blank=True)
    number_seq = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField("案由 / 事项", max_length=200)
    category = models.CharField("事项类别", max_length=20, choices=Category.choices)
    procedure = models.CharField(
        "程序", max_length=10, choices=Procedure.choices, default=Procedure.ORDINARY
    )
    is_major = models.BooleanField("重大复杂", default=False)
    confidentiality = models.CharField(
        "密级", max_length=10, choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    start_mode = models.CharField("启动方式", max_length=12, choices=StartMode.choices)
    start_status = models.CharField(
        "启动状态", max_length=14, choices=StartStatus.choices, default=StartStatus.REGISTERED
    )
    stage = models.CharField("阶段", max_length=14, choices=Stage.choices, default=Stage.START)
    emergency = models.BooleanField("情况紧急（事后补报）", default=False)
    # 第九条 / 行政强制法第十九条: when an emergency start must have been approved.
    approval_due_at = models.DateTimeField("补报审批期限", null=True, blank=True)
    approved_at = models.DateTimeField("立案批准时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    created_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "案件"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "number"],
                condition=models.Q(number__isnull=False),
                name="case_number_unique_per_agency",
            ),
            models.UniqueConstraint(
                fields=["agency", "number_year", "number_seq"],
                condition=models.Q(number_seq__isnull=False),
                name="case_number_seq_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "stage"]),
            # The case list, newest first (issue 18): the first page read in index order, with
            # or without the stage filter, instead of sorting the agency's cases.
            models.Index(fields=["agency", "created_at", "id"], name="case_agency_newest"),
            models.Index(
                fields=["agency", "stage", "created_at", "id"], name="case_agency_stage_newest"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"（未编号）{self.title}"

    @property
    def label(self) -> str:
        return self.number or f"登记号 {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.stage not in (Stage.CLOSED, Stage.ARCHIVED)

    def stage_index(self) -> int:
        return STAGE_ORDER.index(self.stage)

    def is_assigned(self, officer_id: int) -> bool:
        """Whether the officer is assigned to the case: read from the assignments already loaded
        (the case page loads them once, ``case_for_user``), otherwise one indexed query."""
        loaded = getattr(self, "_prefetched_objects_cache", {}).get("assignments")
        if loaded is not None:
            return any(a.officer_id == officer_id for a in loaded)
        return bool(self.assignments.filter(officer_id=officer_id).exists())


class CaseNumberCounter(models.Model):
    """Last case number issued per agency and year; locked while a number is assigned, so the
    numbers are gapless (a rolled-back approval gives its number back)."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="case_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"


class CaseOfficer(models.Model):
    """An officer assigned to the case (行政处罚法第四十二条: at least two). Insert-only."""

    RECORDED_AGENCY: ClassVar[str] = "case__agency_id"  # a recorded fact (casetrail.lib.facts)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="assignments")
    certificate_no = models.CharField("执法证件编号（指派时）", max_length=40)
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "承办人员"
        constraints = [
            models.UniqueConstraint(fields=["case", "officer"], name="case_officer_unique")
        ]
        # An officer's cases read from the officer's side, covering (issue 18): with the
        # officer index alone SQLite's planner, told an officer has tens of thousands of rows,
        # scanned the whole (case, officer) index instead — 23 ms at 10^5 cases for 孙监督, on
        # no case, on every worklist.
        indexes = [models.Index(fields=["officer", "case"], name="caseofficer_by_officer")]

    def __str__(self) -> str:
        return f"{self.officer_id}@{self.case_id}"


class Party(models.Model):
    """当事人, applicant or complainant as recorded. Insert-only; personal data is masked on display
    for viewers who may not see it."""

    class Kind(models.TextChoices):
        PERSON = "person", "自然人"
        ORGANISATION = "organisation", "法人或其他组织"

    class Role(models.TextChoices):
        PARTY = "party", "当事人"
        APPLICANT = "applicant", "申请人"
        COMPLAINANT = "complainant", "投诉举报人"

    RECORDED_AGENCY: ClassVar[str] = "case__agency_id"  # a recorded fact (casetrail.lib.facts)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField("身份", max_length=12, choices=Role.choices, default=Role.PARTY)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    name = models.CharField("姓名 / 名称", max_length=100)
    id_number = models.CharField("身份证件号码", max_length=30, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("住址 / 住所", max_length=200, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    representative = models.CharField("法定代表人 / 负责人", max_length=40, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "当事人"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class StageChange(models.Model):
    """One move of a case from one stage to the next, with who and why. Insert-only."""

    RECORDED_AGENCY: ClassVar[str] = "case__agency_id"  # a recorded fact (casetrail.lib.facts)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="stage_changes")
    from_stage = models.CharField(max_length=14, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=14, choices=Stage.choices)
    reason = models.CharField(max_length=200)
    by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "阶段变更"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class MarkKind(models.TextChoices):
    """第三十三条: what a piece of material is marked as. 国家秘密 material is never uploaded: its
    mark is the whole record of it (where the paper is kept and who keeps it)."""

    STATE_SECRET = "state_secret", "国家秘密"
    COMMERCIAL_SECRET = "commercial_secret", "商业秘密"
    PRIVACY = "privacy", "个人隐私"


class Mark(models.Model):
    """A mark on material of a case (第三十三条): a record (``target`` "record:<id>"), a media item
    ("evidence:<id>"), or — for 国家秘密 — a paper held outside the system (``target`` "", with
    ``kept_at`` and ``keeper``). ``target`` is the object's ledger subject, so this low app marks
    objects of the apps above without importing them. Insert-only: a mark is never taken back
    silently."""

    RECORDED_AGENCY: ClassVar[str] = "case__agency_id"  # a recorded fact (casetrail.lib.facts)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="marks")
    target = models.CharField("标记对象", max_length=60, blank=True, db_index=True)
    kind = models.CharField("标记", max_length=20, choices=MarkKind.choices)
    title = models.CharField("材料名称（不含涉密内容）", max_length=200, blank=True)
    reason = models.CharField("标记理由", max_length=300)
    kept_at = models.CharField("纸质材料存放地点", max_length=200, blank=True)
    keeper = models.CharField("保管人", max_length=60, blank=True)
    by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "涉密标记"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target or self.title}"


class ReadReason(models.TextChoices):
    """Why a reader opens marked material (第三十三条), chosen once per case per session."""

    HANDLING = "handling", "办案"
    REVIEW = "review", "审核"
    SUPERVISION = "supervision", "监督"
    COPY = "copy", "调用"


class MarkedRead(models.Model):
    """A read of a case's marked material (第三十三条): the reader, the reason they chose, and the
    first thing read. One row (and one ledger entry) per reader, case, session and reason — not one
    per page view. Insert-only."""

    RECORDED_AGENCY: ClassVar[str] = "case__agency_id"  # a recorded fact (casetrail.lib.facts)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="marked_reads")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("查阅事由", max_length=12, choices=ReadReason.choices)
    # A digest of the login session or API token, never the key itself.
    session = models.CharField(max_length=64)
    via = models.CharField("途径", max_length=12)  # page, api, media, download, ledger
    target = models.CharField("首次查阅对象", max_length=60, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "涉密材料查阅日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "officer", "session"])]

    VIA_LABELS: ClassVar[dict[str, str]] = {
        "page": "页面",
        "api": "接口",
        "media": "播放",
        "download": "下载",
        "ledger": "日志条目",
    }

    def __str__(self) -> str:
        return f"{self.officer_id} {self.reason} case {self.case_id}"

    @property
    def via_label(self) -> str:
        return self.VIA_LABELS.get(self.via, self.via)


class SearchGram(models.Model):
    """A projection, not a recorded fact: every character and pair of adjacent characters (ASCII
    letters in lower case) of a case's number, title and parties' names, once per (agency, gram,
    case), kept by database triggers (``casetrail.cases.search``) so the case list's search reads
    short posting lists instead of a LIKE over every case and party (issue 18). A superset of the
    cases' text (a replaced title leaves its grams): every candidate is confirmed by the exact
    test. Never written by the application; rebuilt from Case and Party at any time."""

    pk = models.CompositePrimaryKey("agency", "gram", "case")
    agency = models.ForeignKey(
        Agency, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    gram = models.CharField(max_length=2)
    case = models.ForeignKey(
        Case, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )

    class Meta:
        verbose_name = verbose_name_plural = "案件检索片段（投影）"

    def __str__(self) -> str:
        return f"{self.gram} → case {self.case_id}"
