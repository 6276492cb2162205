"""What the first bytes of an upload show: a photo, audio or video, or something else (issue 10,
item 15). A file that is not media is refused at the first PATCH whose bytes show its type, not
after the whole file arrived (a 256 MiB upload of random bytes was refused only at the end).

The head is judged in three steps, each only when the one before found nothing:

1. magic numbers (the ``filetype`` library: ISO BMFF ``ftyp`` brands of MP4/MOV/3GP/HEIC, RIFF
   AVI/WAV, Matroska, JPEG, PNG …) — media goes through, a known other type (a ZIP, a PDF, an
   executable) is refused at once;
2. the old QuickTime layout without ``ftyp`` (``mdat``/``moov``/``wide`` first) and MPEG
   transport streams (sync bytes every 188 or 192 bytes): let through, the whole file decides;
3. Pillow and PyAV read the head as a stream (MPEG-TS and -PS, MP3, AAC, AMR, raw H.264 …): a
   picture, or an audio or video stream with real parameters, goes through.

Nothing recognised in ``SNIFF_BYTES`` is refused. The final probe (``media.probe``, on the whole
file) still decides what was let through.
"""

from __future__ import annotations

import io
import logging
from enum import StrEnum

import filetype

log = logging.getLogger(__name__)

# Enough for every demuxer's probe of a stream format (FFmpeg probes 5 MB at most, most formats
# show themselves in the first few KiB) and small enough to read on every early PATCH.
SNIFF_BYTES = 256 * 1024
MEDIA_PREFIXES = ("image/", "audio/", "video/")
QUICKTIME_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")
# Raw elementary streams FFmpeg's probe finds in noise (about 1 in 150 random 256 KiB heads reads
# as H.263); no camera or recorder writes them bare.
NOISE_FORMATS = {"h261", "h263", "rawvideo"}


class Verdict(StrEnum):
    MEDIA = "media"
    NOT_MEDIA = "not_media"
    UNDECIDED = "undecided"  # too few bytes yet


def judge(head: bytes, *, whole: bool = False) -> tuple[Verdict, str]:
    """The verdict on the first bytes of a file (``whole``: they are the whole file), and the type
    the bytes showed (a MIME type, or ``unknown``)."""
    kind = filetype.guess(head) if len(head) >= 262 or whole else None
    if kind is not None:
        verdict = Verdict.MEDIA if kind.mime.startswith(MEDIA_PREFIXES) else Verdict.NOT_MEDIA
        return verdict, kind.mime
    if head[4:8] in QUICKTIME_ATOMS:
        return Verdict.MEDIA, "video/quicktime"
    if _transport_stream(head):
        return Verdict.MEDIA, "video/mp2t"
    if len(head) < SNIFF_BYTES and not whole:
        return Verdict.UNDECIDED, "unknown"
    found = _picture(head) or _stream(head)
    return (Verdict.MEDIA, found) if found else (Verdict.NOT_MEDIA, "unknown")


def _transport_stream(head: bytes) -> bool:
    """MPEG-TS (188-byte packets) or M2TS/AVCHD (192): the sync byte 0x47 at every packet start.
    FFmpeg may not know a TS stream's picture size from its head alone."""
    for size, first in ((188, 0), (192, 4)):
        starts = range(first, min(len(head), 16 * size), size)
        if len(starts) >= 4 and all(head[i] == 0x47 for i in starts):
            return True
    return False


def _picture(head: bytes) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(head)) as im:
            return Image.MIME.get(im.format or "", "image/unknown")
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def _stream(head: bytes) -> str | None:
    """An audio or video stream FFmpeg finds in the head, with a codec it knows (audio also with
    its sample rate): noise opens no container at all, or one without such a stream."""
    import av

    try:
        with av.open(io.BytesIO(head), mode="r") as container:
            if container.format.name in NOISE_FORMATS:
                return None
            for stream in container.streams:
                ctx = stream.codec_context
                named = bool(ctx.name) and ctx.name != "none"
                if stream.type == "video" and named and getattr(ctx, "width", 0) > 0:
                    return f"video/{container.format.name.split(',')[0]}"
                if stream.type == "audio" and named and getattr(ctx, "sample_rate", 0) > 0:
                    return f"audio/{container.format.name.split(',')[0]}"
    except Exception as exc:  # PyAV raises many kinds for bytes that are no media at all
        log.debug("sniff: no media stream in the head (%s)", exc)
    return None
