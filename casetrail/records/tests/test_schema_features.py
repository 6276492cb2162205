"""The catalogue schema 2, each feature end to end through the actions, the API and the UI: a
person as parts, required_if both ways, optional signatures, two signatures of one role, named
attachment slots, a document of two stages, references to several records, future times and
valid ranges. Engine checks use an entry written for the test; the catalogue's own entries show
the features where the regulation needs them."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import yaml
from django.utils import timezone

from casetrail.compliance.engine import RULES, CaseView, missing_attachments
from casetrail.compliance.tests.builders import make, png, sigs
from casetrail.conftest import VALID_ID, client_for
from casetrail.evidence.ingest import store_bytes
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError
from casetrail.records.actions import SignatureInput, record_attach, record_create
from casetrail.records.catalogue import CATALOGUE, parse_entry
from casetrail.records.models import Record, RecordSignature
from casetrail.records.selectors import documents_for
from casetrail.records.tests.conftest import INTERVIEWEE, interview, present, to_service

TEST_ENTRY = yaml.safe_load(
    """
code: test_schema
version: 1
title: 测试文书
stage: investigation
articles: [第十二条]
fields:
- {name: kind, label: 类别, type: choice, choices: [[a, 甲类], [b, 乙类]]}
- {name: detail, label: 乙类说明, type: text, required: false, required_if: {field: kind, in: [b]}}
- {name: urgent, label: 情况紧急, type: bool, required: false}
- {name: urgent_reason, label: 紧急理由, type: longtext, required: false, required_if: urgent}
- {name: sources, label: 依据的询问笔录, type: documents, refers_to: [interview_record], required: false}
- {name: checked_at, label: 核查时间, type: datetime, valid_range: {before: 2h}}
- {name: person, label: 相关人, type: person, required: false}
signatures:
- {key: officers, role: officers, label: 执法人员签名}
- {key: witness, role: witness, label: 见证人签名, required: false}
attachments:
- {name: authorisation, kind: document, label: 授权委托书, required: true}
- {name: other_material, kind: document, label: 其他材料}
"""
)
DOC = parse_entry(TEST_ENTRY)


@pytest.fixture(autouse=True)
def test_doc(monkeypatch):
    monkeypatch.setitem(CATALOGUE, DOC.code, DOC)


def make_test(case, personas, signatures=None, **fields):
    values = {"kind": "a", "checked_at": timezone.localtime().isoformat(), **fields}
    return record_create(
        case=case,
        officer=personas["zhang"],
        kind=DOC.code,
        fields=values,
        signatures=signatures
        if signatures is not None
        else [SignatureInput("officers", "张承办", "drawn", image=png())],
    )


def refused(code: str, fn, *args, **kwargs) -> ActionError:
    before = (Record.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(ActionError) as err:
        fn(*args, **kwargs)
    assert err.value.code == code, err.value.message
    assert (Record.objects.count(), LedgerEntry.objects.count()) == before  # nothing changed
    return err.value


# --- required_if --------------------------------------------------------------------------------


def test_it_requires_a_field_only_when_the_other_has_a_value(open_case, personas, evidence_store):
    err = refused("field_required", make_test, open_case, personas, kind="b")
    assert err.field == "detail" and "类别" in err.message and "乙类说明" in err.message
    assert "“乙类”" in err.message
    err = refused("field_required", make_test, open_case, personas, urgent=True)
    assert "紧急理由" in err.message and "已勾选“情况紧急”" in err.message
    record = make_test(open_case, personas, kind="b", detail="乙类", urgent=True, urgent_reason="x")
    assert (record.fields["detail"], record.fields["urgent_reason"]) == ("乙类", "x")
    quiet = make_test(open_case, personas)  # neither condition holds: neither is required
    assert quiet.fields["detail"] == "" and quiet.fields["urgent_reason"] == ""


def test_the_catalogue_says_when_a_hearing_request_deadline_is_needed(open_case, personas):
    err = refused(
        "field_required",
        make,
        open_case,
        personas,
        "rights_notice",
        hearing_available=True,
        hearing_request_deadline="",
    )
    assert err.field == "hearing_request_deadline" and "当事人有权要求听证" in err.message
    make(open_case, personas, "rights_notice", hearing_available=False)


# --- signatures -----------------------------------------------------------------------------------


def test_it_takes_an_optional_signature_only_when_given(open_case, personas, evidence_store):
    record = make_test(open_case, personas)
    assert list(record.signatures.values_list("key", flat=True)) == ["officers"]
    witnessed = make_test(
        open_case,
        personas,
        signatures=[
            SignatureInput("officers", "张承办", "drawn", image=png()),
            SignatureInput("witness", "郑某", "drawn", image=png()),
        ],
    )
    assert list(witnessed.signatures.values_list("key", "role")) == [
        ("officers", "officers"),
        ("witness", "witness"),
    ]
    err = refused(
        "unknown_signature",
        make_test,
        open_case,
        personas,
        signatures=[
            SignatureInput("officers", "张承办", "drawn", image=png()),
            SignatureInput("seal", "某局", "drawn", image=png()),
        ],
    )
    assert "seal" in err.message and "witness" in err.message
    refused("signature_required", make_test, open_case, personas, signatures=[])


def test_two_officers_sign_a_hearing_record_in_their_own_slots(open_case, personas, evidence_store):
    notice = make(open_case, personas, "hearing_notice")
    all_signatures = sigs("hearing_record")
    assert [s.key for s in all_signatures] == ["host", "clerk", "investigators", "party"]
    record = make(open_case, personas, "hearing_record", hearing_notice=notice.pk)
    err = refused(
        "signature_required",
        record_create,
        case=open_case,
        officer=personas["zhang"],
        kind="hearing_record",
        fields=record.fields,
        officers_present=present(personas),
        signatures=[s for s in all_signatures if s.key != "clerk"],
    )
    assert "记录员签名" in err.message
    rows = list(record.signatures.values_list("key", "role"))
    assert rows == [
        ("host", "officers"),
        ("clerk", "officers"),
        ("investigators", "officers"),
        ("party", "party"),
    ]
    page = client_for("zhang").get(f"/cases/{open_case.pk}/section/timeline/").content.decode()
    assert "听证主持人签名" in page and "记录员签名" in page
    r11 = [m for m in RULES["R11"].check(CaseView(open_case)) if m.subject == f"record:{record.pk}"]
    assert r11 == []


def test_the_api_and_the_form_address_signatures_by_key(open_case, personas, evidence_store):
    image = "data:image/png;base64," + base64.b64encode(png()).decode()
    zhang = client_for("zhang")
    payload = {
        "kind": DOC.code,
        "fields": {"kind": "a", "checked_at": timezone.localtime().isoformat()},
        "signatures": [
            {"key": "officers", "name": "张承办", "method": "drawn", "image": image},
            {"key": "witness", "name": "郑某", "method": "drawn", "image": image},
        ],
    }
    r = zhang.post(f"/api/cases/{open_case.pk}/records/", payload, content_type="application/json")
    assert r.status_code == 201, r.json()
    assert [(s["key"], s["label"]) for s in r.json()["signatures"]] == [
        ("officers", "执法人员签名"),
        ("witness", "见证人签名"),
    ]
    page = zhang.get(f"/cases/{open_case.pk}/records/new/{DOC.code}/").content.decode()
    assert 'name="sig_witness_method" value="" checked' in page and "（可选）" in page
    form = {
        "kind": "a",
        "checked_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "sig_officers_name": "张承办",
        "sig_officers_method": "drawn",
        "sig_officers_image": image,
        "sig_witness_method": "",  # 不签
    }
    r = zhang.post(f"/cases/{open_case.pk}/records/new/{DOC.code}/", form)
    assert r.status_code == 302
    made = Record.objects.filter(kind=DOC.code).latest("id")
    assert list(made.signatures.values_list("key", flat=True)) == ["officers"]


# --- attachments ---------------------------------------------------------------------------------


def test_it_attaches_files_to_named_slots_and_reports_empty_ones_by_label(
    open_case, personas, evidence_store
):
    record = make_test(open_case, personas)
    assert missing_attachments(record) == ["授权委托书"]
    blob = store_bytes(officer=personas["zhang"], data=b"%PDF-1.4 a", media_type="application/pdf")
    err = refused(
        "invalid_attachment_slot",
        record_attach,
        record=record,
        officer=personas["zhang"],
        slot="signed_scan",
        blob_sha256=blob.sha256,
    )
    assert "authorisation（授权委托书）" in err.message
    record_attach(
        record=record, officer=personas["zhang"], slot="other_material", blob_sha256=blob.sha256
    )
    assert missing_attachments(record) == ["授权委托书"]  # another slot of the same kind
    zhang = client_for("zhang")
    ambiguous = zhang.post(
        f"/api/records/{record.pk}/attachments/",
        {"kind": "document", "blob_sha256": blob.sha256},
        content_type="application/json",
    )
    assert ambiguous.status_code == 400 and ambiguous.json()["code"] == "invalid_attachment_slot"
    r = zhang.post(
        f"/api/records/{record.pk}/attachments/",
        {"slot": "authorisation", "blob_sha256": blob.sha256},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert [(a["slot"], a["label"]) for a in r.json()["attachments"]] == [
        ("other_material", "其他材料"),
        ("authorisation", "授权委托书"),
    ]
    assert missing_attachments(record) == []
    page = zhang.get(f"/records/{record.pk}/attach/").content.decode()
    assert 'value="authorisation"' in page and "授权委托书" in page


def test_a_client_naming_the_kind_gets_the_entrys_only_slot_of_it(interviewed, personas):
    blob = store_bytes(officer=personas["zhang"], data=b"\xff\xd8scan", media_type="image/jpeg")
    r = client_for("zhang").post(
        f"/api/records/{interviewed.pk}/attachments/",
        {"kind": "signed_scan", "blob_sha256": blob.sha256},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["attachments"][0]["slot"] == "signed_scan"


# --- stages ----------------------------------------------------------------------------------------


def test_a_service_receipt_is_made_in_the_investigation_and_in_service(
    open_case, personas, evidence_store
):
    notice = make(open_case, personas, "evidence_request_notice")
    make(open_case, personas, "evidence_register", request_notice=notice.pk)
    early = make(open_case, personas, "service_receipt", document=notice.pk)
    assert "service_receipt" in {d.code for d in documents_for(open_case)}
    case = to_service(open_case, personas)
    assert "service_receipt" in {d.code for d in documents_for(case)}
    decision = case.records.get(kind="administrative_decision")
    late = make(case, personas, "service_receipt", document=decision.pk)
    assert early.kind == late.kind == "service_receipt"
    page = client_for("zhang").get(f"/cases/{case.pk}/section/documents/").content.decode()
    listed = page[page.index("各阶段文书") :]
    investigation = listed[listed.index("调查取证") : listed.index("审查决定")]
    service = listed[listed.index("送达执行") :]
    assert "送达回证" in investigation and "送达回证" in service
    # Not in the start: documents of the start are made through the start's own pages.
    assert "service_receipt" not in {
        d.code for d in documents_for(open_case) if "start" in d.stages
    }


# --- references, times -----------------------------------------------------------------------------


def test_it_refers_to_several_records(open_case, personas, evidence_store):
    first, second = interview(open_case, personas), interview(open_case, personas)
    record = make_test(open_case, personas, sources=[first.pk, second.pk])
    assert record.fields["sources"] == [
        {"id": first.pk, "kind": "interview_record"},
        {"id": second.pk, "kind": "interview_record"},
    ]
    assert ("依据的询问笔录", f"{first.reference}、{second.reference}") in (
        record.shown_fields(personal=True)
    )
    refused("duplicate_document", make_test, open_case, personas, sources=[first.pk, first.pk])
    refused("invalid_document", make_test, open_case, personas, sources=[first.pk, record.pk])
    page = client_for("zhang").get(f"/cases/{open_case.pk}/records/new/{DOC.code}/")
    assert f'name="sources" value="{first.pk}"' in page.content.decode()


def test_a_hearing_may_be_noticed_ahead_but_an_inspection_not_dated_ahead(
    open_case, personas, evidence_store
):
    ahead = timezone.localtime() + dt.timedelta(days=7)
    notice = make(open_case, personas, "hearing_notice", hearing_at=ahead.isoformat())
    assert notice.fields["hearing_at"].startswith(ahead.strftime("%Y-%m-%dT%H:%M"))
    err = refused(
        "datetime_in_future",
        make,
        open_case,
        personas,
        "inspection_record",
        started_at=ahead.isoformat(),
    )
    assert err.field == "started_at"


def test_valid_ranges_bound_dates_and_times(open_case, personas, evidence_store):
    now = timezone.localtime()
    too_far = (now + dt.timedelta(days=181)).isoformat()
    err = refused("out_of_range", make, open_case, personas, "hearing_notice", hearing_at=too_far)
    assert "不能晚于记录时间后180日" in err.message
    tomorrow = (now + dt.timedelta(days=1)).date().isoformat()
    err = refused(
        "out_of_range", make, open_case, personas, "hearing_notice", requested_on=tomorrow
    )
    assert "不能晚于记录时间当日" in err.message
    long_ago = (now - dt.timedelta(days=61)).date().isoformat()
    refused("out_of_range", make, open_case, personas, "hearing_notice", requested_on=long_ago)
    err = refused(
        "out_of_range",
        make_test,
        open_case,
        personas,
        checked_at=(now - dt.timedelta(hours=3)).isoformat(),
    )
    assert "不能早于记录时间前2小时" in err.message
    make_test(open_case, personas, checked_at=(now - dt.timedelta(hours=1)).isoformat())


# --- persons ---------------------------------------------------------------------------------------


def test_a_person_is_stored_as_its_parts(interviewed):
    assert interviewed.fields["interviewee"] == INTERVIEWEE


@pytest.mark.parametrize(
    "value, code",
    [
        ("周某，身份证110101199003074514", "person_object_required"),
        ({"name": "周某", "id_number": "110101199003074515"}, "invalid_id_number"),
        ({"name": "周某", "phone": "一三九"}, "invalid_phone"),
        ({"name": "", "phone": "13912345678"}, "field_required"),
        ({"name": "周某", "email": "a@b.cn"}, "unknown_person_part"),
        (["周某"], "person_object_required"),
    ],
)
def test_the_api_refuses_a_person_that_is_not_its_parts(
    open_case, personas, evidence_store, value, code
):
    payload = {
        "kind": DOC.code,
        "fields": {
            "kind": "a",
            "checked_at": timezone.localtime().isoformat(),
            "person": value,
        },
        "signatures": [
            {
                "key": "officers",
                "name": "张承办",
                "method": "drawn",
                "image": base64.b64encode(png()).decode(),
            }
        ],
    }
    before = Record.objects.count(), RecordSignature.objects.count()
    r = client_for("zhang").post(
        f"/api/cases/{open_case.pk}/records/", payload, content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["code"] == code
    assert r.json()["field"] == "person" and r.json()["message"]
    assert (Record.objects.count(), RecordSignature.objects.count()) == before


def test_the_form_renders_a_person_as_a_group_of_inputs(open_case, personas, evidence_store):
    zhang = client_for("zhang")
    page = zhang.get(f"/cases/{open_case.pk}/records/new/interview_record/").content.decode()
    for part in ("name", "id_number", "phone", "address"):
        assert f'name="interviewee_{part}"' in page
    now = timezone.localtime()
    image = "data:image/png;base64," + base64.b64encode(png()).decode()
    data = {
        "started_at": (now - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "ended_at": now.strftime("%Y-%m-%dT%H:%M"),
        "place": "询问室",
        "interviewee_name": "周某",
        "interviewee_id_number": VALID_ID,
        "interviewee_phone": "13912345678",
        "interviewee_address": "",
        "interviewee_role": "party",
        "recorder": personas["li"].pk,
        "rights_told": "on",
        "content": "问答",
        "read_back": "on",
        "present": [p.officer_id for p in present(personas)],
        **{f"shown_{p.officer_id}": "on" for p in present(personas)},
        "sig_officers_name": "张承办",
        "sig_officers_method": "drawn",
        "sig_officers_image": image,
        "sig_interviewee_name": "周某",
        "sig_interviewee_method": "refused",
        "sig_interviewee_reason": "拒绝签名",
    }
    url = f"/cases/{open_case.pk}/records/new/interview_record/"
    bad = zhang.post(url, {**data, "interviewee_id_number": "110101199003074515"})
    assert bad.status_code == 400 and "校验位" in bad.content.decode()
    nameless = zhang.post(url, {**data, "interviewee_name": ""})
    assert nameless.status_code == 400 and "请填写姓名" in nameless.content.decode()
    assert zhang.post(url, data).status_code == 302
    record = Record.objects.get(kind="interview_record")
    assert record.fields["interviewee"] == {
        "name": "周某",
        "id_number": VALID_ID,
        "phone": "13912345678",
        "address": "",
    }
    correcting = zhang.get(f"/records/{record.pk}/correct/").content.decode()
    assert f'name="interviewee_id_number" value="{VALID_ID}"' in correcting


def test_the_catalogue_api_describes_schema_2(personas):
    entries = {e["code"]: e for e in client_for("zhang").get("/api/catalogue/").json()}
    assert "investigation_service_receipt" not in entries
    receipt = entries["service_receipt"]
    assert receipt["stages"] == ["investigation", "service"] and receipt["version"] == 3
    assert receipt["formerly"] == ["investigation_service_receipt"]
    fields = {f["name"]: f for f in receipt["fields"]}
    assert fields["refusal_reason"]["required_if"] == {"field": "method", "in": ["left"]}
    assert fields["recipient"]["personal"] == ["id_number", "phone", "address"]
    hearing = {f["name"]: f for f in entries["hearing_notice"]["fields"]}["hearing_at"]
    assert hearing["future"] and hearing["valid_range"] == {"before": "case", "after": "180d"}
    content = {f["name"]: f for f in entries["interview_record"]["fields"]}["content"]
    assert content["personal"] == "text"
    mail = entries["mail_service_record"]["attachments"]
    assert [a["name"] for a in mail] == ["posting_slip", "return_card"]
