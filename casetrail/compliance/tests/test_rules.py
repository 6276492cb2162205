"""Each rule both ways: it reports what is missing (with its id and article), and it is satisfied
once the record is made. Stage transitions are refused while a BLOCK rule is unmet."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from casetrail.approvals.actions import approval_decide
from casetrail.compliance.actions import exemption_propose
from casetrail.compliance.engine import RULES, CaseView, blockers, checklist, warnings
from casetrail.compliance.tests.builders import advance, make
from casetrail.conftest import client_for
from casetrail.lib.errors import ActionError


def ids(findings):
    return sorted({f.rule.id for f in findings})


def unmet(case, rule_id):
    case.refresh_from_db()
    return [m for m in RULES[rule_id].check(CaseView(case))]


def test_every_rule_of_the_catalogue_is_registered():
    expected = {
        "R5",
        "R6",
        "R8",
        "R9a",
        "R9c",
        "R11",
        "R12",
        "R13",
        "R14",
        "R15",
        "R16",
        "R18",
        "R19",
        "R20",
        "R21",
        "R21b",
        "R21w",
        "R22",
        "R27",
        "R28",
        "R29",
        "R44",
        "R58",
    }
    assert expected <= set(RULES)
    # Each cites an article of the regulation or of the law it applies (行政处罚法第五十八条).
    assert all(r.article.startswith("第") or "法第" in r.article for r in RULES.values())


def test_r6_and_r9a_block_leaving_the_start(personas, new_case):
    assert ids(blockers(new_case, "investigation")) == ["R6", "R9a"]


def test_r12_an_evidence_request_needs_register_and_receipt(investigating, personas):
    notice = make(investigating, personas, "evidence_request_notice")
    # A notice is not yet a record of what was found (the register is): no investigation record.
    assert [m.add for m in unmet(investigating, "R12")] == [
        "interview_record",
        "evidence_register",
        "service_receipt",
    ]
    with pytest.raises(ActionError) as err:
        advance(investigating, personas, "decision")
    assert "R12（第十二条）" in err.value.message
    make(investigating, personas, "evidence_register", request_notice=notice.pk)
    make(investigating, personas, "service_receipt", document=notice.pk)
    assert unmet(investigating, "R12") == []


def test_r12_an_investigation_leaves_a_trace_before_the_decision_stage(investigating, personas):
    """第十二条: entering 审查决定 needs an investigation record; the start documents (the approved
    程序启动审批表) and a notice to the party are not one."""
    assert investigating.records.filter(kind="start_approval_form").exists()
    # 事先告知 served and waived: a notice, not an investigation.
    notice = make(investigating, personas, "rights_notice")
    make(investigating, personas, "service_receipt", document=notice.pk)
    make(investigating, personas, "penalty_notice_reply", notice=notice.pk, reply="waiver")
    (missing,) = unmet(investigating, "R12")
    assert (missing.subject, missing.add) == ("case", "interview_record")
    r = client_for("zhang").post(f"/cases/{investigating.pk}/advance/", {"reason": "调查终结"})
    assert r.status_code == 400
    assert "R12（第十二条）进入审查决定前，应至少制作一份调查取证记录" in r.content.decode()
    investigating.refresh_from_db()
    assert investigating.stage == "investigation"
    make(investigating, personas, "refusal_record")  # a refusal to be investigated is a trace
    assert unmet(investigating, "R12") == []
    r = client_for("zhang").post(
        f"/cases/{investigating.pk}/advance/", {"reason": "调查终结", "confirmed": "1"}
    )
    assert r.status_code == 302, re.findall(r"errorlist[^>]*>(.*?)</", r.content.decode())


def test_r12_every_penalty_decision_needs_the_party_told_and_heard(investigating, personas):
    """行政处罚法第四十四、四十五条: told, then heard (a statement, a hearing or a recorded waiver),
    before every penalty decision — not only when a statement exists."""
    from casetrail.decisions.tests.builders import propose

    make(investigating, personas, "interview_record")
    make(investigating, personas, "statement_record")  # heard before being told: does not count
    advance(investigating, personas, "decision")  # the pair guards the decision, not this gate
    (hint,) = unmet(investigating, "R12")
    assert (hint.subject, hint.add) == ("case", "rights_notice")
    assert "R12" in ids(checklist(investigating))
    # Nor may the decision be proposed (R44, the decision's own guard of the same law).
    with pytest.raises(ActionError) as err:
        propose(investigating, personas)
    assert "事先告知" in err.value.message


def test_r12_a_recorded_waiver_counts_as_hearing_the_party(investigating, personas):
    from casetrail.decisions.tests.builders import notify, to_service

    make(investigating, personas, "interview_record")
    notice = notify(investigating, personas, reply="")  # served; the party has not answered
    make(investigating, personas, "statement_waiver", rights_notice=notice.pk, how="declined")
    assert unmet(investigating, "R12") == []
    to_service(investigating, personas)  # the waiver also answers the notice (R44)
    assert investigating.stage == "service" and unmet(investigating, "R12") == []


@pytest.mark.behind_the_application
def test_r12_a_decision_on_an_application_is_not_a_penalty(personas):
    from casetrail.cases.models import Case
    from casetrail.records.models import Record

    case = Case.objects.create(
        agency=personas["zhang"].agency,
        unit=personas["zhang"].unit,
        title="t",
        category="other",
        start_mode="application",
        stage="decision",
        created_by=personas["zhang"],
        created_at=timezone.now(),
    )
    Record.objects.create(
        case=case,
        kind="administrative_decision",
        fields={},
        created_by=personas["zhang"],
        created_at=timezone.now(),
    )
    assert unmet(case, "R12") == []
    case.start_mode = "ex_officio"
    case.save()
    assert [m.add for m in unmet(case, "R12")] == ["rights_notice"]


def test_r12_sampling_needs_an_item_list_and_hearings_their_record_and_report(
    investigating, personas
):
    sampling = make(investigating, personas, "sampling_notice")
    hearing = make(investigating, personas, "hearing_notice")
    assert {m.add for m in unmet(investigating, "R12")} == {"item_list", "hearing_record"}
    make(investigating, personas, "item_list", source=sampling.pk)
    record = make(investigating, personas, "hearing_record", hearing_notice=hearing.pk)
    assert [m.add for m in unmet(investigating, "R12")] == ["hearing_report"]
    make(investigating, personas, "hearing_report", hearing_record=record.pk)
    assert unmet(investigating, "R12") == []


def _video(case, personas, start, end, informed="told", time_source="media"):
    from casetrail.evidence.models import Blob, Item, ItemLink

    blob = Blob.objects.create(
        sha256=f"{Blob.objects.count():064x}",
        sm3="0" * 64,
        size=1,
        media_type="video/mp4",
        storage="file",
        agency=case.agency,
        created_at=timezone.now(),
    )
    item = Item.objects.create(
        agency=case.agency,
        blob=blob,
        kind="video",
        officer=personas["zhang"],
        uploaded_by=personas["zhang"],
        uploaded_at=timezone.now(),
        recorded_start=start,
        recorded_end=end,
        time_source=time_source,
        informed=informed,
        file_name="v.mp4",
        source="upload",
        delay_seconds=0,
        late=False,
    )
    ItemLink.objects.create(item=item, case=case, by=personas["zhang"], at=timezone.now())
    return item


@pytest.mark.behind_the_application
def test_r13_inspections_need_overlapping_av_or_an_exemption(investigating, personas):
    now = timezone.localtime()
    start, end = now - dt.timedelta(hours=2), now - dt.timedelta(hours=1)
    record = make(
        investigating,
        personas,
        "inspection_record",
        started_at=start.isoformat(),
        ended_at=end.isoformat(),
    )
    assert len(unmet(investigating, "R13")) == 1
    _video(investigating, personas, start - dt.timedelta(hours=5), start - dt.timedelta(hours=4))
    assert len(unmet(investigating, "R13")) == 1  # not overlapping
    _video(investigating, personas, start + dt.timedelta(minutes=5), end - dt.timedelta(minutes=5))
    assert unmet(investigating, "R13") == []
    # The other way round: no AV, but a reasoned exemption lets the case move on.
    other = make(
        investigating,
        personas,
        "sampling_notice",
        started_at=(now - dt.timedelta(minutes=30)).isoformat(),
        ended_at=(now - dt.timedelta(minutes=20)).isoformat(),
    )
    assert ids(blockers(investigating, "decision")) == ["R12", "R13"]
    with pytest.raises(ActionError) as err:
        exemption_propose(
            case=investigating,
            officer=personas["zhang"],
            rule="R13",
            subject=f"record:{other.pk}",
            reason=" ",
            facts="执法记录仪故障",
        )
    assert err.value.code == "exemption_reason_required"
    chain = exemption_propose(
        case=investigating,
        officer=personas["zhang"],
        rule="R13",
        subject=f"record:{other.pk}",
        reason="执法记录仪故障，已报修",
        facts="设备维修单号 2026-118",
    )
    # Proposed, not yet approved: the requirement still stands (and the pending chain, R6).
    assert ids(blockers(investigating, "decision")) == ["R12", "R13", "R6"]
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="属实")
    assert ids(blockers(investigating, "decision")) == ["R12"]
    assert any(f.exempted for f in checklist(investigating))
    with pytest.raises(ActionError) as err:
        exemption_propose(
            case=investigating,
            officer=personas["zhang"],
            rule="R12",
            subject=f"record:{other.pk}",
            reason="x",
            facts="x",
        )
    assert err.value.code == "not_exemptible"
    assert record


def test_r14_register_and_hold_needs_its_register(investigating, personas):
    from casetrail.decisions.tests.other_chains.builders import preserve

    decision = preserve(investigating, personas).record
    assert [m.add for m in unmet(investigating, "R14")] == ["evidence_register"]
    make(investigating, personas, "evidence_register", preservation_decision=decision.pk)
    assert unmet(investigating, "R14") == []
    # A refused 先行登记保存 binds: nothing follows from it, nothing is required.
    preserve(investigating, personas, outcome="refuse")
    assert unmet(investigating, "R14") == []


# R15–R20, R44 and R58 are tested with the decision chain they read: casetrail/decisions/tests/.


def test_r22_a_decision_must_be_served_with_its_proof(serving, personas):
    decision = serving.records.get(kind="administrative_decision")
    assert [m.subject for m in unmet(serving, "R22")] == [f"record:{decision.pk}"]
    receipt = make(serving, personas, "service_receipt", document=decision.pk)
    assert unmet(serving, "R22") == []
    left = make(serving, personas, "left_service_record", document=decision.pk, receipt=receipt.pk)
    msgs = [m.message for m in unmet(serving, "R22")]
    assert any("音像记录" in m for m in msgs) and f"record:{left.pk}" in {
        m.subject for m in unmet(serving, "R22")
    }


def test_r22_public_notice_needs_earlier_attempts(serving, personas):
    decision = serving.records.get(kind="administrative_decision")
    notice = make(serving, personas, "public_notice_service_record", document=decision.pk)
    msgs = [m.message for m in unmet(serving, "R22") if m.subject == f"record:{notice.pk}"]
    assert any("穷尽其他送达方式" in m for m in msgs)


def test_r27_performance_and_correction_checks(serving, personas):
    decision = serving.records.get(kind="administrative_decision")
    order = make(serving, personas, "correction_order", decision=decision.pk)
    assert {m.add for m in unmet(serving, "R27")} == {
        "performance_record",
        "correction_check_record",
    }
    make(serving, personas, "performance_record", decision=decision.pk)
    make(serving, personas, "correction_check_record", order=order.pk)
    assert unmet(serving, "R27") == []


@pytest.mark.behind_the_application
def test_r28_no_enforcement_decision_before_a_served_demand(serving, personas):
    from casetrail.records.models import Record

    decision = serving.records.get(kind="administrative_decision")
    demand = make(serving, personas, "demand_notice", decision=decision.pk)
    # An enforcement decision that bypassed its approval (e.g. imported) is caught by the rule.
    enforcement = Record.objects.create(
        case=serving,
        kind="enforcement_decision",
        fields={
            "demand_notice": {"id": demand.pk, "kind": "demand_notice"},
            "decided_at": timezone.localtime().isoformat(),
        },
        created_by=personas["zhang"],
        created_at=timezone.now(),
        catalogue_version=2,
    )
    assert [m.subject for m in unmet(serving, "R28")] == [f"record:{enforcement.pk}"]
    earlier = (timezone.localtime() - dt.timedelta(hours=1)).isoformat()
    make(serving, personas, "service_receipt", document=demand.pk, served_at=earlier)
    assert unmet(serving, "R28") == []
    statement = make(serving, personas, "demand_statement_record", demand_notice=demand.pk)
    assert [m.add for m in unmet(serving, "R28")] == ["statement_review_opinion"]
    make(serving, personas, "statement_review_opinion", statement=statement.pk)
    assert unmet(serving, "R28") == []


def _court_approved(case, personas, decision, demand):
    from casetrail.decisions.actions import court_enforcement_propose
    from casetrail.decisions.tests.other_chains.builders import court_fields, decide_all

    chain = court_enforcement_propose(
        case=case,
        officer=personas["zhang"],
        fields=court_fields(decision, demand, case.parties.first()),
        opinion="建议申请法院强制执行",
    )
    return decide_all(chain, personas).record


def test_r29_court_enforcement_recorded_end_to_end(serving, personas):
    decision = serving.records.get(kind="administrative_decision")
    demand = make(serving, personas, "demand_notice", decision=decision.pk)
    make(serving, personas, "service_receipt", document=demand.pk)
    _court_approved(serving, personas, decision, demand)
    make(
        serving, personas, "court_enforcement_record", decision=decision.pk, demand_notice=demand.pk
    )
    assert len(unmet(serving, "R29")) == 1  # ruling pending, no result
    make(
        serving,
        personas,
        "court_enforcement_record",
        decision=decision.pk,
        demand_notice=demand.pk,
        ruling="enforce",
        ruled_on=timezone.localdate().isoformat(),
        execution_result="已执行完毕",
    )
    assert len(unmet(serving, "R29")) == 1  # the first record still lacks them
    assert "R29" in ids(blockers(serving, "closed"))


@pytest.mark.behind_the_application
def test_r5_major_cases_need_av_in_every_stage(serving, personas):
    from casetrail.cases.models import Case

    Case.objects.filter(pk=serving.pk).update(is_major=True)
    serving.refresh_from_db()
    assert {m.subject for m in unmet(serving, "R5")} == {
        "stage:start",
        "stage:investigation",
        "stage:decision",
        "stage:service",
    }
    span = CaseView(serving).stage_spans["decision"]
    _video(serving, personas, span[0], span[1])
    assert "stage:decision" not in {m.subject for m in unmet(serving, "R5")}


@pytest.mark.behind_the_application
def test_r9c_and_r8_start_rules(personas):
    from casetrail.cases.models import Case, StartStatus

    c = Case.objects.create(
        agency=personas["zhang"].agency,
        unit=personas["zhang"].unit,
        title="t",
        category="other",
        start_mode="complaint",
        created_by=personas["zhang"],
        created_at=timezone.now(),
        start_status=StartStatus.NOT_TAKEN_UP,
    )
    assert [m.add for m in unmet(c, "R9c")] == ["complaint_notice"]
    c2 = Case.objects.create(
        agency=personas["zhang"].agency,
        unit=personas["zhang"].unit,
        title="t",
        category="other",
        start_mode="application",
        created_by=personas["zhang"],
        created_at=timezone.now(),
    )
    assert {m.add for m in unmet(c2, "R8")} == {
        "application_registration",
        "application_receipt",
        "application_decision",
    }


def test_the_case_page_shows_the_checklist_and_exemptions(investigating, personas):
    make(investigating, personas, "sampling_notice")
    page = client_for("zhang").get(f"/cases/{investigating.pk}/section/todo/").content.decode()
    assert "本阶段还需" in page and "R13" in page and "物品清单" in page


def test_the_case_page_groups_documents_by_stage(deciding, personas):
    make(deciding, personas, "investigation_final_report")
    page = client_for("zhang").get(f"/cases/{deciding.pk}/section/documents/").content.decode()
    assert "各阶段文书" in page and "案件调查终结报告" in page


@pytest.mark.behind_the_application
def test_r11_reports_an_investigation_record_without_officers_or_signatures(
    investigating, personas
):
    from casetrail.records.models import Record

    assert unmet(investigating, "R11") == []
    make(investigating, personas, "interview_record")
    assert unmet(investigating, "R11") == []
    # A record that bypassed the action (e.g. imported) is caught by the rule itself.
    bare = Record.objects.create(
        case=investigating,
        kind="interview_record",
        fields={},
        created_by=personas["zhang"],
        created_at=timezone.now(),
    )
    messages = [m.message for m in unmet(investigating, "R11") if m.subject == f"record:{bare.pk}"]
    assert any("执法人员" in m for m in messages) and any("签名" in m for m in messages)


@pytest.mark.behind_the_application
def test_r9a_a_major_start_needs_the_legal_review_opinion(personas, evidence_store):
    from casetrail.approvals.models import Chain, Step
    from casetrail.cases.models import Case
    from casetrail.conftest import approve_start, film, start_ex_officio

    major = start_ex_officio(personas, is_major=True)
    film(major, personas["zhang"])  # 第五条: the start stage of a 重大 case is recorded too
    case = approve_start(major, personas)
    assert unmet(case, "R9a") == []
    # Without the legal step (as if the chain had skipped it), the rule says what is missing.
    Case.objects.filter(pk=case.pk).update(is_major=False)
    plain = approve_start(start_ex_officio(personas), personas)
    Case.objects.filter(pk=plain.pk).update(is_major=True)
    assert not Step.objects.filter(chain__case=plain, role="legal").exists()
    assert [m.message for m in unmet(plain, "R9a")] == [
        "重大行政执法行为的程序启动审批表应载明法制机构合法性审查意见"
    ]
    assert Chain.objects.filter(case=plain).count() == 1


def test_r29w_warns_when_the_court_is_asked_within_ten_days(serving, personas):
    decision = serving.records.get(kind="administrative_decision")
    demand = make(serving, personas, "demand_notice", decision=decision.pk)
    make(serving, personas, "service_receipt", document=demand.pk)
    _court_approved(serving, personas, decision, demand)
    make(
        serving,
        personas,
        "court_enforcement_record",
        decision=decision.pk,
        demand_notice=demand.pk,
        applied_on=timezone.localdate().isoformat(),
    )
    assert "R29w" in ids(warnings(serving))
