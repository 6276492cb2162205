"""The rule engine: each rule of DESIGN.md §7 is a small function with its id, article and kind.

- BLOCK rules run on the stage transitions they name (and on closure); a transition is refused
  while any of them reports something missing, each with its article and what to add.
- WARN rules show on the case page.
- Deadlines are registered the same way (``@deadline``): each with its id, article, unit (calendar
  days, working days, hours, or a date set on a record) and the record kinds it follows, next to
  the rule of the same obligation; ``casetrail.compliance.deadlines.deadlines_of`` loops over them.

A rule yields `Missing(subject, message, link)` items; an item whose (rule, subject) carries a
reasoned exemption counts as met where the rule allows exemptions, and shows as exempted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.utils import timezone

from casetrail.approvals.models import Chain
from casetrail.cases.models import STAGE_ORDER, Case, Stage
from casetrail.evidence.models import Item
from casetrail.lib.workdays import Due
from casetrail.records.catalogue import aliases
from casetrail.records.numbers import share_numbers


class Kind(StrEnum):
    BLOCK = "block"
    WARN = "warn"
    DEADLINE = "deadline"


@dataclass(frozen=True)
class Missing:
    """Something a rule needs that the case lacks."""

    subject: str  # what it is about: "case", "record:12", "stage:investigation"
    message: str  # zh-Hans: what is missing and what to add
    add: str = ""  # catalogue code of the document that would satisfy it, if one


@dataclass(frozen=True)
class Rule:
    id: str
    article: str
    kind: Kind
    title: str
    check: Callable[[CaseView], Iterator[Missing]]
    gates: tuple[str, ...] = ()  # stages whose entry this rule guards ("decision", "closed"…)
    exemptible: bool = False


RULES: dict[str, Rule] = {}

# Readers of the days approved extensions added to a deadline's period (第六条: an extension is a
# decision): the decisions app registers one from its ready(); (case view, deadline id) → days.
EXTENSIONS: list[Callable[[CaseView, str], int]] = []


def register_extension(reader: Callable[[CaseView, str], int]) -> None:
    EXTENSIONS.append(reader)


def rule(
    id: str,
    *,
    article: str,
    kind: Kind,
    title: str,
    gates: tuple[str, ...] = (),
    exemptible: bool = False,
) -> Callable[[Callable[[CaseView], Iterator[Missing]]], Callable[[CaseView], Iterator[Missing]]]:
    def register(
        fn: Callable[[CaseView], Iterator[Missing]],
    ) -> Callable[[CaseView], Iterator[Missing]]:
        if id in RULES:
            raise ValueError(f"rule {id} registered twice")
        RULES[id] = Rule(id, article, kind, title, fn, gates, exemptible)
        return fn

    return register


@dataclass
class Finding:
    rule: Rule
    missing: Missing
    exempted: bool = False
    exemption_reason: str = ""

    def line(self) -> str:
        return f"{self.rule.id}（{self.rule.article}）{self.missing.message}"


@dataclass
class CaseView:
    """What the rules read of one case, loaded once."""

    case: Case
    now: dt.datetime = field(default_factory=timezone.now)
    # Whether the records come with their signatures and attachments: the rules read them, the
    # deadlines never do (``deadlines_of`` leaves them out: their prefetch was a third of a
    # marked case's recomputation, and grows with every signed 询问笔录 — issue 18, load).
    files: bool = True
    # What other apps' rules read once per view (``once``), e.g. the case's publications.
    _once: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def every_version(self) -> list[Any]:
        """Every record of the case, corrected versions included, in time order."""
        records = self.case.records.order_by("created_at", "id")
        if self.files:
            records = records.prefetch_related("signatures", "attachments")
        return list(records)

    @cached_property
    def records(self) -> list[Any]:
        # Only the latest version of each document counts.
        superseded = {r.replaces_id for r in self.every_version if r.replaces_id}
        latest = [r for r in self.every_version if r.pk not in superseded]
        # The first 文号 a rule asks for reads those of all these records (one query, not one
        # per record named).
        share_numbers(latest)
        return latest

    def once(self, key: str, read: Callable[[], Any]) -> Any:
        """``read()``'s result, read once for this view: for the rules and deadlines of apps above
        this one that read the same thing (the publications of GS7 and GS3)."""
        if key not in self._once:
            self._once[key] = read()
        return self._once[key]

    def records_of(self, *kinds: str) -> list[Any]:
        """The latest records of ``kinds``, with those stored under a retired code of the same
        document (the 送达回证 once kept apart for the investigation is a 送达回证)."""
        wanted = {k for kind in kinds for k in aliases(kind)}
        return [r for r in self.records if r.kind in wanted]

    def has(self, *kinds: str) -> bool:
        return bool(self.records_of(*kinds))

    @cached_property
    def av_items(self) -> list[Any]:
        return list(
            Item.objects.filter(link__case=self.case, kind__in=("video", "audio", "surveillance"))
        )

    def av_overlapping(self, start: dt.datetime, end: dt.datetime) -> list[Any]:
        return [
            i
            for i in self.av_items
            if (i.recorded_start or i.recorded_end) <= end and i.recorded_end >= start
        ]

    @cached_property
    def stage_spans(self) -> dict[str, tuple[dt.datetime, dt.datetime]]:
        """When the case was in each stage: from entering it to leaving it (or now)."""
        spans: dict[str, tuple[dt.datetime, dt.datetime]] = {}
        if "stage_changes" in getattr(self.case, "_prefetched_objects_cache", {}):
            changes = list(self.case.stage_changes.all())  # the page read them (in this order)
        else:
            changes = list(self.case.stage_changes.order_by("at", "id"))
        for i, change in enumerate(changes):
            end = changes[i + 1].at if i + 1 < len(changes) else self.now
            spans[change.to_stage] = (change.at, end)
        spans.setdefault(
            Stage.START, (self.case.created_at, changes[0].at if changes else self.now)
        )
        return spans

    def stage_at(self, moment: dt.datetime) -> str:
        """The stage the case was in at ``moment``."""
        found = Stage.START.value
        for stage, (start, _) in sorted(self.stage_spans.items(), key=lambda kv: kv[1][0]):
            if start <= moment:
                found = stage
        return found

    @cached_property
    def exemptions(self) -> dict[tuple[str, str], str]:
        """The approved exemptions (an exemption is written when its chain is approved)."""
        return {(e.rule, e.subject): e.reason for e in self.case.exemptions.all()}

    @cached_property
    def chains(self) -> list[Chain]:
        return list(self.case.chains.all())

    def chain_status(self, record: Any) -> str | None:
        """The status of the approval chain deciding on ``record`` (its current version), or None
        when no chain decides on it (a document made before it had to be approved)."""
        found = [c.status for c in self.chains if c.record_id == record.pk]
        return found[-1] if found else None

    def extension_days(self, deadline_id: str) -> int:
        """The days approved extensions (第六条, 延长办案期限审批) added to a deadline's period, as
        the app that decides on extensions reads them (``register_extension``)."""
        return sum(reader(self, deadline_id) for reader in EXTENSIONS)

    @cached_property
    def major_since(self) -> dt.datetime | None:
        """Since when the case is 重大复杂 (None if it is not): when it was registered so, or the
        latest time the flag was raised during the case. The 重大 rules apply from then on."""
        if not self.case.is_major:
            return None
        raised = [
            r.created_at
            for r in self.records_of("major_case_change")
            if r.fields.get("change") == "raise"
        ]
        return max(raised) if raised else self.case.created_at


def evaluate(view: CaseView, rules: list[Rule]) -> list[Finding]:
    findings = []
    for r in rules:
        for missing in r.check(view):
            reason = view.exemptions.get((r.id, missing.subject)) if r.exemptible else None
            findings.append(Finding(r, missing, reason is not None, reason or ""))
    return findings


def gate_rules(to_stage: str) -> list[Rule]:
    return [r for r in RULES.values() if r.kind == Kind.BLOCK and to_stage in r.gates]


def blockers(case: Case, to_stage: str) -> list[Finding]:
    """Unmet, unexempted BLOCK findings for moving ``case`` to ``to_stage``."""
    return [f for f in evaluate(CaseView(case), gate_rules(to_stage)) if not f.exempted]


def rule_blockers(case: Case, *rule_ids: str) -> list[Finding]:
    """Unmet, unexempted findings of the named BLOCK rules: for a stage change made by an
    approval's effect rather than ``case_advance`` (the start chain opens the case), where the
    gate's other rules would read the approving chain as still open."""
    chosen = [RULES[i] for i in rule_ids if RULES[i].kind == Kind.BLOCK]
    return [f for f in evaluate(CaseView(case), chosen) if not f.exempted]


