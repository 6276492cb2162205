"""当场处罚 (简易程序; 第二十一条; 行政处罚法第五十一、五十二、六十八至七十条): a summary case opened and
decided on the spot by two officers, without a start approval — over the page and the API, with
its limits both ways, each refusal writing nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from casetrail.approvals.models import Chain
from casetrail.cases.models import Case, Stage, StartMode, StartStatus
from casetrail.compliance.engine import RULES, CaseView
from casetrail.conftest import api_start, client_for
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import verify
from casetrail.records.models import Record, RecordSignature
from casetrail.start.tests.summary_builders import (
    ORGANISATION,
    PERSON,
    PNG64,
    body,
    on_the_spot,
    post,
    signatures,
)

pytestmark = pytest.mark.usefixtures("evidence_store")


def counts() -> tuple[int, int, int, int]:
    return (
        Case.objects.count(),
        Record.objects.count(),
        RecordSignature.objects.count(),
        LedgerEntry.objects.count(),
    )


def refused(personas, code, who="zhang", **overrides):
    """POST the on-the-spot start, expect the refusal ``code`` with a Chinese message, and nothing
    written."""
    before = counts()
    r = post(personas, who, **overrides)
    assert r.status_code == 400, r.content
    data = r.json()
    assert data["code"] == code, data
    assert any("\u4e00" <= ch <= "\u9fff" for ch in data["message"])
    assert counts() == before
    return data


def page_data(personas, **overrides):
    """The on-the-spot page's form as the tablet posts it: fields, then each document's
    signatures drawn on screen."""
    decided = timezone.localtime() - dt.timedelta(minutes=10)
    data = {
        "unit": personas["zhang"].unit_id,
        "title": "陵川县康乐颐养院未与入住老年人签订服务协议案",
        "category": "elderly",
        "confidentiality": "normal",
        "officers": [personas["zhang"].pk, personas["li"].pk],
        "party_kind": "organisation",
        "party_name": "陵川县康乐颐养院",
        "party_credit_code": "52140524MJ01234568",
        "party_representative": "刘某某",
        "certificates_shown": "on",
        "decided_at": decided.strftime("%Y-%m-%dT%H:%M"),
        "place": "陵川县崇文镇府前街18号",
        "conditions": "违法事实确凿并有法定依据，对法人或者其他组织给予警告",
        "facts": "该院有4名入住老年人未签订服务协议。",
        "evidence": "现场检查情况\n入住老年人档案",
        "legal_basis": "《养老机构管理办法》第四十六条第（二）项",
        "penalty": "warning",
        "decision": "警告。",
        "reasons": "违法事实确凿，情节轻微。",
        "rights_told": "on",
        "statement": "stated",
        "statements": "对违法事实无异议，立即补签服务协议。",
        "review": "陈述属实。",
        "adopted": "adopted",
        "adoption_reasons": "当事人积极整改。",
        "doc_no": "陵民当罚〔2026〕0001号",
        "review_body": "陵川县人民政府",
        "review_period": "自收到本决定书之日起六十日内",
        "litigation_court": "陵川县人民法院",
        "litigation_period": "自收到本决定书之日起六个月内",
    }
    for doc, sigs in signatures("刘某某").items():
        for s in sigs:
            stem = f"sig_{doc}_{s['key']}_"
            data[stem + "method"] = s["method"]
            data[stem + "name"] = s["name"]
            data[stem + "image"] = "data:image/png;base64," + PNG64
    data.update(overrides)
    return data


def test_it_opens_and_decides_a_summary_warning_on_the_spot_through_the_page(personas):
    zhang = client_for("zhang")
    page = zhang.get("/cases/new/on-the-spot/").content.decode()
    assert "当场处罚（简易程序" in page
    assert all(title in page for title in ("简易程序记录", "行政执法决定书", "送达回证"))
    assert "sig_service_receipt_recipient_method" in page
    assert "当场处罚（简易程序）" in zhang.get("/").content.decode()  # the worklist's button

    r = zhang.post("/cases/new/on-the-spot/", page_data(personas))
    assert r.status_code == 302, r.content.decode()[-3000:]
    case = Case.objects.get()
    assert r["Location"] == f"/cases/{case.pk}/"
    year = timezone.localdate().year
    assert (case.start_mode, case.procedure, case.start_status, case.stage) == (
        StartMode.ON_THE_SPOT,
        "summary",
        StartStatus.APPROVED,
        Stage.SERVICE,
    )
    assert case.number == f"陵民罚〔{year}〕1号"
    assert not Chain.objects.filter(case=case).exists()  # no start approval (第五十一条)
    moves = list(case.stage_changes.values_list("from_stage", "to_stage"))
    assert moves == [("start", "decision"), ("decision", "service")]

    record = Record.objects.get(case=case, kind="summary_procedure_record")
    assert record.version == 2
    assert record.fields["penalty"] == "warning" and record.fields["penalty_amount"] == ""
    assert record.fields["statement"] == "stated" and record.fields["adopted"] == "adopted"
    assert [o["name"] for o in record.officers_present] == ["张承办", "李承办"]
    assert all(o["shown"] for o in record.officers_present)
    assert "出示执法证件" in record.fields["steps"] and "当事人签收" in record.fields["steps"]
    decision = Record.objects.get(case=case, kind="administrative_decision")
    assert decision.fields["spot_form_no"] == "陵民当罚〔2026〕0001号" == decision.doc_no
    receipt = Record.objects.get(case=case, kind="service_receipt")
    assert receipt.fields["document"]["id"] == decision.pk
    assert receipt.fields["method"] == "direct"
    assert receipt.fields["signer"]["name"] == "刘某某"
    assert receipt.fields["signer_relation"] == "representative"
    assert {(s.record.kind, s.slot) for s in RecordSignature.objects.filter(record__case=case)} == {
        ("summary_procedure_record", "officers"),
        ("summary_procedure_record", "party"),
        ("administrative_decision", "other"),
        ("service_receipt", "recipient"),
        ("service_receipt", "server"),
    }

    # One ledger entry carries the case, its officers, party, number, stage changes, documents
    # and signatures; verify finds every row equal to it.
    entry = LedgerEntry.objects.filter(case_ref=case.pk).order_by("-seq").first()
    assert entry.action == "case.start_on_the_spot"
    tables = [row["table"] for row in json.loads(entry.canonical)["payload"]["rows"]]
    assert {"cases.Case", "cases.CaseOfficer", "cases.Party", "cases.CaseNumberCounter"} <= set(
        tables
    )
    assert tables.count("cases.StageChange") == 2 and tables.count("records.Record") == 3
    assert tables.count("records.RecordSignature") == 5
    assert verify().intact, verify().findings

    # Decided on the spot, served on the spot: only the filing (R21b) and performance remain.
    view = CaseView(case)
    for rule_id in ("R9a", "R12", "R20", "R21", "R22"):
        assert list(RULES[rule_id].check(view)) == [], rule_id
    assert [m.add for m in RULES["R21b"].check(view)] == ["summary_filing_record"]
    case_page = zhang.get(f"/cases/{case.pk}/").content.decode()
    assert "报所属行政机关备案" in case_page


def test_it_records_a_fine_collected_on_the_spot_over_the_api(personas):
    r = post(
        personas,
        amount="100.00",
        collected=True,
        collection_ground="under_100",
        receipt_no="晋财罚No.0012345",
        statement="stated",
        statements="当事人称不知道不能焚烧",
        review="不知法不是免责理由",
        adopted="rejected",
        adoption_reasons="违法事实清楚",
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["stage"] == "service" and data["start_mode"] == "on_the_spot"
    record = Record.objects.get(case_id=data["id"], kind="summary_procedure_record")
    assert record.fields["collected_on_spot"] is True
    assert record.fields["collection_ground"] == "under_100"
    assert record.fields["receipt_no"] == "晋财罚No.0012345"
    assert "当场收缴罚款100.00元" in record.fields["steps"]
    decision = Record.objects.get(case_id=data["id"], kind="administrative_decision")
    assert decision.fields["penalty_amount"] == "100.00"
    assert "晋财罚No.0012345" in decision.fields["performance_manner"]


def test_it_notes_a_refusal_to_sign_for_the_decision(personas):
    case = on_the_spot(personas, signatures=signatures(refuse_receipt=True))
    receipt = Record.objects.get(case=case, kind="service_receipt")
    sig = receipt.signatures.get(key="recipient")
    assert (sig.method, sig.refusal_reason) == ("refused", "拒绝签收")
    summary = Record.objects.get(case=case, kind="summary_procedure_record")
    assert "当事人拒绝签收" in summary.fields["steps"]


# --- 行政处罚法第五十一条: the fine's limits, both ways -----------------------------------------


@pytest.mark.parametrize("amount", ["199.00", "200.00"])
def test_it_accepts_a_fine_up_to_200_yuan_for_a_person(personas, amount):
    case = on_the_spot(personas, amount=amount)
    assert case.records.get(kind="administrative_decision").fields["penalty_amount"] == amount


@pytest.mark.parametrize("amount", ["200.01", "201.00"])
def test_it_refuses_a_fine_over_200_yuan_for_a_person(personas, amount):
    data = refused(personas, "summary_fine_over_limit", amount=amount)
    assert "第五十一条" in data["message"] and "公民" in data["message"]
    assert data["field"] == "amount"


def test_it_accepts_3000_and_refuses_3001_yuan_for_an_organisation(personas):
    org = {"party": ORGANISATION, "signatures": signatures("刘某某")}
    assert on_the_spot(personas, amount="3000.00", **org).number
    data = refused(personas, "summary_fine_over_limit", amount="3001.00", **org)
    assert "法人或者其他组织" in data["message"] and "3000" in data["message"]


def test_it_refuses_what_is_neither_a_warning_nor_a_fine_within_the_limits(personas):
    refused(personas, "fine_amount_required", amount=None)
    refused(personas, "amount_not_allowed", penalty="warning", amount="50.00")
    r = post(personas, penalty="confiscation")
    assert r.status_code == 400 and Case.objects.count() == 0


# --- 行政处罚法第六十八至七十条: on-the-spot collection ----------------------------------------


def test_it_collects_100_yuan_on_the_spot_as_a_fine_of_100_or_less(personas):
    case = on_the_spot(
        personas, amount="100.00", collected=True, collection_ground="under_100", receipt_no="A1"
    )
    assert case.records.get(kind="summary_procedure_record").fields["collected_on_spot"]


def test_it_refuses_to_collect_101_yuan_as_a_fine_of_100_or_less(personas):
    data = refused(
        personas,
        "on_the_spot_collection_refused",
        amount="101.00",
        collected=True,
        collection_ground="under_100",
        receipt_no="A1",
    )
    assert "第六十八条" in data["message"] and "第六十九条" in data["message"]


@pytest.mark.parametrize("ground", ["hard_to_enforce", "remote"])
def test_it_collects_101_yuan_on_an_allowed_ground(personas, ground):
    case = on_the_spot(
        personas,
        amount="101.00",
        collected=True,
        collection_ground=ground,
        collection_ground_details="当事人系外地过往人员，事后无法找到"
        if ground != "remote"
        else "山区",
        party_requested=ground == "remote",
        receipt_no="晋财罚No.0000101",
    )
    record = case.records.get(kind="summary_procedure_record")
    assert (record.fields["collection_ground"], record.fields["receipt_no"]) == (
        ground,
        "晋财罚No.0000101",
    )


def test_it_refuses_a_collection_without_its_ground_or_receipt_number(personas):
    fine = {"amount": "150.00", "collected": True}
    refused(personas, "collection_ground_required", **fine, receipt_no="A1")
    refused(
        personas, "collection_ground_details_required", **fine, collection_ground="hard_to_enforce"
    )
    refused(
        personas,
        "collection_not_requested",
        **fine,
        collection_ground="remote",
        collection_ground_details="山区",
        receipt_no="A1",
    )
    data = refused(
        personas,
        "receipt_no_required",
        **fine,
        collection_ground="hard_to_enforce",
        collection_ground_details="外地过往人员",
    )
    assert "第七十条" in data["message"]
    refused(personas, "nothing_to_collect", penalty="warning", amount=None, collected=True)


# --- the procedure's other conditions ------------------------------------------------------------


def test_it_refuses_what_the_procedure_does_not_allow(personas):
    refused(personas, "rights_not_told", rights_told=False)
    refused(personas, "certificate_not_shown", certificates_shown=False)
    refused(personas, "summary_not_for_major", is_major=True)
    refused(personas, "too_few_officers", officers=[personas["zhang"].pk])
    refused(
        personas,
        "datetime_in_future",
        decided_at=(timezone.now() + dt.timedelta(hours=1)).isoformat(),
    )
    data = refused(personas, "field_required", statement="stated")  # the statement's content
    assert "陈述、申辩的内容" in data["message"]
    refused(personas, "signature_required", signatures={**signatures(), "service_receipt": []})
    refused(
        personas,
        "signer_required",
        party={**ORGANISATION, "representative": ""},
        signatures=signatures("某"),
    )
    refused(
        personas,
        "unknown_signature",
        signatures={
            **signatures(),
            "administrative_decision": [
                {"key": "officers", "name": "张", "method": "drawn", "image": PNG64}
            ],
        },
    )


def test_it_refuses_non_handlers_and_writes_nothing(personas):
    before = counts()
    for who, status in (("wang", 403), ("sun", 403), ("chen", 403)):
        r = post(personas, who)
        assert r.status_code == status, (who, r.content)
        assert r.json()["code"] in ("not_a_handler", "permission_denied")
    assert (
        client_for(None)
        .post("/api/cases/on-the-spot/", body(personas), content_type="application/json")
        .status_code
        == 401
    )
    assert counts() == before


def test_new_summary_cases_no_longer_take_the_start_approval_route(personas):
    """A summary case is decided on the spot (第五十一、五十二条); the other start modes take
    ordinary cases only, and their forms offer no 简易程序."""
    before = counts()
    r = api_start(personas, procedure="summary")
    assert r.status_code == 400 and r.json()["code"] == "summary_is_on_the_spot"
    assert "当场处罚" in r.json()["message"]
    assert counts() == before
    page = client_for("zhang").get("/cases/new/ex-officio/").content.decode()
    assert 'value="summary"' not in page and "当场处罚（简易程序）" in page
    r = client_for("zhang").post(
        "/api/cases/applications/",
        {
            "unit": personas["zhang"].unit_id,
            "title": "申请",
            "category": "other",
            "procedure": "summary",
            "officers": [personas["zhang"].pk, personas["li"].pk],
            "applicant": PERSON,
            "received_at": timezone.now().isoformat(),
            "matter": "m",
            "materials": ["a"],
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "summary_is_on_the_spot"
    assert counts() == before
