"""Versions of catalogue entries: a record keeps the entry version it was made with and is read,
shown and corrected under it — after the entry changed, after a field was dropped, after its code
was retired into another document — and never fails with ``unknown_field`` because of that."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import replace

import pytest
from django.utils import timezone

from casetrail.compliance.engine import RULES, CaseView
from casetrail.compliance.tests.builders import make, png, sigs
from casetrail.conftest import client_for
from casetrail.ledger.verify import verify
from casetrail.records.actions import SignatureInput, record_correct, record_create
from casetrail.records.catalogue import CATALOGUE, HISTORY, Field, doc_type, entry
from casetrail.records.models import Record
from casetrail.records.tests.conftest import present

V1_INTERVIEW = HISTORY[("interview_record", 1)]


def old_interview(case, personas, monkeypatch) -> Record:
    """A 询问笔录 made through the action while version 1 of the entry was in force."""
    now = timezone.localtime()
    with monkeypatch.context() as m:
        m.setitem(CATALOGUE, "interview_record", V1_INTERVIEW)
        return record_create(
            case=case,
            officer=personas["zhang"],
            kind="interview_record",
            fields={
                "started_at": (now - dt.timedelta(minutes=20)).isoformat(),
                "ended_at": now.isoformat(),
                "place": "询问室",
                "interviewee": "周某，身份证号110101199003074514，电话13912345678",
                "interviewee_role": "party",
                "recorder": personas["li"].pk,
                "rights_told": True,
                "content": "问：……\n答：……",
                "read_back": True,
            },
            officers_present=present(personas),
            signatures=[
                SignatureInput("officers", "张承办", "drawn", image=png()),
                SignatureInput("interviewee", "周某", "drawn", image=png()),
            ],
        )


def sigs_json() -> list[dict[str, str]]:
    image = base64.b64encode(png()).decode()
    return [
        {"key": "officers", "name": "张承办", "method": "drawn", "image": image},
        {"key": "interviewee", "name": "周某", "method": "drawn", "image": image},
    ]


def test_it_keeps_the_version_a_record_was_made_with(open_case, personas, evidence_store):
    from casetrail.records.tests.conftest import interview

    new = interview(open_case, personas)
    assert new.catalogue_version == doc_type("interview_record").version == 3
    assert new.fields["interviewee"]["id_number"] == "110101199003074514"


def test_it_corrects_an_old_record_under_its_own_version_after_the_entry_changed(
    open_case, personas, evidence_store, monkeypatch
):
    old = old_interview(open_case, personas, monkeypatch)
    assert old.catalogue_version == 1 and CATALOGUE["interview_record"].version == 3
    # Version 2 made the interviewee a structured person; the old text still reads as v1.
    assert old.doc is V1_INTERVIEW
    assert ("被询问人（姓名、身份证件、住址、联系方式）", old.fields["interviewee"]) in (
        old.shown_fields(personal=True)
    )
    zhang = client_for("zhang")
    detail = zhang.get(f"/api/records/{old.pk}/").json()
    assert detail["catalogue_version"] == 1
    schema = zhang.get("/api/catalogue/interview_record/1/").json()
    assert not schema["current"] and schema["signatures"][1]["key"] == "interviewee"
    r = zhang.post(
        f"/api/records/{old.pk}/correct/",
        {
            "fields": {"interviewee": "周某，身份证号110101199003074514，电话13912345679"},
            "reason": "电话号码笔误",
            "signatures": sigs_json(),
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    new = Record.objects.get(pk=r.json()["id"])
    assert new.replaces_id == old.pk and new.catalogue_version == 1
    assert new.fields["interviewee"].endswith("13912345679")
    # The UI's correction form is the old version's: one text box for the interviewee.
    page = zhang.get(f"/records/{new.pk}/correct/").content.decode()
    assert 'name="interviewee"' in page and 'name="interviewee_name"' not in page
    assert verify().intact


def test_it_corrects_an_old_record_whose_field_the_entry_dropped(
    open_case, personas, evidence_store, monkeypatch
):
    old = old_interview(open_case, personas, monkeypatch)
    current = CATALOGUE["interview_record"]
    # A later version without the place: the old record still has it, and keeps it.
    without_place = replace(
        current, version=3, fields=tuple(f for f in current.fields if f.name != "place")
    )
    monkeypatch.setitem(CATALOGUE, "interview_record", without_place)
    monkeypatch.setitem(HISTORY, ("interview_record", 2), current)
    new = record_correct(
        record=old,
        officer=personas["zhang"],
        fields={"place": "陵川县民政局询问室"},
        reason="地点补充完整",
        signatures=[
            SignatureInput("officers", "张承办", "drawn", image=png()),
            SignatureInput("interviewee", "周某", "refused", refusal_reason="拒绝签名"),
        ],
    )
    assert new.fields["place"] == "陵川县民政局询问室" and new.catalogue_version == 1


@pytest.mark.behind_the_application
def test_it_reads_rows_made_before_versions_and_slots_existed(open_case, personas):
    """Rows made before the columns existed hold NULL: the record is version 1, a signature's
    slot is its role, an attachment's slot its kind — and they show as they did."""
    from casetrail.records.models import RecordAttachment, RecordSignature

    record = Record.objects.create(
        case=open_case,
        kind="hearing_record",
        fields={"place": "听证室", "participants": ["当事人周某"], "read_back": True},
        created_by=personas["zhang"],
        created_at=timezone.now(),
    )
    for role, name in (("other", "陈法制、刘档案"), ("officers", "张承办"), ("party", "周某")):
        RecordSignature.objects.create(
            record=record,
            role=role,
            name=name,
            method="refused",
            refusal_reason="—",
            signed_at=timezone.now(),
        )
    RecordAttachment.objects.create(
        record=record, kind="signed_scan", attached_by=personas["zhang"], attached_at=timezone.now()
    )
    assert record.catalogue_version is None and record.version == 1
    assert record.doc is HISTORY[("hearing_record", 1)] and record.title == "听证笔录"
    labels = [s.label for s in record.signatures.all()]
    assert labels == ["听证主持人、记录员签名", "案件调查人员签名", "当事人或其代理人签名或盖章"]
    assert [a.label for a in record.attachments.all()] == ["签名笔录扫描件"]
    page = client_for("zhang").get(f"/cases/{open_case.pk}/section/timeline/").content.decode()
    assert "听证主持人、记录员签名" in page and "附件：签名笔录扫描件" in page
    api = client_for("zhang").get(f"/api/records/{record.pk}/").json()
    assert api["catalogue_version"] == 1
    assert [s["key"] for s in api["signatures"]] == ["other", "officers", "party"]
    assert api["attachments"][0]["slot"] == "signed_scan"
    # R11 reads it by its own version: every version-1 signature is there.
    missing = [m for m in RULES["R11"].check(CaseView(open_case)) if "签名" in m.message]
    assert not [m for m in missing if m.subject == f"record:{record.pk}"]
    old = Record.objects.create(
        case=open_case,
        kind="interview_record",
        fields={"interviewee": "周某，电话13912345678", "content": "问答", "place": "询问室"},
        created_by=personas["zhang"],
        created_at=timezone.now(),
    )
    shown = client_for("wang").get(f"/api/records/{old.pk}/").json()
    assert shown["fields"]["interviewee"] == "〔个人信息，已隐去〕"


