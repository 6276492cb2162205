"""Records and recordings named as people name them: a record by its title, 文号 (when it has one)
and date; a recording by kind, device, time and length. Pickers offer them so; a superseded record
says 已更正, links to the current version and offers no 更正."""

from __future__ import annotations

from django.utils import timezone

from casetrail.compliance.tests.builders import make, sigs
from casetrail.conftest import client_for, film
from casetrail.evidence.models import Item
from casetrail.records.actions import record_correct
from casetrail.records.catalogue import CATALOGUE
from casetrail.records.forms import _context_choices


def test_it_names_a_record_by_title_number_and_date(open_case, personas, evidence_store):
    interview = make(open_case, personas, "interview_record")
    at = timezone.localtime(interview.created_at)
    assert interview.reference == f"询问笔录（{at:%Y-%m-%d %H:%M}）" == str(interview)
    interview.fields = {**interview.fields, "doc_no": "陵民罚决〔2026〕2号"}  # not saved
    assert interview.reference == f"询问笔录 陵民罚决〔2026〕2号（{at:%Y-%m-%d}）"


def test_it_names_a_recording_by_kind_device_time_and_length(open_case, personas, evidence_store):
    item = film(open_case, personas["zhang"])
    item = Item.objects.select_related("device").get(pk=item.pk)
    at = timezone.localtime(item.recorded_start or item.recorded_end)
    assert item.reference.startswith("录像 · ") and f"{at:%Y-%m-%d %H:%M}" in item.reference
    assert item.reference.endswith("秒") and "#" not in item.reference
    item.media = {"duration_ms": 125_000}
    assert item.duration_label == "2分05秒"
    item.media = {"duration_ms": 3_725_000}
    assert item.duration_label == "1小时02分05秒"


def test_it_marks_a_superseded_record_and_offers_no_correction_of_it(
    open_case, personas, evidence_store
):
    notice = make(open_case, personas, "rights_notice")
    receipt = make(open_case, personas, "service_receipt", document=notice.pk)
    new = record_correct(
        record=receipt,
        officer=personas["zhang"],
        fields=dict(receipt.fields),
        reason="送达地点笔误",
        signatures=sigs("service_receipt"),
    )
    page = client_for("zhang").get(f"/cases/{open_case.pk}/section/timeline/").content.decode()
    old = page[page.index(f'id="record-{receipt.pk}"') : page.index(f'id="record-{new.pk}"')]
    assert "已更正" in old and f'href="#record-{new.pk}"' in old
    assert f"/records/{receipt.pk}/correct/" not in page
    assert f"/records/{new.pk}/correct/" in page
    # The 文书 section lists the current version only, with its links.
    docs = client_for("zhang").get(f"/cases/{open_case.pk}/section/documents/").content.decode()
    assert f'id="doc-{new.pk}"' in docs and f'id="doc-{receipt.pk}"' not in docs
    # A picker names records by reference and says which one was corrected.
    field = next(f for f in CATALOGUE["service_receipt"].fields if f.type == "document")
    labels = dict(_context_choices(field, open_case))
    assert labels[notice.pk] == notice.reference and "#" not in labels[notice.pk]


def test_it_shows_a_record_field_pointing_at_a_record_by_that_record_s_name(
    open_case, personas, evidence_store
):
    notice = make(open_case, personas, "rights_notice")
    receipt = make(open_case, personas, "service_receipt", document=notice.pk)
    page = client_for("wang").get(f"/cases/{open_case.pk}/section/timeline/").content.decode()
    shown = page[page.index(f'id="record-{receipt.pk}"') :]
    assert notice.reference in shown and f"#{notice.pk}<" not in shown
    # Read by itself (the approval page, the 文书), the record names it too.
    assert (
        dict(receipt.shown_fields(personal=False))[
            next(f.label for f in receipt.doc.fields if f.type == "document")
        ]
        == notice.reference
    )
