"""Test builders for the internal decisions: take a chain through its plan as the personas who
hold each step, and the proposals with plausible fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from casetrail.approvals.actions import approval_decide
from casetrail.approvals.checklists import LEGAL_REVIEW_ITEMS
from casetrail.approvals.models import Chain, ChainStatus
from casetrail.approvals.selectors import ROLE_FOR_STATUS
from casetrail.cases.models import Case
from casetrail.decisions import actions

WHO = {"review": "wang", "legal": "chen", "decide": "zhao"}
ALL_OK = [{"item": code, "finding": "ok"} for code, _ in LEGAL_REVIEW_ITEMS]


def decide_all(chain: Chain, personas: dict[str, Any], outcome: str = "approve") -> Chain:
    """Approve every step of the plan (the last one with ``outcome``) as 王审核, 陈法制, 赵局长."""
    chain.refresh_from_db()
    while chain.status in ROLE_FOR_STATUS:
        role, _ = ROLE_FOR_STATUS[ChainStatus(chain.status)]
        last = chain.role_after(role) is None
        approval_decide(
            chain=chain,
            officer=personas[WHO[role]],
            outcome=outcome if last else "approve",
            opinion="同意" if outcome == "approve" or not last else "不同意",
            findings=ALL_OK if role == "legal" else None,
        )
        chain.refresh_from_db()
    return chain


def close(case: Case, personas: dict[str, Any]) -> Chain:
    """结案审批 proposed by 张承办 and approved by 王审核 and 赵局长."""
    chain = actions.closing_propose(
        case=case,
        officer=personas["zhang"],
        fields={"ground": "performed", "course": "依法调查、决定、送达", "outcome": "已履行完毕"},
        opinion="案件已执行完毕，建议结案",
    )
    decide_all(chain, personas)
    case.refresh_from_db()
    return chain


PROPOSAL_FIELDS = {
    "reason": "证据可能灭失",
    "initiated": "ex_officio",
    "object": "销售台账一册",
    "form": "register_hold",
    "legal_basis": "《中华人民共和国行政处罚法》第五十六条",
}


def preserve(
    case: Case, personas: dict[str, Any], outcome: str = "approve", **fields: Any
) -> Chain:
    """先行登记保存 proposed by 张承办 and decided (by default approved) by 王审核 and 赵局长."""
    values = {**PROPOSAL_FIELDS, **fields}
    chain = actions.preservation_propose(
        case=case, officer=personas["zhang"], fields=values, opinion="建议先行登记保存"
    )
    return decide_all(chain, personas, outcome)


def yesterday() -> str:
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def enforcement_fields(decision: Any, demand: Any, party: Any) -> dict[str, Any]:
    return {
        "party": party.pk,
        "decision": decision.pk,
        "demand_notice": demand.pk,
        "nonperformance": "经催告逾期仍未缴纳罚款",
        "statements": "未陈述申辩",
        "reasons": "当事人经催告逾期仍不履行",
        "legal_basis": "《中华人民共和国行政强制法》第三十七条",
        "manner": "加处罚款",
        "execution_on": timezone.localdate().isoformat(),
    }


def court_fields(decision: Any, demand: Any, party: Any) -> dict[str, Any]:
    return {
        "party": party.pk,
        "decision": decision.pk,
        "demand_notice": demand.pk,
        "no_remedy_sought": True,
        "nonperformance": "经催告逾期仍未缴纳罚款",
        "court": "陵川县人民法院",
        "documents": ["强制执行申请书"],
    }


# --- over HTTP, as each persona in their own login ------------------------------------------------


def api(who: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """POST ``body`` as JSON to ``path`` as ``who`` (GET when there is no body)."""
    from casetrail.conftest import client_for

    client = client_for(who)
    if body is None:
        return client.get(path)
    return client.post(path, body, content_type="application/json")


def api_decide(who: str, chain: Any, outcome: str = "approve", **extra: Any) -> Any:
    body = {"outcome": outcome, "opinion": "同意" if outcome == "approve" else "不同意", **extra}
    return api(who, f"/api/approvals/{getattr(chain, 'pk', chain)}/decide/", body)


def api_record(case: Case, kind: str, who: str = "zhang", **fields: Any) -> Any:
    """Make a document over the API with the officers present and every required signature."""
    import base64

    from casetrail.compliance.tests.builders import png
    from casetrail.conftest import client_for
    from casetrail.records.catalogue import CATALOGUE

    doc = CATALOGUE[kind]
    image = base64.b64encode(png()).decode()
    officers = list(case.assignments.values_list("officer_id", flat=True))
    body = {
        "kind": kind,
        "fields": fields,
        "officers_present": [{"id": o, "shown": True} for o in officers][: doc.officers_min],
        "signatures": [
            {"key": s.key, "name": "签名人", "method": "drawn", "image": image}
            for s in doc.signatures
            if s.required
        ],
    }
    return client_for(who).post(
        f"/api/cases/{case.pk}/records/", body, content_type="application/json"
    )


def snapshot() -> tuple[int, ...]:
    """What a refused request must leave as it was: records, chains, steps, stage changes,
    exemptions and ledger entries."""
    from casetrail.approvals.models import Step
    from casetrail.cases.models import StageChange
    from casetrail.compliance.models import Exemption
    from casetrail.ledger.models import LedgerEntry
    from casetrail.records.models import Record

    return tuple(
        m.objects.count() for m in (Record, Chain, Step, StageChange, Exemption, LedgerEntry)
    )


def last_entry() -> dict[str, Any]:
    """The newest ledger entry, parsed."""
    import json

    from casetrail.ledger.models import LedgerEntry

    entry = LedgerEntry.objects.order_by("-id").first()
    assert entry is not None
    data: dict[str, Any] = json.loads(entry.canonical)
    return data