def test_it_keeps_records_of_a_retired_code_readable_and_counted(
    open_case, personas, evidence_store, monkeypatch
):
    """Version 1 kept the investigation's 送达回证 as investigation_service_receipt; version 2 of
    service_receipt belongs to both stages and took its place."""
    notice = make(open_case, personas, "evidence_request_notice")
    make(open_case, personas, "evidence_register", request_notice=notice.pk)
    retired = HISTORY[("investigation_service_receipt", 1)]
    assert "investigation_service_receipt" in CATALOGUE["service_receipt"].formerly
    assert entry("investigation_service_receipt") is None  # no longer made
    with monkeypatch.context() as m:
        m.setitem(CATALOGUE, "investigation_service_receipt", retired)
        receipt = make(
            open_case,
            personas,
            "investigation_service_receipt",
            document=notice.pk,
            recipient="周某",
        )
    assert receipt.catalogue_version == 1 and receipt.title == "送达回证（调查取证文书）"
    # R12 looks for a 送达回证 of the notice: the retired code counts.
    assert list(RULES["R12"].check(CaseView(open_case))) == []
    page = client_for("zhang").get(f"/cases/{open_case.pk}/section/documents/").content.decode()
    assert "送达回证（调查取证文书）" in page
    new = record_correct(
        record=receipt,
        officer=personas["zhang"],
        fields={"place": "当事人住所"},
        reason="补记送达地点",
        signatures=[
            SignatureInput("recipient", "周某", "drawn", image=png()),
            SignatureInput("server", "张承办", "drawn", image=png()),
        ],
    )
    assert (new.kind, new.catalogue_version) == ("investigation_service_receipt", 1)
    assert verify().intact


def test_a_field_that_is_no_longer_in_the_entry_is_refused_for_new_records(
    open_case, personas, evidence_store
):
    from casetrail.lib.errors import ActionError

    with pytest.raises(ActionError) as err:
        make(open_case, personas, "hearing_notice", hearing_on="2026-01-01")
    assert err.value.code == "unknown_field"


def test_version_1_entries_read_in_their_own_schema():
    assert V1_INTERVIEW.field("interviewee") == Field(
        "interviewee", "被询问人（姓名、身份证件、住址、联系方式）", "text", personal="text"
    )
    hearing = HISTORY[("hearing_record", 1)]
    assert [s.key for s in hearing.signatures] == ["other", "officers", "party"]
    assert [a.name for a in HISTORY[("mail_service_record", 1)].attachments] == [
        "document",
        "signed_scan",
    ]


def test_an_old_record_stays_correctable_when_its_dates_age(open_case, personas):
    """A range counts back from when the record was first made, not from the correction: a
    hearing notice corrected 70 days later keeps its request date of the day it was made."""
    import time_machine

    notice = make(open_case, personas, "hearing_notice", requested_on=timezone.localdate())
    with time_machine.travel(timezone.now() + dt.timedelta(days=70)):
        corrected = record_correct(
            record=notice,
            officer=personas["zhang"],
            fields={"place": "陵川县民政局第二听证室"},
            reason="听证地点变更",
            signatures=sigs("hearing_notice"),
        )
    assert corrected.fields["requested_on"] == notice.fields["requested_on"]
    assert verify().intact


@pytest.mark.behind_the_application
def test_a_record_is_corrected_once_even_when_two_corrections_race(open_case, personas):
    from django.db import IntegrityError, transaction

    form = open_case.records.get(kind="start_approval_form")
    record_correct(record=form, officer=personas["zhang"], fields={}, reason="补正")
    # What the second of two simultaneous corrections would write: the database refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Record.objects.create(
            case=open_case,
            kind=form.kind,
            fields=form.fields,
            created_by=personas["zhang"],
            created_at=timezone.now(),
            replaces=form,
            correction_reason="并发的第二次更正",
        )
