"""Ledger entries follow their subject (issue 13, 第三十三条): the entries of an upload written
while it sat in no case — its bytes, its record — are read under the rule of the case it is
linked to later, through the one access function of entries. Before the link only the officer
who acted and the supervisors read them; after it, an officer who cannot see the case reads
neither the entry page nor its exact bytes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.conftest import client_for
from casetrail.evidence.actions import RecordInput, evidence_link, evidence_record_create
from casetrail.evidence.ingest import store_bytes
from casetrail.evidence.media import probe
from casetrail.evidence.models import Item
from casetrail.evidence.tests.media_files import make_video
from casetrail.ledger.models import LedgerEntry


def uploaded_for(uploader: Any, recorder: Any, folder: Path) -> Item:
    """A clip ``recorder`` filmed, uploaded by ``uploader`` into no case."""
    path = make_video(folder / "clip.mp4", created=timezone.now() - dt.timedelta(minutes=5))
    media = probe(path)
    blob = store_bytes(officer=uploader, data=path.read_bytes(), media_type=media.pop("media_type"))
    return evidence_record_create(
        officer=uploader,
        blob=blob,
        media=media,
        file_name="clip.mp4",
        data=RecordInput(kind="video", officer=recorder, informed="told", informed_how="口头告知"),
    )


def entry_urls(case: Case, item: Item) -> list[str]:
    code = case.agency.credit_code
    record = LedgerEntry.objects.get(subject=f"evidence:{item.pk}", action="evidence.record_create")
    blob = LedgerEntry.objects.get(subject=f"blob:{item.blob.sha256}")
    assert record.case_ref is None and blob.case_ref is None  # written before the link
    return [
        url
        for e in (record, blob)
        for url in (f"/ledger/{code}/entries/{e.seq}/", f"/api/ledgers/{code}/entries/{e.seq}")
    ]


def statuses(who: str, urls: list[str]) -> list[int]:
    client = client_for(who)
    return [client.get(url).status_code for url in urls]


def test_it_reads_an_uploads_entries_under_the_case_it_is_linked_to_later(
    open_case: Case, personas: dict[str, Any], evidence_store: Any
) -> None:
    # 刘档案 uploads a clip 张承办 recorded; it waits in no case.
    item = uploaded_for(personas["liu"], personas["zhang"], evidence_store)
    urls = entry_urls(open_case, item)
    assert statuses("liu", urls) == [200] * 4  # the officer who acted
    assert statuses("sun", urls) == [200] * 4  # the supervisor
    assert statuses("wang", urls) == [404] * 4
    # 张承办 puts it into his case, which 刘档案 cannot see (open, not his).
    evidence_link(item=item, case=open_case, officer=personas["zhang"])
    assert client_for("liu").get(f"/cases/{open_case.pk}/").status_code == 404
    assert statuses("liu", urls) == [404] * 4  # neither the page nor the exact bytes
    assert statuses("zhang", urls) == [200] * 4  # the case's handlers now read them
    # 王审核 reads the case (he reviewed its start) but not its personal data: the page, masked,
    # and not the bytes.
    assert statuses("wang", urls) == [200, 404, 200, 404]


@pytest.mark.behind_the_application
def test_it_keeps_a_secret_cases_upload_entries_from_the_supervisors_bytes(
    open_case: Case, personas: dict[str, Any], evidence_store: Any
) -> None:
    item = uploaded_for(personas["zhang"], personas["zhang"], evidence_store)
    urls = entry_urls(open_case, item)
    evidence_link(item=item, case=open_case, officer=personas["zhang"])
    Case.objects.filter(pk=open_case.pk).update(confidentiality="secret")
    assert statuses("sun", urls) == [200, 404, 200, 404]
