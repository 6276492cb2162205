"""#18: the receipt's scan is uploaded before the action's transaction; the seal's own TSA
request is refused inside a transaction (document_issue's, made under the 文号's lock, is the
one place marked as known — see the README)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from casetrail.documents import actions
from casetrail.documents.actions import ReceiptInput, document_receipt_scanned
from casetrail.documents.issuing import issue
from casetrail.documents.models import IssuedDocument
from casetrail.documents.seal import apply_seal
from casetrail.documents.tests.test_numbers import notices
from casetrail.documents.tests.test_receipt_scan import scan_png
from casetrail.lib.outside import InsideTransaction, open_transactions
from casetrail.records.models import Record


@pytest.fixture
def issued_document(decision, personas, quick):
    document, _ = issue(record=decision, officer=personas["zhang"])
    return document


def test_it_uploads_the_receipts_scan_before_the_transaction(
    issued_document, personas, blob_uploads
):
    receipt = document_receipt_scanned(
        document=issued_document,
        officer=personas["zhang"],
        scan=scan_png(),
        receipt=ReceiptInput(
            served_at=timezone.now(),
            recipient="周某",
            signer_relation="self",
            method="direct",
            place="陵川县崇文镇某街12号",
        ),
    )
    assert isinstance(receipt, Record)
    (attachment,) = receipt.attachments.all()
    assert blob_uploads == [(attachment.blob.sha256, [])]


def test_it_refuses_the_seals_tsa_request_inside_a_transaction(personas, settings):
    settings.CASETRAIL_DOCUMENT_TSA_URL = "http://127.0.0.1:9/"  # never asked: refused before
    with pytest.raises(InsideTransaction, match="the seal's TSA request"):
        with transaction.atomic():
            apply_seal(
                b"%PDF-1.4\n", agency=personas["zhang"].agency, page=0, x=0, y=0, reason="test"
            )


def test_it_seals_and_uploads_the_document_before_the_transaction(
    open_case, personas, evidence_store, patterns, quick, blob_uploads, monkeypatch
):
    (notice,) = notices(open_case, personas, 1)
    blob_uploads.clear()  # the notice's own signatures
    sealed_in: list[list[str]] = []

    def seal(pdf: bytes, **kw):
        sealed_in.append(open_transactions())
        return pdf + b" sealed", False

    monkeypatch.setattr(actions, "apply_seal", seal)
    document, _ = issue(record=notice, officer=personas["zhang"])
    assert sealed_in == [[]]
    assert blob_uploads == [(document.blob.sha256, [])]
    assert document.number_seq == 1 and document.doc_no.endswith("1号")


def test_it_seals_again_under_the_lock_when_the_foreseen_number_was_taken(
    open_case, personas, evidence_store, patterns, quick, blob_uploads, monkeypatch
):
    first, second = notices(open_case, personas, 2)
    sealed: list[tuple[str, list[str]]] = []

    def seal(pdf: bytes, **kw):
        sealed.append((kw["reason"], open_transactions()))
        if len(sealed) == 1:  # while the first is sealed, another officer issues the second
            issue(record=second, officer=personas["zhang"])
        return pdf + b" sealed", False

    monkeypatch.setattr(actions, "apply_seal", seal)
    document, _ = issue(record=first, officer=personas["zhang"])
    other = IssuedDocument.objects.get(record=second)
    assert (other.number_seq, document.number_seq) == (1, 2)  # gapless, none twice
    # The first was sealed for 1号 outside; sealed again for 2号 inside its transaction (the
    # one place marked known); the second was sealed outside.
    assert [inside for _, inside in sealed] == [[], [], ["default"]]
    assert document.doc_no in sealed[2][0] and other.doc_no in sealed[1][0]
    assert {sha for sha, _ in blob_uploads} >= {document.blob.sha256, other.blob.sha256}