def checklist(case: Case, view: CaseView | None = None) -> list[Finding]:
    """What leaving the current stage still needs (exempted items included, marked). ``view``:
    the case as already loaded for other reads of the same request (the case page)."""
    here = STAGE_ORDER.index(case.stage)
    if here + 1 >= len(STAGE_ORDER):
        return []
    return evaluate(view or CaseView(case), gate_rules(STAGE_ORDER[here + 1]))


def warnings(case: Case, view: CaseView | None = None) -> list[Finding]:
    return evaluate(view or CaseView(case), [r for r in RULES.values() if r.kind == Kind.WARN])


def gate(case: Case, to_stage: str) -> list[str]:
    """The compliance gate of a stage change (registered with ``cases.hooks.GATES``)."""
    return [f.line() for f in blockers(case, to_stage)]


# --- reading records ---------------------------------------------------------------------------


def ref(record: Any, name: str) -> int | None:
    """The id of the record that ``record``'s field ``name`` points at, if any."""
    value = getattr(record, "fields", {}).get(name)
    return value.get("id") if isinstance(value, dict) else None


def refs(record: Any, name: str) -> list[int]:
    """The ids of the records that ``record``'s field ``name`` points at (one or several)."""
    value = getattr(record, "fields", {}).get(name)
    values = value if isinstance(value, list) else [value]
    return [v["id"] for v in values if isinstance(v, dict) and "id" in v]


