"""The decision on the case end to end over HTTP, each step by the persona who holds it (第六条;
第十五至十九条; 行政处罚法第五十七、五十八条): 张承办 proposes, 王审核 reviews, 陈法制 reviews
legality item by item, three leaders discuss a 重大 case (郑副局长 chairs), 赵局长 decides; the
行政执法决定书 follows and the case moves to 送达执行. A returned proposal is revised and every round
stays."""

from __future__ import annotations

import base64

from django.utils import timezone

from casetrail.approvals.models import Chain, Step
from casetrail.compliance.tests.builders import png
from casetrail.conftest import film
from casetrail.decisions.tests.builders import all_ok, proposal
from casetrail.decisions.tests.conftest import api
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import verify
from casetrail.records.models import Record


def propose_over_http(case, who="zhang", **overrides):
    fields = proposal(case, **overrides)
    return api(
        who,
        f"/api/cases/{case.pk}/decision-proposal/",
        {"fields": fields, "opinion": "事实清楚，证据确凿，建议罚款。"},
    )


def decide(who, chain, outcome="approve", opinion="同意", **extra):
    return api(
        who,
        f"/api/approvals/{chain.pk}/decide/",
        {"outcome": outcome, "opinion": opinion, **extra},
    )


def waiting(who):
    """The 处理决定审批 on ``who``'s worklist, with the deadline beside each."""
    body = api(who, "/api/worklist/").json()
    return [c for c in body["approvals_waiting"] if c["kind"] == "case_decision"]


def decision_fields(case, fine="500.00"):
    """The fields of a 行政执法决定书 (version 3: no 文号, drawn when it is issued)."""
    return {
        "decided_at": timezone.localtime().isoformat(),
        "party": case.parties.first().pk,
        "facts": "当事人未按规定备案擅自开展养老服务。",
        "evidence": ["现场检查笔录"],
        "legal_basis": "《养老机构管理办法》第四十六条",
        "reasons": "事实清楚，证据确凿。",
        "decision": "罚款人民币500元。",
        "penalty_amount": fine,
        "review_body": "陵川县人民政府",
        "review_period": "自收到本决定书之日起六十日内",
        "litigation_court": "陵川县人民法院",
        "litigation_period": "自收到本决定书之日起六个月内",
    }


def decision_document(case, who="zhang", fine="500.00"):
    fields = decision_fields(case, fine)
    image = "data:image/png;base64," + base64.b64encode(png()).decode()
    return api(
        who,
        f"/api/cases/{case.pk}/records/",
        {
            "kind": "administrative_decision",
            "fields": fields,
            "signatures": [
                {"key": "other", "name": "陵川县民政局", "method": "drawn", "image": image}
            ],
        },
    )


def advance_over_http(case, to="service"):
    return api(
        "zhang",
        f"/api/cases/{case.pk}/advance/",
        {"fields": {"reason": "处理决定已作出"}},
    )


