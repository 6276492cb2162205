"""The decision in the web UI: the act on the case page and its form, the 处理决定 section, each
step's form for the person who takes it, and 待我审批 with the deadline beside the chain."""

from __future__ import annotations

from django.utils import timezone

from casetrail.approvals.actions import approval_decide
from casetrail.approvals.models import Chain
from casetrail.compliance.holidays import calendar
from casetrail.conftest import client_for
from casetrail.decisions.tests.builders import all_ok, propose


def test_the_handler_proposes_from_the_case_page(deciding_case, personas):
    case = deciding_case
    page = client_for("zhang").get(f"/cases/{case.pk}/section/approvals/").content.decode()
    assert f'href="/cases/{case.pk}/decision-proposal/"' in page
    assert "<h2>处理决定" in page and "尚未提出" in page and "当事人已放弃" in page
    form = client_for("zhang").get(f"/cases/{case.pk}/decision-proposal/").content.decode()
    for label in ("处理决定的种类", "案情疑难复杂，提请法制审核", "承办人初审意见和理由", "周某"):
        assert label in form, label
    data = {
        "party": case.parties.first().pk,
        "facts": "未备案",
        "evidence": "现场检查笔录",
        "legal_basis": "《养老机构管理办法》第四十六条",
        "considerations": "初次违法",
        "decision_kind": "penalty",
        "proposal": "罚款500元",
        "proposed_fine": "500",
        "opinion": "建议罚款500元",
    }
    r = client_for("zhang").post(
        f"/cases/{case.pk}/decision-proposal/", {**data, "proposed_fine": "900"}
    )
    assert r.status_code == 400 and "应重新告知" in r.content.decode()
    assert not Chain.objects.filter(case=case, kind="case_decision").exists()
    r = client_for("zhang").post(f"/cases/{case.pk}/decision-proposal/", data)
    assert r.status_code == 302
    chain = Chain.objects.get(case=case, kind="case_decision")
    assert chain.record.fields["proposed_fine"] == "500.00"
    page = client_for("zhang").get(f"/cases/{case.pk}/section/approvals/").content.decode()
    assert f'href="/cases/{case.pk}/decision-proposal/"' not in page
    assert "审批中" in page and "正在审批（待审核）" in page


def test_each_step_gets_its_form_and_the_worklist_its_deadline(major_case, personas):
    chain = propose(major_case, personas)
    worklist = client_for("wang").get("/").content.decode()
    # 行政处罚法第六十条: ninety days from filing, beside the chain (CF60).
    due = calendar().period_end(timezone.localdate(major_case.approved_at), 90).day
    assert "处理决定审批" in worklist and f"作出行政处罚决定 {due:%Y-%m-%d}" in worklist
    review = client_for("wang").get(f"/approvals/{chain.pk}/").content.decode()
    assert "提请法制审核（审核同意后转法制机构审核）" in review and "涉及多个法律关系" in review
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="同意")
    legal = client_for("chen").get(f"/approvals/{chain.pk}/").content.decode()
    assert "执法主体是否合法" in legal and "是否涉嫌犯罪需移送司法机关" in legal
    assert "须经法制机构逐项审核（行政处罚法第五十八条）" in legal
    r = client_for("chen").post(
        f"/approvals/{chain.pk}/",
        {
            "outcome": "approve",
            "opinion": "合法",
            **{f"finding_{f['item']}": "ok" for f in all_ok()},
        },
    )
    assert r.status_code == 302
    chair = client_for("zheng").get(f"/approvals/{chain.pk}/").content.decode()
    assert "赵局长参加" in chair and "冯副局长的意见" in chair and "讨论结论" in chair
    api = client_for("feng").get("/api/approvals/").json()
    (item,) = [c for c in api if c["id"] == chain.pk]
    assert item["due"]["rule"] == "CF60" and item["due"]["title"] == "作出行政处罚决定"
