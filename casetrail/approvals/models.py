"""Approval chains (第六条): 承办人 proposes, 审核人 reviews, (法制机构 reviews legality,) 批准人 decides."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from casetrail.cases.models import Case
from casetrail.org.models import Officer
from casetrail.records.models import Record


class ChainKind(models.TextChoices):
    CASE_START = "case_start", "程序启动审批"
    APPLICATION_DECISION = "application_decision", "受理审批"
    COMPLAINT_DECISION = "complaint_decision", "不予启动审批"


class ChainStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", "待审核"
    PENDING_LEGAL = "pending_legal", "待法制审核"
    PENDING_DECISION = "pending_decision", "待批准"
    RETURNED = "returned", "已退回修改"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"


OPEN_STATUSES = (
    ChainStatus.PENDING_REVIEW,
    ChainStatus.PENDING_LEGAL,
    ChainStatus.PENDING_DECISION,
    ChainStatus.RETURNED,
)


class Chain(models.Model):
    """One internal decision going through 第六条's chain. ``status`` is a projection of its steps;
    ``record`` is the current version of the document being decided on."""

    RECORDED_AGENCY: ClassVar[str] = "case__agency_id"  # a recorded fact (casetrail.lib.facts)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="chains")
    kind = models.CharField("审批事项", max_length=30, choices=ChainKind.choices)
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="+")
    proposer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    requires_legal = models.BooleanField("需法制审核", default=False)
    status = models.CharField(
        "状态", max_length=20, choices=ChainStatus.choices, default=ChainStatus.PENDING_REVIEW
    )
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批流程"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.case}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class StepRole(models.TextChoices):
    PROPOSE = "propose", "承办人初审"
    REVIEW = "review", "审核人审核"
    LEGAL = "legal", "法制机构审核"
    DECIDE = "decide", "批准人决定"


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

    class Meta:
        verbose_name = verbose_name_plural = "审批环节"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.officer} {self.get_outcome_display()}"