def test_it_takes_a_major_decision_through_every_step_over_http(major_case, personas):
    case = major_case
    r = propose_over_http(case)
    assert r.status_code == 201, r.content
    chain = Chain.objects.get(case=case, kind="case_decision")
    assert chain.step_plan() == ["review", "legal", "collective", "decide"]
    assert chain.record.kind == "decision_approval_form" and chain.record.version == 2
    entry = LedgerEntry.objects.filter(action="decision.propose").get()
    assert entry.case_ref == case.pk and '"legal_review_grounds":["major"]' in entry.canonical

    # Each step waits on the worklist of whoever must take it, with the 90-day deadline (CF60).
    (item,) = waiting("wang")
    assert item["id"] == chain.pk and item["due"]["rule"] == "CF60"
    assert waiting("chen") == [] and waiting("zhao") == []
    assert decide("wang", chain, opinion="同意，重大案件提请法制审核和集体讨论").status_code == 201

    assert [c["id"] for c in waiting("chen")] == [chain.pk] and waiting("wang") == []
    r = decide("chen", chain, opinion="合法", findings=all_ok())
    assert r.status_code == 201, r.content
    legal = Step.objects.get(chain=chain, role="legal")
    assert legal.officer == personas["chen"] and len(legal.findings) == 9

    # 集体讨论: on the worklist of every leader; 郑副局长 chairs and records each view.
    for who in ("zhao", "zheng", "feng"):
        assert [c["id"] for c in waiting(who)] == [chain.pk], who
    leaders = [personas["zhao"], personas["zheng"], personas["feng"]]
    r = decide(
        "zheng",
        chain,
        opinion="一致同意罚款500元",
        participants=[{"id": o.pk, "view": f"{o.name}：同意"} for o in leaders],
    )
    assert r.status_code == 201, r.content
    # Any 负责人 may now decide, except the chair, who acted in this round (第六条).
    assert waiting("zheng") == []
    assert [c["id"] for c in waiting("zhao")] == [c["id"] for c in waiting("feng")] == [chain.pk]
    assert decide("zhao", chain, opinion="经集体讨论决定，同意").status_code == 201
    chain.refresh_from_db()
    assert chain.status == "approved"
    assert [(s.role, s.officer.user.username) for s in chain.steps.order_by("id")] == [
        ("propose", "zhang"),
        ("review", "wang"),
        ("legal", "chen"),
        ("collective", "zheng"),
        ("decide", "zhao"),
    ]

    # The decision document, then 送达执行 (第五条: a 重大 case is filmed in 审查决定 too — the
    # investigation's clip overlaps this stage only if the steps above took under a second).
    r = decision_document(case)
    assert r.status_code == 201, r.content
    film(case, personas["zhang"], "审查决定")
    r = advance_over_http(case)
    assert r.status_code == 201, r.content
    case.refresh_from_db()
    assert case.stage == "service"
    detail = api("sun", f"/api/cases/{case.pk}/decision/").json()
    assert detail["status"] == "approved"
    assert [g["code"] for g in detail["legal_review_grounds"]] == ["major"]
    assert [s["role"] for s in detail["chains"][0]["steps"]] == [
        "propose",
        "review",
        "legal",
        "collective",
        "decide",
    ]
    assert all(s["ledger_seq"] for s in detail["chains"][0]["steps"])
    assert verify().intact


def test_it_returns_a_proposal_and_keeps_every_round(deciding_case, personas):
    case = deciding_case
    assert propose_over_http(case).status_code == 201
    chain = Chain.objects.get(case=case, kind="case_decision")
    assert chain.step_plan() == ["review", "decide"]  # no ground for 法制审核
    first = chain.record
    r = decide("wang", chain, outcome="return", opinion="裁量理由不充分，请补充")
    assert r.status_code == 201
    assert [c["id"] for c in waiting("zhang")] == [chain.pk]  # returned to the proposer
    r = api(
        "zhang",
        f"/api/approvals/{chain.pk}/resubmit/",
        {
            "fields": {
                "considerations": "初次违法，主动整改，按裁量基准下限。",
                "proposed_fine": "400.00",
            },
            "opinion": "已补充裁量理由，建议罚款400元。",
            "reason": "按审核意见补充",
        },
    )
    assert r.status_code == 201, r.content
    chain.refresh_from_db()
    assert chain.status == "pending_review" and chain.record.replaces_id == first.pk
    assert chain.record.fields["proposed_fine"] == "400.00"
    assert decide("wang", chain, opinion="同意").status_code == 201
    assert decide("zhao", chain, opinion="同意").status_code == 201
    chain.refresh_from_db()
    assert chain.status == "approved"
    assert [s.role for s in chain.steps.order_by("id")] == [
        "propose",
        "review",
        "propose",
        "review",
        "decide",
    ]
    assert Record.objects.filter(case=case, kind="decision_approval_form").count() == 2
    # The decision carries the fine approved in the last round.
    assert decision_document(case, fine="500.00").json()["code"] == "decision_differs_from_approval"
    assert decision_document(case, fine="400.00").status_code == 201
    assert advance_over_http(case).status_code == 201


def test_the_case_page_shows_each_step_in_order_with_its_opinion(major_case, personas):
    from casetrail.decisions.tests.builders import propose, take_steps

    take_steps(propose(major_case, personas), personas)
    page = api("zhang", f"/cases/{major_case.pk}/section/approvals/").content.decode()
    section = page[page.index("<h2>处理决定") :]
    assert "须经法制机构审核：重大案件" in section
    rounds = section[section.index("第1次提出") :]
    order = ["承办人初审", "审核人审核", "法制机构审核", "集体讨论", "批准人决定"]
    positions = [rounds.index(label) for label in order]
    assert positions == sorted(positions)
    assert "执法人员是否具备执法资格" in rounds and "冯副局长" in rounds
    # 王审核, who reviewed, reads the case too (he acted on it), with the same steps.
    assert (
        "集体讨论同意" in api("wang", f"/cases/{major_case.pk}/section/approvals/").content.decode()
    )
