"""The agency's seal on an issued 文书: a PAdES signature (ETSI EN 319 142, via pyHanko) made with
the agency's document-signing key, shown as a red round seal where the seal goes, with an RFC 3161
timestamp when a TSA is configured.

The key is per agency: ``var/keys/document-seal-<统一社会信用代码>.key`` (ECDSA P-256, PKCS#8 PEM,
mode 0600, created on first use like the ledger key, never overwritten) beside a self-signed
certificate naming the agency. ``SealSigner`` is the one interface: an HSM or a 签名验签服务器
(or an SM2 seal under GB/T 38540) replaces ``software_signer`` behind it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from casetrail.documents.fonts import faces
from casetrail.org.models import Agency

SEAL_RED = (230, 0, 18)
SEAL_MM = 42  # a round official seal is 42 mm across (国务院关于国家行政机关和企业事业单位社会团体印章管理的规定)
MM_TO_PT = 72 / 25.4


class SealError(RuntimeError):
    """The seal cannot be applied (key missing or unreadable, TSA not answering); nothing issued.
    ``code`` is the stable error code the issuing action answers with."""

    code = "seal_failed"


class SealKeyMissing(SealError):
    """The agency's document-signing key or certificate is absent or unreadable."""

    code = "seal_key_missing"


class TsaFailed(SealError):
    """The configured RFC 3161 TSA did not answer in ``CASETRAIL_TSA_TIMEOUT`` seconds, could not
    be reached, or refused or garbled its reply."""

    code = "tsa_failed"


def _tsa_failure(exc: BaseException) -> BaseException | None:
    """The TSA failure behind ``exc``, if any: pyHanko raises ``TimestampRequestError`` (an
    ``OSError``) from the requests error; either may come wrapped in pyHanko's signing errors,
    so the chain of causes is walked."""
    import requests
    from pyhanko.sign.timestamps import TimestampRequestError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, TimestampRequestError | requests.RequestException):
            return current
        current = current.__cause__ or current.__context__
    return None


def key_paths(agency: Agency) -> tuple[Path, Path]:
    directory = Path(settings.CASETRAIL_SEAL_KEY_DIR)
    stem = f"document-seal-{agency.credit_code}"
    return directory / f"{stem}.key", directory / f"{stem}.crt"


def _certificate(agency: Agency, key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency.name),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{agency.name}（文书电子印章）"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, agency.credit_code),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )


