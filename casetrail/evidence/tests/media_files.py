"""Small media files made on the fly for the tests: a 1-second video (PyAV), a JPEG with EXIF time
and GPS (Pillow), a WAV recording without any time in it."""

from __future__ import annotations

import datetime as dt
import io
import wave
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_video(
    path: Path,
    *,
    created: dt.datetime | None,
    seconds: int = 1,
    seed: int = 0,
    camera_clock: dt.tzinfo = dt.UTC,
) -> Path:
    """An MP4 whose creation_time is ``created`` as a camera whose clock runs in ``camera_clock``
    writes it: the wall-clock reading in that zone, marked "Z" as MP4 always is (a Beijing-time
    body camera writes 10:00 for 10:00 Beijing time, which the specification reads as UTC)."""
    import av
    from PIL import Image

    with av.open(str(path), "w", format="mp4") as out:
        if created is not None:
            out.metadata["creation_time"] = created.astimezone(camera_clock).strftime(
                "%Y-%m-%dT%H:%M:%S.000000Z"
            )
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(10 * seconds):
            shade = (i * 20 + seed * 7) % 255
            frame = av.VideoFrame.from_image(Image.new("RGB", (64, 48), (shade, 80, 160)))
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def jpeg_bytes(
    *, taken: dt.datetime | None, gps: tuple[float, float] | None = None, seed: int = 0
) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (80, 60), ((seed * 40) % 255, 120, 200))
    exif = Image.Exif()
    if taken is not None:
        local = taken.astimezone(SHANGHAI)
        exif[0x0132] = local.strftime("%Y:%m:%d %H:%M:%S")  # DateTime
        exif.get_ifd(0x8769)[0x9003] = local.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
        exif.get_ifd(0x8769)[0x9011] = "+08:00"  # OffsetTimeOriginal
    if gps is not None:

        def dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
            value = abs(value)
            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60 * 100)
            return (Fraction(d), Fraction(m), Fraction(s, 100))

        g = exif.get_ifd(0x8825)
        g[1], g[2] = ("N" if gps[0] >= 0 else "S"), dms(gps[0])
        g[3], g[4] = ("E" if gps[1] >= 0 else "W"), dms(gps[1])
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def wav_bytes(seconds: float = 0.5, seed: int = 0) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes([(i * (seed + 3)) % 256 for i in range(int(16000 * seconds))]))
    return out.getvalue()
