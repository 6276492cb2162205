"""Generated media for the demo cases: photos, scans, a PDF, signatures and the seal (Pillow), and
one-second video and audio clips (PyAV) that stand in for field media. Each is real bytes of its
format, different for every seed, so every blob of the demo is distinct."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import struct
from typing import Any, cast


def _rgb(seed: int, shift: int = 0) -> tuple[int, int, int]:
    return ((seed * 73 + shift) % 200 + 30, (seed * 151 + shift * 3) % 200 + 30, (seed * 29) % 200)


def _pattern(draw: Any, seed: int, x: int, y: int, cell: int = 3) -> None:
    """A strip of 40 dark or light cells spelling ``seed``: generated media never repeat, so
    content addressing keeps each as its own blob."""
    for bit in range(40):
        shade = (20, 20, 20) if seed >> bit & 1 else (235, 235, 235)
        left = x + (bit % 20) * cell
        top = y + (bit // 20) * cell
        draw.rectangle((left, top, left + cell - 1, top + cell - 1), fill=shade)


def photo_jpeg(
    seed: int, *, created: dt.datetime | None = None, clock: dt.tzinfo = dt.UTC
) -> bytes:
    """A small coloured JPEG with a pattern of its own (no caption), taken at ``created`` by a
    camera whose clock runs in ``clock`` (EXIF DateTimeOriginal with its OffsetTimeOriginal)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (96, 72), _rgb(seed))
    draw = ImageDraw.Draw(image)
    for i in range(6):
        x, y = (seed * (i + 3) * 17) % 80, (seed * (i + 5) * 11) % 56
        draw.rectangle((x, y, x + 14, y + 14), fill=_rgb(seed, i * 40))
    draw.ellipse((30, 20, 30 + seed % 30, 40 + seed % 20), outline=(250, 250, 250), width=2)
    _pattern(draw, seed, 4, 60)
    exif = Image.Exif()
    if created is not None:
        local = created.astimezone(clock)
        offset = local.strftime("%z")
        exif.get_ifd(0x8769)[0x9003] = local.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
        exif.get_ifd(0x8769)[0x9011] = f"{offset[:3]}:{offset[3:]}"  # OffsetTimeOriginal
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=70, exif=exif)
    return buf.getvalue()


def _page(seed: int) -> Any:
    """A white page with lines standing for text and a red seal: a scan or a document."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 170), (252, 252, 248))
    draw = ImageDraw.Draw(image)
    for row in range(14):
        width = 20 + (seed * (row + 7) * 13) % 80
        draw.line((10, 12 + row * 10, 10 + width, 12 + row * 10), fill=(60, 60, 60), width=2)
    x = 60 + seed % 30
    draw.ellipse((x, 120, x + 34, 154), outline=(200, 20, 20), width=3)
    _pattern(draw, seed, 8, 158, cell=4)
    return image


def scan_jpeg(seed: int) -> bytes:
    buf = io.BytesIO()
    _page(seed).convert("L").save(buf, "JPEG", quality=60)
    return buf.getvalue()


def document_pdf(seed: int) -> bytes:
    buf = io.BytesIO()
    _page(seed).save(buf, "PDF", resolution=72.0)
    return buf.getvalue()


def signature_png(name: str) -> bytes:
    """A drawn signature: a scribble that is the same for the same signer."""
    from PIL import Image, ImageDraw

    digest = hashlib.sha256(name.encode("utf-8")).digest()
    image = Image.new("L", (96, 28), 255)
    draw = ImageDraw.Draw(image)
    points = [(6 + i * 7, 4 + digest[i] % 20) for i in range(13)]
    draw.line(points, fill=0, width=2)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def seal_png(name: str) -> bytes:
    """The agency's seal as stamped on screen: a red ring."""
    from PIL import Image, ImageDraw

    digest = hashlib.sha256(name.encode("utf-8")).digest()
    image = Image.new("RGB", (48, 48), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((3, 3, 44, 44), outline=(210, 20, 20), width=3)
    draw.regular_polygon((24, 24, 8), 5, fill=(210, 20, 20), rotation=digest[0] % 72)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _encoder(names: tuple[str, ...]) -> str:
    import av

    for name in names:
        try:
            av.Codec(name, "w")
            return name
        except Exception:  # not built into this FFmpeg
            continue
    raise RuntimeError(f"PyAV has none of the encoders {names}")


def _stamp(container: Any, created: dt.datetime | None, clock: dt.tzinfo) -> None:
    """Write the recording's start as a camera whose clock runs in ``clock`` writes it: the wall
    clock reading there, marked "Z" as every MP4 writer marks it."""
    if created is not None:
        container.metadata["creation_time"] = created.astimezone(clock).strftime(
            "%Y-%m-%dT%H:%M:%S.000000Z"
        )


def video_mp4(
    seed: int, frames: int = 10, *, created: dt.datetime | None = None, clock: dt.tzinfo = dt.UTC
) -> bytes:
    """A one-second 64×48 MP4 (MPEG-4 Part 2 where available) whose frames depend on ``seed``,
    recorded at ``created`` by a camera whose clock runs in ``clock``."""
    import av
    from PIL import Image, ImageDraw

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as container:
        container.metadata["comment"] = f"casetrail demo {seed}"  # unique bytes per clip
        _stamp(container, created, clock)
        stream = cast(
            Any, container.add_stream(_encoder(("mpeg4", "libx264", "mjpeg")), rate=frames)
        )
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            image = Image.new("RGB", (64, 48), _rgb(seed, i * 5))
            draw = ImageDraw.Draw(image)
            draw.rectangle((i * 5, 8 + seed % 16, i * 5 + 12, 24 + seed % 16), fill=_rgb(seed, 90))
            _pattern(draw, seed, 2, 40)
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


def audio_m4a(
    seed: int, rate: int = 16000, *, created: dt.datetime | None = None, clock: dt.tzinfo = dt.UTC
) -> bytes:
    """A one-second tone (its pitch from ``seed``) in an MP4 audio file, recorded at ``created``
    by a recorder whose clock runs in ``clock``."""
    import av

    buf = io.BytesIO()
    pitch = 220 + (seed % 40) * 15
    with av.open(buf, "w", format="mp4") as container:
        container.metadata["comment"] = f"casetrail demo {seed}"  # unique bytes per clip
        _stamp(container, created, clock)
        stream = cast(Any, container.add_stream(_encoder(("aac", "libopus", "mp2")), rate=rate))
        stream.layout = "mono"
        size = 1024
        for chunk in range(rate // size + 1):
            start = chunk * size
            data = b"".join(
                struct.pack("<h", int(6000 * math.sin(2 * math.pi * pitch * (start + k) / rate)))
                for k in range(size)
            )
            frame = av.AudioFrame(format="s16", layout="mono", samples=size)
            frame.planes[0].update(data)
            frame.sample_rate, frame.pts = rate, start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()