def referring(case: CaseView, kinds: tuple[str, ...] | str, name: str, target: object) -> list[Any]:
    """The records of ``kinds`` whose field ``name`` points at ``target``."""
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    return [r for r in case.records_of(*kinds) if ref(r, name) == getattr(target, "pk", None)]


def title(record: Any) -> str:
    """A record as rule messages name it (title, 文号, date: ``Record.reference``)."""
    return str(record.reference)


def missing_attachments(record: Any) -> list[str]:
    """Labels of the required attachment slots (other than audio/video) the record lacks, by
    the catalogue entry version the record was made with."""
    doc = record.doc
    have = {a.slot_name for a in record.attachments.all()}
    return [
        a.label
        for a in (doc.attachments if doc else ())
        if a.required and a.name not in have and a.kind != "av"
    ]


# --- deadlines ---------------------------------------------------------------------------------


class Unit(StrEnum):
    """How a period is counted; each deadline says which, with its law's rule beside it."""

    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    HOURS = "hours"
    DATE_ON_RECORD = "date_on_record"  # the date is set on a record (e.g. 责令改正期限)


ESTIMATED = "节假日安排未公布，期限为估算"


@dataclass
class Deadline:
    """One deadline of a case. ``due`` is a day (or a moment), or a ``Due`` from the working-day
    calendar, whose ``estimated`` flag says the count relied on unpublished holidays."""

    case: Case
    title: str
    basis: str
    due: dt.date | dt.datetime | Due
    done: bool = False
    info: bool = False  # a date to know (e.g. when a public notice takes effect), not a duty
    rule: str = ""
    estimated: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.due, Due):
            self.estimated = self.estimated or self.due.estimated
            self.due = self.due.day

    @property
    def due_at(self) -> dt.datetime:
        due = self.due
        if isinstance(due, dt.datetime):
            return due
        assert isinstance(due, dt.date)  # a Due became its day in __post_init__
        return timezone.make_aware(dt.datetime.combine(due, dt.time(23, 59, 59)))

    @property
    def estimate_note(self) -> str:
        return ESTIMATED if self.estimated else ""

    @property
    def overdue(self) -> bool:
        return not self.done and not self.info and self.due_at < timezone.now()

    def is_due_soon(self, hours: int) -> bool:
        return (
            not self.done
            and not self.info
            and not self.overdue
            and (self.due_at <= timezone.now() + dt.timedelta(hours=hours))
        )


@dataclass(frozen=True)
class DeadlineRule:
    id: str
    article: str
    title: str
    unit: Unit
    follows: tuple[str, ...]  # record kinds (or "case") the period runs from
    compute: Callable[[CaseView], Iterator[Deadline]]


DEADLINES: dict[str, DeadlineRule] = {}


def deadline(
    id: str, *, article: str, title: str, unit: Unit, follows: tuple[str, ...] = ()
) -> Callable[[Callable[[CaseView], Iterator[Deadline]]], Callable[[CaseView], Iterator[Deadline]]]:
    """Register a deadline computation: ``fn(view)`` yields the case's deadlines of this kind,
    each carrying this rule's id."""

    def register(
        fn: Callable[[CaseView], Iterator[Deadline]],
    ) -> Callable[[CaseView], Iterator[Deadline]]:
        if id in DEADLINES:
            raise ValueError(f"deadline {id} registered twice")

        def compute(view: CaseView) -> Iterator[Deadline]:
            for d in fn(view):
                d.rule = id
                yield d

        DEADLINES[id] = DeadlineRule(id, article, title, unit, follows, compute)
        return fn

    return register
