"""A tiny tus client over Django's test Client, for the tests."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.test import Client

from casetrail.evidence.tus import encode_metadata

TUS = {"Tus-Resumable": "1.0.0"}


def create(client: Client, length: int, meta: dict[str, str] | None = None, **headers: str) -> Any:
    h = {**TUS, "Upload-Length": str(length), **headers}
    if meta is not None:
        h["Upload-Metadata"] = encode_metadata(meta)
    return client.generic("POST", "/api/uploads/", b"", headers=h)


def patch(
    client: Client,
    url: str,
    offset: int,
    data: bytes,
    *,
    checksum: bool = False,
    content_type: str = "application/offset+octet-stream",
    **headers: str,
) -> Any:
    h = {**TUS, "Upload-Offset": str(offset), **headers}
    if checksum:
        h["Upload-Checksum"] = "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()
    return client.generic(
        "PATCH",
        url,
        data,
        content_type=content_type,
        headers=h,
    )


def head(client: Client, url: str) -> Any:
    return client.generic("HEAD", url, headers=TUS)


def upload(client: Client, data: bytes, meta: dict[str, str], chunk: int = 4096) -> Any:
    """Create and send in chunks; returns the last response."""
    r = create(client, len(data), meta)
    assert r.status_code == 201, r.content
    url = r["Location"]
    offset = 0
    while offset < len(data):
        r = patch(client, url, offset, data[offset : offset + chunk], checksum=True)
        if r.status_code != 204:
            return r
        offset = int(r["Upload-Offset"])
    r.url = url
    return r
