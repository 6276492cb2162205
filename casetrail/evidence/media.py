"""Media facts read from the file itself: PyAV (FFmpeg) for audio/video, Pillow for photos.

``probe(path)`` never raises for a bad file: it returns what it could find, with ``media_type``
``application/octet-stream`` when neither library recognises the bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

FORMAT_TYPES = {
    "mov,mp4,m4a,3gp,3g2,mj2": "video/mp4",
    "matroska,webm": "video/x-matroska",
    "avi": "video/x-msvideo",
    "mpegts": "video/mp2t",
    "flv": "video/x-flv",
    "asf": "video/x-ms-asf",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "amr": "audio/amr",
}

# MIME types by kind: the file's own content must be of the claimed kind.
KIND_PREFIXES = {
    "photo": ("image/",),
    "audio": ("audio/",),
    "video": ("video/",),
    "surveillance": ("video/",),
}


def _parse_time(value: str) -> tuple[dt.datetime, bool] | None:
    """A container's creation time, and whether it is a bare wall-clock reading (no offset of its
    own, or the "Z" every MP4/MOV writer appends: the box holds seconds since 1904 and no zone)."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    wall = moment.tzinfo is None or moment.utcoffset() == dt.timedelta(0)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # QuickTime/MP4 creation_time is UTC
    if moment.year < 1990:  # unset camera clocks write 1904 or 1970
        return None
    return moment, wall


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else None


def _wall(moment: dt.datetime) -> str:
    """A wall-clock reading as written in the file, without any zone ("2026-11-30T10:00:00")."""
    return moment.replace(tzinfo=None).isoformat()


def probe(path: Path) -> dict[str, Any]:
    """Media facts of a file: media_type plus, where present, duration_ms, codecs, width/height,
    creation_time (ISO, UTC, by the format's own convention: MP4/MOV UTC, EXIF without an offset
    the agency's zone), clock_wall (the same time as the bare wall-clock reading the file holds,
    when the file states no offset of its own: a device clock setting re-reads it, see
    ``recorded_times``), gps {lat, lon} (decimal strings: the ledger's canonical JSON has no
    floats)."""
    image = _probe_image(path)
    if image is not None:
        return image
    return _probe_av(path)


def _probe_image(path: Path) -> dict[str, Any] | None:
    from PIL import ExifTags, Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            fmt = (im.format or "").lower()
            info: dict[str, Any] = {
                "media_type": Image.MIME.get(im.format or "", f"image/{fmt}"),
                "width": im.width,
                "height": im.height,
                "codecs": [fmt],
            }
            exif = im.getexif()
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    sub = exif.get_ifd(ExifTags.IFD.Exif) if exif else {}
    taken = sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if taken:
        offset = sub.get(ExifTags.Base.OffsetTimeOriginal)
        try:
            moment = dt.datetime.strptime(str(taken).strip(), "%Y:%m:%d %H:%M:%S")
        except ValueError:
            moment = None
        if moment is not None:
            wall = _wall(moment)
            try:
                moment = (
                    dt.datetime.fromisoformat(moment.isoformat() + str(offset).strip())
                    if offset
                    else None
                )
            except ValueError:
                moment = None
            if moment is None:  # EXIF local time without an offset: the agency's time zone
                moment = dt.datetime.fromisoformat(wall).replace(
                    tzinfo=ZoneInfo(settings.TIME_ZONE)
                )
                info["clock_wall"] = wall
            info["creation_time"] = _iso(moment)
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo) if exif else {}
    if gps:
        lat = _dms(gps.get(2), gps.get(1))
        lon = _dms(gps.get(4), gps.get(3))
        if lat is not None and lon is not None:
            info["gps"] = {"lat": f"{lat:.6f}", "lon": f"{lon:.6f}"}
    return info


