"""#18: a drawn signature's image is uploaded before the action's transaction (its ``before``
hook), its blob row written in the action; uploading inside a transaction is refused; a refused
action leaves at most an orphan blob (content-addressed, listed by ``verify-blobs``)."""

from __future__ import annotations

import pytest
from django.db import transaction

from casetrail.evidence.models import Blob
from casetrail.evidence.storage import blob_store, put_bytes
from casetrail.lib.errors import ActionError
from casetrail.lib.outside import InsideTransaction
from casetrail.records.actions import record_create
from casetrail.records.tests.test_record_create import DOC, good_input, png, test_doc  # noqa: F401


def test_it_uploads_a_drawn_signature_before_the_transaction(
    open_case, personas, evidence_store, blob_uploads
):
    record = record_create(
        case=open_case, officer=personas["zhang"], kind=DOC.code, **good_input(open_case, personas)
    )
    blob = record.signatures.get(role="officers").blob
    assert blob_uploads == [(blob.sha256, [])]
    assert blob_store().exists(blob.sha256) and blob.size == len(png())


def test_it_leaves_only_an_orphan_blob_when_the_action_is_refused(
    open_case, personas, evidence_store, blob_uploads
):
    image = png()[:-1] + b"\x00"  # another PNG's bytes: another blob
    values = good_input(open_case, personas, officers_present=[])
    values["signatures"][0] = type(values["signatures"][0])(
        "officers", "张承办、李承办", "drawn", image=image
    )
    with pytest.raises(ActionError) as err:
        record_create(case=open_case, officer=personas["zhang"], kind=DOC.code, **values)
    assert err.value.code == "too_few_officers"
    ((sha256, inside),) = blob_uploads
    assert inside == [] and blob_store().exists(sha256)
    assert not Blob.objects.filter(sha256=sha256).exists()


def test_it_refuses_to_store_blob_bytes_inside_a_transaction(db, evidence_store, blob_uploads):
    with pytest.raises(InsideTransaction, match="inside a database transaction"):
        with transaction.atomic():
            put_bytes(b"a scan")
    assert blob_uploads == []
    assert put_bytes(b"a scan")["sha256"] == blob_uploads[0][0]  # outside: stored
