"""Each kind of redaction checked by extraction: no text left under a PDF box (and the other pages
as they were), photo pixels changed only in the region, a record's personal parts gone from its
rendered copy; through the action, the original never touched and the derived file ledgered with
its original's digests."""

from __future__ import annotations

import io
import json
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader

from casetrail.access.redaction import Box, parse_boxes, redact_image, redact_pdf
from casetrail.access.tests.conftest import approved, photo
from casetrail.conftest import client_for
from casetrail.documents.models import IssuedDocument
from casetrail.evidence.storage import blob_store
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError


def two_pages() -> bytes:
    from weasyprint import HTML

    html = (
        "<html><body style='font-size:20pt'><p>SECRET-ALPHA public-beta</p>"
        "<p style='page-break-before:always'>PAGE-TWO-TEXT</p></body></html>"
    )
    return bytes(HTML(string=html).write_pdf())


def box_of(pdf: bytes, word: str) -> Box:
    """Where ``word`` is on page 1, in points from the top left."""
    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    height = page.get_height()
    text = page.get_textpage()
    search = text.search(word)
    index, count = search.get_next()
    boxes = [text.get_charbox(i) for i in range(index, index + count)]
    left, bottom = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, top = max(b[2] for b in boxes), max(b[3] for b in boxes)
    doc.close()
    return Box(1, left - 2, height - top - 2, right + 2, height - bottom + 2)


def text_of_page(pdf: bytes, index: int) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[index].extract_text() or ""


def test_it_leaves_no_text_under_a_pdf_box():
    original = two_pages()
    assert "SECRET-ALPHA" in text_of_page(original, 0)
    box = box_of(original, "SECRET-ALPHA")
    redacted = redact_pdf(original, [box])
    assert "SECRET-ALPHA" not in text_of_page(redacted, 0)
    assert "SECRET-ALPHA" not in "".join(
        pdfium.PdfDocument(redacted)[0].get_textpage().get_text_range() for _ in [0]
    )
    assert "PAGE-TWO-TEXT" in text_of_page(redacted, 1)  # a page without a box stays text
    # The box is black where it was drawn.
    image = pdfium.PdfDocument(redacted)[0].render(scale=1).to_pil().convert("RGB")
    cx, cy = int((box.x0 + box.x1) / 2), int((box.y0 + box.y1) / 2)
    assert image.getpixel((cx, cy)) == (0, 0, 0)
    assert len(PdfReader(io.BytesIO(redacted)).pages) == 2


def test_it_changes_photo_pixels_only_in_the_region():
    source = Image.new("RGB", (60, 40))
    for x in range(60):
        for y in range(40):
            source.putpixel((x, y), (x * 4, y * 6, 128))
    exif = Image.Exif()
    exif[0x0132] = "2026:11:30 09:00:00"
    buffer = io.BytesIO()
    source.save(buffer, "PNG", exif=exif)
    data, media_type = redact_image(buffer.getvalue(), [Box(0, 10, 5, 30, 25)])
    assert media_type == "image/png"
    out = Image.open(io.BytesIO(data))
    assert not out.getexif()
    for x in range(60):
        for y in range(40):
            inside = 10 <= x < 30 and 5 <= y < 25
            expected = (0, 0, 0) if inside else source.getpixel((x, y))
            assert out.getpixel((x, y)) == expected, (x, y)


@pytest.mark.parametrize(
    "raw",
    ["", "1 2 3", "0 1 1 2 2", "1 5 5 4 4", [{"page": 1, "x0": "a"}], "1,1,1,2,2\n" * 51],
)
def test_it_refuses_regions_that_are_not_boxes(raw):
    with pytest.raises(ActionError) as err:
        parse_boxes(raw, pdf=True)
    assert err.value.code in ("regions_required", "invalid_region", "too_many_regions")