def _dms(values: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(Fraction(str(v))) if not isinstance(v, float) else v for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    out = d + m / 60 + s / 3600
    return -out if str(ref).upper() in ("S", "W") else out


def _probe_av(path: Path) -> dict[str, Any]:
    import av

    unknown: dict[str, Any] = {"media_type": "application/octet-stream"}
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, OSError, ValueError):
        return unknown
    with container:
        fmt = container.format.name
        video = [s for s in container.streams.video]
        audio = [s for s in container.streams.audio]
        if not video and not audio:
            return unknown
        kind = "video" if video else "audio"
        media_type = FORMAT_TYPES.get(fmt, f"{kind}/{fmt.split(',')[0]}")
        if kind == "audio" and media_type.startswith("video/"):
            media_type = "audio/mp4"
        if kind == "video" and media_type.startswith("audio/"):
            media_type = "video/" + fmt.split(",")[0]
        info: dict[str, Any] = {"media_type": media_type, "format": fmt}
        duration = None
        if container.duration is not None:
            duration = container.duration / 1_000_000  # AV_TIME_BASE
        else:
            for s in video + audio:
                if s.duration is not None and s.time_base is not None:
                    duration = float(s.duration * s.time_base)
                    break
        if duration is not None:
            info["duration_ms"] = round(duration * 1000)
        info["codecs"] = [s.codec_context.name for s in video + audio if s.codec_context]
        if video:
            info["width"] = video[0].codec_context.width
            info["height"] = video[0].codec_context.height
        created = container.metadata.get("creation_time") or next(
            (s.metadata.get("creation_time") for s in video + audio if s.metadata), None
        )
        parsed = _parse_time(created or "")
        if parsed is not None:
            moment, wall = parsed
            info["creation_time"] = _iso(moment)
            if wall:
                info["clock_wall"] = _wall(moment)
        location = container.metadata.get("location") or ""
        gps = _iso6709(location)
        if gps:
            info["gps"] = gps
        return info


def _iso6709(value: str) -> dict[str, str] | None:
    """'+35.7001+113.2702/' (QuickTime ©xyz) → {lat, lon}."""
    import re

    m = re.match(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)", value.strip())
    if not m:
        return None
    return {"lat": f"{float(m.group(1)):.6f}", "lon": f"{float(m.group(2)):.6f}"}


def recorded_times(
    media: dict[str, Any], clock: dt.tzinfo | None = None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(start, end) from the media's own clock: a photo is an instant; a recording's creation time
    is its start and the duration gives its end.

    ``clock`` is the recording device's clock setting (``org.models.clock_tzinfo``): many cameras
    write their local wall-clock time where MP4/MOV defines UTC, so a Beijing-time camera's clip
    read as UTC is eight hours off. When the file holds a bare wall-clock reading, the device's
    zone says what it meant; a time the file states with its own offset (EXIF OffsetTimeOriginal)
    stands as it is."""
    created = media.get("creation_time")
    if not created:
        return None, None
    wall = media.get("clock_wall")
    if clock is not None and wall:
        start = dt.datetime.fromisoformat(wall).replace(tzinfo=clock)
    else:
        start = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    duration_ms = media.get("duration_ms")
    end = start + dt.timedelta(milliseconds=int(duration_ms)) if duration_ms else start
    return start, end


def kind_matches(kind: str, media_type: str) -> bool:
    return media_type.startswith(KIND_PREFIXES.get(kind, ("\0",)))


def guess_kind(media_type: str) -> str | None:
    if media_type.startswith("image/"):
        return "photo"
    if media_type.startswith("audio/"):
        return "audio"
    if media_type.startswith("video/"):
        return "video"
    return None


def make_poster(path_or_stream: Any, media_type: str, *, max_side: int = 480) -> bytes | None:
    """A JPEG poster frame (video) or thumbnail (photo), at most ``max_side`` pixels wide/high."""
    from PIL import Image

    image: Image.Image | None = None
    if media_type.startswith("image/"):
        image = Image.open(path_or_stream)
        image.draft("RGB", (max_side, max_side))  # JPEG: decode at reduced size
    elif media_type.startswith("video/"):
        import av

        with av.open(path_or_stream) as container:
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            for frame in container.decode(stream):
                image = frame.to_image()
                break
    if image is None:
        return None
    image = image.convert("RGB")
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()
