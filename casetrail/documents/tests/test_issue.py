"""Issuing a record as its 文书: 文号 drawn, PDF/A rendered, sealed, stored, ledgered; refused when
its chain has not passed or by someone who does not handle the case; issuing twice returns the
first."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from casetrail.conftest import client_for
from casetrail.documents.issuing import issue
from casetrail.documents.models import IssuedDocument, NumberCounter
from casetrail.evidence.storage import blob_store
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError
from casetrail.records.models import Record


def pdf_of(document: IssuedDocument) -> bytes:
    return b"".join(blob_store().iter_bytes(document.blob.sha256))


def text_of(data: bytes) -> list[str]:
    """The text layer, line by line, in reading order, page after page."""
    lines: list[str] = []
    for page in PdfReader(io.BytesIO(data)).pages:
        lines += [line.strip() for line in page.extract_text().splitlines() if line.strip()]
    return lines


def test_it_issues_the_decision_numbered_with_its_text_in_order(decision, personas):
    document, new = issue(record=decision, officer=personas["zhang"])
    assert new
    year = document.issued_at.year
    assert document.doc_no == f"陵民罚决〔{year}〕1号"
    lines = text_of(pdf_of(document))
    body = "".join(lines)
    # Golden order of a 决定书 (第二十条; 行政处罚法第五十九条): agency, title, 文号, party, facts,
    # evidence, basis, reasons, decision, remedies, the agency and the date in Chinese.
    order = [
        "陵川县民政局",
        "行政执法决定书",
        f"陵民罚决〔{year}〕1号",
        "当事人：周某",
        "违法事实：",
        "证据：",
        "法律依据：",
        "作出决定的理由：",
        "处理决定：",
        "如不服本决定，可以于",
        "申请行政复议，或者于",
        "提起行政诉讼。",
        "〇",
    ]
    positions = [body.find(marker) for marker in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)
    assert "核验：机关代码 " + decision.case.agency.credit_code in body
    assert f"SM3 {document.code}" in body
    assert "— 1 —" in body


def test_it_records_the_pdf_digests_in_the_issuing_ledger_entry(decision, personas):
    document, _ = issue(record=decision, officer=personas["zhang"])
    entry = LedgerEntry.objects.get(subject=f"document:{document.pk}")
    payload = json.loads(entry.canonical)["payload"]
    assert entry.action == "document.issue"
    assert payload["pdf"] == {
        "sha256": document.blob.sha256,
        "sm3": document.blob.sm3,
        "size": document.blob.size,
    }
    assert payload["content"]["doc_no"] == document.doc_no
    assert document.blob.media_type == "application/pdf"


def test_it_returns_the_first_document_when_issued_twice(start_form, personas):
    first, new = issue(record=start_form, officer=personas["zhang"])
    entries = LedgerEntry.objects.count()
    again, new_again = issue(record=start_form, officer=personas["li"])
    assert (new, new_again) == (True, False)
    assert again.pk == first.pk and again.blob_id == first.blob_id
    assert LedgerEntry.objects.count() == entries
    assert first.doc_no is None  # the generic layout draws no 文号


def test_it_refuses_a_record_whose_chain_has_not_passed(new_case, personas, evidence_store):
    form = new_case.records.get(kind="start_approval_form")
    before = (IssuedDocument.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(ActionError) as err:
        issue(record=form, officer=personas["zhang"])
    assert err.value.code == "not_approved"
    assert (IssuedDocument.objects.count(), LedgerEntry.objects.count()) == before


def test_it_numbers_by_the_default_pattern_when_the_agency_set_none(
    open_case, personas, evidence_store, quick
):
    from casetrail.decisions.tests.builders import to_service

    to_service(open_case, personas)  # no patterns set: the zero-configuration default is in force
    decision = open_case.records.get(kind="administrative_decision")
    document, _ = issue(record=decision, officer=personas["zhang"])
    year = document.number_year
    assert document.doc_no == f"陵民罚决〔{year}〕1号" == Record.objects.get(pk=decision.pk).doc_no
    assert NumberCounter.objects.get(family="decision").last == 1


def test_it_refuses_an_officer_who_does_not_handle_the_case(start_form, personas):
    with pytest.raises(ActionError) as err:
        issue(record=start_form, officer=personas["sun"])
    assert (err.value.code, err.value.status) == ("not_assigned", 403)
    assert not IssuedDocument.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("zhang", 201), ("sun", 403), ("wang", 403), ("ma", 404), (None, 403)],
)
def test_it_lets_only_the_handlers_issue_over_the_api(start_form, other_agency, who, status):
    response = client_for(who).post(f"/api/records/{start_form.pk}/document/")
    assert response.status_code in ((401, 403) if who is None else (status,)), response.content
    assert IssuedDocument.objects.exists() == (status == 201)
    if status == 201:
        body = response.json()
        assert body["record"] == start_form.pk and body["pdf"].endswith("/pdf/")


@pytest.mark.parametrize(("who", "status"), [("zhang", 200), ("sun", 200), ("ma", 404)])
def test_it_hands_the_pdf_only_to_who_may_see_the_party(
    start_form, personas, other_agency, who, status
):
    document, _ = issue(record=start_form, officer=personas["zhang"])
    response = client_for(who).get(f"/api/documents/{document.pk}/pdf/")
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == pdf_of(document)
        assert response["Content-Type"] == "application/pdf"


def test_it_shows_the_record_page_with_print_and_issue(start_form, personas):
    page = client_for("zhang").get(f"/records/{start_form.pk}/document/")
    assert page.status_code == 200
    assert "签发并打印" in page.content.decode()
    zhang = client_for("zhang")
    url = f"/records/{start_form.pk}/document/issue/"
    # 签发 cannot be undone: a page says so first, and issues nothing.
    confirm = zhang.post(url)
    assert confirm.status_code == 200 and "签发不能撤销" in confirm.content.decode()
    assert not IssuedDocument.objects.filter(record=start_form).exists()
    assert zhang.post(url, {"back": "1"}).status_code == 302
    assert not IssuedDocument.objects.filter(record=start_form).exists()
    response = zhang.post(url, {"confirmed": "1"})
    assert response.status_code == 302
    document = IssuedDocument.objects.get(record=start_form)
    page = client_for("zhang").get(f"/records/{start_form.pk}/document/")
    assert f"/documents/{document.pk}/pdf/" in page.content.decode()


@pytest.mark.behind_the_application
def test_it_hands_a_secret_cases_pdf_only_with_a_read_reason(start_form, personas):
    """第三十三条: a 涉密 case's 文书 print its personal data whole: the handler downloads them once
    he says why (the read logged); the supervisor no longer at all."""
    from casetrail.cases.models import Case, MarkedRead

    document, _ = issue(record=start_form, officer=personas["zhang"])
    Case.objects.filter(pk=start_form.case_id).update(confidentiality="secret")
    url = f"/api/documents/{document.pk}/pdf/"
    zhang = client_for("zhang")
    refused = zhang.get(url)
    assert refused.status_code == 400 and refused.json()["code"] == "read_reason_required"
    assert client_for("sun").get(url, headers={"X-Read-Reason": "监督"}).status_code == 403
    assert zhang.get(f"/documents/{document.pk}/pdf/").status_code == 403
    page = zhang.get(f"/records/{start_form.pk}/document/").content.decode()
    assert "请选择查阅事由" in page
    assert not MarkedRead.objects.exists()
    given = zhang.get(url, headers={"X-Read-Reason": "办案"})
    assert given.status_code == 200
    assert b"".join(given.streaming_content) == pdf_of(document)
    (read,) = MarkedRead.objects.all()
    assert (read.via, read.target) == ("download", f"record:{start_form.pk}")


@pytest.mark.behind_the_application
def test_it_prints_a_secret_cases_bundle_only_with_a_read_reason(start_form, personas):
    """The bundle of all 文书 is a download of each of them: the same reason first, each logged."""
    from casetrail.cases.models import Case, MarkedRead

    issue(record=start_form, officer=personas["zhang"])
    Case.objects.filter(pk=start_form.case_id).update(confidentiality="secret")
    url = f"/api/cases/{start_form.case_id}/documents/pdf/"
    zhang = client_for("zhang")
    refused = zhang.get(url)
    assert refused.status_code == 400 and refused.json()["code"] == "read_reason_required"
    assert zhang.get(f"/cases/{start_form.case_id}/documents/pdf/").status_code == 403
    assert not MarkedRead.objects.exists()
    given = zhang.get(url, headers={"X-Read-Reason": "办案"})
    assert given.status_code == 200 and given.content.startswith(b"%PDF")
    (read,) = MarkedRead.objects.all()
    assert (read.via, read.target) == ("download", f"record:{start_form.pk}")
