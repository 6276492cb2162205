"""依申请启动 (第八条) through the API: register, oral record, corrections, one-time supplement
notice, receipt, and an acceptance decided through the approval chain."""

from __future__ import annotations

from django.core.management import call_command
from django.utils import timezone

from casetrail.approvals.models import Chain
from casetrail.cases.models import Case, Stage, StartStatus
from casetrail.conftest import VALID_ID, client_for
from casetrail.ledger.models import LedgerEntry
from casetrail.records.models import Record


def application(personas, **overrides):
    data = {
        "unit": personas["zhang"].unit_id,
        "title": "申请查处某社会组织违规收费",
        "category": "social_org",
        "officers": [personas["zhang"].pk, personas["li"].pk],
        "applicant": {
            "kind": "person",
            "name": "吴某",
            "id_number": VALID_ID,
            "phone": "13800001111",
            "address": "山西省晋城市陵川县礼义镇某村",
        },
        "received_at": timezone.localtime().replace(microsecond=0).isoformat(),
        "matter": "请求查处某协会违规收取会费",
        "materials": ["申请书", "收费凭证复印件"],
    }
    data.update(overrides)
    return data


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def act(client, case, name, fields, opinion=""):
    return post(client, f"/api/cases/{case.pk}/{name}/", {"fields": fields, "opinion": opinion})


def test_it_runs_the_full_application_start_through_the_api(personas):
    zhang = client_for("zhang")
    r = post(
        zhang,
        "/api/cases/applications/",
        application(
            personas, oral=True, oral_statement="我要求查处某协会违规收费", applicant_signed=True
        ),
    )
    assert r.status_code == 201, r.json()
    case = Case.objects.get(pk=r.json()["id"])
    assert case.start_mode == "application" and case.stage == Stage.START
    assert set(case.records.values_list("kind", flat=True)) == {
        "application_registration",
        "oral_application_record",
    }
    assert case.parties.get().role == "applicant"

    assert (
        act(
            zhang,
            case,
            "correction",
            {
                "item": "申请书",
                "original": "申请日期 2026-13-01",
                "corrected": "申请日期 2026-11-01",
                "applicant_confirmed": True,
            },
        ).status_code
        == 201
    )
    assert (
        act(
            zhang,
            case,
            "supplement-notice",
            {"items": ["申请人身份证复印件", "协会收费的书面证明"], "due_date": "2026-12-10"},
        ).status_code
        == 201
    )
    # Acceptance before the supplement and the receipt is refused, listing both.
    r = act(
        zhang,
        case,
        "application-decision",
        {"decision": "accept", "reasons": "符合条件"},
        opinion="建议受理",
    )
    assert r.status_code == 400
    assert r.json()["code"] == "application_incomplete" and len(r.json()["details"]) == 2

    assert (
        act(
            zhang,
            case,
            "supplement-received",
            {
                "received_at": timezone.localtime().isoformat(),
                "items": ["身份证复印件", "书面证明"],
            },
        ).status_code
        == 201
    )
    assert (
        act(
            zhang,
            case,
            "receipt",
            {
                "issued_at": timezone.localtime().isoformat(),
                "materials": ["申请书", "身份证复印件"],
            },
        ).status_code
        == 201
    )
    r = act(
        zhang,
        case,
        "application-decision",
        {"decision": "accept", "reasons": "属于本机关职责"},
        opinion="建议受理",
    )
    assert r.status_code == 201, r.json()
    chain = Chain.objects.get(case=case)
    assert chain.kind == "application_decision"
    for who, opinion in (("wang", "同意受理"), ("zhao", "同意")):
        r = post(
            client_for(who),
            f"/api/approvals/{chain.pk}/decide/",
            {"outcome": "approve", "opinion": opinion},
        )
        assert r.status_code == 201, r.json()
    case.refresh_from_db()
    assert case.number == f"陵民罚〔{timezone.localdate().year}〕1号"
    assert (case.stage, case.start_status) == (Stage.INVESTIGATION, StartStatus.APPROVED)
    kinds = list(case.records.values_list("kind", flat=True))
    assert kinds == [
        "application_registration",
        "oral_application_record",
        "on_the_spot_correction",
        "supplement_notice",
        "supplement_received",
        "application_receipt",
        "application_decision",
    ]
    detail = zhang.get(f"/api/cases/{case.pk}/").json()
    assert all(rec["ledger_seq"] is not None for rec in detail["records"])


