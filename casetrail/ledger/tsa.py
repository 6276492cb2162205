"""Optional RFC 3161 timestamps over checkpoints, from the TSA at CASETRAIL_TSA_URL, checked properly.

A token is accepted (when received, and again by `verify`) only when

* it was granted and its message imprint is the hash of the checkpoint note (RFC 3161 §2.4.2);
* its CMS signature chains to the configured TSA certificate / CA (CASETRAIL_TSA_CA, PEM; the TSA's
  own certificate, if self-signed, is its root), the signing certificate carries the critical
  id-kp-timeStamping EKU (§2.3) and, when CASETRAIL_TSA_CERT names it, is exactly that certificate;
* its policy is CASETRAIL_TSA_POLICY when one is configured;
* its genTime is sane: not in the future and within CASETRAIL_TSA_MAX_SKEW seconds of the time the
  checkpoint was stored.

So a token from an unrelated TSA, or one over other data, is refused. The token (a DER
TimeStampResp) is served beside its checkpoint at ``/api/public/ledgers/<agency>/checkpoints/<size>/tsr``
so ``openssl ts -verify -data note -in tsr -CAfile tsa-ca.pem`` checks it from outside.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import urllib.request
from functools import cache
from pathlib import Path

from cryptography import x509
from django.conf import settings

from casetrail.lib.outside import require_no_transaction


class TimestampError(RuntimeError):
    """The TSA did not give a valid timestamp for the checkpoint."""


HASH_OIDS = {
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}


@cache
def _certificates(path: str) -> tuple[x509.Certificate, ...]:
    return tuple(x509.load_pem_x509_certificates(Path(path).read_bytes()))


def configured_roots() -> tuple[x509.Certificate, ...]:
    path = settings.CASETRAIL_TSA_CA
    return _certificates(str(path)) if path else ()


def timestamp(data: bytes) -> bytes | None:
    """The DER TimeStampResp over ``data`` from the configured TSA, checked; None without a TSA."""
    url = settings.CASETRAIL_TSA_URL
    if not url:
        return None
    require_no_transaction("the TSA request (RFC 3161)")
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

    request = (
        TimestampRequestBuilder()
        .data(data)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)  # the signing certificate travels with the token
        .build()
    )
    http = urllib.request.Request(
        url, data=request.as_bytes(), headers={"Content-Type": "application/timestamp-query"}
    )
    try:
        with urllib.request.urlopen(http, timeout=settings.CASETRAIL_TSA_TIMEOUT) as response:
            body: bytes = response.read()
    except OSError as exc:
        raise TimestampError(f"时间戳服务 {url} 无法访问：{exc}") from None
    problem = check_token(body, data, at=dt.datetime.now(dt.UTC), nonce=request.nonce)
    if problem:
        raise TimestampError(f"时间戳服务返回的时间戳未通过核验：{problem}")
    return body


def check_token(
    token: bytes, data: bytes, *, at: dt.datetime | None = None, nonce: int | None = None
) -> str | None:
    """None when ``token`` is a valid RFC 3161 timestamp over ``data`` by the configured TSA (and,
    with ``at``, made within the allowed skew of that moment); else what is wrong, in one line."""
    roots = configured_roots()
    if not roots:
        return "no TSA certificate configured (CASETRAIL_TSA_CA) to check the timestamp token"
    return verify_token(
        token,
        data,
        roots=roots,
        tsa_cert=(
            _certificates(str(settings.CASETRAIL_TSA_CERT))[0]
            if settings.CASETRAIL_TSA_CERT
            else None
        ),
        policy=settings.CASETRAIL_TSA_POLICY or None,
        max_skew=dt.timedelta(seconds=settings.CASETRAIL_TSA_MAX_SKEW),
        at=at,
        nonce=nonce,
    )


def load_certificates(path: str | Path) -> tuple[x509.Certificate, ...]:
    """The PEM certificates in ``path`` (a TSA's certificate or its CA chain)."""
    return _certificates(str(path))


def verify_token(
    token: bytes,
    data: bytes,
    *,
    roots: tuple[x509.Certificate, ...],
    max_skew: dt.timedelta,
    tsa_cert: x509.Certificate | None = None,
    policy: str | None = None,
    at: dt.datetime | None = None,
    nonce: int | None = None,
) -> str | None:
    """The RFC 3161 checks with everything given (no settings: the witness uses it too): granted,
    the message imprint over ``data``, the CMS signature chaining to ``roots`` (and by ``tsa_cert``
    when given), the ``policy`` when given, the time not in the future and, with ``at``, within
    ``max_skew`` of it. None when valid; else what is wrong, in one line."""
    from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response

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
    builder = VerifierBuilder(roots=list(roots), nonce=nonce)
    if tsa_cert is not None:
        builder = builder.tsa_certificate(tsa_cert)
    if policy:
        builder = builder.policy_id(x509.ObjectIdentifier(policy))
    try:
        builder.build().verify_message(response, data)
    except (VerificationError, ValueError) as exc:
        return f"timestamp token not by the configured TSA ({exc})"
    gen_time = response.tst_info.gen_time
    if gen_time.tzinfo is None:
        gen_time = gen_time.replace(tzinfo=dt.UTC)
    if gen_time > dt.datetime.now(dt.UTC) + max_skew:
        return f"timestamp token time {gen_time:%Y-%m-%d %H:%M:%S} is in the future"
    if at is not None and abs(gen_time - at) > max_skew:
        return (
            f"timestamp token time {gen_time:%Y-%m-%d %H:%M:%S} is not the checkpoint's time "
            f"{at:%Y-%m-%d %H:%M:%S} (time changed?)"
        )
    return None