def test_it_redacts_a_pdf_and_a_photo_through_the_action(copy_case, personas):
    """The issued decision with a box, the scene photo with a region: derived blobs, the
    originals unchanged, each ledgered with its original's digests and entry."""
    case = copy_case
    picture = photo(case, personas["zhang"])
    document = IssuedDocument.objects.get(case=case)
    original_pdf = b"".join(blob_store().iter_bytes(document.blob.sha256))
    copy = approved(
        case,
        personas,
        [
            {"kind": "document", "id": document.pk, "proposed": "redacted"},
            {"kind": "media", "id": picture.pk, "proposed": "redacted"},
        ],
    )
    zhang = client_for("zhang")
    pdf_item = copy.items.get(kind="document")
    party_id = case.parties.first().id_number
    assert party_id in "".join(
        p.extract_text() or "" for p in PdfReader(io.BytesIO(original_pdf)).pages
    )
    r = zhang.post(
        f"/api/copies/{copy.pk}/items/{pdf_item.pk}/redaction/",
        {"reason": "第三十三条", "regions": [{"page": 1, "x0": 0, "y0": 0, "x1": 595, "y1": 420}]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    derived = b"".join(blob_store().iter_bytes(r.json()["sha256"]))
    assert party_id not in text_of_page(derived, 0)
    assert b"".join(blob_store().iter_bytes(document.blob.sha256)) == original_pdf
    entry = json.loads(LedgerEntry.objects.get(subject=f"redaction:{r.json()['id']}").canonical)
    assert entry["payload"]["original"]["sha256"] == document.blob.sha256

    photo_item = copy.items.get(kind="media")
    r = zhang.post(
        f"/api/copies/{copy.pk}/items/{photo_item.pk}/redaction/",
        {"reason": "第三十三条", "regions": [{"x0": 0, "y0": 0, "x1": 40, "y1": 30}]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    image = Image.open(io.BytesIO(b"".join(blob_store().iter_bytes(r.json()["sha256"]))))
    assert image.getpixel((5, 5)) == (0, 0, 0) and image.getpixel((100, 70)) == (200, 200, 200)
    off = zhang.post(
        f"/api/copies/{copy.pk}/items/{photo_item.pk}/redaction/",
        {"reason": "第三十三条", "regions": [{"x0": 0, "y0": 0, "x1": 400, "y1": 30}]},
        content_type="application/json",
    )
    assert off.status_code == 400 and off.json()["code"] == "invalid_region"


def clip_with_sound() -> bytes:
    """Two seconds: a grey 64×48 picture at 10 frames a second and a 440 Hz tone at 8 kHz."""
    import math
    import struct
    from fractions import Fraction

    import av

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        video = out.add_stream("mpeg4", rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = out.add_stream("aac", rate=8000)
        audio.layout = "mono"
        for i in range(20):
            frame = av.VideoFrame.from_image(Image.new("RGB", (64, 48), (200, 200, 200)))
            frame.pts, frame.time_base = i, Fraction(1, 10)
            for packet in video.encode(frame):
                out.mux(packet)
        n = 1024
        for k in range(16):
            tone = [0.5 * math.sin(2 * math.pi * 440 * (k * n + i) / 8000) for i in range(n)]
            frame = av.AudioFrame(format="fltp", layout="mono", samples=n)
            frame.planes[0].update(struct.pack(f"<{n}f", *tone))
            frame.sample_rate, frame.pts, frame.time_base = 8000, k * n, Fraction(1, 8000)
            for packet in audio.encode(frame):
                out.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode():
                out.mux(packet)
    return buf.getvalue()


def frames_and_levels(
    data: bytes,
) -> tuple[list[tuple[float, Any, Any]], list[tuple[float, float, float]], Any]:
    import struct

    import av

    with av.open(io.BytesIO(data)) as c:
        duration = (c.streams.video[0].duration * c.streams.video[0].time_base, c.duration)
        frames = []
        for f in c.decode(video=0):
            image = f.to_image()
            frames.append(
                (float(f.pts * f.time_base), image.getpixel((5, 5)), image.getpixel((50, 40)))
            )
    with av.open(io.BytesIO(data)) as c:
        levels = []
        for f in c.decode(audio=0):
            start = float(f.pts * f.time_base)
            values = struct.unpack(f"<{f.samples}f", bytes(f.planes[0])[: 4 * f.samples])
            levels.append((start, start + f.samples / f.sample_rate, max(abs(v) for v in values)))
    return frames, levels, duration


def test_it_blacks_out_a_region_over_time_and_mutes_a_segment_keeping_length_and_times():
    from casetrail.access.av_redaction import parse_av, redact_av

    original = clip_with_sound()
    regions, mutes = parse_av(
        {
            "regions": [{"x0": 0, "y0": 0, "x1": 32, "y1": 24, "t0": 0.5, "t1": 1.5}],
            "mute": [{"t0": 0.5, "t1": 1.0}],
        }
    )
    redacted = redact_av(original, regions, mutes)
    before, loud, length = frames_and_levels(original)
    after, quiet, redacted_length = frames_and_levels(redacted)
    assert redacted_length == length  # same duration, same time base
    assert [t for t, _, _ in after] == [t for t, _, _ in before]  # every frame at its time
    for t, inside, outside in after:
        assert outside == (200, 200, 200)
        assert inside == ((0, 0, 0) if 0.5 <= t < 1.5 else (200, 200, 200)), t
    assert [(a, b) for a, b, _ in quiet] == [(a, b) for a, b, _ in loud]
    for start, end, level in quiet:
        if start >= 0.5 and end <= 1.0:
            assert level < 0.01, start  # silent in the segment
        elif end <= 0.5 or start >= 1.0:
            assert level > 0.3, start  # the tone elsewhere


def test_it_refuses_av_regions_that_are_not_regions():
    from casetrail.access.av_redaction import parse_av

    for raw in (
        {},
        {"regions": [{"x0": 5, "y0": 0, "x1": 1, "y1": 9}]},
        {"mute": [{"t0": 2, "t1": 1}]},
    ):
        with pytest.raises(ActionError) as err:
            parse_av(raw)
        assert err.value.code in ("regions_required", "invalid_region")


def test_it_redacts_a_video_through_the_action(copy_case, personas):
    from casetrail.evidence.models import Item

    case = copy_case
    video = Item.objects.filter(link__case=case, kind="video").first()
    copy = approved(case, personas, [{"kind": "media", "id": video.pk, "proposed": "redacted"}])
    (item,) = copy.items.all()
    r = client_for("zhang").post(
        f"/api/copies/{copy.pk}/items/{item.pk}/redaction/",
        {"reason": "第三十三条", "regions": {"regions": [{"x0": 0, "y0": 0, "x1": 32, "y1": 24}]}},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["method"] == "av"
    original = b"".join(blob_store().iter_bytes(video.blob.sha256))
    derived = b"".join(blob_store().iter_bytes(r.json()["sha256"]))
    import av

    with av.open(io.BytesIO(original)) as a, av.open(io.BytesIO(derived)) as b:
        sa, sb = a.streams.video[0], b.streams.video[0]
        assert sa.duration * sa.time_base == sb.duration * sb.time_base
        first = next(b.decode(video=0)).to_image()
        assert first.getpixel((4, 4)) == (0, 0, 0)


def test_it_reads_av_parts_from_the_forms_lines():
    from casetrail.access.av_redaction import parse_av

    regions, mutes = parse_av("0 0 32 24 0.5 1.5\n0.5，1.0\n")
    assert [(r.x0, r.y1, r.span.t0, r.span.t1) for r in regions] == [(0, 24, 0.5, 1.5)]
    assert [(m.t0, m.t1) for m in mutes] == [(0.5, 1.0)]
    with pytest.raises(ActionError):
        parse_av("1 2 3")
