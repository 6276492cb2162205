"""Field faults of issue 10 through the real entry points — the API and the web forms — with the
personas: identifiers stored in their normal form (items 6, 7), numbers and money (8, 9), time
ranges and dates that do not exist (10), text limits and invisible characters (11). Bad input is a
400 with a code, and changes nothing."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
import time_machine

from casetrail.cases.models import Case, Party
from casetrail.compliance.tests.builders import png, value_for
from casetrail.conftest import VALID_ID, api_start, approve_start, client_for, start_ex_officio
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError
from casetrail.org.actions import officer_deactivate
from casetrail.records.catalogue import CATALOGUE, parse_entry
from casetrail.records.models import Record
from casetrail.records.validation import clean_fields

FULL_WIDTH = str.maketrans("0123456789xX", "０１２３４５６７８９ｘＸ")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def record_payload(
    case: Case, personas: dict[str, Any], kind: str, **fields: Any
) -> dict[str, Any]:
    """A valid API body for a document of ``kind`` (``fields`` override the generated values)."""
    doc = CATALOGUE[kind]
    values = {f.name: value_for(case, f, personas) for f in doc.fields if f.required}
    values.update(fields)
    image = base64.b64encode(png()).decode()
    return {
        "kind": kind,
        "fields": values,
        "officers_present": [
            {"id": personas["zhang"].pk, "shown": True},
            {"id": personas["li"].pk, "shown": True},
        ]
        if doc.officers_min
        else [],
        "signatures": [
            {"key": s.key, "name": "签名人", "method": "drawn", "image": image}
            for s in doc.signatures
        ],
    }


def post_record(case: Case, body: dict[str, Any]) -> Any:
    return client_for("zhang").post(
        f"/api/cases/{case.pk}/records/", body, content_type="application/json"
    )


# --- identifiers (6, 7) ----------------------------------------------------------------------------


def test_it_stores_the_normal_form_of_an_id_number_typed_in_full_width(personas):
    typed = "11010119900307451".translate(FULL_WIDTH) + "4"
    r = api_start(personas, parties=[{"kind": "person", "name": "周某", "id_number": typed}])
    assert r.status_code == 201, r.json()
    assert Party.objects.get(name="周某").id_number == "110101199003074514"


def test_it_stores_a_lower_case_x_upper_case(personas):
    r = api_start(
        personas, parties=[{"kind": "person", "name": "周某", "id_number": "14052419800101008x"}]
    )
    assert r.status_code == 201, r.json()
    assert Party.objects.get(name="周某").id_number == "14052419800101008X"


def test_it_refuses_a_credit_code_with_letters_gb_32100_leaves_out(personas):
    r = api_start(
        personas,
        parties=[{"kind": "organisation", "name": "某公司", "credit_code": "91140524IOZSV00000"}],
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_credit_code"
    assert (
        not Case.objects.exists()
        and not LedgerEntry.objects.filter(action__startswith="start").exists()
    )


def test_it_stores_a_credit_code_upper_case(personas):
    r = api_start(
        personas,
        parties=[{"kind": "organisation", "name": "某公司", "credit_code": "91110000600037341l"}],
    )
    assert r.status_code == 201, r.json()
    assert Party.objects.get(name="某公司").credit_code == "91110000600037341L"


def test_it_stores_the_normal_form_of_a_persons_id_number_in_a_document(
    open_case, personas, evidence_store
):
    from casetrail.records.tests.conftest import INTERVIEWEE, interview

    typed = VALID_ID.translate(FULL_WIDTH)
    record = interview(open_case, personas, interviewee={**INTERVIEWEE, "id_number": typed})
    assert record.fields["interviewee"]["id_number"] == VALID_ID


def test_it_refuses_a_birth_date_that_does_not_exist_in_a_party(personas):
    from stdnum.cn import ric

    body = "11010119900230451"  # 1990-02-30
    r = api_start(
        personas,
        parties=[
            {"kind": "person", "name": "周某", "id_number": body + ric.calc_check_digit(body + "0")}
        ],
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_id_number"
    assert "不是真实存在的日期" in r.json()["message"]


def test_it_refuses_an_agency_credit_code_with_a_wrong_check_character(personas):
    from casetrail.org.actions import agency_create

    with pytest.raises(ActionError) as err:
        agency_create(name="某局", credit_code="11140524MB1234567X", case_number_pattern="{n}")
    assert err.value.code == "invalid_credit_code"


# --- numbers in query strings and bodies (8, 9) ---------------------------------------------------


@pytest.mark.parametrize("value", ["²", "１２", "1_0", "%2B1"])
def test_it_reads_numbers_in_query_strings_as_ascii_digits(personas, value):
    zhang = client_for("zhang")
    r = zhang.get(f"/api/cases/?limit={value}")
    assert r.status_code == 400 and r.json()["code"] in ("invalid_number", "number_out_of_range")
    agency = personas["zhang"].agency.credit_code
    r = zhang.get(f"/api/ledgers/{agency}/proof/inclusion?index={value}&size=1")
    assert r.status_code == 400 and r.json()["code"] == "invalid_number"
    r = zhang.get(f"/api/evidence/?case={value}")
    assert r.status_code == 400 and r.json()["code"] in ("invalid_number", "number_out_of_range")


@pytest.mark.parametrize("value", ["１", 2**53, True, 1.5, "1e0"])
def test_it_refuses_ids_that_are_not_plain_integers(personas, value):
    r = api_start(personas, unit=value)
    assert r.status_code == 400
    assert r.json()["code"] in ("invalid_number", "number_out_of_range", "invalid_input")
    assert not Case.objects.exists()


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1.005", "１００", "-5"])
def test_it_answers_a_fine_of_nan_or_infinity_with_400(open_case, personas, value):
    body = record_payload(
        open_case,
        personas,
        "rights_notice",
        proposed_fine=value,
    )
    before = Record.objects.count()
    r = post_record(open_case, body)
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "invalid_money" and r.json()["field"] == "proposed_fine"
    assert Record.objects.count() == before


def test_it_stores_minus_zero_as_zero(open_case, personas):
    body = record_payload(
        open_case,
        personas,
        "rights_notice",
        proposed_fine="-0",
    )
    r = post_record(open_case, body)
    assert r.status_code == 201, r.json()
    assert Record.objects.get(pk=r.json()["id"]).fields["proposed_fine"] == "0.00"


def test_it_refuses_a_fine_of_nan_in_the_form_as_in_the_api(open_case, personas):
    zhang = client_for("zhang")
    url = f"/cases/{open_case.pk}/records/new/rights_notice/"
    r = zhang.post(url, {"proposed_fine": "NaN"})
    assert r.status_code == 400 and "金额格式不正确" in r.content.decode()


def test_it_refuses_integers_beyond_what_the_ledger_holds_in_a_document():
    doc = parse_entry(
        {
            "code": "counts",
            "version": 1,
            "title": "计数",
            "stage": "investigation",
            "fields": [{"name": "pages", "label": "页数", "type": "number"}],
        }
    )
    for value, code in [
        ("²", "invalid_number"),
        ("１２", "invalid_number"),
        (2**53, "number_out_of_range"),
        (-1, "number_out_of_range"),
    ]:
        with pytest.raises(ActionError) as err:
            clean_fields(doc, {"pages": value})
        assert err.value.code == code and err.value.field == "pages"
    assert clean_fields(doc, {"pages": "12"}) == {"pages": 12}


# --- time ranges and dates that do not exist (10) --------------------------------------------------


def test_it_refuses_an_inspection_record_from_13_25_to_13_20(personas, evidence_store):
    with time_machine.travel(dt.datetime(2026, 11, 30, 14, 0, tzinfo=SHANGHAI), tick=False):
        case = approve_start(start_ex_officio(personas), personas)
        body = record_payload(
            case,
            personas,
            "inspection_record",
            started_at="2026-11-30T13:25:00+08:00",
            ended_at="2026-11-30T13:20:00+08:00",
        )
        r = post_record(case, body)
        assert r.status_code == 400, r.content
        assert r.json()["code"] == "range_inverted" and r.json()["field"] == "ended_at"
        assert "结束时间：不能早于开始时间" in r.json()["message"]
        assert not Record.objects.filter(kind="inspection_record").exists()
        body["fields"]["ended_at"] = "2026-11-30T13:40:00+08:00"
        assert post_record(case, body).status_code == 201


def test_it_declares_every_start_end_pair_of_the_catalogue_as_a_range():
    for doc in CATALOGUE.values():
        names = {f.name for f in doc.fields}
        if {"started_at", "ended_at"} <= names:
            assert ("started_at", "ended_at") in doc.ranges, doc.code


def test_it_answers_a_date_that_does_not_exist_with_400_in_the_api_and_the_form(
    open_case, personas, evidence_store
):
    body = record_payload(open_case, personas, "evidence_request_notice", due_date="2026-02-30")
    r = post_record(open_case, body)
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "invalid_date" and r.json()["field"] == "due_date"
    url = f"/cases/{open_case.pk}/records/new/evidence_request_notice/"
    r = client_for("zhang").post(url, {"due_date": "2026-02-30"})
    assert r.status_code == 400 and "due_date" in r.content.decode()
    assert not Record.objects.filter(kind="evidence_request_notice").exists()


def test_it_answers_a_certificate_date_that_does_not_exist_with_400(personas):
    r = client_for("admin").post(
        f"/api/officers/{personas['zhang'].pk}/certificate/",
        {"certificate_no": "X1", "valid_from": "2026-01-01", "valid_to": "2026-02-30"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "valid_to" in r.json()["fields"]


# --- text limits and invisible characters (11) -----------------------------------------------------

TWO_MIB = "理" * (2 * 1024 * 1024)


def test_it_refuses_a_two_mebibyte_reason_through_the_api(personas):
    r = api_start(personas, reason=TWO_MIB)
    assert r.status_code == 400 and r.json()["code"] == "too_long"
    assert not Case.objects.exists()


def test_it_refuses_a_two_mebibyte_opinion_on_an_approval(new_case, personas):
    chain = new_case.chains.get()
    r = client_for("wang").post(
        f"/api/approvals/{chain.pk}/decide/",
        {"outcome": "approve", "opinion": TWO_MIB},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "too_long"
    assert chain.steps.count() == 1


def test_it_refuses_a_two_mebibyte_reason_at_the_action(personas):
    with pytest.raises(ActionError) as err:
        officer_deactivate(by=personas["admin"], officer=personas["li"], reason=TWO_MIB)
    assert err.value.code == "too_long"


@pytest.mark.parametrize("name", ["周\u200b某", "\u202e某周", "周\x00某", "周\n某"])
def test_it_refuses_invisible_characters_in_a_partys_name(personas, name):
    r = api_start(personas, parties=[{"kind": "person", "name": name}])
    assert r.status_code == 400 and r.json()["code"] == "invalid_characters"
    assert not Case.objects.exists()


def test_it_refuses_a_long_text_field_of_a_document(open_case, personas, evidence_store):
    body = record_payload(open_case, personas, "inspection_record", place="某" * 501)
    r = post_record(open_case, body)
    assert r.status_code == 400 and r.json()["code"] == "too_long"
    assert r.json()["field"] == "place"


def test_it_refuses_a_long_representative_that_postgresql_could_not_store(personas):
    r = api_start(
        personas,
        parties=[{"kind": "organisation", "name": "某公司", "representative": "某" * 41}],
    )
    assert r.status_code == 400 and r.json()["code"] == "too_long"


def test_it_refuses_a_long_reason_in_the_web_form(personas):
    zhang = client_for("zhang")
    r = zhang.post("/cases/new/ex-officio/", {"reason": "理" * 5001, "title": "某案"})
    assert r.status_code == 400 and "不得超过5000字" in r.content.decode()
    assert not Case.objects.exists()
