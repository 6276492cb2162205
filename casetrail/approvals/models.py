"""Approval chains (第六条): 承办人 proposes, 审核人 reviews, (法制机构 reviews legality,) 批准人 decides."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from casetrail.cases.models import Case
from casetrail.org.models import Officer
from casetrail.records.models import Record

# The label of each kind of chain (审批事项), filled by ``approvals.kinds.register_kind`` from the
# ready() of the app that owns the kind (start, decisions, compliance): approvals never names them.
KIND_LABELS: dict[str, str] = {}


class ChainStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", "待审核"
    PENDING_LEGAL = "pending_legal", "待法制审核"
    PENDING_COLLECTIVE = "pending_collective", "待集体讨论"
    PENDING_DECISION = "pending_decision", "待批准"
    RETURNED = "returned", "已退回修改"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"


OPEN_STATUSES = (
    ChainStatus.PENDING_REVIEW,
    ChainStatus.PENDING_LEGAL,
    ChainStatus.PENDING_COLLECTIVE,
    ChainStatus.PENDING_DECISION,
    ChainStatus.RETURNED,
)


class Chain(models.Model):
    """One internal decision going through 第六条's chain. ``status`` is a projection of its steps;
    ``record`` is the current version of the document being decided on."""

    RECORDED_AGENCY: ClassVar[str] = "case__agency_id"  # a recorded fact (casetrail.lib.facts)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="chains")
    kind = models.CharField("审批事项", max_length=30)  # a kind registered with register_kind
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="+")
    proposer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    requires_legal = models.BooleanField("需法制审核", default=False)
    # The steps after the proposal, in order (StepRole values), fixed when the chain opens: e.g.
    # ["review", "legal", "collective", "decide"]. NULL for chains of the first wave, whose plan
    # was review → (legal when requires_legal) → decide.
    plan = models.JSONField("审批环节", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=ChainStatus.choices, default=ChainStatus.PENDING_REVIEW
    )
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批流程"
        ordering = ["created_at", "id"]
        # Who may read a case because a chain waits for their role (``panels.visibility``) reads
        # the chains by status: few are pending among the many decided.
        indexes = [models.Index(fields=["status", "case"], name="chain_status_case")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.case}"

    def get_kind_display(self) -> str:
        """The kind's name as its app registered it (e.g. 处理决定审批)."""
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def step_plan(self) -> list[str]:
        """The step roles after the proposal, in order."""
        if self.plan is not None:
            return list(self.plan)
        legal = [StepRole.LEGAL.value] if self.requires_legal else []
        return [StepRole.REVIEW.value, *legal, StepRole.DECIDE.value]

    def role_after(self, role: str) -> str | None:
        """The step that follows ``role`` (the proposal: the first), or None after the last."""
        plan = self.step_plan()
        if role == StepRole.PROPOSE:
            return plan[0]
        i = plan.index(role)
        return plan[i + 1] if i + 1 < len(plan) else None


class StepRole(models.TextChoices):
    PROPOSE = "propose", "承办人初审"
    REVIEW = "review", "审核人审核"
    LEGAL = "legal", "法制机构审核"
    COLLECTIVE = "collective", "集体讨论"
    DECIDE = "decide", "批准人决定"


# The status of a chain waiting for each step.
PENDING = {
    StepRole.REVIEW: ChainStatus.PENDING_REVIEW,
    StepRole.LEGAL: ChainStatus.PENDING_LEGAL,
    StepRole.COLLECTIVE: ChainStatus.PENDING_COLLECTIVE,
    StepRole.DECIDE: ChainStatus.PENDING_DECISION,
}


class Outcome(models.TextChoices):
    SUBMIT = "submit", "提交"
    APPROVE = "approve", "同意"
    RETURN = "return", "退回修改"
    REFUSE = "refuse", "不同意"


class Step(models.Model):
    """Who did what on a chain, when, with which opinion. Insert-only: the history always stays."""

    RECORDED_AGENCY: ClassVar[str] = (
        "chain__case__agency_id"  # a recorded fact (casetrail.lib.facts)
    )

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="steps")
    role = models.CharField("环节", max_length=10, choices=StepRole.choices)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices)
    opinion = models.TextField("意见和理由")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # 法制审核 (第十六条; 行政处罚法第五十八条): the finding on each item of the legal checklist,
    # [{"item": code, "finding": "ok|issue|na", "note": …}]. Nullable so SQLite adds the column in
    # place (a rebuild would drop the insert-only triggers) and older steps stay as recorded.
    findings = models.JSONField("审核要点", null=True, blank=True)
    # 集体讨论 (第十八条): who took part and what each said, [{"id", "name", "view"}].
    participants = models.JSONField("参加人员及意见", null=True, blank=True)
    # 行政处罚法第五十八条第一款第三项: why the reviewer asked for 法制审核 when approving their step
    # (codes of checklists.LEGAL_REVIEW_GROUNDS); the legal step was added to the plan then. NULL
    # for every other step, and for steps made before the column (nullable: added in place).
    legal_grounds = models.JSONField("提请法制审核的理由", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批环节"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.officer} {self.get_outcome_display()}"
