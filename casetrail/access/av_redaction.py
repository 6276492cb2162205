"""Redaction of audio/video (第三十三条): regions of the picture blacked out over a time range, and
segments of the sound muted, by decoding and re-encoding with PyAV (FFmpeg). Every frame keeps its
presentation time and the streams keep their time bases, so the redacted file is as long as the
original and a moment in it is the same moment in the original; frames outside every range are
re-encoded unchanged in content (the picture codec's loss aside).

Regions: ``{x0, y0, x1, y1, t0, t1}`` — pixels from the top left, seconds from the start (a
region without times covers the whole file). Mutes: ``{t0, t1}`` in seconds.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from casetrail.lib.errors import ActionError

MAX_PARTS = 50


@dataclass(frozen=True)
class Span:
    t0: float
    t1: float

    def covers(self, t: float) -> bool:
        return self.t0 <= t < self.t1


@dataclass(frozen=True)
class Region:
    x0: int
    y0: int
    x1: int
    y1: int
    span: Span


def _number(raw: Any, n: int, what: str) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ActionError("invalid_region", f"第{n}个{what}格式不对", field="regions") from None
    if not math.isfinite(value) or value < 0:
        raise ActionError("invalid_region", f"第{n}个{what}数值无效", field="regions")
    return value


def parse_av(raw: Any) -> tuple[list[Region], list[Span]]:
    """``{"regions": [...], "mute": [...]}`` (API) into regions and muted spans. Refused: nothing
    to do, too many, not numbers, empty or inverted rectangles or spans."""
    if isinstance(raw, str):
        raw = _from_lines(raw)
    raw = raw if isinstance(raw, dict) else {}
    regions_raw = raw.get("regions") or []
    mute_raw = raw.get("mute") or []
    if not isinstance(regions_raw, list) or not isinstance(mute_raw, list):
        raise ActionError("invalid_region", "regions 和 mute 应为列表", field="regions")
    if not regions_raw and not mute_raw:
        raise ActionError(
            "regions_required",
            "请给出要遮挡的画面区域（regions）或要静音的时段（mute）",
            field="regions",
        )
    if len(regions_raw) + len(mute_raw) > MAX_PARTS:
        raise ActionError(
            "too_many_regions", f"区域和时段合计不得超过{MAX_PARTS}个", field="regions"
        )
    regions = []
    for n, r in enumerate(regions_raw, 1):
        r = r if isinstance(r, dict) else {}
        x0, y0, x1, y1 = (int(_number(r.get(k), n, "区域")) for k in ("x0", "y0", "x1", "y1"))
        t0 = _number(r.get("t0", 0), n, "区域")
        t1 = _number(r.get("t1", 1e9), n, "区域")
        if x1 <= x0 or y1 <= y0 or t1 <= t0:
            raise ActionError("invalid_region", f"第{n}个区域为空或颠倒", field="regions")
        regions.append(Region(x0, y0, x1, y1, Span(t0, t1)))
    spans = []
    for n, m in enumerate(mute_raw, 1):
        m = m if isinstance(m, dict) else {}
        t0, t1 = _number(m.get("t0"), n, "静音时段"), _number(m.get("t1"), n, "静音时段")
        if t1 <= t0:
            raise ActionError("invalid_region", f"第{n}个静音时段为空或颠倒", field="regions")
        spans.append(Span(t0, t1))
    return regions, spans


def _from_lines(text: str) -> dict[str, list[dict[str, str]]]:
    """The form's text: one part a line — ``x0 y0 x1 y1 t0 t1`` a region (pixels, seconds), ``t0
    t1`` a muted segment (seconds); commas or spaces."""
    out: dict[str, list[dict[str, str]]] = {"regions": [], "mute": []}
    for line in text.splitlines():
        parts = line.replace("，", ",").replace(",", " ").split()
        if len(parts) == 6:
            out["regions"].append(
                dict(zip(("x0", "y0", "x1", "y1", "t0", "t1"), parts, strict=True))
            )
        elif len(parts) == 2:
            out["mute"].append(dict(zip(("t0", "t1"), parts, strict=True)))
        elif parts:
            raise ActionError(
                "invalid_region",
                "音像每行一项：画面区域“x0 y0 x1 y1 起秒 止秒”，或静音时段“起秒 止秒”",
                field="regions",
            )
    return out


def _seconds(pts: int | None, time_base: Fraction | None) -> float:
    return float(pts * time_base) if pts is not None and time_base is not None else 0.0


def redact_av(data: bytes, regions: list[Region], mutes: list[Span]) -> bytes:
    """The file re-encoded with the regions blacked out and the spans muted (MP4: H.264 video,
    AAC audio), every frame at its original time."""
    import av
    from PIL import ImageDraw

    # PyAV's stubs type a stream's codec context by its base class: the streams are read as Any.
    source: Any
    try:
        source = av.open(io.BytesIO(data))
    except av.error.FFmpegError:
        raise ActionError("not_a_media_file", "原件不是可读取的音像文件") from None
    out_buffer = io.BytesIO()
    with source, av.open(out_buffer, "w", format="mp4") as out:
        pairs: dict[int, tuple[Any, Any]] = {}
        s: Any
        o: Any
        for s in source.streams:
            if s.type == "video":
                o = out.add_stream("libx264", rate=s.average_rate or 25)
                o.width, o.height, o.pix_fmt = (
                    s.codec_context.width,
                    s.codec_context.height,
                    "yuv420p",
                )
                o.time_base = s.time_base
                o.options = {"crf": "18"}
                pairs[s.index] = (s, o)
            elif s.type == "audio":
                o = out.add_stream("aac", rate=s.codec_context.sample_rate)
                o.layout = s.codec_context.layout.name
                o.time_base = Fraction(1, s.codec_context.sample_rate)
                pairs[s.index] = (s, o)
        if not pairs:
            raise ActionError("not_a_media_file", "原件中没有音频或视频")
        for frame in source.decode(*[s for s, _ in pairs.values()]):
            if isinstance(frame, av.VideoFrame):
                t = _seconds(frame.pts, frame.time_base)
                boxes = [r for r in regions if r.span.covers(t)]
                if boxes:
                    image = frame.to_image()
                    draw = ImageDraw.Draw(image)
                    for r in boxes:
                        draw.rectangle([r.x0, r.y0, r.x1 - 1, r.y1 - 1], fill=(0, 0, 0))
                    new = av.VideoFrame.from_image(image).reformat(format="yuv420p")
                else:
                    new = frame.reformat(format="yuv420p")
                new.pts, new.time_base = frame.pts, frame.time_base
                target = pairs[_index_of(frame, pairs, "video")][1]
            else:
                new = _muted(frame, mutes)
                target = pairs[_index_of(frame, pairs, "audio")][1]
            for packet in target.encode(new):
                out.mux(packet)
        for _s, o in pairs.values():
            for packet in o.encode():
                out.mux(packet)
    return out_buffer.getvalue()


def _index_of(frame: Any, pairs: dict[int, tuple[Any, Any]], kind: str) -> int:
    """The input stream a decoded frame came from (the first of its kind: one of each is read)."""
    return next(i for i, (s, _o) in pairs.items() if s.type == kind)


def _muted(frame: Any, mutes: list[Span]) -> Any:
    """The audio frame with the samples inside any muted span set to silence (zero bytes are
    silence for the float and signed integer sample formats decoders give)."""
    rate = frame.sample_rate
    start = frame.pts if frame.pts is not None else 0
    first = _seconds(start, frame.time_base)
    n = frame.samples
    silent = [False] * n
    for span in mutes:
        lo = max(0, int((span.t0 - first) * rate))
        hi = min(n, int((span.t1 - first) * rate + 0.999))
        for i in range(lo, hi):
            silent[i] = True
    if not any(silent):
        frame.pts = int(first * rate)
        frame.time_base = Fraction(1, rate)
        return frame
    width = frame.format.bytes
    planar = frame.format.is_planar
    channels = len(frame.layout.channels)
    for plane in frame.planes:
        buf = bytearray(bytes(plane))
        step = width if planar else width * channels
        for i, quiet in enumerate(silent):
            if quiet:
                buf[i * step : (i + 1) * step] = bytes(step)
        plane.update(bytes(buf))
    frame.pts = int(first * rate)
    frame.time_base = Fraction(1, rate)
    return frame
