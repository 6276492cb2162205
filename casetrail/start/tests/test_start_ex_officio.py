"""依职权启动 (第九条) through the web UI: handler → unit reviewer → (legal unit) → director."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from casetrail.approvals.actions import approval_decide
from casetrail.approvals.models import Chain, ChainStatus, Step
from casetrail.cases.models import Case, Stage, StartStatus
from casetrail.conftest import VALID_ID, client_for, film, start_ex_officio
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError
from casetrail.records.models import Record


def form_data(personas, **overrides):
    data = {
        "unit": personas["zhang"].unit_id,
        "title": "某殡葬服务站违规收费",
        "category": "funeral",
        "procedure": "ordinary",
        "confidentiality": "normal",
        "officers": [personas["zhang"].pk, personas["li"].pk],
        "party_kind": "person",
        "party_name": "周某",
        "party_id_number": VALID_ID,
        "party_phone": "13912345678",
        "party_address": "山西省晋城市陵川县崇文镇某街12号",
        "reason": "接群众反映，经初步核实",
        "party_facts": "周某，经营殡葬服务站",
        "opinion": "建议立案调查",
    }
    data.update(overrides)
    return data


def decide(username, chain, outcome="approve", opinion="同意"):
    return client_for(username).post(
        f"/approvals/{chain.pk}/", {"outcome": outcome, "opinion": opinion, "confirmed": "1"}
    )


def test_it_runs_the_full_ex_officio_start_through_the_ui(personas):
    zhang = client_for("zhang")
    r = zhang.post("/cases/new/ex-officio/", form_data(personas))
    assert r.status_code == 302
    case = Case.objects.get()
    assert r["Location"] == f"/cases/{case.pk}/"
    assert (case.stage, case.start_status, case.number) == (Stage.START, StartStatus.PENDING, None)
    form = Record.objects.get(case=case, kind="start_approval_form")
    assert form.fields["reason"] == "接群众反映，经初步核实"
    chain = Chain.objects.get(case=case)
    assert chain.status == ChainStatus.PENDING_REVIEW and not chain.requires_legal

    # 王审核 sees it on the worklist and approves; 赵局长 decides.
    assert "程序启动审批" in client_for("wang").get("/").content.decode()
    assert decide("wang", chain).status_code == 302
    chain.refresh_from_db()
    assert chain.status == ChainStatus.PENDING_DECISION
    assert decide("zhao", chain, opinion="同意立案").status_code == 302

    case.refresh_from_db()
    year = timezone.localdate().year
    assert case.number == f"陵民罚〔{year}〕1号"
    assert (case.stage, case.start_status) == (Stage.INVESTIGATION, StartStatus.APPROVED)
    steps = list(Step.objects.filter(chain=chain).values_list("role", "officer__name", "outcome"))
    assert steps == [
        ("propose", "张承办", "submit"),
        ("review", "王审核", "approve"),
        ("decide", "赵局长", "approve"),
    ]
    # Every action left its ledger entry; the last one carries the number and the stage change.
    last = LedgerEntry.objects.filter(case_ref=case.pk).order_by("-seq").first()
    payload = json.loads(last.canonical)["payload"]
    assert last.action == "approval.step"
    assert any(r.get("number") == case.number for r in payload["effects"]["rows"])
    page = zhang.get(f"/cases/{case.pk}/section/timeline/").content.decode()
    assert case.number in page and "日志序号" in page and "调查取证" in page


def test_it_numbers_cases_gaplessly_per_agency_and_year(personas):
    from casetrail.conftest import approve_start

    numbers = [approve_start(start_ex_officio(personas), personas).number for _ in range(3)]
    year = timezone.localdate().year
    assert numbers == [f"陵民罚〔{year}〕{n}号" for n in (1, 2, 3)]


def test_it_requires_the_legal_review_for_a_major_case(personas, evidence_store):
    case = start_ex_officio(personas, is_major=True)
    chain = Chain.objects.get(case=case)
    assert chain.requires_legal
    assert decide("wang", chain).status_code == 302
    chain.refresh_from_db()
    assert chain.status == ChainStatus.PENDING_LEGAL
    # The director cannot decide before the legal unit has reviewed: the case is not even his to
    # see yet (404), and the action itself refuses.
    assert decide("zhao", chain).status_code == 404
    with pytest.raises(ActionError) as err:
        approval_decide(chain=chain, officer=personas["zhao"], outcome="approve", opinion="同意")
    assert "法制审核人" in err.value.message
    assert Step.objects.filter(chain=chain).count() == 2
    assert decide("chen", chain, opinion="主体适格，依据充分").status_code == 302
    chain.refresh_from_db()
    assert chain.status == ChainStatus.PENDING_DECISION
    # 第五条: the 程序启动 stage of a 重大 case ends with this approval, and has no audio/video yet.
    r = client_for("zhao").post(
        f"/api/approvals/{chain.pk}/decide/",
        {"outcome": "approve", "opinion": "同意"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "transition_blocked"
    assert "程序启动" in r.json()["message"] and "第五条" in r.json()["message"]
    case.refresh_from_db()
    assert case.stage == Stage.START and case.number is None
    assert Step.objects.filter(chain=chain).count() == 3
    film(case, personas["zhang"], "立案前现场初步核查")
    assert decide("zhao", chain).status_code == 302
    case.refresh_from_db()
    assert case.start_status == StartStatus.APPROVED and case.stage == Stage.INVESTIGATION
    roles = list(Step.objects.filter(chain=chain).values_list("role", flat=True))
    assert roles == ["propose", "review", "legal", "decide"]


@pytest.mark.behind_the_application
def test_it_opens_an_emergency_start_at_once_and_tracks_its_approval(personas, time_machine):
    r = client_for("zhang").post(
        "/cases/new/ex-officio/",
        form_data(personas, emergency="on", emergency_reason="现场证据可能灭失"),
    )
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.stage == Stage.INVESTIGATION and case.emergency
    assert case.number is None and case.start_status == StartStatus.PENDING
    expected = case.created_at + dt.timedelta(hours=24)
    assert abs((case.approval_due_at - expected).total_seconds()) < 1
    page = client_for("zhang").get("/").content.decode()
    assert "紧急启动事后补报审批" in page and "临近期限" in page

    # Past its limit it shows as overdue to the handler and the supervisor.
    time_machine.move_to(timezone.now() + dt.timedelta(hours=25))
    for who in ("zhang", "sun"):
        page = client_for(who).get("/").content.decode()
        assert "已逾期</span>" in page and case.title in page
    # Once approved, it gets its number and no longer shows.
    from casetrail.conftest import approve_start

    case = approve_start(case, personas)
    assert case.number and case.stage == Stage.INVESTIGATION
    assert "紧急启动事后补报审批" not in client_for("zhang").get("/").content.decode()


def test_it_refuses_an_emergency_start_without_its_reason(personas):
    r = client_for("zhang").post("/cases/new/ex-officio/", form_data(personas, emergency="on"))
    assert r.status_code == 400
    assert "请说明紧急情况" in r.content.decode()
    assert (
        Case.objects.count() == 0
        and LedgerEntry.objects.filter(case_ref__isnull=False).count() == 0
    )


def test_it_closes_the_case_when_the_director_refuses(personas, new_case):
    chain = Chain.objects.get(case=new_case)
    decide("wang", chain)
    assert decide("zhao", chain, outcome="refuse", opinion="违法事实不清").status_code == 302
    new_case.refresh_from_db()
    assert (new_case.stage, new_case.start_status, new_case.number) == (
        Stage.CLOSED,
        StartStatus.REFUSED,
        None,
    )
