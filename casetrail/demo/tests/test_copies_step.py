"""The demo's fulfilled 调用单 (issue 13 item 8): a party's agent gets the decision, the redacted
询问笔录 and a video; the link downloads a bag whose 笔录 carries no personal part; loaded once."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from pypdf import PdfReader

from casetrail.access.models import CopyReceipt, CopyRequest, Redaction
from casetrail.cases.models import Case
from casetrail.conftest import client_for
from casetrail.demo.copies import load_copies
from casetrail.demo.documents import issue_demo_documents
from casetrail.demo.stories import ORDINARY_TITLE, load_demo_cases
from casetrail.ledger.verify import verify


def test_it_fulfils_one_copy_request_a_newcomer_can_download(
    personas: Any, evidence_store: Any, settings: Any, tmp_path: Any
) -> None:
    settings.CASETRAIL_COPY_DIR = tmp_path / "copies"
    titles = [c.title for c in load_demo_cases(personas)]
    cases = list(Case.objects.filter(title__in=titles))
    issue_demo_documents(personas, cases)
    ordinary = Case.objects.get(title=ORDINARY_TITLE)
    line = load_copies(personas, ordinary)
    copy = CopyRequest.objects.get(case=ordinary)
    assert copy.chain.status == "approved"
    assert Redaction.objects.filter(item__request=copy).count() == 1
    path = line.split("下载链接 ", 1)[1].split("（", 1)[0]
    got = client_for(None).get(path)
    assert got.status_code == 200
    z = zipfile.ZipFile(io.BytesIO(b"".join(got.streaming_content)))
    names = z.namelist()
    described = json.loads(z.read(next(n for n in names if n.endswith("data/copy.json"))))
    assert [i["disposition"] for i in described["items"]] == ["given", "redacted", "given"]
    redacted = next(i for i in described["items"] if i["disposition"] == "redacted")
    top = names[0].split("/", 1)[0]
    pdf = z.read(f"{top}/{redacted['file']['path']}")
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "钱某" in text and "140524197806153016" not in text and "13903561234" not in text
    assert any(n.endswith(".mp4") for n in names)
    # What a newcomer runs on it offline: casetrail-verify passes it.
    from casetrail_verify.package import check_package

    z.extractall(tmp_path / "got")
    report = check_package(tmp_path / "got" / top)
    assert report.ok, [f.__dict__ for f in report.findings]
    assert CopyReceipt.objects.filter(package__request=copy).count() == 1
    assert load_copies(personas, ordinary).startswith(f"调用：{copy.number} 已办结")
    assert CopyRequest.objects.count() == 1
    assert verify().intact
