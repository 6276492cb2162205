"""Personal data in documents (a person's ID number, phone and address; fields marked personal,
such as the 询问笔录's answers) is masked everywhere a record is shown — the case page, the case
API, the record API, the ledger entry page — for viewers who may not see it: 王审核 reads the case
after reviewing its start, 刘档案 reads closed cases. The assigned handlers and the supervisor see
it whole (the supervisor not in a 涉密 case)."""

from __future__ import annotations

import json

import pytest

from casetrail.cases.models import Case
from casetrail.conftest import VALID_ID, client_for
from casetrail.ledger.models import LedgerEntry
from casetrail.records.display import WITHHELD, mask_ledger_row
from casetrail.records.tests.conftest import ANSWERS, to_closed, to_service

MASKED_ID = "1101**********4514"


def seq_of(record) -> int:
    entry = LedgerEntry.objects.filter(case_ref=record.case_id, subject=f"record:{record.pk}")
    return entry.order_by("seq").first().seq


def views_of(who: str, record, reason: str = "") -> dict[str, str]:
    """What ``who`` is shown of ``record``: the case page, the case API's records, the record
    API and the ledger entry page (with ``reason``: the read reason chosen first, 第三十三条)."""
    client = client_for(who)
    headers = {"X-Read-Reason": reason} if reason else {}
    if reason:
        client.post(f"/cases/{record.case_id}/reason/", {"reason": reason})
    case_api = client.get(f"/api/cases/{record.case_id}/", headers=headers)
    record_api = client.get(f"/api/records/{record.pk}/", headers=headers)
    code = record.case.agency.credit_code
    ledger_page = client.get(f"/ledger/{code}/entries/{seq_of(record)}/")
    page = client.get(f"/cases/{record.case_id}/section/timeline/")
    for response in (case_api, record_api, ledger_page, page):
        assert response.status_code == 200
    (listed,) = [r for r in case_api.json()["records"] if r["id"] == record.pk]
    return {
        "page": page.content.decode(),
        "case_api": json.dumps(listed, ensure_ascii=False),
        "record_api": json.dumps(record_api.json(), ensure_ascii=False),
        "ledger": ledger_page.content.decode(),
    }


def assert_masked(shown: dict[str, str]) -> None:
    for where, text in shown.items():
        assert VALID_ID not in text, where
        assert "13912345678" not in text and "某街12号" not in text, where
        assert "周某" in text, where  # the name stays
        assert WITHHELD in text, where  # the answers are withheld whole, never in part
        assert "你的住址" not in text, where
        if where != "page":  # the page shows the masked parts too; the JSON shows them per key
            assert MASKED_ID in text, where
    assert MASKED_ID in shown["page"] and "139****5678" in shown["page"]


def assert_whole(shown: dict[str, str]) -> None:
    for where, text in shown.items():
        assert VALID_ID in text and "13912345678" in text, where
        assert WITHHELD not in text, where
    assert "你的住址" in shown["page"]


def test_it_masks_an_interview_for_the_reviewer_and_shows_it_to_handler_and_supervisor(
    interviewed,
):
    # 王审核 reviewed the start, so he reads the case, but he is not assigned to it.
    assert_masked(views_of("wang", interviewed))
    for who in ("zhang", "sun"):
        assert_whole(views_of(who, interviewed))
    api = client_for("wang").get(f"/api/records/{interviewed.pk}/").json()
    assert api["personal_masked"] and api["fields"]["content"] == WITHHELD
    assert api["fields"]["interviewee"] == {
        "name": "周某",
        "id_number": MASKED_ID,
        "phone": "139****5678",
        "address": "山西省晋城市" + "*" * 11,  # the area stays, street and number hidden
    }
    whole = client_for("zhang").get(f"/api/records/{interviewed.pk}/").json()
    assert not whole["personal_masked"] and whole["fields"]["content"] == ANSWERS


@pytest.mark.behind_the_application
def test_it_hides_a_secret_case_from_the_supervisor(interviewed):
    # 第三十三条: a 涉密 case's personal data is for its own officers only.
    Case.objects.filter(pk=interviewed.case_id).update(confidentiality="secret")
    assert_masked(views_of("sun", interviewed))
    assert_masked(views_of("sun", interviewed, reason="监督"))  # a reason opens nothing to him
    refused = client_for("sun").post(f"/cases/{interviewed.case_id}/reason/", {"reason": "监督"})
    assert refused.status_code == 403
    # Its handlers see it once they say why (第三十三条: every read of it is logged).
    assert_masked(views_of("zhang", interviewed))
    assert_whole(views_of("zhang", interviewed, reason="办案"))


def test_it_masks_closed_cases_for_the_custodian(interviewed, personas):
    case = interviewed.case
    assert client_for("liu").get(f"/cases/{case.pk}/").status_code == 404  # open: not his
    to_closed(to_service(case, personas), personas)
    assert_masked(views_of("liu", interviewed))
    assert_whole(views_of("li", interviewed))


def test_it_masks_personal_fields_by_their_kind(open_case, personas, evidence_store):
    from casetrail.compliance.tests.builders import make

    case = to_service(open_case, personas)
    decision = case.records.get(kind="administrative_decision")
    mail = make(
        case,
        personas,
        "mail_service_record",
        document=decision.pk,
        recipient={"name": "周某", "address": "山西省晋城市陵川县崇文镇某街12号"},
        address="山西省晋城市陵川县崇文镇某街12号",
    )
    fax = make(case, personas, "fax_service_record", document=decision.pk, fax_number="03566201234")
    wang = client_for("wang")
    assert (
        wang.get(f"/api/records/{mail.pk}/").json()["fields"]["address"]
        == "山西省晋城市" + "*" * 11
    )
    assert wang.get(f"/api/records/{fax.pk}/").json()["fields"]["fax_number"] == "035****1234"
    electronic = make(case, personas, "electronic_service_record", document=decision.pk)
    assert wang.get(f"/api/records/{electronic.pk}/").json()["fields"]["address"] == WITHHELD
    # Where a document was served is often where someone lives (the 送达回证's 送达地点).
    home = "山西省晋城市陵川县礼义镇南街12号（吴某住所）"
    receipt = make(case, personas, "service_receipt", document=decision.pk, place=home)
    direct = make(
        case,
        personas,
        "direct_service_record",
        document=decision.pk,
        receipt=receipt.pk,
        place=home,
    )
    for record in (receipt, direct):
        shown = wang.get(f"/api/records/{record.pk}/").json()["fields"]["place"]
        assert shown.startswith("山西省晋城市") and "南街12号" not in shown
    assert home in client_for("zhang").get(f"/api/records/{receipt.pk}/").content.decode()


def test_the_ledger_masker_reads_each_row_by_its_own_version():
    row = {
        "table": "records.Record",
        "kind": "interview_record",
        "catalogue_version": None,  # version 1: the interviewee was one line of text
        "fields": {"interviewee": f"周某，身份证{VALID_ID}", "content": ANSWERS, "place": "询问室"},
    }
    masked = mask_ledger_row(row)["fields"]
    # Version 1 knew nothing personal about the answers; the current entry does, by name.
    assert masked == {"interviewee": WITHHELD, "content": WITHHELD, "place": "询问室"}
    other = {"table": "cases.Party", "id_number": VALID_ID}
    assert mask_ledger_row(other) is other
