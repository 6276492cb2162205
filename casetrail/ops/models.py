"""The records of operations: a 恢复登记 (recovery) after restoring a backup older than what the
witnesses hold (issue 15 item 5)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from casetrail.org.models import Agency, Officer


class RecoveryStatus(models.TextChoices):
    PROPOSED = "proposed", "待批准"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "不予批准"


class Recovery(models.Model):
    """恢复登记: the agency's log fell behind checkpoints held outside (a witness, the published
    checkpoint) because a backup older than them was restored. Proposed by a 系统管理员 with the
    reason and what was lost, approved by the 负责人 (批准人); once approved, ``casetrail verify``
    notes each acknowledged checkpoint instead of reporting a rollback. ``behind`` lists them:
    ``[{"who": …, "size": …, "root": hex}]``; ``size`` is the log's size when proposed."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    size = models.PositiveBigIntegerField("登记时日志条数")
    behind = models.JSONField("落后于的检查点")
    reason = models.TextField("原因（恢复经过）")
    proposed_by = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="+", verbose_name="提请人"
    )
    proposed_at = models.DateTimeField("提请时间")
    status = models.CharField(
        "状态", max_length=10, choices=RecoveryStatus.choices, default=RecoveryStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        Officer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="批准人",
    )
    decided_at = models.DateTimeField("批准时间", null=True, blank=True)
    opinion = models.TextField("批准意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "恢复登记"
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return f"恢复登记 #{self.pk}（{self.get_status_display()}）"
