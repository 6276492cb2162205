"""Reads of compliance: every exemption of an agency with its status, for the supervisors
(第三十四条: 监督; issue 9: exemptions are decisions the supervisors see in one list)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from casetrail.approvals.models import OPEN_STATUSES, Chain, ChainStatus
from casetrail.compliance.kinds import ComplianceChain
from casetrail.compliance.models import Exemption
from casetrail.org.models import Officer, Role

LEGACY = "recorded"  # an exemption recorded before exemptions were decisions (no chain)


@dataclass(frozen=True)
class ExemptionRow:
    case: Any
    rule: str
    subject: str
    reason: str
    proposer: str
    proposed_at: dt.datetime
    status: str
    status_label: str
    chain_id: int | None
    decided_at: dt.datetime | None


def exemptions_of_agency(*, officer: Officer) -> list[ExemptionRow]:
    """Every exemption proposal of the officer's agency (pending, returned, approved, refused) and
    the exemptions recorded before they were decisions, newest first. Supervisors only."""
    if not officer.has_role(Role.SUPERVISOR):
        raise PermissionDenied("只有监督人员可以查看本机关全部规则豁免")
    chains = (
        Chain.objects.filter(kind=ComplianceChain.EXEMPTION, case__agency_id=officer.agency_id)
        .select_related("case", "record", "proposer")
        .order_by("-created_at", "-id")
    )
    rows = [
        ExemptionRow(
            case=c.case,
            rule=c.record.fields.get("rule", ""),
            subject=c.record.fields.get("subject", ""),
            reason=c.record.fields.get("reason", ""),
            proposer=c.proposer.name,
            proposed_at=c.created_at,
            status=c.status,
            status_label=ChainStatus(c.status).label,
            chain_id=c.pk,
            decided_at=c.decided_at,
        )
        for c in chains
    ]
    legacy = Exemption.objects.filter(
        case__agency_id=officer.agency_id, chain__isnull=True
    ).select_related("case", "officer")
    rows += [
        ExemptionRow(
            case=e.case,
            rule=e.rule,
            subject=e.subject,
            reason=e.reason,
            proposer=e.officer.name,
            proposed_at=e.created_at,
            status=LEGACY,
            status_label="已记录（豁免改为审批前）",
            chain_id=None,
            decided_at=e.created_at,
        )
        for e in legacy
    ]
    return sorted(rows, key=lambda r: r.proposed_at, reverse=True)


def pending_exemptions(case: Any) -> dict[tuple[str, str], Chain]:
    """The case's exemption proposals not yet decided, by (rule, subject)."""
    open_chains = Chain.objects.filter(
        case=case,
        kind=ComplianceChain.EXEMPTION,
        status__in=OPEN_STATUSES,
    ).select_related("record")
    return {(c.record.fields.get("rule"), c.record.fields.get("subject")): c for c in open_chains}
