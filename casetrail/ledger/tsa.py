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
    from rfc3161_client import TimestampRequestBuilder, decode_timestamp_response

    request = TimestampRequestBuilder().data(data).nonce(nonce=True).build()
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