def ensure_key(agency: Agency) -> tuple[Path, Path]:
    """The agency's key and certificate, generated on first use (0600, O_EXCL: two processes
    starting together cannot both write one; an existing key is never overwritten)."""
    key_path, cert_path = key_paths(agency)
    if key_path.exists() and cert_path.exists():
        return key_path, cert_path
    if key_path.exists() or not settings.CASETRAIL_SEAL_KEY_AUTOCREATE:
        raise SealKeyMissing(
            f"找不到{agency.name}的文书签章密钥或证书（{key_path}、{cert_path}）；"
            "请从备份恢复，系统不会覆盖已有密钥。"
        )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(key_path.parent, 0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    try:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_path, cert_path  # the other process wrote it (and writes its certificate)
    with os.fdopen(fd, "wb") as out:
        out.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    tmp = cert_path.with_suffix(".crt.tmp")
    tmp.write_bytes(_certificate(agency, key).public_bytes(serialization.Encoding.PEM))
    os.replace(tmp, cert_path)
    return key_path, cert_path


def certificate(agency: Agency) -> x509.Certificate:
    """The agency's seal certificate (what a verifier trusts for this agency's documents)."""
    _key, cert_path = ensure_key(agency)
    return x509.load_pem_x509_certificate(cert_path.read_bytes())


@cache
def seal_image(name: str, *, px: int = 600) -> Image.Image:
    """A red round seal: the agency's name along the upper rim, a five-pointed star in the centre
    and 文书专用章 beneath it, drawn here (no copied artwork), on a transparent ground."""
    _regular, bold = faces()
    image = Image.new("RGBA", (px, px), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    c, rim = px / 2, px * 0.03
    draw.ellipse((rim, rim, px - rim, px - rim), outline=SEAL_RED, width=int(px * 0.035))
    font = ImageFont.truetype(bold.path, int(px * 0.12), index=bold.index)
    chars = list(name)
    span = min(240.0, 24.0 * len(chars))  # degrees of the rim the name covers
    radius = px * 0.36
    for i, ch in enumerate(chars):
        angle = -90 - span / 2 + span * (i + 0.5) / len(chars)  # screen degrees, 0 = east
        x = c + radius * math.cos(math.radians(angle))
        y = c + radius * math.sin(math.radians(angle))
        glyph = Image.new("RGBA", (int(px * 0.16), int(px * 0.16)), (255, 255, 255, 0))
        ImageDraw.Draw(glyph).text(
            (glyph.width / 2, glyph.height / 2), ch, font=font, fill=SEAL_RED, anchor="mm"
        )
        glyph = glyph.rotate(-(angle + 90), resample=Image.Resampling.BICUBIC)
        image.alpha_composite(glyph, (int(x - glyph.width / 2), int(y - glyph.height / 2)))
    star = []
    for k in range(10):
        r = px * (0.13 if k % 2 == 0 else 0.05)
        a = math.radians(-90 + 36 * k)
        star.append((c + r * math.cos(a), c + r * math.sin(a)))
    draw.polygon(star, fill=SEAL_RED)
    small = ImageFont.truetype(bold.path, int(px * 0.07), index=bold.index)
    draw.text((c, c + px * 0.25), "文书专用章", font=small, fill=SEAL_RED, anchor="mm")
    return image


def _tsa_url() -> str:
    return str(settings.CASETRAIL_DOCUMENT_TSA_URL or settings.CASETRAIL_TSA_URL or "")


def software_signer(agency: Agency) -> Any:
    """pyHanko's signer over the agency's software key (an HSM's PKCS#11 signer fits here).
    Loaded once per process and key file (a restored or replaced file, with its new
    modification time, is loaded anew): parsing the key and certificate for every document
    cost a tenth of a second, their DER re-encoded in every signature."""
    key_path, cert_path = ensure_key(agency)
    try:
        stamp = (key_path.stat().st_mtime_ns, cert_path.stat().st_mtime_ns)
        signer = _load_signer(str(key_path), str(cert_path), stamp)
    except (OSError, ValueError) as exc:
        raise SealKeyMissing(
            f"{agency.name}的文书签章密钥无法读取（{exc}）；请从备份恢复。"
        ) from None
    if signer is None:
        raise SealKeyMissing(f"{agency.name}的文书签章密钥无法读取；请从备份恢复。")
    return signer


@lru_cache(maxsize=16)
def _load_signer(key_path: str, cert_path: str, stamp: tuple[int, int]) -> Any:
    from pyhanko.sign import signers

    return signers.SimpleSigner.load(key_path, cert_path)


# Room for the CMS signature in the PDF without a timestamp: an ECDSA P-256 signature, the
# self-signed certificate and the signed attributes take under 3 KB. Given, pyHanko skips the
# trial signature it otherwise makes to measure it (a third of the sealing time). With a TSA the
# token's size is the TSA's, so it is measured.
RESERVED_WITHOUT_TSA = 8192


def apply_seal(
    pdf: bytes, *, agency: Agency, page: int, x: float, y: float, reason: str
) -> tuple[bytes, bool]:
    """Sign ``pdf`` as a PAdES B-B (B-T with a TSA) signature, the seal image centred at (x, y)
    on ``page`` (PDF points). Returns (signed PDF, whether it is timestamped). Raises
    ``SealKeyMissing`` when the key or certificate is absent or unreadable, ``TsaFailed`` when
    the configured TSA does not answer within ``CASETRAIL_TSA_TIMEOUT`` seconds or refuses, and
    ``SealError`` for any other signing failure; nothing is issued then."""
    from pyhanko.pdf_utils import images
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps
    from pyhanko.stamp import StaticStampStyle

    signer = software_signer(agency)
    size = SEAL_MM * MM_TO_PT
    box = (round(x - size / 2), round(y - size / 2), round(x + size / 2), round(y + size / 2))
    style = StaticStampStyle(
        background=images.PdfImage(seal_image(agency.name)),
        background_opacity=1.0,
        border_width=0,
    )
    url = _tsa_url()
    timeout = settings.CASETRAIL_TSA_TIMEOUT  # seconds, shared with the ledger's checkpoints
    timestamper = timestamps.HTTPTimeStamper(url, timeout=timeout) if url else None
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="AgencySeal",
        reason=reason,
        location=agency.name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec("AgencySeal", on_page=page, box=box),
    )
    out = io.BytesIO()
    try:
        pdf_signer.sign_pdf(
            writer, output=out, bytes_reserved=None if timestamper else RESERVED_WITHOUT_TSA
        )
    except Exception as exc:  # pyHanko's signing errors are not one type; what is known is typed
        failure = _tsa_failure(exc) if timestamper is not None else None
        if failure is not None:
            raise TsaFailed(
                f"时间戳服务 {url} 未应答或拒绝（{type(failure).__name__}：{failure}），文书未签发"
            ) from None
        raise SealError(f"加盖电子印章失败（{exc}），文书未签发") from None
    return out.getvalue(), timestamper is not None
