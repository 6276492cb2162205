"""公示 of 行政处罚 decisions (国办发〔2018〕118号: within 7 working days of the decision;
行政处罚法第四十八条: withdrawn within 3 working days when the decision is revoked or changed):
which decisions are published, the public text generated from a decision with personal data
removed by rule, the check that refuses a text still holding an ID number or a phone, and the two
deadlines on the worklists."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from casetrail.cases.models import Case, Party
from casetrail.compliance.engine import CaseView, Deadline, Unit, deadline
from casetrail.compliance.holidays import calendar
from casetrail.lib.errors import ActionError
from casetrail.oversight.models import (
    NamePolicy,
    Publication,
    PublicationPolicy,
    PublicationState,
)
from casetrail.records.catalogue import aliases
from casetrail.records.models import Record

DECISION = "administrative_decision"  # 行政执法决定书: the 行政处罚 decision published
PUBLISH_WORKDAYS = 7  # 国办发〔2018〕118号
WITHDRAW_WORKDAYS = 3  # 行政处罚法第四十八条第二款
HIDDEN = "〔已隐去〕"

# GB 11643 居民身份证号码 (18, or the old 15 digits), mobile numbers and landlines with area code.
ID_NUMBER = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15})(?!\d)")
PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")


def policy_of(agency_id: int) -> PublicationPolicy:
    """The agency's latest 公示 policy, or the defaults (surname only; 2 years for a person, 5 for
    an organisation)."""
    latest = PublicationPolicy.objects.filter(agency_id=agency_id).order_by("-set_at", "-id")
    return latest.first() or PublicationPolicy(agency_id=agency_id)


def personal_data_left(text: str) -> list[str]:
    """What in ``text`` still looks like an ID number or a phone (zh-Hans labels)."""
    found = []
    if ID_NUMBER.search(text):
        found.append("身份证件号码")
    if PHONE.search(text):
        found.append("电话号码")
    return found


def require_clean(text: str) -> None:
    left = personal_data_left(text)
    if left:
        raise ActionError(
            "personal_data_in_text",
            f"公示内容仍含有{'、'.join(left)}，不得公开（国办发〔2018〕118号），请删除后再提交",
            field="text",
        )


def scrub(text: str, parties: list[Party]) -> str:
    """Remove the parties' ID numbers, phones and addresses wherever they appear, then anything
    shaped like an ID number or a phone."""
    for p in parties:
        for value in (p.id_number, p.phone, p.address):
            if value and len(value) >= 4:
                text = text.replace(value, HIDDEN)
    text = ID_NUMBER.sub(HIDDEN, text)
    return PHONE.sub(HIDDEN, text)


def public_name(party: Party | None, policy: PublicationPolicy) -> str:
    if party is None:
        return "当事人"
    if party.kind != Party.Kind.PERSON:
        code = f"（统一社会信用代码：{party.credit_code}）" if party.credit_code else ""
        return f"{party.name}{code}"
    if policy.person_names == NamePolicy.FULL:
        return party.name
    if policy.person_names == NamePolicy.NONE or not party.name:
        return "当事人"
    return f"{party.name[0]}某"


def decided_on(record: Record) -> dt.date:
    raw = record.fields.get("decided_at") or ""
    moment = parse_datetime(raw) if isinstance(raw, str) else None
    return timezone.localdate(moment) if moment else timezone.localdate(record.created_at)


def _party_of(case: Case, record: Record) -> Party | None:
    ref = record.fields.get("party")
    pk = ref.get("id") if isinstance(ref, dict) else ref
    return case.parties.filter(pk=pk).first() if pk else case.parties.first()


def draft(case: Case, record: Record, policy: PublicationPolicy) -> tuple[str, str]:
    """(public name of the party, public text) of the decision ``record``."""
    party = _party_of(case, record)
    name = public_name(party, policy)
    f: dict[str, Any] = record.fields
    amount = f.get("penalty_amount") or ""
    lines = [
        f"{case.agency.name}行政处罚决定信息公开",
        f"行政处罚决定书文号：{record.doc_no}",
        f"被处罚当事人：{name}",
        f"主要违法事实：{f.get('facts', '')}",
        f"处罚依据：{f.get('legal_basis', '')}",
        f"处罚内容：{f.get('decision', '')}",
        *([f"罚款金额：{amount}元"] if amount else []),
        f"作出处罚决定的日期：{decided_on(record):%Y年%m月%d日}",
        f"作出处罚决定的机关：{case.agency.name}",
    ]
    return name, scrub("\n".join(lines), list(case.parties.all()))


def latest_decisions(view: CaseView) -> list[Record]:
    return view.records_of(DECISION)


def superseded(view: CaseView, record_id: int) -> Record | None:
    """The correction that replaced a published decision (the decision was changed): among the
    case's records, a correction being a record of the case it corrects (one at most:
    ``record_replaced_once``)."""
    return next((r for r in view.every_version if r.replaces_id == record_id), None)


def published(view: CaseView) -> list[Publication]:
    """The case's publications that were published (and may since be withdrawn): read once for
    both deadlines, GS7 and GS3."""
    found: list[Publication] = view.once("published", lambda: _published(view))
    return found


def _published(view: CaseView) -> list[Publication]:
    # A publication is of a 行政处罚 decision of its own case (``publication_prepare`` refuses any
    # other record), and records are never deleted: a case that never had one has none to read
    # — most cases a marked-case recomputation reads (issue 18: one query of ten). The document's
    # retired codes count too (``aliases``): a decision kept under a code since renamed still has
    # its publications.
    decisions = set(aliases(DECISION))
    if not any(r.kind in decisions for r in view.every_version):
        return []
    return list(
        Publication.objects.filter(
            case=view.case,
            state__in=[PublicationState.PUBLISHED, PublicationState.WITHDRAWN],
        )  # in the model's order, as GS3 yields them
    )


@deadline(
    "GS7",
    article="国办发〔2018〕118号",
    title="行政处罚决定公示",
    unit=Unit.WORKING_DAYS,
    follows=(DECISION,),
)
def published_in_time(view: CaseView) -> Iterator[Deadline]:
    """Each 行政处罚 decision is published within 7 working days of being made."""
    decisions = latest_decisions(view)
    if not decisions:
        return
    done = {p.decision_id for p in published(view)}  # a decision is published in its own case
    for record in decisions:
        yield Deadline(
            view.case,
            f"公示行政处罚决定（{record.doc_no or record.reference}）",
            f"国办发〔2018〕118号：作出决定之日起{PUBLISH_WORKDAYS}个工作日内公示",
            calendar().add_workdays(decided_on(record), PUBLISH_WORKDAYS),
            done=record.pk in done,
        )


@deadline(
    "GS3",
    article="行政处罚法第四十八条",
    title="撤回已变更的公示",
    unit=Unit.WORKING_DAYS,
    follows=(DECISION,),
)
def withdrawn_in_time(view: CaseView) -> Iterator[Deadline]:
    """A published decision that was changed (corrected) is withdrawn within 3 working days."""
    for p in published(view):
        changed = superseded(view, p.decision_id)
        if changed is None:
            continue
        yield Deadline(
            view.case,
            f"撤回已变更决定的公示（{p.doc_no}）",
            f"行政处罚法第四十八条：决定变更之日起{WITHDRAW_WORKDAYS}个工作日内撤回",
            calendar().add_workdays(timezone.localdate(changed.created_at), WITHDRAW_WORKDAYS),
            done=p.state == PublicationState.WITHDRAWN,
        )
