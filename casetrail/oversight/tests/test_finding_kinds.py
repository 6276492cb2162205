"""Findings as data (第三十四、三十五条; issue 16 item 1): each kind is raised by its scenario and
not by its clean twin, once, with its article and the item of 第三十五条 it falls under."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from casetrail.access.tests.conftest import _copy_settings, copy_case  # noqa: F401 (fixtures)
from casetrail.compliance.engine import RULES, Kind, Missing, Rule
from casetrail.compliance.tests.builders import make
from casetrail.conftest import start_ex_officio
from casetrail.decisions.tests.other_chains.builders import api_decide
from casetrail.ledger.actions import verification_request
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verification import verification_finish
from casetrail.oversight.kinds import KINDS
from casetrail.oversight.models import Finding
from casetrail.oversight.refresh import refresh
from casetrail.oversight.tests.builders import (
    kinds_found,
    late_clip,
    post,
    proposed_exemption,
    raised,
    returned_letter,
)


def test_it_raises_an_approved_exemption_and_not_a_proposal_still_pending(
    investigating: Any, personas: Any
) -> None:
    r = proposed_exemption(investigating, personas)
    assert r.status_code == 201, r.content
    assert kinds_found(investigating.agency_id, "exemption") == []  # the twin: not yet approved
    from casetrail.approvals.models import Chain

    api_decide("wang", Chain.objects.get(pk=r.json()["id"]))
    (finding,) = raised(personas["sun"], "exemption")
    assert (finding.case, finding.unit, finding.item) == (investigating, investigating.unit, "一")
    assert finding.article == "第十三条" and "R13" in finding.details
    assert finding.officer == personas["zhang"] and finding.state == "open"


def test_it_raises_an_overdue_deadline_and_not_one_still_running(
    personas: Any, time_machine: Any
) -> None:
    case = start_ex_officio(personas, emergency=True)  # 第九条: approved within 24 hours
    assert kinds_found(case.agency_id, "deadline_overdue") == []
    time_machine.move_to(timezone.now() + dt.timedelta(hours=25))
    (finding,) = raised(personas["sun"], "deadline_overdue")
    assert finding.subject.startswith(f"case:{case.pk}:R9b:")
    assert finding.article == "第九条" and finding.item == "五"


def test_it_raises_a_late_upload_and_not_one_in_time(
    open_case: Any, personas: Any, evidence_store: Any
) -> None:
    late_clip(open_case, personas["zhang"], hours=2)
    assert kinds_found(open_case.agency_id, "late_upload") == []
    item = late_clip(open_case, personas["zhang"], hours=30)
    (finding,) = raised(personas["sun"], "late_upload")
    assert finding.subject == f"item:{item.pk}" and finding.case == open_case
    assert "30 小时" in finding.details and "外地维修" in finding.details
    assert (finding.article, finding.item) == ("第三十条", "一")


def test_it_raises_a_record_missing_at_a_stage_entered_and_not_one_present(
    open_case: Any, personas: Any, monkeypatch: Any
) -> None:
    # A rule in force after the case entered 调查取证 (e.g. a rule added to the catalogue): the
    # record it asks for is missing from a stage already entered.
    def wants(kind: str) -> Any:
        def check(view: Any) -> Any:
            if not view.has(kind):
                yield Missing("case", f"缺少{kind}")

        return check

    monkeypatch.setitem(
        RULES,
        "RX1",
        Rule(
            "RX1", "第十二条", Kind.BLOCK, "测试", wants("start_approval_form"), ("investigation",)
        ),
    )
    assert kinds_found(open_case.agency_id, "record_missing") == []  # the form is there
    monkeypatch.setitem(
        RULES,
        "RX2",
        Rule("RX2", "第十二条", Kind.BLOCK, "测试", wants("interview_record"), ("investigation",)),
    )
    (finding,) = raised(personas["sun"], "record_missing")
    assert finding.subject == f"case:{open_case.pk}:RX2:case"
    assert (finding.article, finding.item, finding.case) == ("第十二条", "一", open_case)


def test_it_raises_a_service_that_did_not_take_effect_and_not_one_that_did(
    serving: Any, personas: Any
) -> None:
    decision = returned_letter(serving, personas)
    (finding,) = raised(personas["sun"], "service_failed")
    assert finding.subject == f"record:{decision.pk}" and "邮件被退回" in finding.details
    make(serving, personas, "mail_service_record", document=decision.pk)  # delivered this time
    assert kinds_found(serving.agency_id, "service_failed") == []


def test_it_raises_a_failed_verification_and_not_a_clean_one(personas: Any) -> None:
    sun = personas["sun"]
    clean = verification_request(officer=sun)
    verification_finish(run=clean, findings=[], summary="verify: 0 findings")
    assert kinds_found(sun.agency_id, "verify_failed") == []
    bad = verification_request(officer=sun)
    line = 'records_record 7: field "fields" differs from ledger seq 41'
    verification_finish(run=bad, findings=[line], summary="verify: 1 findings")
    (finding,) = raised(sun, "verify_failed")
    assert finding.subject == f"verification:{bad.pk}" and line in finding.details
    assert (finding.article, finding.item) == ("第三十五条", "三")


def test_it_raises_a_lockout_and_not_failures_below_the_limit(personas: Any) -> None:
    from django.test import Client

    def fail() -> int:
        r = Client(REMOTE_ADDR="10.9.9.9").post(
            "/login/", {"username": "zhang", "password": "wrong-password"}
        )
        return r.status_code

    for _ in range(4):
        fail()
    assert kinds_found(personas["zhang"].agency_id, "lockout_burst") == []  # the twin
    assert fail() == 429
    lockout = LedgerEntry.objects.get(action="org.lockout")
    (finding,) = raised(personas["sun"], "lockout_burst")
    assert finding.subject == f"lockout:{lockout.seq}" and finding.officer == personas["zhang"]
    assert (finding.item, finding.unit) == ("二", personas["zhang"].unit)
    assert "张承办" in finding.details and "10.9.9.9" in finding.details


def test_it_raises_a_checkpoint_left_unwitnessed_and_shows_it_on_the_worklist(
    open_case: Any, personas: Any, settings: Any
) -> None:
    from casetrail.conftest import client_for
    from casetrail.ledger.checkpoints import checkpoint_create
    from casetrail.ledger.models import Ledger
    from casetrail.ledger.tests.test_witness import free_port
    from casetrail.lib.cosignature import CosignatureSigner

    ledger = Ledger.objects.get(agency=open_case.agency)
    checkpoint = checkpoint_create(ledger=ledger)
    assert kinds_found(ledger.agency_id, "checkpoint_unwitnessed") == []  # no witness configured
    vkey = CosignatureSigner.generate("witness.test/down").vkey()
    settings.CASETRAIL_WITNESSES = [f"http://127.0.0.1:{free_port()} {vkey}"]
    settings.CASETRAIL_UNWITNESSED_HOURS = 1
    assert kinds_found(ledger.agency_id, "checkpoint_unwitnessed") == []  # not long enough yet
    settings.CASETRAIL_UNWITNESSED_HOURS = 0
    (finding,) = raised(personas["sun"], "checkpoint_unwitnessed")
    assert finding.subject == f"checkpoint:{checkpoint.size}" and finding.item == "三"
    page = client_for("sun").get("/").content.decode()
    assert "小时未获见证" in page and "日志检查点长期未经见证" in page
    assert "小时未获见证" not in client_for("zhang").get("/").content.decode()
    api = client_for("sun").get("/api/worklist/").json()["oversight"]
    assert api["unwitnessed_hours"] is not None
    assert api["open_findings"] == [
        {"kind": "checkpoint_unwitnessed", "title": "日志检查点长期未经见证", "count": 1}
    ]
    assert client_for("zhang").get("/api/worklist/").json()["oversight"] is None


def test_it_raises_repeated_reads_of_marked_material_by_someone_not_on_the_case(
    open_case: Any, personas: Any, settings: Any
) -> None:
    from casetrail.cases.actions import marked_read_record

    settings.CASETRAIL_MARKED_READ_LIMIT = 2
    agency = open_case.agency_id

    def read(who: str, n: int, reason: str = "review") -> None:
        for i in range(n):
            marked_read_record(
                case=open_case,
                officer=personas[who],
                reason=reason,
                session=f"{who}{i}",
                via="page",
            )

    read("zhang", 5, "handling")  # on the case: never a finding
    read("sun", 5, "supervision")  # the supervisor's duty
    read("liu", 2)  # not on the case, but not more than the limit: the twin
    assert kinds_found(agency, "marked_read") == []
    read("chen", 3)
    (finding,) = raised(personas["sun"], "marked_read")
    assert finding.subject == f"marked_read:{open_case.pk}:{personas['chen'].pk}"
    assert finding.officer == personas["chen"] and finding.item == "二"
    assert "3 次" in finding.details


@pytest.mark.behind_the_application
def test_it_raises_a_copy_package_made_without_an_approved_request(
    copy_case: Any,  # noqa: F811 (fixture)
    _copy_settings: Any,  # noqa: F811 (fixture: the packages in a temporary folder)
    personas: Any,
) -> None:
    from casetrail.access.actions import redaction_create
    from casetrail.access.tests.conftest import approved

    copy = approved(copy_case, personas)
    item = copy.items.get(proposed="redacted")
    redaction_create(item=item, officer=personas["zhang"], reason="第三十三条")
    r = post("zhang", f"/api/copies/{copy.pk}/packages/", {"recipient": "王律师"})
    assert r.status_code == 201, r.content
    assert kinds_found(copy_case.agency_id, "copy_without_form") == []  # the twin
    from casetrail.ledger.tests.test_tamper import sql

    # Behind the application: the 调用单's approval undone in the database.
    sql(
        "UPDATE approvals_chain SET status = 'pending_decision' WHERE id = %s",
        [copy.chain_id],
        table="approvals_chain",
    )
    (finding,) = raised(personas["sun"], "copy_without_form")
    assert finding.subject == f"package:{r.json()['id']}" and finding.item == "二"


def test_it_has_a_detector_for_every_kind() -> None:
    assert {k.code for k in KINDS.values() if not k.automatic} == set()
    assert all(k.item in "一二三四五" for k in KINDS.values())


@pytest.mark.django_db
def test_it_raises_each_finding_once_in_one_ledger_entry(
    open_case: Any, personas: Any, evidence_store: Any, capsys: Any
) -> None:
    late_clip(open_case, personas["zhang"], hours=30)
    late_clip(open_case, personas["zhang"], hours=40)
    before = LedgerEntry.objects.count()
    call_command("findings")
    assert "新记录 2 项" in capsys.readouterr().out
    entry = LedgerEntry.objects.order_by("-pk").first()
    assert LedgerEntry.objects.count() == before + 1 and entry.action == "oversight.findings_raise"
    # Run again: nothing changed, nothing looked at; a full pass finds both again and raises
    # neither twice; nothing ledgered.
    r = refresh(agency=personas["sun"].agency)
    assert (r.found, r.raised) == (0, 0)
    r = refresh(agency=personas["sun"].agency, full=True)
    assert (r.found, r.raised) == (2, 0)
    assert LedgerEntry.objects.count() == before + 1
    assert Finding.objects.count() == 2
