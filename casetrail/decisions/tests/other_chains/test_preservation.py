"""证据保全 / 先行登记保存 as a decision (第十四条; 行政处罚法第五十六条): 张承办 proposes over the
API, 王审核 reviews and 赵局长 approves in their own logins; only then may the register be made,
and its seven-working-day deadline (CF56) runs from it. A refusal binds."""

from __future__ import annotations

from django.utils import timezone

from casetrail.approvals.models import Chain
from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.engine import RULES, CaseView
from casetrail.decisions.kinds import DecisionChain
from casetrail.decisions.tests.other_chains.builders import (
    api,
    api_decide,
    api_record,
    last_entry,
    snapshot,
)
from casetrail.records.models import Record

PROPOSAL = {
    "reason": "销售台账可能被销毁",
    "initiated": "ex_officio",
    "object": "销售台账原件一册",
    "form": "register_hold",
    "legal_basis": "《中华人民共和国行政处罚法》第五十六条",
    "documents": "证据登记保存清单",
}


def propose(case, who="zhang", **fields):
    return api(
        who,
        f"/api/cases/{case.pk}/preservation/",
        {"fields": {**PROPOSAL, **fields}, "opinion": "证据可能灭失，建议先行登记保存"},
    )


def register(case, decision_id, who="zhang"):
    return api_record(
        case,
        "evidence_register",
        who,
        made_at=timezone.localtime().isoformat(),
        place="询问室",
        holder={"name": "周某"},
        items=["销售台账 1册"],
        storage_method="removed",
        storage_place="证据保管室",
        preservation_decision=decision_id,
        holder_told=True,
    )


def test_it_takes_a_register_and_hold_through_its_chain(investigating, personas):
    r = propose(investigating)
    assert r.status_code == 201, r.content
    chain = Chain.objects.get(case=investigating, kind=DecisionChain.EVIDENCE_PRESERVATION)
    assert chain.status == "pending_review" and chain.step_plan() == ["review", "decide"]
    assert chain.record.kind == "evidence_preservation_decision" and chain.record.version == 3
    entry = last_entry()
    assert entry["action"] == "preservation.propose" and entry["actor"]["name"] == "张承办"

    # Not approved yet: the register is refused and nothing is written.
    before = snapshot()
    r = register(investigating, chain.record_id)
    assert r.status_code == 400 and r.json()["code"] == "preservation_not_approved"
    assert "负责人" in r.json()["message"] and snapshot() == before

    assert api_decide("wang", chain).status_code == 201
    chain.refresh_from_db()
    assert chain.status == "pending_decision"
    assert register(investigating, chain.record_id).json()["code"] == "preservation_not_approved"
    assert api_decide("zhao", chain).status_code == 201
    chain.refresh_from_db()
    assert chain.status == "approved"
    assert [(s.role, s.officer.user.username) for s in chain.steps.order_by("id")] == [
        ("propose", "zhang"),
        ("review", "wang"),
        ("decide", "zhao"),
    ]

    r = register(investigating, chain.record_id)
    assert r.status_code == 201, r.content
    (cf56,) = [d for d in deadlines_of(investigating) if d.rule == "CF56"]
    assert not cf56.done and "七日" in cf56.basis
    assert list(RULES["R14"].check(CaseView(investigating))) == []


def test_it_binds_a_refused_preservation(investigating, personas):
    propose(investigating)
    chain = Chain.objects.get(case=investigating, kind=DecisionChain.EVIDENCE_PRESERVATION)
    api_decide("wang", chain)
    r = api_decide("zhao", chain, "refuse")
    assert r.status_code == 201
    chain.refresh_from_db()
    assert chain.status == "refused"
    before = snapshot()
    r = register(investigating, chain.record_id)
    assert r.status_code == 400 and r.json()["code"] == "preservation_not_approved"
    assert snapshot() == before
    # Nothing follows from a refused 先行登记保存, so nothing is missing either.
    assert list(RULES["R14"].check(CaseView(investigating))) == []
    assert not [d for d in deadlines_of(investigating) if d.rule == "CF56"]


def test_it_refuses_a_register_and_hold_without_an_approved_decision(investigating, personas):
    before = snapshot()
    r = register(investigating, None)
    assert r.status_code == 400 and r.json()["code"] == "preservation_not_approved"
    assert snapshot() == before


def test_it_refuses_the_decision_made_as_a_plain_document(investigating, personas):
    before = snapshot()
    r = api_record(investigating, "evidence_preservation_decision", **PROPOSAL)
    assert r.status_code == 403 and r.json()["code"] == "made_by_proposal"
    assert "审批" in r.json()["message"] and snapshot() == before
    page = api("zhang", f"/cases/{investigating.pk}/records/new/").content.decode()
    assert "证据保全决定" not in page and "证据登记保存清单" in page


def test_it_refuses_a_proposal_outside_the_investigation_or_by_someone_else(
    serving, personas, other_agency
):
    before = snapshot()
    r = propose(serving)
    assert r.status_code == 400 and r.json()["code"] == "wrong_stage"
    assert propose(serving, "wang").status_code == 403
    assert propose(serving, "ma").status_code == 404
    assert snapshot() == before
    assert not Record.objects.filter(kind="evidence_preservation_decision").exists()


def test_it_offers_the_proposal_on_the_case_page(investigating, personas):
    page = api("zhang", f"/cases/{investigating.pk}/").content.decode()
    assert "提请证据保全（先行登记保存）审批" in page
    form = api("zhang", f"/cases/{investigating.pk}/preservation/").content.decode()
    assert "证据保全的具体标的" in form and "承办人初审意见和理由" in form
