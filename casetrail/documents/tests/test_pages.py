"""What every page of a 文书 carries, read back from the issued PDF: a multi-page 笔录 has
"第 X 页 共 Y 页" and the signature line on each page (read back and signed page by page, 第十一、
十二条), every page has the verification line and its QR code; and an issued PDF is never
rendered again — issuing twice hands back the first, byte for byte, after a template change."""

from __future__ import annotations

import io
import re
from typing import Any

import pikepdf
import pytest
from PIL import Image
from pypdf import PdfReader

from casetrail.compliance.tests.builders import make
from casetrail.conftest import client_for
from casetrail.documents import actions, render
from casetrail.documents.issuing import issue
from casetrail.documents.tests.test_issue import pdf_of

# An interview long enough for several pages: questions and answers, as a 询问笔录 runs.
SAID = "\n".join(
    f"问：第{n}个问题，请说明当日收住老年人的情况及备案手续的办理经过。\n"
    f"答：当日共收住老年人十二名，备案材料尚未提交民政部门，原因是负责人外出未归，特此说明。"
    for n in range(1, 41)
)


@pytest.fixture
def minutes(open_case: Any, personas: dict[str, Any], evidence_store: Any) -> Any:
    record = make(open_case, personas, "interview_record", content=SAID)
    document, new = issue(record=record, officer=personas["zhang"])
    assert new
    return document


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _page_images(page: Any) -> list[Any]:
    """The images drawn on the page itself (the seal sits in its signature's appearance)."""
    xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
    return [
        pikepdf.PdfImage(obj) for _name, obj in xobjects.items() if obj.get("/Subtype") == "/Image"
    ]


def _decode(image: Image.Image) -> str | None:
    """The QR code's text where a decoder is installed (pyzbar, zxingcpp), else None."""
    try:
        import zxingcpp  # type: ignore[import-not-found]

        results = zxingcpp.read_barcodes(image)
        return results[0].text if results else ""
    except ImportError:
        pass
    try:
        from pyzbar.pyzbar import decode  # type: ignore[import-not-found]

        results = decode(image)
        return results[0].data.decode() if results else ""
    except ImportError:
        return None


def test_it_carries_page_numbers_signature_verification_and_qr_on_every_page(minutes):
    data = pdf_of(minutes)
    texts = _pages(data)
    total = len(texts)
    assert total >= 2 and minutes.pages == total
    code = minutes.code
    for number, text in enumerate(texts, start=1):
        flat = re.sub(r"\s+", " ", text)
        assert f"第 {number} 页 共 {total} 页" in flat, (number, flat[-200:])
        assert "：＿＿＿＿＿＿" in flat, (number, flat[-200:])  # the signature line
        assert "核验：机关代码" in flat and minutes.agency.credit_code in flat
        assert f"账本序号 {minutes.record_seq}" in flat and f"SM3 {code}" in flat
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            images = _page_images(page)
            squares = [im for im in images if im.width == im.height]
            assert squares, f"page {number} has no QR code"
            decoded = _decode(squares[0].as_pil_image().convert("L"))
            if decoded is not None:
                assert decoded.startswith("CT1|") and decoded.endswith(f"|{code}")
                assert f"|{minutes.record_seq}|" in decoded


def test_it_never_renders_an_issued_pdf_again(minutes, personas, monkeypatch):
    before = pdf_of(minutes)
    renders: list[Any] = []
    changed = render.render_to_string

    def template_changed(*args: Any, **kwargs: Any) -> str:
        return changed(*args, **kwargs).replace("</body>", "<p>模板已修改</p></body>")

    def counting(content: Any) -> Any:
        renders.append(content)
        return render.render(content)

    monkeypatch.setattr(render, "render_to_string", template_changed)
    monkeypatch.setattr(actions, "render", counting)
    again, new = issue(record=minutes.record, officer=personas["li"])
    assert not new and again.pk == minutes.pk and again.blob_id == minutes.blob_id
    assert renders == []
    assert pdf_of(again) == before
    response = client_for("zhang").get(f"/documents/{minutes.pk}/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == (
        before
    )
