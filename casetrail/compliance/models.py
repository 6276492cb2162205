"""Reasoned exemptions from a rule, where the law allows one (e.g. recording was impossible).
An exemption is itself a recorded fact the supervisor sees; insert-only."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from casetrail.cases.models import Case
from casetrail.org.models import Officer


class Exemption(models.Model):
    """An officer's reasoned statement that a rule cannot be met for this case (or one record)."""

    RECORDED_AGENCY: ClassVar[str] = "case__agency_id"  # a recorded fact (casetrail.lib.facts)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="exemptions")
    rule = models.CharField("规则", max_length=10)
    subject = models.CharField(
        "对象", max_length=60, blank=True, help_text="e.g. record:12, stage:investigation"
    )
    reason = models.TextField("理由")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "规则豁免"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject}"
