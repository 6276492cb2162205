"""The archive over HTTP as 刘档案 (custodian), 王审核 (unit head) and 孙监督 (supervisor), and who
may open or do what (a permission matrix per view and API)."""

from __future__ import annotations

import pytest

from casetrail.archive.models import CaseFile, FileStatus
from casetrail.archive.tests.builders import closed_case
from casetrail.cases.models import Stage
from casetrail.conftest import client_for
from casetrail.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def test_it_takes_a_case_to_archived_over_http(personas, evidence_store):
    case = closed_case(personas)
    liu, wang, sun = client_for("liu"), client_for("wang"), client_for("sun")

    # The closed case waits on the custodian's worklist with its 30-day deadline (第三十条).
    worklist = liu.get("/api/worklist/").json()
    waiting = [w for w in worklist["archive"] if w["case"] == case.pk]
    assert waiting and waiting[0]["state"] == "未立卷" and waiting[0]["due_at"]
    page = liu.get("/")
    assert "待立卷归档" in page.content.decode() and case.title in page.content.decode()

    r = liu.post(f"/api/cases/{case.pk}/archive/assemble/", {}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["file"]["status"] == "draft"
    r = liu.post(f"/api/cases/{case.pk}/archive/submit/", {}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "checks_failed"
    r = liu.post(f"/api/cases/{case.pk}/archive/check/", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["report"]["passed"], r.json()["report"]
    r = liu.post(
        f"/api/cases/{case.pk}/archive/submit/",
        {"opinion": "已立卷并通过四性检测"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["file"]["status"] == "submitted"
    chain = r.json()["file"]["chain"]

    # 王审核 finds it among his approvals and confirms completeness.
    assert any(c["id"] == chain for c in wang.get("/api/approvals/").json())
    r = wang.post(
        f"/api/approvals/{chain}/decide/",
        {"outcome": "approve", "opinion": "案卷完整，同意归档"},
        content_type="application/json",
    )
    assert r.status_code in (200, 201), r.content
    case.refresh_from_db()
    assert case.stage == Stage.ARCHIVED
    f = CaseFile.objects.get(case=case, status=FileStatus.ARCHIVED)

    r = liu.post(f"/api/cases/{case.pk}/archive/package/", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["package"]["sha256"]
    r = liu.post(
        f"/api/cases/{case.pk}/archive/transfer/",
        {"receiver": "陵川县档案馆", "receiver_person": "周馆员"},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert r.json()["package"]["transfers"][0]["receiver"] == "陵川县档案馆"
    assert LedgerEntry.objects.filter(action="archive.transfer").count() == 1
    r = liu.post(
        f"/api/cases/{case.pk}/archive/use/",
        {
            "kind": "borrow",
            "user_name": "李承办",
            "purpose": "行政复议答辩",
            "approved_by": "赵局长",
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "due_back_required"
    r = liu.post(
        f"/cases/{case.pk}/archive/uses/",
        {"kind": "read", "user_name": "孙监督", "purpose": "案卷评查", "approved_by": "赵局长"},
    )
    assert r.status_code == 302
    assert r.url == f"/cases/{case.pk}/archive/"
    assert sun.get(f"/api/cases/{case.pk}/archive/").json()["uses"][0]["kind"] == "read"

    # 孙监督 reads the archived file, its report and downloads its PDF and package.
    r = sun.get(f"/api/cases/{case.pk}/archive/")
    assert r.status_code == 200 and r.json()["file"]["status"] == "archived"
    assert sun.get(f"/archive/files/{f.pk}/pdf/").status_code == 200
    package_id = r.json()["package"]["id"]
    download = sun.get(f"/archive/packages/{package_id}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/x-tar"
    html = sun.get(f"/cases/{case.pk}/archive/").content.decode()
    assert f.archive_code in html and "四性检测报告" in html
    detail = liu.get(f"/cases/{case.pk}/")
    assert detail.status_code == 200 and f.archive_code in detail.content.decode()
    assert f"/cases/{case.pk}/archive/" in detail.content.decode()  # the 案卷 line links it
    # Off the worklist once archived; the 30-day deadline is met.
    assert not [w for w in liu.get("/api/worklist/").json()["archive"] if w["case"] == case.pk]


MATRIX = {
    # persona: (case archive page, API read, API assemble, PDF download)
    "zhang": (200, 200, 403, 200),
    "li": (200, 200, 403, 200),
    "liu": (200, 200, 200, 200),
    "sun": (200, 200, 403, 200),
    "zhao": (200, 200, 403, 403),
    "chen": (404, 404, 404, 404),
    "admin": (404, 404, 404, 404),
}


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_it_lets_each_persona_do_what_their_role_allows(
    who, personas, evidence_store, other_agency
):
    case = closed_case(personas)
    from casetrail.archive.actions import archive_assemble

    f = archive_assemble(case=case, officer=personas["liu"])
    page, read, assemble, pdf = MATRIX[who]
    client = client_for(who)
    assert client.get(f"/cases/{case.pk}/archive/").status_code == page
    assert client.get(f"/api/cases/{case.pk}/archive/").status_code == read
    r = client.post(f"/api/cases/{case.pk}/archive/assemble/", {}, content_type="application/json")
    assert r.status_code == assemble, r.content
    if r.status_code >= 400 and r["Content-Type"].startswith("application/json"):
        assert r.json()["code"]
    assert client.get(f"/archive/files/{f.pk}/pdf/").status_code == pdf
    # Another agency's officer never learns the file exists.
    assert client_for("ma").get(f"/api/cases/{case.pk}/archive/").status_code == 404


def test_it_answers_anonymous_requests_without_revealing_anything(personas):
    client = client_for(None)
    assert client.get("/api/cases/1/archive/").status_code in (401, 403)
    assert client.get("/archive/").status_code == 302


def test_it_takes_an_attachment_with_its_reason_on_the_page(personas, evidence_store):
    import io

    import pikepdf
    from django.core.files.uploadedfile import SimpleUploadedFile

    from casetrail.archive.selectors import current_file_of

    case = closed_case(personas)
    liu = client_for("liu")
    assert liu.post(f"/cases/{case.pk}/archive/assemble/").status_code == 302
    buf = io.BytesIO()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(buf)
    form = {
        "title": "现场示意图（纸质扫描）",
        "responsible": "张承办",
        "date": "2026-11-30",
        "reason": "纸质材料扫描件，系统外形成",
    }
    upload = SimpleUploadedFile("scan.pdf", buf.getvalue(), content_type="application/pdf")
    r = liu.post(f"/cases/{case.pk}/archive/attach/", {**form, "file": upload})
    assert r.status_code == 302
    f = current_file_of(case)
    assert f.version == 2 and f.items.filter(kind="attachment", reason=form["reason"]).exists()
    not_pdf = SimpleUploadedFile("x.pdf", b"hello", content_type="application/pdf")
    r = liu.post(f"/cases/{case.pk}/archive/attach/", {**form, "file": not_pdf})
    assert r.status_code == 400 and "PDF" in r.content.decode()
    assert current_file_of(case).version == 2
