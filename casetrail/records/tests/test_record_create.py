"""Making a document of the case: validated against its catalogue entry — fields, the officers
present with their certificates shown (第十一条), the required signatures (第十二条) — in its stage,
insert-only, ledgered; attachments afterwards. Driven by a catalogue entry made for the test so
the engine is tested apart from the data."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from casetrail.conftest import client_for
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import verify
from casetrail.lib.errors import ActionError
from casetrail.records.actions import OfficerPresent, SignatureInput, record_create
from casetrail.records.catalogue import CATALOGUE, Attachment, DocType, Field, Signature
from casetrail.records.models import Record, RecordSignature

DOC = DocType(
    code="test_inspection",
    title="测试检查笔录",
    stages=("investigation",),
    articles=("第十一条", "第十二条", "第十三条"),
    fields=(
        Field("started_at", "开始时间", "datetime"),
        Field("ended_at", "结束时间", "datetime"),
        Field("place", "地点", "text"),
        Field("findings", "检查情况", "longtext"),
        Field("party", "当事人", "party"),
        Field("fine", "罚款", "money", required=False),
    ),
    officers_min=2,
    signatures=(
        Signature("officers", "执法人员签名"),
        Signature("party", "当事人签名", refusal=True),
    ),
    attachments=(Attachment("av", "现场音像记录", True, ("started_at", "ended_at")),),
)


@pytest.fixture(autouse=True)
def test_doc(monkeypatch):
    monkeypatch.setitem(CATALOGUE, DOC.code, DOC)


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (60, 20), 255).save(buf, "PNG")
    return buf.getvalue()


def good_input(case, personas, **over):
    now = timezone.localtime()
    values = {
        "fields": {
            "started_at": (now - dt.timedelta(hours=1)).isoformat(),
            "ended_at": now.isoformat(),
            "place": "某养老院",
            "findings": "未见备案证明",
            "party": case.parties.first().pk,
            "fine": "2000.5",
        },
        "officers_present": [
            OfficerPresent(personas["zhang"].pk, True),
            OfficerPresent(personas["li"].pk, True),
        ],
        "signatures": [
            SignatureInput("officers", "张承办、李承办", "drawn", image=png()),
            SignatureInput("party", "周某", "refused", refusal_reason="当事人拒绝签名"),
        ],
    }
    values.update(over)
    return values


def test_it_makes_a_record_with_officers_signatures_and_its_ledger_entry(
    open_case, personas, evidence_store
):
    record = record_create(
        case=open_case, officer=personas["zhang"], kind=DOC.code, **good_input(open_case, personas)
    )
    assert record.fields["fine"] == "2000.50" and record.fields["party"]["name"] == "周某"
    assert [o["cert"] for o in record.officers_present] == ["14052400123", "14052400124"]
    sigs = list(record.signatures.values_list("role", "method", "refusal_reason"))
    assert sigs == [("officers", "drawn", ""), ("party", "refused", "当事人拒绝签名")]
    assert record.signatures.get(role="officers").blob.media_type == "image/png"
    entry = LedgerEntry.objects.filter(case_ref=open_case.pk).order_by("-seq").first()
    assert entry.action == "record.create"
    # One action, one entry: the drawn signature's image blob is recorded with the record.
    assert {r["table"] for r in entry.entry["payload"]["rows"]} == {
        "evidence.Blob",
        "records.Record",
        "records.RecordSignature",
    }
    assert verify().intact


@pytest.mark.parametrize(
    "change, code",
    [
        ({"officers_present": []}, "too_few_officers"),
        ({"fields": {"place": "x"}}, "field_required"),
        ({"signatures": []}, "signature_required"),
    ],
)
def test_it_refuses_missing_parts_and_writes_nothing(
    open_case, personas, evidence_store, change, code
):
    before = (Record.objects.count(), RecordSignature.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(ActionError) as err:
        record_create(
            case=open_case,
            officer=personas["zhang"],
            kind=DOC.code,
            **good_input(open_case, personas, **change),
        )
    assert err.value.code == code
    assert (
        Record.objects.count(),
        RecordSignature.objects.count(),
        LedgerEntry.objects.count(),
    ) == before


def test_it_refuses_unshown_certificates_refusals_without_reason_and_bad_dates(
    open_case, personas, evidence_store
):
    make = lambda **over: record_create(  # noqa: E731
        case=open_case,
        officer=personas["zhang"],
        kind=DOC.code,
        **good_input(open_case, personas, **over),
    )
    with pytest.raises(ActionError) as err:
        make(
            officers_present=[
                OfficerPresent(personas["zhang"].pk, True),
                OfficerPresent(personas["li"].pk, False),
            ]
        )
    assert err.value.code == "certificate_not_shown" and "第十一条" in err.value.message
    with pytest.raises(ActionError) as err:
        make(
            signatures=[
                SignatureInput("officers", "张承办", "drawn", image=png()),
                SignatureInput("party", "周某", "refused"),
            ]
        )
    assert err.value.code == "refusal_reason_required"
    with pytest.raises(ActionError) as err:
        make(
            signatures=[
                SignatureInput("officers", "张承办", "refused", refusal_reason="x"),
                SignatureInput("party", "周某", "drawn", image=png()),
            ]
        )
    assert err.value.code == "refusal_not_allowed"
    future = (timezone.localtime() + dt.timedelta(days=1)).isoformat()
    fields = good_input(open_case, personas)["fields"]
    with pytest.raises(ActionError) as err:
        make(fields={**fields, "ended_at": future})
    assert err.value.code == "datetime_in_future"
    with pytest.raises(ActionError) as err:
        make(
            fields={
                **fields,
                "started_at": (open_case.created_at - dt.timedelta(days=3)).isoformat(),
            }
        )
    assert err.value.code == "datetime_before_case"
    with pytest.raises(ActionError) as err:
        make(fields={**fields, "fine": "12.345"})
    assert err.value.code == "invalid_money"
    with pytest.raises(ActionError) as err:
        make(fields={**fields, "party": 999999})
    assert err.value.code == "invalid_party"
    assert not Record.objects.filter(kind=DOC.code).exists()


def test_it_refuses_unknown_types_the_wrong_stage_and_unassigned_officers(
    open_case, personas, evidence_store
):
    from casetrail.conftest import start_ex_officio

    new_case = start_ex_officio(personas)
    with pytest.raises(ActionError) as err:
        record_create(case=open_case, officer=personas["zhang"], kind="no_such_doc", fields={})
    assert err.value.code == "unknown_document_type"
    with pytest.raises(ActionError) as err:  # new_case is still in 程序启动
        record_create(
            case=new_case,
            officer=personas["zhang"],
            kind=DOC.code,
            **good_input(new_case, personas),
        )
    assert err.value.code == "wrong_stage"
    with pytest.raises(ActionError) as err:
        record_create(
            case=open_case,
            officer=personas["wang"],
            kind=DOC.code,
            **good_input(open_case, personas),
        )
    assert err.value.code == "not_assigned" and err.value.status == 403


def test_it_makes_records_through_the_api(open_case, personas, evidence_store):
    body = good_input(open_case, personas)
    payload = {
        "kind": DOC.code,
        "fields": body["fields"],
        "officers_present": [
            {"id": personas["zhang"].pk, "shown": True},
            {"id": personas["li"].pk, "shown": True},
        ],
        "signatures": [
            {
                "role": "officers",
                "name": "张承办",
                "method": "drawn",
                "image": "data:image/png;base64," + base64.b64encode(png()).decode(),
            },
            {"role": "party", "name": "周某", "method": "refused", "refusal_reason": "拒签"},
        ],
    }
    zhang = client_for("zhang")
    r = zhang.post(f"/api/cases/{open_case.pk}/records/", payload, content_type="application/json")
    assert r.status_code == 201, r.json()
    assert r.json()["signatures"][0]["sha256"]
    r = zhang.post(
        f"/api/cases/{open_case.pk}/records/",
        {**payload, "signatures": []},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "signature_required"
    r = client_for("wang").post(
        f"/api/cases/{open_case.pk}/records/", payload, content_type="application/json"
    )
    assert r.status_code == 403


def test_it_makes_records_through_the_ui(open_case, personas, evidence_store):
    zhang = client_for("zhang")
    page = zhang.get(f"/cases/{open_case.pk}/records/new/").content.decode()
    assert "测试检查笔录" in page
    assert zhang.get(f"/cases/{open_case.pk}/records/new/{DOC.code}/").status_code == 200
    now = timezone.localtime()
    data = {
        "started_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ended_at": now.strftime("%Y-%m-%dT%H:%M"),
        "place": "某养老院",
        "findings": "情况",
        "party": open_case.parties.first().pk,
        "present": [personas["zhang"].pk, personas["li"].pk],
        f"shown_{personas['zhang'].pk}": "on",
        f"shown_{personas['li'].pk}": "on",
        "sig_officers_name": "张承办",
        "sig_officers_method": "drawn",
        "sig_officers_image": "data:image/png;base64," + base64.b64encode(png()).decode(),
        "sig_party_name": "周某",
        "sig_party_method": "refused",
        "sig_party_reason": "拒签",
    }
    r = zhang.post(f"/cases/{open_case.pk}/records/new/{DOC.code}/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    record = Record.objects.get(kind=DOC.code)
    page = zhang.get(f"/cases/{open_case.pk}/section/timeline/").content.decode()
    assert "测试检查笔录" in page and "已出示" in page and "拒签" in page
    r = zhang.post(
        f"/cases/{open_case.pk}/records/new/{DOC.code}/", {**data, "sig_party_reason": ""}
    )
    assert r.status_code == 400 and "拒签理由" in r.content.decode()
    assert Record.objects.filter(kind=DOC.code).count() == 1
    assert zhang.get(f"/records/{record.pk}/attach/").status_code == 200


def refused_record(case, personas) -> ActionError:
    """张承办 makes the test document with 李承办 present; it must be refused, writing nothing."""
    with pytest.raises(ActionError) as err:
        record_create(
            case=case, officer=personas["zhang"], kind=DOC.code, **good_input(case, personas)
        )
    assert not Record.objects.filter(kind=DOC.code).exists()
    return err.value


def test_it_refuses_an_officer_present_without_a_valid_certificate(
    open_case, personas, evidence_store
):
    from casetrail.org.actions import officer_certificate_record

    # 李承办's certificate, renewed through the application, runs out today.
    li, today = personas["li"], timezone.localdate()
    officer_certificate_record(
        by=personas["admin"],
        officer=li,
        certificate_no=li.certificate_no,
        valid_from=today - dt.timedelta(days=365),
        valid_to=today,
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        err = refused_record(open_case, personas)
    assert err.code == "certificate_invalid" and "李承办" in err.message


def test_it_refuses_a_deactivated_officer_present(open_case, personas, evidence_store):
    from casetrail.org.actions import officer_deactivate

    # 李承办 is still assigned to the case, but no longer serves.
    officer_deactivate(by=personas["admin"], officer=personas["li"], reason="调离")
    err = refused_record(open_case, personas)
    assert err.code == "officer_inactive" and "李承办" in err.message


def test_it_corrects_a_record_as_a_new_signed_version(open_case, personas, evidence_store):
    record = record_create(
        case=open_case, officer=personas["zhang"], kind=DOC.code, **good_input(open_case, personas)
    )
    zhang = client_for("zhang")
    sigs = [
        {
            "role": "officers",
            "name": "张承办",
            "method": "drawn",
            "image": base64.b64encode(png()).decode(),
        },
        {"role": "party", "name": "周某", "method": "refused", "refusal_reason": "拒签"},
    ]
    # Without the signatures again: refused, nothing written.
    r = zhang.post(
        f"/api/records/{record.pk}/correct/",
        {"fields": {"place": "某养老院东楼"}, "reason": "地点笔误"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "signature_required"
    r = zhang.post(
        f"/api/records/{record.pk}/correct/",
        {"fields": {"place": "某养老院东楼"}, "reason": "地点笔误", "signatures": sigs},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    new = Record.objects.get(pk=r.json()["id"])
    assert (new.replaces_id, new.correction_reason, new.fields["place"]) == (
        record.pk,
        "地点笔误",
        "某养老院东楼",
    )
    assert new.officers_present == record.officers_present and new.signatures.count() == 2
    assert Record.objects.get(pk=record.pk).fields["place"] == "某养老院"
    # The UI form comes pre-filled and needs a reason.
    page = zhang.get(f"/records/{new.pk}/correct/").content.decode()
    assert "更正" in page and "某养老院东楼" in page
    assert verify().intact
