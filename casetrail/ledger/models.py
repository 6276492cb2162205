"""The per-agency append-only log of every recorded fact (第三十五条).

Each action appends one entry in its own transaction. The Merkle tree, signed checkpoints and
proofs over these entries are built on top of this table by the ledger issue.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from casetrail.org.models import Agency


class Ledger(models.Model):
    """The head of one agency's log. ``size`` is a projection of the entries, locked on append."""

    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, related_name="ledger")
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "记录日志"

    def __str__(self) -> str:
        return f"{self.agency} ({self.size})"


class LedgerEntry(models.Model):
    """One fact, as the canonical JSON of {seq, time, actor, action, subject, payload}. Insert-only."""

    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveBigIntegerField()
    time = models.DateTimeField()
    action = models.CharField(max_length=60)
    subject = models.CharField(max_length=80, db_index=True)
    # Index only (not part of the hashed entry): the case this fact belongs to, for the case page.
    case_ref = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    canonical = models.TextField(help_text="RFC 8785 canonical JSON of the entry")

    class Meta:
        verbose_name = verbose_name_plural = "日志条目"
        constraints = [
            models.UniqueConstraint(fields=["ledger", "seq"], name="ledger_entry_seq_unique")
        ]
        ordering = ["ledger", "seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject}"

    @property
    def entry(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.canonical)
        return value
