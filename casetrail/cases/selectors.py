"""Reads of cases, and the one access function every view and API call goes through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from casetrail.approvals.models import Chain, ChainStatus, Step
from casetrail.cases.models import Case, CaseOfficer, Confidentiality, Party, Stage
from casetrail.compliance.deadlines import Deadline
from casetrail.lib.masking import mask_address, mask_id_number, mask_phone
from casetrail.org.models import Officer, Role, Unit
from casetrail.org.selectors import officer_for_user


def visible_cases(*, officer: Officer) -> QuerySet[Case]:
    """The cases an officer may read: supervisors see the agency; others see the cases they are
    assigned to, have acted on in a chain, or may act on now; custodians see closed cases."""
    base = Case.objects.filter(agency_id=officer.agency_id)
    roles = officer.role_set
    if Role.SUPERVISOR in roles:
        return base
    q = Q(Exists(CaseOfficer.objects.filter(case=OuterRef("pk"), officer=officer)))
    q |= Q(Exists(Step.objects.filter(chain__case=OuterRef("pk"), officer=officer)))
    if Role.REVIEWER in roles:
        q |= Q(
            Exists(Chain.objects.filter(case=OuterRef("pk"), status=ChainStatus.PENDING_REVIEW)),
            unit_id=officer.unit_id,
        )
    if Role.LEGAL_REVIEWER in roles and officer.unit.kind == Unit.Kind.LEGAL:
        q |= Q(Exists(Chain.objects.filter(case=OuterRef("pk"), status=ChainStatus.PENDING_LEGAL)))
    if Role.APPROVER in roles:
        q |= Q(
            Exists(Chain.objects.filter(case=OuterRef("pk"), status=ChainStatus.PENDING_DECISION))
        )
    if Role.CUSTODIAN in roles:
        q |= Q(stage__in=[Stage.CLOSED, Stage.ARCHIVED])
    return base.filter(q)


def case_for_user(*, user: Any, case_id: int | str) -> Case:
    """The case with ``case_id`` if ``user`` may read it; otherwise 404, never revealing whether
    it exists (another agency's case, or one the officer has no part in)."""
    officer = officer_for_request(user)
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise Http404("案件不存在") from None
    case = (
        visible_cases(officer=officer)
        .select_related("agency", "unit", "created_by")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404("案件不存在")
    return case


def officer_for_request(user: Any) -> Officer:
    """The officer behind a logged-in request; a login without one (e.g. a bare Django user)
    may use nothing of CaseTrail."""
    officer = officer_for_user(user)
    if officer is None:
        raise PermissionDenied("该账号未登记为本系统的工作人员，请联系系统管理员")
    return officer


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


def deadlines_for(*, officer: Officer) -> list[Deadline]:
    """Due and overdue deadlines on the cases the officer handles (supervisors: the agency),
    from each case's deadline calendar (casetrail.compliance.deadlines)."""
    from casetrail.compliance.deadlines import deadlines_of

    cases = visible_cases(officer=officer).exclude(stage=Stage.ARCHIVED)
    if not officer.has_role(Role.SUPERVISOR):
        cases = cases.filter(assignments__officer=officer)
    hours = settings.CASETRAIL_DUE_SOON_HOURS
    out = [
        d
        for case in cases.select_related("unit", "agency")
        for d in deadlines_of(case)
        if d.overdue or d.is_due_soon(hours)
    ]
    return sorted(out, key=lambda d: d.due_at)
