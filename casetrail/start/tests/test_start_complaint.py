"""投诉举报 (第九条第三款): not taken up → decision through the chain → written notice → closed;
or taken up with a 程序启动审批表."""

from __future__ import annotations

from django.utils import timezone

from casetrail.approvals.models import Chain
from casetrail.cases.models import Case, Stage, StartStatus
from casetrail.conftest import client_for


def register(personas, with_party=True):
    data = {
        "unit": personas["zhang"].unit_id,
        "title": "举报某公墓违规销售超面积墓位",
        "category": "funeral",
        "procedure": "ordinary",
        "confidentiality": "normal",
        "officers": [personas["zhang"].pk, personas["li"].pk],
        "complainant_kind": "person",
        "complainant_name": "郑某",
        "complainant_phone": "13700002222",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "content": "某公墓销售超标准墓位",
    }
    if with_party:
        data.update(
            {
                "party_kind": "organisation",
                "party_name": "陵川县某公墓",
                "party_credit_code": "52140524MJ00000028",
            }
        )
    r = client_for("zhang").post("/cases/new/complaint/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    return Case.objects.get()


def decide_all(chain):
    for who in ("wang", "zhao"):
        r = client_for(who).post(
            f"/approvals/{chain.pk}/", {"outcome": "approve", "opinion": "同意", "confirmed": "1"}
        )
        assert r.status_code == 302


def test_it_records_a_complaint_not_taken_up_and_the_notice(personas):
    case = register(personas)
    zhang = client_for("zhang")
    r = zhang.post(
        f"/cases/{case.pk}/complaint-decision/",
        {"reasons": "经核查，墓位面积符合规定", "opinion": "建议不予启动"},
    )
    assert r.status_code == 302
    decide_all(Chain.objects.get(case=case))
    case.refresh_from_db()
    assert case.start_status == StartStatus.NOT_TAKEN_UP and case.stage == Stage.START
    # The case cannot move on or close without the written notice to the complainant.
    assert "书面告知投诉举报人" in zhang.get(f"/cases/{case.pk}/").content.decode()
    r = zhang.post(
        f"/cases/{case.pk}/complaint-notice/",
        {
            "notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "method": "mail",
            "content": "经审查，您反映的问题不构成违法，决定不启动行政执法程序。",
        },
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.closed_at is not None
    assert list(case.records.values_list("kind", flat=True)) == [
        "complaint_registration",
        "complaint_decision",
        "complaint_notice",
    ]
    assert case.parties.filter(role="complainant").count() == 1


def test_it_refuses_the_notice_before_the_decision_is_approved(personas):
    case = register(personas)
    r = client_for("zhang").post(
        f"/cases/{case.pk}/complaint-notice/",
        {
            "notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "method": "mail",
            "content": "告知",
        },
    )
    assert r.status_code == 400
    assert "只有经批准不予启动" in r.content.decode()
    assert case.records.count() == 1


def test_it_takes_up_a_complaint_with_a_start_form(personas):
    case = register(personas)
    r = client_for("zhang").post(
        f"/cases/{case.pk}/start-form/",
        {"reason": "举报属实", "party_facts": "陵川县某公墓，民办", "opinion": "建议立案"},
    )
    assert r.status_code == 302
    chain = Chain.objects.get(case=case)
    assert chain.kind == "case_start"
    decide_all(chain)
    case.refresh_from_db()
    assert case.number and case.stage == Stage.INVESTIGATION


def test_it_needs_the_reported_party_before_taking_a_complaint_up(personas):
    case = register(personas, with_party=False)
    r = client_for("zhang").post(
        f"/cases/{case.pk}/start-form/",
        {"reason": "举报属实", "party_facts": "不详", "opinion": "建议立案"},
    )
    assert r.status_code == 400 and "当事人" in r.content.decode()
    assert not Chain.objects.exists()
