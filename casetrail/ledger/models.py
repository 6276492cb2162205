"""The per-agency append-only log of every recorded fact (第三十五条), as an RFC 6962 / 9162
Merkle tree with signed C2SP checkpoints.

Each action appends one entry in its own transaction, together with the perfect-subtree nodes the
entry completes, so a root or a proof reads O(log n) rows. Entries, nodes and checkpoints are
insert-only by database trigger; only the head's ``size`` moves.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.db import models

from casetrail.org.models import Agency


class Ledger(models.Model):
    """The head of one agency's log. ``size`` is a projection of the entries, locked on append.
    The hash is fixed when the log is created and named in its origin."""

    class Hash(models.TextChoices):
        SM3 = "sm3", "SM3（商用密码）"
        SHA256 = "sha256", "SHA-256"

    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, related_name="ledger")
    hash_name = models.CharField(max_length=8, choices=Hash.choices, default=Hash.SM3)
    origin = models.CharField(max_length=120, unique=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "记录日志"

    def __str__(self) -> str:
        return f"{self.agency} ({self.size})"


class LedgerEntry(models.Model):
    """One fact, as the canonical JSON of {seq, time, actor, action, subject, payload}. Insert-only."""

    # No index of its own (issue 18): the unique (ledger, seq) index serves every lookup by log, and
    # a second index is one more page written on every append.
    ledger = models.ForeignKey(
        Ledger, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    seq = models.PositiveBigIntegerField()
    time = models.DateTimeField()
    action = models.CharField(max_length=60)
    subject = models.CharField(max_length=80, db_index=True)
    # Index only (not part of the hashed entry): the case this fact belongs to, for the case page.
    # Indexed only where set (Meta.indexes): every read is ``case_ref = ?``, and an entry without a
    # case then writes no index page for its NULL (issue 18 §2).
    case_ref = models.PositiveBigIntegerField(null=True, blank=True)
    canonical = models.TextField(help_text="RFC 8785 canonical JSON of the entry")

    class Meta:
        verbose_name = verbose_name_plural = "日志条目"
        constraints = [
            models.UniqueConstraint(fields=["ledger", "seq"], name="ledger_entry_seq_unique")
        ]
        indexes = [
            models.Index(
                fields=["case_ref"],
                condition=models.Q(case_ref__isnull=False),
                name="ledger_entry_case",
            )
        ]
        ordering = ["ledger", "seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject}"

    @property
    def entry(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.canonical)
        return value


class LedgerNode(models.Model):
    """A perfect-subtree hash: (level, index) covers leaves [index·2^level, (index+1)·2^level).
    Level 0 is the leaf hash of entry ``index``. Written once when complete; insert-only."""

    # No index of its own: the unique (ledger, level, index) index serves it (see LedgerEntry).
    ledger = models.ForeignKey(
        Ledger, on_delete=models.PROTECT, related_name="nodes", db_index=False
    )
    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = verbose_name_plural = "日志树节点"
        constraints = [
            models.UniqueConstraint(fields=["ledger", "level", "index"], name="ledger_node_unique")
        ]

    def __str__(self) -> str:
        return f"({self.level}, {self.index})"


class Checkpoint(models.Model):
    """A signed tree head (C2SP tlog-checkpoint in a signed note), proved consistent with the
    previous one before it was stored. Insert-only."""

    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="checkpoints")
    size = models.PositiveBigIntegerField()
    root = models.BinaryField(max_length=32)
    note = models.TextField(help_text="the signed note, exactly as served")
    created_at = models.DateTimeField()
    # RFC 3161 TimeStampResp token (DER) over the note, when a TSA is configured.
    timestamp_token = models.BinaryField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "签名检查点"
        ordering = ["ledger", "size", "id"]
        get_latest_by = "size"

    def __str__(self) -> str:
        return f"{self.ledger.origin} @ {self.size}"


class LedgerKey(models.Model):
    """A checkpoint verifier key pinned for one agency's log, by its C2SP key ID (第三十五条（三）).

    `verify` trusts only pinned keys (or those named in CASETRAIL_LEDGER_KEYS), never a key file that
    lies in the key folder. The first key is pinned by a ledgered action when the log is first
    checkpointed; each later key by a rotation whose statement (a signed note naming the old and
    new keys) is signed by the key it replaces. Insert-only; a recorded fact."""

    RECORDED_AGENCY: ClassVar[str] = "ledger__agency_id"  # a recorded fact (casetrail.lib.facts)

    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="keys")
    key_id = models.CharField(max_length=8, help_text="C2SP key ID, 8 hex digits")
    vkey = models.CharField(max_length=300, help_text="C2SP verifier key name+keyid+base64")
    pinned_at = models.DateTimeField()
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rotation_note = models.TextField(
        blank=True, help_text="the rotation statement, signed by the replaced key"
    )

    class Meta:
        verbose_name = verbose_name_plural = "检查点公钥"
        ordering = ["ledger", "pinned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ledger", "key_id"], name="ledger_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ledger.origin} {self.key_id}"


class Cosignature(models.Model):
    """A witness's cosignature on a checkpoint (C2SP tlog-cosignature, Ed25519 cosignature/v1),
    exactly the signature line it sent. Insert-only; checked again by `verify`."""

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="cosignatures"
    )
    witness = models.CharField(max_length=200, help_text="witness key name")
    key_id = models.CharField(max_length=8)
    line = models.TextField(help_text="the note signature line as received")
    signed_at = models.DateTimeField(help_text="the cosignature's own timestamp")
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "见证方副署"
        ordering = ["checkpoint", "id"]

    def __str__(self) -> str:
        return f"{self.checkpoint} — {self.witness}"


class VerificationRun(models.Model):
    """A supervisor's request to verify the agency's record, and its report. A working document
    (progress moves while it runs); the request and the outcome are ledger entries."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "核验中"
        DONE = "done", "已完成"
        FAILED = "failed", "出错"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey("org.Officer", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    findings = models.JSONField(default=list)
    summary = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "核验报告"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.agency} {self.requested_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.finished_at else 0)