def test_it_refuses_an_oral_application_the_applicant_did_not_sign(personas):
    r = post(
        client_for("zhang"),
        "/api/cases/applications/",
        application(personas, oral=True, oral_statement="口述内容"),
    )
    assert r.status_code == 400
    assert r.json()["code"] == "confirmation_required"
    assert Case.objects.count() == 0 and Record.objects.count() == 0


def test_it_allows_only_one_supplement_notice_for_what_was_already_missing(personas):
    zhang = client_for("zhang")
    case = Case.objects.get(
        pk=post(zhang, "/api/cases/applications/", application(personas)).json()["id"]
    )
    assert (
        act(
            zhang, case, "supplement-notice", {"items": ["身份证复印件"], "due_date": "2026-12-10"}
        ).status_code
        == 201
    )
    entries = LedgerEntry.objects.count()
    # A second notice for something that was already missing: refused, nothing written.
    r = act(
        zhang, case, "supplement-notice", {"items": ["营业执照复印件"], "due_date": "2026-12-20"}
    )
    assert r.status_code == 400 and r.json()["code"] == "supplement_items_already_missing"
    r = act(
        zhang,
        case,
        "supplement-notice",
        {"items": ["身份证复印件"], "due_date": "2026-12-20", "new_items_reason": "再次提醒"},
    )
    assert r.status_code == 400 and r.json()["code"] == "supplement_items_already_notified"
    assert case.records.filter(kind="supplement_notice").count() == 1
    assert LedgerEntry.objects.count() == entries
    # After the applicant supplements, a new problem raised by the new material may be notified.
    act(
        zhang,
        case,
        "supplement-received",
        {"received_at": timezone.localtime().isoformat(), "items": ["身份证复印件"]},
    )
    r = act(
        zhang,
        case,
        "supplement-notice",
        {
            "items": ["身份证复印件与申请书姓名不一致的说明"],
            "due_date": "2026-12-20",
            "new_items_reason": "补正的身份证姓名与申请书不一致",
        },
    )
    assert r.status_code == 201, r.json()


def test_it_closes_a_refused_application(personas):
    zhang = client_for("zhang")
    case = Case.objects.get(
        pk=post(zhang, "/api/cases/applications/", application(personas)).json()["id"]
    )
    r = act(
        zhang,
        case,
        "application-decision",
        {"decision": "refuse", "reasons": "不属于本机关职责范围"},
        opinion="建议不予受理",
    )
    assert r.status_code == 201
    chain = Chain.objects.get(case=case)
    post(
        client_for("wang"),
        f"/api/approvals/{chain.pk}/decide/",
        {"outcome": "approve", "opinion": "同意"},
    )
    post(
        client_for("zhao"),
        f"/api/approvals/{chain.pk}/decide/",
        {"outcome": "approve", "opinion": "同意"},
    )
    case.refresh_from_db()
    assert (case.stage, case.start_status, case.number) == (
        Stage.CLOSED,
        StartStatus.NOT_ACCEPTED,
        None,
    )


def test_it_accepts_api_tokens_for_scripts(personas, capsys):
    call_command("token", "zhang")
    token = capsys.readouterr().out.strip()
    from django.test import Client

    r = Client().get("/api/worklist/", HTTP_AUTHORIZATION=f"Token {token}")
    assert r.status_code == 200
    r = Client().get("/api/worklist/", HTTP_AUTHORIZATION="Token wrong")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
