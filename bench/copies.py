"""Copies benchmark (issue 13): the costly steps of a copy package against same-run references,
in one process, no database:

* PDF redaction — a 10-page PDF with a box on every other page (those pages rasterised at 150 dpi
  by PDFium, boxes burned in) against copying the same PDF page by page with pypdf;
* watermark — the per-recipient stamp merged over every page (an incremental update) against the
  same pypdf copy;
* audio/video redaction — a 10-second 640×360 clip with sound, a region blacked out over 4 s and
  2 s muted, against re-encoding the same clip with no region in force (the bare transcode);

and reports each one's best-of-three time, its ratio to its reference, and the process's peak resident memory.

    .venv/bin/python bench/copies.py
    .venv/bin/python bench/copies.py --seconds 5
"""

from __future__ import annotations

import argparse
import io
import math
import os
import resource
import struct
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.settings")


def ten_pages() -> bytes:
    from weasyprint import HTML

    from casetrail.documents.fonts import faces

    regular, _ = faces()
    body = "".join(
        f"<section style='page-break-after:always'><h1>第{n}页</h1>"
        + "<p>当事人钱某，身份证号140524197806153016，电话13903561234，住址陵川县崇文镇东街56号。</p>"
        * 20
        + "</section>"
        for n in range(1, 11)
    )
    html = f"<html><body style=\"font-family:'{regular.family}'\">{body}</body></html>"
    return bytes(HTML(string=html).write_pdf())


def clip(seconds: int) -> bytes:
    import av
    from PIL import Image

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 640, 360, "yuv420p"
        audio = out.add_stream("aac", rate=16000)
        audio.layout = "mono"
        for i in range(25 * seconds):
            frame = av.VideoFrame.from_image(Image.new("RGB", (640, 360), (i % 255, 90, 160)))
            frame.pts, frame.time_base = i, Fraction(1, 25)
            for packet in video.encode(frame):
                out.mux(packet)
        n = 1024
        for k in range(16000 * seconds // n):
            tone = [0.4 * math.sin(2 * math.pi * 440 * (k * n + j) / 16000) for j in range(n)]
            frame = av.AudioFrame(format="fltp", layout="mono", samples=n)
            frame.planes[0].update(struct.pack(f"<{n}f", *tone))
            frame.sample_rate, frame.pts, frame.time_base = 16000, k * n, Fraction(1, 16000)
            for packet in audio.encode(frame):
                out.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode():
                out.mux(packet)
    return buf.getvalue()


def timed(fn, *args, runs: int = 3):  # type: ignore[no-untyped-def]
    """The best of ``runs`` (the first run pays for imports and caches)."""
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def pypdf_copy(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(data)).pages:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from casetrail.access.av_redaction import Region, Span, redact_av
    from casetrail.access.redaction import Box, redact_pdf
    from casetrail.access.watermark import watermark_pdf

    pdf = ten_pages()
    boxes = [Box(p, 50, 100, 500, 300) for p in range(1, 11, 2)]
    t_ref, _ = timed(pypdf_copy, pdf)
    t_red, red = timed(redact_pdf, pdf, boxes)
    t_mark, _ = timed(watermark_pdf, pdf, "仅供李某律师使用 · 调用〔2026〕1号 · 2026-11-30")
    print(f"PDF 10 pages ({len(pdf) / 1e6:.2f} MB): pypdf copy {t_ref:.3f} s")
    print(
        f"  redact 5 pages: {t_red:.3f} s ({t_red / t_ref:.1f}× the copy), {len(red) / 1e6:.2f} MB"
    )
    print(f"  watermark every page: {t_mark:.3f} s ({t_mark / t_ref:.1f}× the copy)")

    media = clip(args.seconds)
    idle = [Region(0, 0, 1, 1, Span(1e8, 1e8 + 1))]  # a region never in force: the bare transcode
    t_plain, _ = timed(redact_av, media, idle, [])
    region = [Region(100, 50, 400, 250, Span(2, 6))]
    t_av, _ = timed(redact_av, media, region, [Span(3, 5)])
    print(
        f"Clip {args.seconds} s 640×360 with sound ({len(media) / 1e6:.2f} MB): transcode {t_plain:.2f} s"
    )
    print(f"  region over 4 s + 2 s muted: {t_av:.2f} s ({t_av / t_plain:.2f}× the transcode)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
