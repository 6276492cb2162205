"""Reads of cases, and the one access function every view and API call goes through."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from casetrail.cases.hooks import VISIBILITY, CasePage
from casetrail.cases.models import (
    Case,
    CaseOfficer,
    Confidentiality,
    Mark,
    MarkedRead,
    Party,
    Stage,
    StageChange,
    StartMode,
    StartStatus,
)
from casetrail.cases.search import search_filter
from casetrail.ledger.selectors import ledger_index_for
from casetrail.lib.listing import id_link, minute
from casetrail.lib.masking import mask_address, mask_id_number, mask_phone
from casetrail.lib.numbers import id_or_none
from casetrail.lib.text import odd_character
from casetrail.org.models import Officer, Role
from casetrail.org.selectors import officer_for_request


def visible_cases(*, officer: Officer, correlated: bool = False) -> QuerySet[Case]:
    """The cases an officer may read: supervisors see the agency; others see the cases they are
    assigned to, and those the apps above add (``hooks.VISIBILITY``: chains they acted on or may
    act on now); custodians see closed cases.

    Two shapes of the same set (issue 18). By default sets of case ids, each read through an
    index (assignments by officer, …): right for a count, a search and an officer who sees a
    few cases, where subqueries correlated with every case of the agency would test each one.
    ``correlated``: EXISTS on each case, for the first page of a list of more than ~1,000
    visible cases read in the list's index order — a few dozen cases tested instead of every
    visible one gathered and sorted."""
    base = Case.objects.filter(agency_id=officer.agency_id)
    roles = officer.role_set
    if Role.SUPERVISOR in roles:
        return base
    if correlated:
        q = Q(Exists(CaseOfficer.objects.filter(case_id=OuterRef("pk"), officer=officer)))
    else:
        q = Q(pk__in=CaseOfficer.objects.filter(officer=officer).values("case_id"))
    for extra in VISIBILITY:
        q |= extra(officer, correlated)
    if Role.CUSTODIAN in roles:
        q |= Q(stage__in=[Stage.CLOSED, Stage.ARCHIVED])
    return base.filter(q)


# Above this many assigned cases an officer's lists read the access filter correlated (EXISTS on
# each case in index order) rather than as sets of ids gathered in full (``visible_cases``).
MANY_CASES = 1000


def reads_correlated(officer: Officer, *, mine: bool = False) -> bool:
    """The shape ``case_list`` reads the officer's list in: correlated for an officer on many
    cases (``has_many_cases``). A supervisor's list has no access filter (the agency's cases)
    unless only their own are asked for (``mine``): no count needed to choose."""
    if not mine and Role.SUPERVISOR in officer.role_set:
        return False
    return has_many_cases(officer)


def has_many_cases(officer: Officer) -> bool:
    """Whether ``officer`` is assigned to more than ``MANY_CASES`` cases: one count over the
    assignments' officer index, stopped at the threshold."""
    assigned = CaseOfficer.objects.filter(officer=officer).order_by()[: MANY_CASES + 1]
    return int(assigned.count()) > MANY_CASES


def known_length(
    *,
    correlated: bool,
    stage: str = "",
    mode: str = "",
    q: str = "",
    status: str = "",
    mine: bool = False,
) -> int:
    """How many cases ``case_list`` holds at least, known without reading it (issue 18: walking
    a handler's list to 1,001 to count it was most of its SQL). ``correlated`` as
    ``reads_correlated`` answered: the officer is assigned to more than ``MANY_CASES`` cases
    (``has_many_cases``), and a list no filter narrows holds each of them — visible to them
    (``visible_cases``), and ``mine`` is that very set. Otherwise 0: nothing known."""
    if correlated and not (stage or mode or q or status):
        return MANY_CASES + 1
    return 0


