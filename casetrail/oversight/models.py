"""Oversight (第七章; 第三十四、三十五条): findings the system raises from what it already knows,
and what the supervisor ordered about each.

A finding is keyed by its kind and subject within an agency, so it is raised once however often
the refresh runs. Its ``state`` is a projection: every change is a ``FindingStep`` (insert-only)
recorded in the same ledger entry as the finding's new row, by the supervisor who made it."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from casetrail.cases.models import Case
from casetrail.org.models import Agency, Officer, Unit


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
        indexes = [models.Index(fields=["agency", "state"])]

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
