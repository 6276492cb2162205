"""Optional RFC 3161 timestamps over checkpoints, from the TSA at CASETRAIL_TSA_URL."""

from __future__ import annotations

import urllib.request

from django.conf import settings


class TimestampError(RuntimeError):
    """The TSA did not give a valid timestamp for the checkpoint."""


def timestamp(data: bytes) -> bytes | None:
    """The DER TimeStampResp over ``data`` from the configured TSA, or None without a TSA."""
    url = settings.CASETRAIL_TSA_URL
    if not url:
        return None
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder, decode_timestamp_response

    request = (
        TimestampRequestBuilder()
        .data(data)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .build()
    )
    http = urllib.request.Request(
        url, data=request.as_bytes(), headers={"Content-Type": "application/timestamp-query"}
    )
    try:
        with urllib.request.urlopen(http, timeout=settings.CASETRAIL_TSA_TIMEOUT) as response:
            body = response.read()
    except OSError as exc:
        raise TimestampError(f"时间戳服务 {url} 无法访问：{exc}") from None
    try:
        decoded = decode_timestamp_response(body)
    except ValueError as exc:
        raise TimestampError(f"时间戳服务返回的内容无法解析：{exc}") from None
    if decoded.status != 0:
        raise TimestampError(f"时间戳服务拒绝了请求（status {decoded.status}）")
    return body


HASH_OIDS = {
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}


def check_token(token: bytes, data: bytes) -> str | None:
    """None when ``token`` is a granted RFC 3161 timestamp over ``data``; else what is wrong.
    (The TSA's certificate chain is checked by whoever trusts that TSA, offline.)"""
    import hashlib

    from rfc3161_client import decode_timestamp_response

    try:
        response = decode_timestamp_response(token)
    except ValueError as exc:
        return f"timestamp token unreadable ({exc})"
    if response.status != 0:
        return f"timestamp token not granted (status {response.status})"
    imprint = response.tst_info.message_imprint
    name = HASH_OIDS.get(imprint.hash_algorithm.dotted_string)
    if name is None:
        return f"timestamp token uses an unsupported hash {imprint.hash_algorithm.dotted_string}"
    if imprint.message != hashlib.new(name, data).digest():
        return "timestamp token is over different data"
    return None
