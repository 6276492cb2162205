"""HTTP Range (RFC 9110 §14) over a blob, streamed in bounded chunks."""

from __future__ import annotations

import re
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from casetrail.evidence.storage import BlobStore

# ASCII digits: \d would also match other scripts' digits, which int() then accepts.
_RANGE = re.compile(r"^bytes=([0-9]{0,18})-([0-9]{0,18})$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(start, end) inclusive; None for no/ignored Range; "bad" when unsatisfiable."""
    if not header:
        return None
    m = _RANGE.match(header.strip())
    if not m or (not m.group(1) and not m.group(2)):
        return None  # multi-range or garbage: serve the whole file (allowed by the RFC)
    if m.group(1):
        start = int(m.group(1))
        end = int(m.group(2)) if m.group(2) else size - 1
    else:  # suffix: the last N bytes
        n = int(m.group(2))
        if n == 0:
            return "bad"
        start, end = max(size - n, 0), size - 1
    if start >= size or start > end:
        return "bad"
    return start, min(end, size - 1)


def blob_response(
    request: HttpRequest,
    store: BlobStore,
    *,
    sha256: str,
    size: int,
    content_type: str,
    filename: str,
    attachment: bool,
) -> HttpResponseBase:

    rng = parse_range(request.headers.get("Range"), size)
    disposition = "attachment" if attachment else "inline"
    if rng == "bad":
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    if rng is None:
        start, end, status = 0, size - 1, 200
    else:
        assert isinstance(rng, tuple)
        start, end = rng
        status = 206
    body = store.iter_bytes(sha256, start, end) if size else iter(())
    response = StreamingHttpResponse(body, status=status, content_type=content_type)
    response["Content-Length"] = str(end - start + 1 if size else 0)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response["ETag"] = f'"{sha256}"'
    response["Cache-Control"] = "private, no-transform"
    response["X-Content-Type-Options"] = "nosniff"
    return response
