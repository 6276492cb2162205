"""Reads of cases, and the one access function every view and API call goes through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from casetrail.cases.hooks import VISIBILITY, CasePage
from casetrail.cases.models import Case, CaseOfficer, Confidentiality, Party, Stage
from casetrail.ledger.selectors import ledger_index_for
from casetrail.lib.masking import mask_address, mask_id_number, mask_phone
from casetrail.lib.numbers import id_or_none
from casetrail.org.models import Officer, Role
from casetrail.org.selectors import officer_for_request


def visible_cases(*, officer: Officer) -> QuerySet[Case]:
    """The cases an officer may read: supervisors see the agency; others see the cases they are
    assigned to, and those the apps above add (``hooks.VISIBILITY``: chains they acted on or may
    act on now); custodians see closed cases."""
    base = Case.objects.filter(agency_id=officer.agency_id)
    roles = officer.role_set
    if Role.SUPERVISOR in roles:
        return base
    # Sets of case ids, each read through an index (assignments by officer, …), rather than
    # subqueries correlated with every case of the agency (issue 18: 10^5 cases).
    q = Q(pk__in=CaseOfficer.objects.filter(officer=officer).values("case_id"))
    for extra in VISIBILITY:
        q |= extra(officer)
    if Role.CUSTODIAN in roles:
        q |= Q(stage__in=[Stage.CLOSED, Stage.ARCHIVED])
    return base.filter(q)


def case_for_user(*, user: Any, case_id: int | str) -> Case:
    """The case with ``case_id`` if ``user`` may read it; otherwise 404, never revealing whether
    it exists (another agency's case, or one the officer has no part in)."""
    officer = officer_for_request(user)
    pk = id_or_none(case_id)
    if pk is None:
        raise Http404("案件不存在")
    case = (
        visible_cases(officer=officer)
        .select_related("agency", "unit", "created_by")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404("案件不存在")
    return case


def may_see_personal_data(*, officer: Officer, case: Case) -> bool:
    """Assigned officers see parties' personal data; supervisors too unless the case is 涉密
    (第三十三条); everyone else sees it masked."""
    if any(a.officer_id == officer.pk for a in case.assignments.all()):
        return True
    return officer.has_role(Role.SUPERVISOR) and case.confidentiality != Confidentiality.SECRET


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


def parties_for(*, officer: Officer, case: Case) -> list[PartyView]:
    masked = not may_see_personal_data(officer=officer, case=case)
    return [PartyView(p, masked) for p in case.parties.all()]


def case_list(
    *,
    officer: Officer,
    stage: str = "",
    q: str = "",
    mode: str = "",
    mine: bool = False,
    status: str = "",
) -> QuerySet[Case]:
    """The case list with its filters (``status``: "open" or "closed", 结案 and 已归档 being
    closed); parties and units come in a fixed number of queries."""
    cases = visible_cases(officer=officer)
    if stage:
        cases = cases.filter(stage=stage)
    if status == "open":
        cases = cases.exclude(stage__in=[Stage.CLOSED, Stage.ARCHIVED])
    elif status == "closed":
        cases = cases.filter(stage__in=[Stage.CLOSED, Stage.ARCHIVED])
    if mode:
        cases = cases.filter(start_mode=mode)
    if mine:
        cases = cases.filter(pk__in=CaseOfficer.objects.filter(officer=officer).values("case_id"))
    if q:
        # The parties' names as a set of case ids: no join multiplying the cases, so no DISTINCT
        # over the whole list (issue 18: 165 ms at 10^5 cases).
        cases = cases.filter(
            Q(number__icontains=q)
            | Q(title__icontains=q)
            | Q(pk__in=Party.objects.filter(name__icontains=q).values("case_id"))
        )
    return cases.select_related("unit").prefetch_related(
        Prefetch("parties", queryset=Party.objects.filter(role=Party.Role.PARTY)),
        Prefetch("assignments", queryset=CaseOfficer.objects.select_related("officer")),
    )


def case_page(*, officer: Officer, case: Case) -> CasePage:
    """What the case page, its API and every panel of it read once: the viewer, the officers
    assigned, and where each recorded row sits in the ledger."""
    return CasePage(
        officer=officer,
        case=case,
        assigned=list(case.assignments.select_related("officer")),
        ledger=ledger_index_for(agency_id=case.agency_id, case_id=case.pk),
    )


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


def stage_bar(case: Case) -> list[StageMark]:
    """The stages of ``case`` in order, each with its state and the time it was entered (the
    registration time for 程序启动, the first stage change into it for the others)."""
    entered: dict[str, Any] = {Stage.START.value: case.created_at}
    for to_stage, at in case.stage_changes.order_by("at", "id").values_list("to_stage", "at"):
        entered.setdefault(to_stage, at)
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
