"""In Chromium against the real server (the fixtures of ``casetrail/cases/tests/test_browser.py``):
张承办 prints a decision — 签发 asks for a confirmation first, then the record's page gives the
sealed PDF with its 文号 — and records its 送达回证 from the signed paper's scan, after a file that is
no scan was refused. Skipped where Chromium is not installed (``.ci/run`` installs it)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from casetrail.cases.tests.test_browser import (  # noqa: F401  (fixtures: the server, the browser)
    REPO_ROOT,
    _log_in,
    browser,
    server,
)

# Other processes (a server, workers) keep the real clock: so does this test process.
pytestmark = pytest.mark.real_clock

# A case carried to 送达执行 through the actions (the builders of the decisions tests), its
# 行政执法决定书 approved and made but not issued: the demo's cases are all closed.
SETUP = """
from casetrail.conftest import approve_start, start_ex_officio
from casetrail.decisions.tests.builders import to_service
from casetrail.demo.personas import load_demo

personas = load_demo()
case = to_service(approve_start(start_ex_officio(personas), personas), personas)
print(case.records.get(kind="administrative_decision").pk)
"""


def _decision_in_service(running: dict[str, Any]) -> int:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{running['db']}",
        "CASETRAIL_VAR_DIR": str(running["tmp"]),
        "CASETRAIL_TASKS": "immediate",
        "CASETRAIL_TIME_ZONE": "Asia/Shanghai",
        "DJANGO_SETTINGS_MODULE": "casetrail.settings",
        "CASETRAIL_DEMO": "1",
    }
    code = "import django; django.setup()\n" + SETUP
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return int(done.stdout.strip().splitlines()[-1])


def _scan() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (250, 250, 245)).save(out, format="PNG")
    return out.getvalue()


def test_it_prints_a_decision_and_records_its_signed_receipt_from_the_scan(
    server: dict[str, Any],  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    base = server["url"]
    decision = _decision_in_service(server)
    context = browser.new_context()
    context.set_default_timeout(60_000)  # issuing renders and seals the PDF on a busy machine
    page = context.new_page()
    _log_in(page, base, "zhang")
    page.goto(f"{base}/records/{decision}/document/")
    page.get_by_role("button", name="签发并打印").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("请确认")
    page.get_by_role("button", name=re.compile("^确认签发")).click()
    number = page.locator("dl.fields dd").first
    expect(number).to_contain_text(re.compile(r"陵民罚决〔\d{4}〕\d+号"))
    doc_no = number.inner_text().strip()

    # 打印: the issued PDF, fetched in the officer's session (a PDF opens outside the page).
    href = page.get_by_role("link", name="打印（PDF）").get_attribute("href")
    pdf = page.request.get(base + str(href))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert doc_no in text.replace("\n", "") and "行政执法决定书" in text

    # 上传签字件 of the 送达回证: a file that is no scan is refused, the scan is recorded.
    receipt = page.locator("form[action$='/document/receipt/scan/']")
    receipt.locator("input[name=file]").set_input_files(
        files=[{"name": "回证.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"}]
    )
    receipt.get_by_label("受送达人").fill("周某")
    receipt.get_by_label("送达地点").fill("陵川县崇文镇某街12号")
    receipt.get_by_role("button", name="登记送达回证").click()
    expect(page.locator("#receipt .errorlist")).to_contain_text("PDF 文件或 JPEG、PNG 图片")
    receipt = page.locator("form[action$='/document/receipt/scan/']")
    receipt.locator("input[name=file]").set_input_files(
        files=[{"name": "回证.png", "mimeType": "image/png", "buffer": _scan()}]
    )
    receipt.get_by_role("button", name="登记送达回证").click()
    expect(page.locator("#receipt")).to_contain_text("附签收扫描件")
    expect(page.locator("#receipt")).to_contain_text("送达回证")
    context.close()
