"""A 文号 is never typed (issue 11 item 3): 行政执法决定书 and 强制执行决定书 (catalogue version 3)
take no ``doc_no``; the record's number is its issued document's; a record made under version 2
keeps the number typed into it."""

from __future__ import annotations

import base64

import pytest
from django.utils import timezone

from casetrail.compliance.tests.builders import png
from casetrail.conftest import client_for
from casetrail.decisions.tests.test_chain import decision_fields
from casetrail.documents.issuing import issue
from casetrail.ledger.models import LedgerEntry
from casetrail.records.catalogue import CATALOGUE, entry
from casetrail.records.models import Record


def test_it_has_no_typed_number_in_the_current_decision_entries():
    for code in ("administrative_decision", "enforcement_decision"):
        assert CATALOGUE[code].version == 3 and CATALOGUE[code].field("doc_no") is None
        assert entry(code, 2).field("doc_no") is not None  # old records stay readable


def test_it_refuses_a_typed_number_over_the_api_and_writes_nothing(decision, personas):
    case = decision.case
    image = "data:image/png;base64," + base64.b64encode(png()).decode()
    signatures = [{"key": "other", "name": "陵川县民政局", "method": "drawn", "image": image}]
    before = (Record.objects.count(), LedgerEntry.objects.count())
    for field, code in (("doc_no", "unknown_field"), ("spot_form_no", "typed_doc_no")):
        fields = {**decision_fields(case), field: "陵民罚决〔2026〕3号"}
        r = client_for("zhang").post(
            f"/api/records/{decision.pk}/correct/",
            {"fields": fields, "reason": "补正文号", "signatures": signatures},
            content_type="application/json",
        )
        assert r.status_code == 400, r.content
        assert r.json()["code"] == code, r.json()
    assert (Record.objects.count(), LedgerEntry.objects.count()) == before


def test_it_names_a_decision_by_its_issued_number(decision, personas, quick):
    assert decision.doc_no == ""
    at = timezone.localtime(decision.created_at)
    assert decision.reference == f"行政执法决定书（{at:%Y-%m-%d %H:%M}）"
    document, _ = issue(record=decision, officer=personas["zhang"])
    fresh = Record.objects.get(pk=decision.pk)
    assert fresh.doc_no == document.doc_no == f"陵民罚决〔{document.number_year}〕1号"
    assert fresh.reference == f"行政执法决定书 {document.doc_no}（{at:%Y-%m-%d}）"
    page = client_for("zhang").get(f"/cases/{decision.case_id}/section/timeline/")
    assert page.status_code == 200 and document.doc_no in page.content.decode()


def test_it_reads_the_number_typed_under_version_2(decision, personas):
    old = Record(  # as a record made before version 3 was (not saved: insert-only, ledgered)
        case=decision.case,
        kind="administrative_decision",
        fields={**decision.fields, "doc_no": "陵民罚决〔2025〕7号"},
        created_by=personas["zhang"],
        created_at=decision.created_at,
        catalogue_version=2,
    )
    assert old.doc_no == "陵民罚决〔2025〕7号" and old.doc.field("doc_no") is not None
    assert ("文号", "陵民罚决〔2025〕7号") in old.shown_fields(personal=True)


def test_it_issues_an_on_the_spot_decision_under_its_pre_printed_number(
    personas, evidence_store, quick
):
    from casetrail.documents.models import IssuedDocument, NumberCounter
    from casetrail.lib.errors import ActionError
    from casetrail.start.tests.summary_builders import on_the_spot

    first = on_the_spot(personas).records.get(kind="administrative_decision")
    document, _ = issue(record=first, officer=personas["zhang"])
    assert document.doc_no == "陵民当罚〔2026〕0001号" and document.number_seq is None
    assert not NumberCounter.objects.filter(last__gt=0).exists()  # no register number drawn
    # The same pre-printed number on a second decision: found when it is issued, nothing issued.
    again = on_the_spot(personas, title="周某再次违规焚烧祭祀用品案")
    second = again.records.get(kind="administrative_decision")
    before = LedgerEntry.objects.count()
    with pytest.raises(ActionError) as err:
        issue(record=second, officer=personas["zhang"])
    assert err.value.code == "doc_no_taken"
    assert IssuedDocument.objects.count() == 1 and LedgerEntry.objects.count() == before
