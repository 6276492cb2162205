"""Printing a case's documents together (one PDF, a bookmark per document), and the links beside
each record and beside the case."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from casetrail.compliance.tests.builders import make
from casetrail.conftest import client_for
from casetrail.documents.issuing import issue
from casetrail.documents.models import IssuedDocument
from casetrail.records.links import record_links
from casetrail.records.models import Record


@pytest.fixture
def three(open_case, personas, evidence_store, patterns):
    """The start form, an 询问笔录 and a 权利告知书 of the case, issued in this order."""
    records = [
        open_case.records.get(kind="start_approval_form"),
        make(open_case, personas, "interview_record"),
        make(open_case, personas, "rights_notice", proposed_fine="500.00"),
    ]
    return [issue(record=r, officer=personas["zhang"])[0] for r in records]


def test_it_bundles_the_issued_documents_with_a_bookmark_each(three, open_case):
    response = client_for("zhang").get(f"/api/cases/{open_case.pk}/documents/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == sum(d.pages for d in three)
    # Top-level bookmarks, one a document (each document's own headings nest beneath its own).
    top = [item for item in reader.outline if not isinstance(item, list)]
    titles = [item.title for item in top]
    year = three[2].number_year
    assert titles == [
        "程序启动审批表",
        "询问笔录",
        f"行政处罚事先告知书（权利告知书） 陵民罚告〔{year}〕1号",
    ]
    assert [reader.get_destination_page_number(item) for item in top] == [
        0,
        three[0].pages,
        three[0].pages + three[1].pages,
    ]


@pytest.mark.parametrize(("who", "status"), [("zhang", 200), ("sun", 200), ("ma", 404)])
def test_it_prints_the_bundle_only_for_who_may_see_the_party(
    three, open_case, other_agency, who, status
):
    assert client_for(who).get(f"/cases/{open_case.pk}/documents/pdf/").status_code == status


def test_it_answers_404_for_a_case_without_issued_documents(start_form):
    response = client_for("zhang").get(f"/api/cases/{start_form.case_id}/documents/pdf/")
    assert response.status_code == 404 and response.json()["code"] == "no_documents"


def test_it_offers_print_and_scan_links_without_a_query_per_record(
    open_case, personas, evidence_store
):
    for _ in range(5):
        make(open_case, personas, "interview_record")
    zhang = personas["zhang"]
    records = list(open_case.records.all())
    with CaptureQueriesContext(connection) as queries:
        links = [record_links(r, zhang) for r in records]
    assert len(queries) <= 1
    interview = next(r for r in records if r.kind == "interview_record")
    titles = [title for _url, title in record_links(interview, zhang)]
    assert titles[0] == "打印"
    # The supervisor may print but does not handle the case: no 上传签字件.
    assert [t for _u, t in record_links(interview, personas["sun"])] == ["打印"]
    assert all(links)


def test_it_shows_print_links_on_the_case_page(three, open_case):
    # 打印 beside each record in the case page's 文书 section; 打印全部文书 among the case's steps.
    section = client_for("zhang").get(f"/cases/{open_case.pk}/section/documents/")
    assert section.status_code == 200
    assert f"/records/{three[1].record_id}/document/" in section.content.decode()
    overview = client_for("zhang").get(f"/cases/{open_case.pk}/")
    assert overview.status_code == 200
    assert f"/cases/{open_case.pk}/documents/pdf/" in overview.content.decode()
    assert IssuedDocument.objects.count() == 3


def test_it_asks_whether_the_viewer_handles_the_records_case_not_every_case_of_theirs(
    open_case, personas, evidence_store
):
    # Issue 18: a handler of a large agency is assigned to tens of thousands of cases; the 上传签字件
    # link asks about the record's case alone (one indexed query per case, none on the case page).
    make(open_case, personas, "interview_record")
    records = list(Record.objects.filter(case=open_case))  # their case not loaded with them
    zhang = personas["zhang"]
    with CaptureQueriesContext(connection) as queries:
        links = [record_links(r, zhang) for r in records]
    assigned = [q["sql"] for q in queries if '"cases_caseofficer"' in q["sql"]]
    assert len(assigned) == 1 and f'"case_id" = {open_case.pk}' in assigned[0]
    assert "上传签字件" in [t for one in links for _url, t in one]