def case_for_user(*, user: Any, case_id: int | str) -> Case:
    """The case with ``case_id`` if ``user`` may read it; otherwise 404, never revealing whether
    it exists (another agency's case, or one the officer has no part in)."""
    officer = officer_for_request(user)
    pk = id_or_none(case_id)
    if pk is None:
        raise Http404("案件不存在")
    # The officers assigned come with the case: the page, the access function of its marked
    # material and the steps offered all read them (one query instead of one each). One case is
    # tested with the correlated shape: a few index probes for it, where the sets of ids would
    # gather every case a handler was ever assigned (27 ms for 张承办 at 10^5 cases).
    case = (
        visible_cases(officer=officer, correlated=True)
        .select_related("agency", "unit", "created_by")
        .prefetch_related(
            Prefetch("assignments", queryset=CaseOfficer.objects.select_related("officer"))
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404("案件不存在")
    return case


def may_read_marked(*, officer: Officer, case: Case) -> bool:
    """The one access function of a case's protected material (第三十三条): personal data (the
    parties', the catalogue's ``personal`` fields, numbers found in free text) and material marked
    商业秘密 or 个人隐私 (``Mark``), and the entries and bytes that carry them. Assigned officers
    may; supervisors too unless the case is 涉密; everyone else sees the material exists and is
    withheld."""
    if case.is_assigned(officer.pk):
        return True
    return officer.has_role(Role.SUPERVISOR) and case.confidentiality != Confidentiality.SECRET


def may_see_personal_data(*, officer: Officer, case: Case) -> bool:
    """Personal data is protected material: the same rule (``may_read_marked``)."""
    return may_read_marked(officer=officer, case=case)


@dataclass(frozen=True)
class ReadState:
    """What one viewer may see of a case's protected material right now: ``may`` (the access
    function allows it), the ``reason`` they chose (``casetrail.cases.reading``), and whether the
    case is 涉密 (then all its protected material is marked)."""

    may: bool
    reason: str | None = None
    secret: bool = False

    @property
    def personal(self) -> bool:
        """Personal data shown unmasked: allowed, and in a 涉密 case only with a reason."""
        return self.may and (not self.secret or self.reason is not None)

    @property
    def unlocked(self) -> bool:
        """Marked material (a record or item carrying a mark) shown: allowed, with a reason."""
        return self.may and self.reason is not None

    @property
    def needs_reason(self) -> bool:
        return self.may and self.reason is None


def page_read_state(page: CasePage) -> ReadState:
    """The page's ReadState: set by the view from the request (``casetrail.cases.reading``);
    without one (no request: a worklist, a task), the access function alone, no reason given."""
    if "read" not in page.memo:
        page.memo["read"] = ReadState(
            may=may_read_marked(officer=page.officer, case=page.case),
            secret=page.case.confidentiality == Confidentiality.SECRET,
        )
    state: ReadState = page.memo["read"]
    return state


def page_sees_personal(page: CasePage) -> bool:
    """Whether the case page's viewer sees its personal data unmasked, asked once a page (the
    panels of every app share the answer through ``page.memo``)."""
    return page_read_state(page).personal


def page_marks(page: CasePage) -> dict[str, list[Mark]]:
    """The case's marks by target, read once a page."""
    if "marks" not in page.memo:
        page.memo["marks"] = marks_of_case(case=page.case)
    marks: dict[str, list[Mark]] = page.memo["marks"]
    return marks


@dataclass
class PartyView:
    """A party as one viewer may see it."""

    party: Party
    masked: bool

    def __getattr__(self, name: str) -> Any:
        return getattr(self.party, name)

    @property
    def id_number_shown(self) -> str:
        return mask_id_number(self.party.id_number) if self.masked else self.party.id_number

    @property
    def phone_shown(self) -> str:
        return mask_phone(self.party.phone) if self.masked else self.party.phone

    @property
    def address_shown(self) -> str:
        return mask_address(self.party.address) if self.masked else self.party.address


def parties_for(*, officer: Officer, case: Case, personal: bool | None = None) -> list[PartyView]:
    """The parties as ``officer`` sees them (``personal``: the caller's ReadState decided)."""
    if personal is None:
        personal = may_see_personal_data(officer=officer, case=case)
    return [PartyView(p, not personal) for p in case.parties.all()]


def case_list(
    *,
    officer: Officer,
    stage: str = "",
    q: str = "",
    mode: str = "",
    mine: bool = False,
    status: str = "",
    correlated: bool = False,
) -> QuerySet[Case]:
    """The case list with its filters (``status``: "open" or "closed", 结案 and 已归档 being
    closed); parties and units come in a fixed number of queries. ``correlated``: the shape of
    the access filter for a long list (``visible_cases``)."""
    cases = visible_cases(officer=officer, correlated=correlated)
    if stage:
        cases = cases.filter(stage=stage)
    if status == "open":
        cases = cases.exclude(stage__in=[Stage.CLOSED, Stage.ARCHIVED])
    elif status == "closed":
        cases = cases.filter(stage__in=[Stage.CLOSED, Stage.ARCHIVED])
    if mode:
        cases = cases.filter(start_mode=mode)
    if mine and correlated:
        cases = cases.filter(
            Exists(CaseOfficer.objects.filter(case_id=OuterRef("pk"), officer=officer))
        )
    elif mine:
        cases = cases.filter(pk__in=CaseOfficer.objects.filter(officer=officer).values("case_id"))
    if q and odd_character(q, name=False):
        # No stored number, title or name holds a character the texts refuse (a control
        # character, NUL…: ``casetrail.lib.text``), so nothing matches — and PostgreSQL refuses
        # a NUL in a parameter outright (a 500 found by the API's schema test).
        return cases.none()
    if q:
        # Through the index of the cases' text (``casetrail.cases.search``), confirmed by the
        # exact substring test; only ever narrows the visible cases above (issue 18).
        cases = cases.filter(search_filter(agency_id=officer.agency_id, q=q))
    # The parties shown in each row, in one query for the page (no row shows its officers).
    return cases.select_related("unit").prefetch_related(
        Prefetch("parties", queryset=Party.objects.filter(role=Party.Role.PARTY)),
    )


# The columns the case list's table shows (``cases/_case_table.html``; ``case_table_rows``
# unpacks them in this order).
ROW_FIELDS = (
    "id",
    "number",
    "title",
    "is_major",
    "emergency",
    "start_mode",
    "start_status",
    "stage",
    "created_at",
)


def case_ids(cases: QuerySet[Case]) -> QuerySet[Case, int]:
    """The ids of ``cases`` (``case_list``) in its order, for a paginator that reads them once
    (``lib.paging.CappedPaginator``) and a page's rows then read by id (``case_table_rows``)."""
    return cases.select_related(None).prefetch_related(None).values_list("pk", flat=True)


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One row of a table of cases, its text computed once in Python: the template's lookups,
    ``get_*_display`` calls, related managers, ``{% url %}`` and ``|date`` per cell were most of
    the case list's rendering time (issue 18)."""

    pk: int
    url: str
    number: str
    title: str
    is_major: bool
    emergency: bool
    parties: str
    start: str
    stage: str
    registered: str


def case_table_rows(ids: Sequence[int]) -> list[CaseRow]:
    """The cases ``ids`` as the rows of ``cases/_case_table.html``, in the order of ``ids`` (an id
    no case has is left out): the same text the cells showed (parties of the role 当事人 joined
    with 、 in the order they were recorded, 启动方式 · 状态, the stage, the registration time in
    the current time zone). ``ids`` come from a list the viewer may read (``case_list``,
    ``visible_cases``): this reads them as given.

    One query of plain tuples, the table's columns with each party's name and role (a case
    once per party): not model instances, nor a ``prefetch_related`` (which builds a queryset
    per case to attach its parties: about a fifth of the case list's CPU, issue 18), nor a
    second query for the parties (≈ 0.4 ms of the ORM's Python each)."""
    if not ids:
        return []
    cases: dict[int, tuple[Any, ...]] = {}
    names: dict[int, list[str]] = {}
    joined = Case.objects.filter(pk__in=ids).order_by("parties__id")
    for *row, name, role in joined.values_list(*ROW_FIELDS, "parties__name", "parties__role"):
        cases[row[0]] = tuple(row)
        if role == Party.Role.PARTY:
            names.setdefault(row[0], []).append(name)
    tz = timezone.get_current_timezone()
    link = id_link("case-detail")
    modes = {k: str(v) for k, v in StartMode.choices}
    statuses = {k: str(v) for k, v in StartStatus.choices}
    stages = {k: str(v) for k, v in Stage.choices}
    rows = []
    for pk in ids:
        if pk not in cases:
            continue
        _, number, title, is_major, emergency, mode, status, stage, created_at = cases[pk]
        rows.append(
            CaseRow(
                pk=pk,
                url=link(pk),
                number=number or "",
                title=title,
                is_major=is_major,
                emergency=emergency,
                parties="、".join(names.get(pk, ())),
                start=f"{modes.get(mode, mode)} · {statuses.get(status, status)}",
                stage=stages.get(stage, stage),
                registered=minute(created_at, tz),
            )
        )
    return rows


def case_page(*, officer: Officer, case: Case) -> CasePage:
    """What the case page, its API and every panel of it read once: the viewer, the officers
    assigned, and where each recorded row sits in the ledger."""
    return CasePage(
        officer=officer,
        case=case,
        assigned=_assigned(case),
        load_ledger=partial(ledger_index_for, agency_id=case.agency_id, case_id=case.pk),
    )


def _assigned(case: Case) -> list[CaseOfficer]:
    """The case's officers with their names: as ``case_for_user`` loaded them, or read now."""
    if "assignments" in getattr(case, "_prefetched_objects_cache", {}):
        return list(case.assignments.all())
    return list(case.assignments.select_related("officer"))


def case_access_for_ledger(*, user: Any, case_id: int, personal: bool) -> None:
    """How the ledger reads an entry of a case (registered with it at start-up): 404 unless
    ``user`` may read the case and, for the entry's exact bytes, see its personal data."""
    case = case_for_user(user=user, case_id=case_id)
    if personal and not may_see_personal_data(officer=officer_for_request(user), case=case):
        raise Http404("日志条目不存在")


@dataclass(frozen=True)
class StageMark:
    """One stage on the case's stage bar: ``state`` is ``past`` (entered and left), ``current``,
    ``skipped`` (before the current stage but never entered, e.g. a complaint not taken up goes
    from 程序启动 straight to 结案) or ``future``; ``entered`` the local time it was first entered."""

    value: str
    label: str
    state: str
    entered: Any = None

    @property
    def state_label(self) -> str:
        return {"past": "已完成", "current": "当前阶段", "skipped": "未经过", "future": "未到"}[
            self.state
        ]


def stage_changes_of(case: Case) -> list[StageChange]:
    """The case's stage changes in order, with who made each, read once onto ``case`` itself:
    for one page view, where the stage bar, the documents by stage and the full record each
    read them (then ``case.stage_changes.all()`` reads no more). Not for a case an action goes on
    to change."""
    prefetch_related_objects(
        [case],
        Prefetch(
            "stage_changes", queryset=StageChange.objects.select_related("by").order_by("at", "id")
        ),
    )
    return list(case.stage_changes.all())


def stage_bar(case: Case) -> list[StageMark]:
    """The stages of ``case`` in order, each with its state and the time it was entered (the
    registration time for 程序启动, the first stage change into it for the others)."""
    entered: dict[str, Any] = {Stage.START.value: case.created_at}
    for change in stage_changes_of(case):
        entered.setdefault(change.to_stage, change.at)
    here = case.stage_index()
    marks = []
    for i, (value, label) in enumerate(Stage.choices):
        if i == here:
            state = "current"
        elif i > here:
            state = "future"
        else:
            state = "past" if value in entered else "skipped"
        marks.append(StageMark(value, str(label), state, entered.get(value) if i <= here else None))
    return marks


def marks_of_case(*, case: Case) -> dict[str, list[Mark]]:
    """The case's marks by target ("record:5", "evidence:7"; "" for 国家秘密 papers kept outside
    the system), in one query, for a page that shows many objects."""
    out: dict[str, list[Mark]] = {}
    for mark in Mark.objects.filter(case=case).select_related("by").order_by("at", "id"):
        out.setdefault(mark.target, []).append(mark)
    return out


def marks_of(*, case: Case, target: str) -> list[Mark]:
    """The marks on one object of the case (its ledger subject, e.g. "record:5")."""
    return list(Mark.objects.filter(case=case, target=target).order_by("at", "id"))


def state_secret_papers(*, case: Case) -> list[Mark]:
    """国家秘密 material of the case: never in the system, only where it is kept and by whom."""
    return list(Mark.objects.filter(case=case, target="", kind="state_secret").order_by("at"))


def marked_reads_of(*, case: Case) -> list[MarkedRead]:
    """Who read the case's marked material, with the reason they chose (the case page's 查阅记录)."""
    return list(MarkedRead.objects.filter(case=case).select_related("officer")[:200])


def is_marked_material(*, case: Case, marks: list[Mark]) -> bool:
    """Whether an object with these marks is marked material, whose every read is logged with a
    reason: it carries a mark, or its whole case is 涉密."""
    return bool(marks) or case.confidentiality == Confidentiality.SECRET


def may_read_object(*, officer: Officer, case: Case, marks: list[Mark]) -> bool:
    """Whether ``officer`` may read an object of ``case`` carrying ``marks`` at all (with a
    reason): unmarked objects go by the case's access function alone (``case_for_user``);
    marked ones by ``may_read_marked`` too."""
    return not marks or may_read_marked(officer=officer, case=case)
