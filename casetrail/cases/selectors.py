"""Reads of cases, and the one access function every view and API call goes through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
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
    q = Q(Exists(CaseOfficer.objects.filter(case=OuterRef("pk"), officer=officer)))
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
    *, officer: Officer, stage: str = "", q: str = "", mode: str = "", mine: bool = False
) -> QuerySet[Case]:
    """The case list with its filters; parties and units come in a fixed number of queries."""
    cases = visible_cases(officer=officer)
    if stage:
        cases = cases.filter(stage=stage)
    if mode:
        cases = cases.filter(start_mode=mode)
    if mine:
        cases = cases.filter(assignments__officer=officer)
    if q:
        cases = cases.filter(
            Q(number__icontains=q) | Q(title__icontains=q) | Q(parties__name__icontains=q)
        ).distinct()
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
