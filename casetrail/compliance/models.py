"""Reasoned exemptions from a rule, where the law allows one (e.g. recording was impossible).
An exemption is a decision (第六条): proposed by a handler through a 规则豁免审批 chain, it is written
here when the chain is approved, and only then lifts the block. Insert-only; supervisors see every
exemption and every proposal."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from casetrail.approvals.models import Chain
from casetrail.cases.models import Case
from casetrail.org.models import Agency, Officer


class Exemption(models.Model):
    """An approved exemption: a rule that cannot be met for this case (or one record), with the
    reason the handler gave. ``chain`` is the approval that made it (NULL for the exemptions
    recorded before exemptions were decisions)."""

    RECORDED_AGENCY: ClassVar[str] = "case__agency_id"  # a recorded fact (casetrail.lib.facts)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="exemptions")
    rule = models.CharField("规则", max_length=10)
    subject = models.CharField(
        "对象", max_length=60, blank=True, help_text="e.g. record:12, stage:investigation"
    )
    reason = models.TextField("理由")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # Nullable without a default so SQLite adds the column in place (a rebuild would drop the
    # insert-only triggers) and the rows written before stay as their ledger entries recorded them.
    chain = models.ForeignKey(
        Chain,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批",
    )

    class Meta:
        verbose_name = verbose_name_plural = "规则豁免"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject}"


class HolidaySchedule(models.Model):
    """The State Council's schedule of statutory holidays for one year (国务院办公厅关于某年部分节假日
    安排的通知), imported by an administrator for a year the installed calendar data does not cover.
    Insert-only: a corrected schedule is a new row for the same year; the latest one counts."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    year = models.PositiveIntegerField("年度")
    holidays = models.JSONField("放假日期")  # ISO dates, weekends included where they are days off
    workdays = models.JSONField("调休上班日期")  # ISO dates of weekends that are working days
    source = models.CharField("依据（通知文号）", max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    imported_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = verbose_name_plural = "节假日安排"
        ordering = ["year", "id"]

    def __str__(self) -> str:
        return f"{self.year}（{self.source}）"


class CaseDeadline(models.Model):
    """One deadline of a case as the deadline registry last computed it (``deadlines_of``), kept
    up to date after every ledgered action on the case (``casetrail.compliance.stored``), so the
    worklists, dashboards and the daily check read an index instead of recomputing every case's
    calendar. A projection, not a recorded fact: the records it is computed from are in the ledger,
    and ``casetrail refresh-deadlines`` rebuilds it from them."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadline_rows")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField("期限规则", max_length=10)
    title = models.CharField("事项", max_length=200)
    basis = models.TextField("依据")
    due_at = models.DateTimeField("期限")
    done = models.BooleanField(default=False)
    info = models.BooleanField(default=False)
    estimated = models.BooleanField(default=False)
    # Not done, not a date to know, on a case not archived: what worklists and the daily check
    # watch (one indexed column instead of three conditions and a join to the case).
    watched = models.BooleanField(default=True)
    # When the daily check first saw it overdue: the check reports only deadlines that changed.
    overdue_noted_at = models.DateTimeField(null=True, blank=True)
    # When it was met: the action that turned the stored row done (NULL: met before the rows were
    # kept, or not met) — what the supervisors' "deadlines met on time" reads.
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件期限"
        ordering = ["due_at", "id"]
        indexes = [
            # Partial: only watched rows, in due order. (The former (agency, watched, due_at)
            # could not range over due_at — the query's bare boolean term is no equality for
            # the planner — and sorted every watched row of the agency: issue 18.)
            models.Index(
                fields=["agency", "due_at", "id"],
                condition=models.Q(watched=True),
                name="deadline_watched_due",
            ),
            models.Index(fields=["case", "watched", "due_at"], name="deadline_case_watch"),
            # One rule's watched deadlines of an agency in due order (the custodian's 待立卷归档:
            # R30a), where the index above would walk every other watched deadline first.
            models.Index(
                fields=["agency", "rule", "due_at", "id"],
                condition=models.Q(watched=True),
                name="deadline_watched_rule_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.rule} {self.due_at:%Y-%m-%d}"


class CaseDeadlineDirty(models.Model):
    """A case whose stored deadlines an action may have changed: marked inside the action (one
    row insert, ignored if already there), refreshed later in batches — by the scheduler every minute
    and by each reader of the stored deadlines before it reads — so an action pays an
    insert, not the deadline registry's computation (which grows with the case's records)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="+")
    # The first action since the last recomputation (a later one keeps it): what a deadline met in
    # this recomputation records as its ``done_at``.
    marked_at = models.DateTimeField(null=True, blank=True)
    # A new random value at every mark: the recomputation runs outside the write lock and removes
    # the mark only if it still holds the value read before computing, so an action that marked
    # the case meanwhile is not lost (issue 18, load: computing under SQLite's write lock stalled
    # every writer of the database for 2–40 ms a case).
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "待重算期限的案件"

    def __str__(self) -> str:
        return str(self.case_id)
