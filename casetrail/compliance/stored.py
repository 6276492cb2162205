"""Stored deadlines: the deadline registry's calendar of each case, kept in ``CaseDeadline`` rows.

Every ledgered action that names a case marks it (``mark_case``, registered with
``casetrail.lib.ledgered.register_after_case`` from ``ComplianceConfig.ready()``): one row insert
in the action's transaction, so the mark commits with the facts or not at all. ``refresh_marked``
then recomputes the marked cases' deadlines with ``deadlines_of`` — the registry decides them,
nothing here knows a deadline kind — and writes only the rows that changed. It runs every minute
from the scheduler and at the start of every reader of the stored rows (the worklists, the daily
check, the findings), so a reader never sees a case's rows older than its last action.
(Recomputing inside each action cost 2 ms to 40 ms an action, growing with the case's records: the
action rate fell tenfold.) The worklists, dashboards, the daily check and the findings then read an
index instead of computing every case's calendar on each view (issue 18: 8 minutes for a handler's
worklist at 10^5 cases).

Holiday schedules change the working-day calendar of every case: their import refreshes all rows
in the background (``refresh_all``); `casetrail refresh-deadlines` does the same by hand (after a
configuration change of a period, or to rebuild the projection).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case as SqlCase
from django.db.models import Exists, OuterRef, QuerySet, Subquery, When
from django.utils import timezone

from casetrail.cases.models import Case, CaseOfficer, Stage
from casetrail.cases.selectors import MANY_CASES
from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.engine import DEADLINES, CaseView, Deadline
from casetrail.compliance.models import CaseDeadline, CaseDeadlineDirty
from casetrail.lib import statements
from casetrail.org.models import Officer, Role

# Case ids a statement names at most (SQLite's parameter limit).
_CHUNK = 500

_FIELDS = ("rule", "title", "basis", "due_at", "done", "info", "estimated", "watched")


def _values(case: Case, d: Deadline) -> tuple[Any, ...]:
    watched = not d.done and not d.info and case.stage != Stage.ARCHIVED
    return (d.rule, d.title[:200], d.basis, d.due_at, d.done, d.info, d.estimated, watched)


def _key(row: CaseDeadline) -> tuple[Any, ...]:
    return tuple(getattr(row, f) for f in _FIELDS)


# The mark as one plain statement (issue 18): the ORM's bulk_create(update_conflicts=…) built the
# same SQL on every action at a cost comparable to the ledger append itself.
_MARK = (
    "INSERT INTO compliance_casedeadlinedirty (case_id, marked_at, version) VALUES (%s, %s, %s) "
    "ON CONFLICT (case_id) DO UPDATE SET version = EXCLUDED.version"
)


def mark_case(case_id: int) -> None:
    """The after-action hook: the case's deadlines are to be recomputed. One ``INSERT … ON
    CONFLICT DO UPDATE`` of a new random ``version`` (the first action since the last
    recomputation keeps its ``marked_at``)."""
    statements.execute(
        _MARK,
        [case_id, connection.ops.adapt_datetimefield_value(timezone.now()), secrets.randbits(62)],
    )


def refresh_marked(
    *, batch: int = 200, officer: Officer | None = None, cases: QuerySet[Case] | None = None
) -> int:
    """Recompute the deadlines of the marked cases, one pass in case order; returns how many.

    ``officer``: only the marks bearing on what their worklist reads — their agency's cases, and
    for an officer who is not a supervisor only the cases assigned to them. A page view pays for
    the cases it shows, not for whatever the whole database did since the scheduler's last pass
    (another agency's or another handler's actions); the rest waits for the minute job or for
    their own readers.

    Each batch of marks is read, then its cases (one statement each), and computed outside any
    transaction (the registry's reads: 2–40 ms a case), then written in one short transaction:
    each mark removed only if it still has the version read before computing, the stored rows
    of those cases read in one query, the changed rows written. A case marked again meanwhile (an action
    committed during the computation) is computed once more inside a transaction of its own, the
    old way, so the pass ends and no reader sees rows older than an action committed before it
    began. (One transaction a case was a commit — on SQLite a sync of the WAL under the
    database's write lock — and four statements for every marked case a reader found.)

    ``cases``: only the marks of these cases (the custodian's 待立卷归档 reads the agency's closed
    cases), tested per mark like ``officer``'s."""
    done = 0
    last = 0
    while True:
        marks = _marks(officer, cases, last, batch)
        if not marks:
            return done
        last = marks[-1].pk
        done += _refresh_marks(marks)
        if len(marks) < batch:
            # The last batch: a mark after it was made after this pass read the marks, by an
            # action that committed after the read began (one query less for every reader
            # that found a mark).
            return done


# The marks after a case id, in case order: a plain statement, since every worklist view reads
# them and usually finds none — the ORM built and compiled the two correlated EXISTS in ≈ 2 ms
# of CPU for that empty answer (issue 18), the statement ≈ 0.1 ms. Correlated to each mark (a
# short table): probed through the indexes on case and on (case, officer), never a scan of a
# handler's thousands of assignments.
_MARKS = (
    "SELECT case_id, marked_at, version FROM compliance_casedeadlinedirty WHERE case_id > %s"
    "{scope} ORDER BY case_id LIMIT %s"
)
_OF_AGENCY = (
    " AND EXISTS (SELECT 1 FROM cases_case c"
    " WHERE c.id = compliance_casedeadlinedirty.case_id AND c.agency_id = %s)"
)
_ASSIGNED = (
    " AND EXISTS (SELECT 1 FROM cases_caseofficer a"
    " WHERE a.case_id = compliance_casedeadlinedirty.case_id AND a.officer_id = %s)"
)


def _marks(
    officer: Officer | None, cases: QuerySet[Case] | None, last: int, batch: int
) -> list[CaseDeadlineDirty]:
    """The next ``batch`` marks after case ``last`` bearing on ``officer`` (see
    ``refresh_marked``), of ``cases`` when given."""
    if cases is not None:
        pending = _marks_for(officer).filter(Exists(cases.filter(pk=OuterRef("case_id"))))
        return list(pending.filter(pk__gt=last).order_by("pk")[:batch])
    scope, params = "", [last]
    if officer is not None:
        scope, params = _OF_AGENCY, [*params, officer.agency_id]
        if not officer.has_role(Role.SUPERVISOR):
            scope, params = scope + _ASSIGNED, [*params, officer.pk]
    sql = _MARKS.format(scope=scope)
    return list(CaseDeadlineDirty.objects.raw(sql, [*params, batch]))


def _marks_for(officer: Officer | None) -> QuerySet[CaseDeadlineDirty]:
    marks = CaseDeadlineDirty.objects.all()
    if officer is None:
        return marks
    marks = marks.filter(
        Exists(Case.objects.filter(pk=OuterRef("case_id"), agency_id=officer.agency_id))
    )
    if not officer.has_role(Role.SUPERVISOR):
        marks = marks.filter(
            Exists(CaseOfficer.objects.filter(case_id=OuterRef("case_id"), officer=officer))
        )
    return marks


# The mark removed only if no action renewed it since it was read (its version).
_UNMARK = "DELETE FROM compliance_casedeadlinedirty WHERE case_id = %s AND version = %s"


def _refresh_marks(marks: list[CaseDeadlineDirty]) -> int:
    """Compute the marked cases, then write those whose mark is unchanged in one transaction;
    the others (marked again meanwhile) one by one inside their own. Returns how many."""
    cases = _cases([m.case_id for m in marks])
    computed = {pk: deadlines_of(case) for pk, case in cases.items()}
    with transaction.atomic():
        current = [m for m in marks if statements.execute(_UNMARK, [m.pk, m.version]).rowcount]
        stored = _stored_rows([m.case_id for m in current])
        for m in current:
            _sync(cases[m.case_id], computed[m.case_id], stored[m.case_id], at=m.marked_at)
    done = len(current)
    written = {m.pk for m in current}
    for m in marks:
        if m.pk not in written:
            with transaction.atomic():
                if CaseDeadlineDirty.objects.filter(pk=m.case_id).delete()[0]:
                    refresh_case(m.case_id, at=m.marked_at)
                    done += 1  # else another reader refreshed it meanwhile
    return done


def _cases(ids: list[int]) -> dict[int, Case]:
    """The marked cases by id, in one plain statement (a mark's case exists: the mark is deleted
    with it). What the registry reads of the case row itself — its stage, dates, procedure; no
    deadline reads its agency or unit."""
    holders = ", ".join(["%s"] * len(ids))
    found = Case.objects.raw(f"SELECT * FROM cases_case WHERE id IN ({holders})", ids)
    return {case.pk: case for case in found}


def _stored_rows(case_ids: Sequence[int]) -> dict[int, list[CaseDeadline]]:
    """The stored rows of these cases by case, read in chunks (SQLite's parameter limit) by a
    plain statement (the ORM's compilation was a tenth of a marked case's recomputation)."""
    out: dict[int, list[CaseDeadline]] = {pk: [] for pk in case_ids}
    for start in range(0, len(case_ids), _CHUNK):
        chunk = case_ids[start : start + _CHUNK]
        holders = ", ".join(["%s"] * len(chunk))
        sql = f"SELECT * FROM compliance_casedeadline WHERE case_id IN ({holders})"
        for row in CaseDeadline.objects.raw(sql, chunk):
            out[row.case_id].append(row)
    return out


def refresh_case(case_id: int, *, at: dt.datetime | None = None) -> tuple[int, int]:
    """Bring the stored deadlines of one case in line with the registry; returns (added, removed).
    A row whose values did not change is left alone, so its ``overdue_noted_at`` survives. A
    deadline met since the last recomputation records ``at`` (the marking action's time; now when
    not given) as its ``done_at``."""
    case = Case.objects.filter(pk=case_id).select_related("agency", "unit").first()
    if case is None:
        return (0, 0)
    stored = list(CaseDeadline.objects.filter(case_id=case_id))
    return _sync(case, deadlines_of(case), stored, at=at)


def _done_at(d: Deadline, stored: list[CaseDeadline], now: dt.datetime) -> dt.datetime | None:
    """When a changed row of ``d`` was met: kept from its stored row when that was done already;
    now when it was stored open (this action met it); unknown otherwise (first seen done)."""
    for row in stored:
        if (row.rule, row.title) == (d.rule, d.title[:200]) and not row.info:
            return row.done_at if row.done else now
    return None


def _sync(
    case: Case,
    computed: Iterable[Deadline],
    stored: list[CaseDeadline],
    *,
    at: dt.datetime | None = None,
) -> tuple[int, int]:
    by_key: dict[tuple[Any, ...], list[CaseDeadline]] = {}
    for row in stored:
        by_key.setdefault(_key(row), []).append(row)
    now = at or timezone.now()
    new = []
    for d in computed:
        values = _values(case, d)
        same = by_key.get(values)
        if same:
            same.pop()  # unchanged: keep the row
            continue
        new.append(
            CaseDeadline(
                case_id=case.pk,
                agency_id=case.agency_id,
                done_at=_done_at(d, stored, now) if d.done else None,
                **dict(zip(_FIELDS, values, strict=True)),
            )
        )
    gone = [row.pk for rows in by_key.values() for row in rows]
    if gone:
        CaseDeadline.objects.filter(pk__in=gone).delete()
    if new:
        CaseDeadline.objects.bulk_create(new)
    return (len(new), len(gone))


def refresh_all(*, agency_id: int | None = None, batch: int = 500) -> tuple[int, int, int]:
    """Refresh every case (of one agency); returns (cases, added, removed). Reads cases in primary
    key batches and the stored rows of each batch in one query, so memory stays flat."""
    cases = Case.objects.select_related("agency", "unit").order_by("pk")
    if agency_id is not None:
        cases = cases.filter(agency_id=agency_id)
    seen = added = removed = 0
    last = 0
    while True:
        chunk = list(cases.filter(pk__gt=last)[:batch])
        if not chunk:
            break
        last = chunk[-1].pk
        stored: dict[int, list[CaseDeadline]] = {}
        for row in CaseDeadline.objects.filter(case_id__in=[c.pk for c in chunk]):
            stored.setdefault(row.case_id, []).append(row)
        for case in chunk:
            a, r = _sync(case, deadlines_of(case), stored.get(case.pk, []))
            seen, added, removed = seen + 1, added + a, removed + r
    return (seen, added, removed)


def store_copies(
    case: Case, copies: Sequence[tuple[int, dict[int, int]]], *, batch: int = 5000
) -> int:
    """Store the deadlines the registry computes for ``case`` for it and for each copy of it:
    ``(case id, {record id in case: record id in the copy})`` — a case with the same stage,
    records and times, other ids, parties and numbers (as `casetrail generate` makes them), with
    no stored rows yet. A record named in a deadline's title ("（#id）") is the copy's own. One
    computation for the whole class (a case's calendar costs a few milliseconds and a dozen
    queries). Returns the number of rows written; the caller checks a sample of the copies
    against ``matches_registry``."""
    values = [_values(case, d) for d in deadlines_of(case)]
    rows = [CaseDeadline(case_id=case.pk, agency_id=case.agency_id, **_named(v)) for v in values]
    for case_id, records in copies:
        for rule, title, *rest in values:
            title = _follow(title, records)
            rows.append(
                CaseDeadline(
                    case_id=case_id, agency_id=case.agency_id, **_named((rule, title, *rest))
                )
            )
    CaseDeadline.objects.bulk_create(rows, batch_size=batch)
    return len(rows)


_RECORD_REF = re.compile(r"#(\d+)")  # how a deadline's title names its record


def _follow(title: str, records: dict[int, int]) -> str:
    return _RECORD_REF.sub(lambda m: f"#{records.get(int(m[1]), m[1])}", title)


def _named(values: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(_FIELDS, values, strict=True))


def matches_registry(case_id: int) -> bool:
    """Whether the stored deadlines of a case are exactly those the registry computes now."""
    case = Case.objects.select_related("agency", "unit").get(pk=case_id)
    stored = sorted(map(_key, CaseDeadline.objects.filter(case_id=case_id)), key=repr)
    return stored == sorted((_values(case, d) for d in deadlines_of(case)), key=repr)


# --- reading the stored rows -----------------------------------------------------------------


def as_deadline(row: CaseDeadline) -> Deadline:
    """A stored row as the Deadline the templates and the API read (its case already loaded)."""
    return Deadline(
        row.case,
        row.title,
        row.basis,
        row.due_at,
        done=row.done,
        info=row.info,
        rule=row.rule,
        estimated=row.estimated,
    )


def loaded(rows: QuerySet[CaseDeadline], limit: int) -> list[Deadline]:
    """The first ``limit`` of ``rows`` (earliest first) as the lists show them: the ids are read
    from the deadlines' own index first, so the planner never starts from the joined tables (at
    10^4 cases it walked every case of the agency to find 50 deadlines)."""
    return shown(first_ids(rows, limit))


def first_ids(rows: QuerySet[CaseDeadline], limit: int) -> list[int]:
    """The ids of the first ``limit`` of ``rows``, earliest first, from the deadlines' index."""
    return list(rows.order_by("due_at", "id").values_list("pk", flat=True)[:limit])


# What a list shows of a deadline and of its case (number, title, link; the case's fields in the
# model's order, as ``Model.from_db`` takes them).
_SHOWN = ("pk", "rule", "title", "basis", "due_at", "done", "info", "estimated")
_CASE_SHOWN = ("id", "number", "title")


def shown(ids: Sequence[int]) -> list[Deadline]:
    """The deadlines with these ids as the lists show them, earliest first, in one query: the
    stored columns and the case's number and title read as tuples, each case a model instance
    holding those alone (the worklist, the full lists and the API read no other field of it).
    Two model instances built per row were most of the worklist's deadline panel (40 rows ≈ 3
    ms of CPU, issue 18)."""
    if not ids:
        return []
    case_fields = [f"case__{name}" for name in _CASE_SHOWN]
    rows = CaseDeadline.objects.filter(pk__in=ids).values_list(*_SHOWN, *case_fields)
    out = []
    for _pk, rule, title, basis, due_at, done, info, estimated, *case in sorted(
        rows, key=lambda r: (r[4], r[0])
    ):
        out.append(
            Deadline(
                Case.from_db(None, _CASE_SHOWN, case),
                title,
                basis,
                due_at,
                done=done,
                info=info,
                rule=rule,
                estimated=estimated,
            )
        )
    return out


def watched_for(*, officer: Officer) -> QuerySet[CaseDeadline]:
    """The watched deadlines (not done, not a date to know, case not archived) of the cases the
    officer handles — the supervisor's: the agency's — earliest first, cases loaded."""
    refresh_marked(officer=officer)  # the marks of the cases read here, not every agency's
    rows = CaseDeadline.objects.filter(agency_id=officer.agency_id, watched=True)
    if not officer.has_role(Role.SUPERVISOR):
        # Assigned cases are a subset of the visible ones: no need for the access filter here.
        # Two shapes of the same set, as the case list has: an officer on more than MANY_CASES
        # cases walks the agency's deadlines in order testing each case (the first found are
        # the page); anyone else reads their few cases' deadlines by case. The walk alone,
        # for an officer on no case (a reviewer, the custodian), tested every watched deadline
        # of the agency to find none (55 ms at 3,000 cases).
        assigned = list(
            CaseOfficer.objects.filter(officer=officer)
            .order_by()
            .values_list("case_id", flat=True)[: MANY_CASES + 1]
        )
        if len(assigned) > MANY_CASES:
            rows = rows.filter(
                Exists(CaseOfficer.objects.filter(case_id=OuterRef("case_id"), officer=officer))
            )
        else:
            rows = rows.filter(case_id__in=assigned)
    return rows.order_by("due_at", "id")


def stored_due(rows: QuerySet[CaseDeadline]) -> QuerySet[CaseDeadline]:
    """Of ``rows``, the overdue ones and those due within CASETRAIL_DUE_SOON_HOURS."""
    soon = timezone.now() + dt.timedelta(hours=settings.CASETRAIL_DUE_SOON_HOURS)
    return rows.filter(due_at__lte=soon)


def due_ids(*, officer: Officer, overdue: bool) -> QuerySet[CaseDeadline, int]:
    """The ids of the officer's overdue deadlines (``overdue``) or of those due soon, earliest
    first: the full lists behind the worklist's 已逾期 and 临近期限, paged (the rows of a page
    then come with ``shown``)."""
    rows = stored_due(watched_for(officer=officer))
    now = timezone.now()
    rows = rows.filter(due_at__lt=now) if overdue else rows.filter(due_at__gte=now)
    return rows.values_list("pk", flat=True)


def deadlines_for(*, officer: Officer, limit: int = 500) -> list[Deadline]:
    """Due and overdue deadlines on the cases the officer handles (supervisors: the agency),
    earliest first (the first ``limit``)."""
    return loaded(stored_due(watched_for(officer=officer)), limit)


def due_deadlines(*, agency_code: str | None = None) -> list[Deadline]:
    """Due and overdue deadlines of every case not archived (of one agency)."""
    refresh_marked()
    rows = CaseDeadline.objects.filter(watched=True)
    if agency_code:
        rows = rows.filter(agency__credit_code=agency_code)
    rows = stored_due(rows).select_related("case", "case__agency", "case__unit")
    return [as_deadline(r) for r in rows.order_by("due_at", "id").iterator(chunk_size=2000)]


def rule_deadlines(cases: Sequence[Case], rule: str) -> dict[int, Deadline | None]:
    """The first deadline ``rule`` gives each case (case id → deadline or None), as computing
    ``DEADLINES[rule]`` on each case would: read from the stored rows in one query, computed
    live only for the cases marked for recomputation (their rows may predate their last
    action). For lists that show one deadline per row (the chains waiting for an approver, the
    cases waiting for the custodian)."""
    by_id = {c.pk: c for c in cases}
    ids = list(by_id)
    out: dict[int, Deadline | None] = {}
    marked: set[int] = set()
    # In chunks: the custodian's closed cases may be tens of thousands, more than a statement's
    # parameters allow on SQLite.
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marked.update(CaseDeadlineDirty.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        unmarked = [pk for pk in chunk if pk not in marked]
        if not unmarked:
            continue
        for row in CaseDeadline.objects.filter(case_id__in=unmarked, rule=rule).order_by("id"):
            if row.case_id not in out:
                row.case = by_id[row.case_id]
                out[row.case_id] = as_deadline(row)
    for pk in marked:
        out[pk] = next(DEADLINES[rule].compute(CaseView(by_id[pk], files=False)), None)
    return {pk: out.get(pk) for pk in ids}


class ChainDueAt:
    """For ``approvals.kinds.waiting_order`` (registered from ``ComplianceConfig.ready()``): the
    due time of each waiting chain read from the stored deadlines in the chains' own query."""

    @staticmethod
    def expression(rules: dict[str, str]) -> SqlCase:
        """Over a ``Chain`` row: its kind's rule's nearest watched stored deadline for its case
        (``rules``: kind → rule id); NULL for other kinds, or when none is watched (met, or the
        case archived). One subquery per row, through ``deadline_case_watch`` (case, watched,
        due_at)."""
        return SqlCase(
            *(
                When(
                    kind=kind,
                    then=Subquery(
                        CaseDeadline.objects.filter(
                            case_id=OuterRef("case_id"), watched=True, rule=rule
                        )
                        .order_by("due_at")
                        .values("due_at")[:1]
                    ),
                )
                for kind, rule in sorted(rules.items())
            ),
            default=None,
        )

    @staticmethod
    def refresh(chains: QuerySet[Any]) -> int:
        """The marked cases among ``chains``' recomputed (``refresh_marked``): one query when
        none is marked. Returns how many."""
        return refresh_marked(cases=Case.objects.filter(pk__in=chains.values("case_id")))


def rule_due_cases(*, agency_id: int, rule: str, cases: QuerySet[Case]) -> QuerySet[Any, int]:
    """The ids of the agency's ``cases`` (filtered on the case's own columns) with a watched
    deadline of ``rule``, earliest due first: walked in the index of the agency's watched
    deadlines by rule (``deadline_watched_rule_due``), each row's case tested by its key
    (``EXISTS``), so the first 20 and a total to 100 read about 101 rows whatever the agency's
    size. The caller refreshes the marks of ``cases`` first (``refresh_marked(cases=…)``)."""
    return (
        CaseDeadline.objects.filter(agency_id=agency_id, rule=rule, watched=True)
        .filter(Exists(cases.filter(pk=OuterRef("case_id"))))
        .order_by("due_at", "id")
        .values_list("case_id", flat=True)
    )
