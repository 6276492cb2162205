"""Reads of compliance: every exemption of an agency with its status, for the supervisors
(第三十四条: 监督; issue 9: exemptions are decisions the supervisors see in one list)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import PermissionDenied

from casetrail.approvals.models import OPEN_STATUSES, Chain, ChainStatus
from casetrail.cases.models import Stage
from casetrail.compliance.engine import RULES
from casetrail.compliance.kinds import ComplianceChain
from casetrail.compliance.models import Exemption
from casetrail.org.models import Officer, Role
from casetrail.records.models import Record
from casetrail.records.numbers import prefetch_numbers

LEGACY = "recorded"  # an exemption recorded before exemptions were decisions (no chain)


def subject_labels(subjects: list[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """What each finding or exemption (case id, subject) is about, as people say it: 本案, a stage
    (调查取证阶段) or a record by its reference — never the raw "record:12" /
    "stage:investigation". The records named are read in one query; a record of another case
    than the one given is not named."""
    ids = {int(s[7:]) for _, s in subjects if s.startswith("record:") and s[7:].isdigit()}
    found = list(Record.objects.filter(pk__in=ids))
    prefetch_numbers(found)
    records = {(r.case_id, r.pk): r.reference for r in found}
    return {
        (case_id, subject): _subject_label(subject, case_id, records)
        for case_id, subject in subjects
    }


def _subject_label(subject: str, case_id: int, records: dict[tuple[int, int], str]) -> str:
    kind, _, value = subject.partition(":")
    if subject in ("", "case"):
        return "本案"
    if kind == "stage" and value in Stage.values:
        return f"{Stage(value).label}阶段"
    if kind == "record" and value.isdigit():
        return records.get((case_id, int(value)), subject)
    return subject


def rule_label(rule_id: str) -> str:
    """A rule as people name it: its id, title and article (e.g. "R5 … （第五条）"),
    or the id of a rule no longer registered."""
    rule = RULES.get(rule_id)
    return f"{rule.id} {rule.title}（{rule.article}）" if rule is not None else rule_id


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
    rule_label: str = ""  # as people name them (the rows keep the codes for the API)
    subject_label: str = ""


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
    labels = subject_labels([(r.case.pk, r.subject) for r in rows])
    named = [
        replace(r, rule_label=rule_label(r.rule), subject_label=labels[(r.case.pk, r.subject)])
        for r in rows
    ]
    return sorted(named, key=lambda r: r.proposed_at, reverse=True)


def pending_exemptions(case: Any) -> dict[tuple[str, str], Chain]:
    """The case's exemption proposals not yet decided, by (rule, subject)."""
    open_chains = Chain.objects.filter(
        case=case,
        kind=ComplianceChain.EXEMPTION,
        status__in=OPEN_STATUSES,
    ).select_related("record")
    return {(c.record.fields.get("rule"), c.record.fields.get("subject")): c for c in open_chains}
