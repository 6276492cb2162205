"""Summary cases recorded the old way — started ex officio with procedure 简易程序, approved, then
documents made one by one — keep working: their documents are made under the current entries, the
rules read the limits of 行政处罚法第五十一、六十八条 on those records (R21), they are filed through the
same step (R21b), and records made under version 1 of the 简易程序记录 are read as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.engine import RULES, CaseView, blockers, warnings
from casetrail.compliance.tests.builders import advance, make, sigs
from casetrail.conftest import approve_start, start_ex_officio
from casetrail.records.actions import record_correct
from casetrail.records.models import Record
from casetrail.start import actions
from casetrail.start.actions import summary_file

pytestmark = pytest.mark.usefixtures("evidence_store")


@pytest.fixture
def legacy(personas, monkeypatch):
    """A summary case in 审查决定, started as the start app allowed before 当场处罚 existed."""
    with monkeypatch.context() as m:
        m.setattr(actions, "_not_summary", lambda data: None)
        case = approve_start(start_ex_officio(personas, procedure="summary"), personas)
    advance(case, personas, "decision")  # a summary case needs no investigation record (R12)
    return case


def ids(findings):
    return sorted({f.rule.id for f in findings})


def unmet(case, rule_id):
    return list(RULES[rule_id].check(CaseView(case)))


def _deadlines(case):
    return [d for d in deadlines_of(case) if d.rule == "R21b"]


def summary_record(case, personas, **fields):
    values = {
        "penalty": "fine",
        "penalty_amount": "200.00",
        "statement": "declined",
        "collected_on_spot": False,
        **fields,
    }
    return make(case, personas, "summary_procedure_record", **values)


def test_it_needs_the_summary_record_before_service_and_warns_when_contested(legacy, personas):
    assert "R21" in ids(blockers(legacy, "service"))
    summary_record(legacy, personas, contentious=True)
    assert "R21" not in ids(blockers(legacy, "service"))
    assert ids(warnings(legacy)) == ["R21w"]


def test_it_reads_the_fine_limit_on_records_made_one_by_one(legacy, personas):
    record = summary_record(legacy, personas, penalty_amount="500.00")
    (missing,) = unmet(legacy, "R21")
    assert missing.subject == f"record:{record.pk}" and "第五十一条" in missing.message
    record_correct(
        record=record,
        officer=personas["zhang"],
        fields={"penalty_amount": "200.00"},
        reason="罚款金额超过简易程序限额，依法更正",
        signatures=sigs("summary_procedure_record"),
    )
    assert unmet(legacy, "R21") == []


def test_it_reads_on_the_spot_collections_on_records_made_one_by_one(legacy, personas):
    summary_record(
        legacy,
        personas,
        penalty_amount="150.00",
        collected_on_spot=True,
        collection_ground="under_100",
        receipt_no="A1",
    )
    make(
        legacy,
        personas,
        "on_the_spot_fine_record",
        amount="150.00",
        ground="under_100",
        receipt_no="A2",
    )
    messages = [m.message for m in unmet(legacy, "R21")]
    assert len(messages) == 2 and all("第六十八条" in m for m in messages)


def test_it_files_a_legacy_case_through_the_same_step(legacy, personas):
    summary_record(legacy, personas)
    decision = make(legacy, personas, "administrative_decision", penalty_amount="200.00")
    assert [d.rule for d in _deadlines(legacy)] == ["R21b"]
    record = summary_file(
        case=legacy,
        officer=personas["zhang"],
        fields={
            "filed_at": timezone.localtime().isoformat(),
            "filed_with": "陵川县民政局法制股",
            "decision": decision.pk,
            "contents": ["当场行政处罚决定书"],
        },
    )
    assert record.case.stage == "decision" and _deadlines(legacy)[0].done
    assert unmet(legacy, "R21b") == []
    advance(legacy, personas, "service")


@pytest.mark.behind_the_application
def test_a_version_1_record_with_its_filing_fields_counts_as_filed(legacy, personas):
    made = timezone.localtime() - dt.timedelta(minutes=5)
    Record.objects.create(
        case=legacy,
        kind="summary_procedure_record",
        catalogue_version=1,
        created_by=personas["zhang"],
        created_at=timezone.now(),
        fields={
            "made_at": made.isoformat(),
            "party": {"id": legacy.parties.get().pk, "name": "周某"},
            "penalty_amount": "300.00",
            "statements": "当事人未陈述申辩",
            "filed_with": "陵川县民政局法制股",
            "filed_on": made.date().isoformat(),
            "collected_on_spot": True,
        },
    )
    assert _deadlines(legacy)[0].done and unmet(legacy, "R21b") == []
    messages = [m.message for m in unmet(legacy, "R21")]
    assert any("第五十一条" in m for m in messages)  # 300 yuan for a person
    assert any("当场收缴罚款记录" in m for m in messages)  # version 1 kept it apart
