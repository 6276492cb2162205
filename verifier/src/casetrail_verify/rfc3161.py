"""RFC 3161 timestamp tokens checked with the standard library and ``cryptography`` only.

Why: a court's laptop has no rfc3161-client and no OpenSSL command line it is allowed to trust;
the token over a checkpoint is a CMS SignedData (RFC 5652) whose few fields we read with a small
DER reader: the imprint must be the hash of the data, the signed attributes must carry the TSTInfo
content type and its digest, the signature must verify with the signer's certificate, and that
certificate must be (or be issued by) a root the court was given and carry the critical
id-kp-timeStamping extended key usage (RFC 3161 §2.3).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from casetrail_verify import digests

_HASHES = {
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "1.2.156.10197.1.401": "sm3",
}
_CRYPTO_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}
_ID_SIGNED_DATA = "1.2.840.113549.1.7.2"
_ID_CT_TSTINFO = "1.2.840.113549.1.9.16.1.4"
_ID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
_ID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
_EKU_TIMESTAMPING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.8")


class TokenError(ValueError):
    """The token is malformed or does not verify (the message says what, in Chinese)."""


@dataclass(frozen=True)
class Token:
    gen_time: dt.datetime
    hash_name: str
    signer: str


# --- a DER reader, just enough for CMS SignedData -------------------------------------------------


@dataclass(frozen=True)
class _Node:
    tag: int
    raw: bytes  # the whole TLV
    value: bytes

    def children(self) -> list[_Node]:
        out = []
        pos = 0
        while pos < len(self.value):
            node, pos = _read(self.value, pos)
            out.append(node)
        return out


def _read(data: bytes, pos: int) -> tuple[_Node, int]:
    try:
        start = pos
        tag = data[pos]
        if tag & 0x1F == 0x1F:
            raise TokenError("时间戳令牌格式错误（不支持的多字节标签）")
        length = data[pos + 1]
        pos += 2
        if length & 0x80:
            count = length & 0x7F
            if not 0 < count <= 4:
                raise TokenError("时间戳令牌格式错误（长度）")
            length = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        end = pos + length
        if end > len(data):
            raise TokenError("时间戳令牌被截断")
        return _Node(tag, data[start:end], data[pos:end]), end
    except IndexError:
        raise TokenError("时间戳令牌被截断") from None


def _parse(data: bytes) -> _Node:
    node, end = _read(data, 0)
    if end != len(data):
        raise TokenError("时间戳令牌后有多余数据")
    return node


def _oid(node: _Node) -> str:
    if node.tag != 0x06 or not node.value:
        raise TokenError("时间戳令牌格式错误（应为 OID）")
    first = node.value[0]
    parts = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    value = 0
    for byte in node.value[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def _int(node: _Node) -> int:
    if node.tag != 0x02:
        raise TokenError("时间戳令牌格式错误（应为整数）")
    return int.from_bytes(node.value, "big", signed=True)


def _generalized_time(node: _Node) -> dt.datetime:
    text = node.value.decode("ascii", "replace")
    if node.tag != 0x18 or not text.endswith("Z"):
        raise TokenError("时间戳令牌的时间格式错误")
    main, _, fraction = text[:-1].partition(".")
    moment = dt.datetime.strptime(main, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    if fraction:
        moment += dt.timedelta(microseconds=int((fraction + "000000")[:6]))
    return moment


# --- the token ---------------------------------------------------------------------------------


def _signed_data(token: bytes) -> _Node:
    response = _parse(token)
    parts = response.children()
    if not parts or parts[0].tag != 0x30:
        raise TokenError("不是 RFC 3161 时间戳响应")
    status = _int(parts[0].children()[0])
    if status not in (0, 1):
        raise TokenError(f"时间戳服务未授予时间戳（状态 {status}）")
    if len(parts) < 2:
        raise TokenError("时间戳响应中没有令牌")
    content_info = parts[1].children()
    if _oid(content_info[0]) != _ID_SIGNED_DATA or content_info[1].tag != 0xA0:
        raise TokenError("时间戳令牌不是 CMS SignedData")
    return content_info[1].children()[0]


def _hash(name: str, data: bytes) -> bytes:
    if name == "sm3":
        return digests.digest("sm3", data)
    return hashlib.new(name, data).digest()


def _chains_to(
    cert: x509.Certificate, pool: list[x509.Certificate], roots: list[x509.Certificate]
) -> bool:
    current = cert
    for _ in range(4):
        if any(current == root for root in roots):
            return True
        for issuer in [*roots, *pool]:
            if issuer == current:
                continue
            try:
                current.verify_directly_issued_by(issuer)
            except (ValueError, TypeError, InvalidSignature):
                continue
            if any(issuer == root for root in roots):
                return True
            current = issuer
            break
        else:
            return False
    return False


def _verify_signature(
    cert: x509.Certificate, signature: bytes, data: bytes, hash_name: str
) -> None:
    key = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), _CRYPTO_HASHES[hash_name])
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(_CRYPTO_HASHES[hash_name]))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            raise TokenError("时间戳服务证书的密钥类型不受支持")
    except KeyError:
        raise TokenError(f"时间戳签名的摘要算法 {hash_name} 不受支持") from None
    except InvalidSignature:
        raise TokenError("时间戳令牌的签名无效") from None


def check_token(token: bytes, data: bytes, roots: list[x509.Certificate]) -> Token:
    """Check that ``token`` (a DER TimeStampResp) is a timestamp over ``data`` signed by a TSA whose
    certificate chains to ``roots``. Returns what it says; raises :class:`TokenError`."""
    signed = _signed_data(token).children()
    # version, digestAlgorithms, encapContentInfo, [0] certificates?, [1] crls?, signerInfos
    encap = signed[2].children()
    if _oid(encap[0]) != _ID_CT_TSTINFO or len(encap) < 2:
        raise TokenError("时间戳令牌不含 TSTInfo")
    e_content = encap[1].children()[0].value
    certs = [
        x509.load_der_x509_certificate(c.raw)
        for part in signed[3:]
        if part.tag == 0xA0
        for c in part.children()
        if c.tag == 0x30
    ]
    signer_info = signed[-1].children()[0].children()
    tst = _parse(e_content).children()
    imprint = tst[2].children()
    imprint_hash = _HASHES.get(_oid(imprint[0].children()[0]))
    if imprint_hash is None:
        raise TokenError("时间戳令牌的摘要算法不受支持")
    if imprint[1].value != _hash(imprint_hash, data):
        raise TokenError("时间戳令牌不是针对该检查点的（摘要不符）")
    gen_time = _generalized_time(tst[4])
    # SignerInfo: version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature
    sid, digest_alg = signer_info[1], _HASHES.get(_oid(signer_info[2].children()[0]))
    attrs = signer_info[3]
    if attrs.tag != 0xA0 or digest_alg is None:
        raise TokenError("时间戳令牌缺少签名属性")
    values = {_oid(a.children()[0]): a.children()[1].children()[0] for a in attrs.children()}
    if _ID_CONTENT_TYPE not in values or _oid(values[_ID_CONTENT_TYPE]) != _ID_CT_TSTINFO:
        raise TokenError("时间戳令牌的内容类型属性不符")
    if _ID_MESSAGE_DIGEST not in values or values[_ID_MESSAGE_DIGEST].value != _hash(
        digest_alg, e_content
    ):
        raise TokenError("时间戳令牌内容被改动（签名属性中的摘要不符）")
    signer = None
    if sid.tag == 0x30:
        issuer, serial = sid.children()
        for cert in certs:
            if cert.serial_number == _int(serial) and cert.issuer.public_bytes() == issuer.raw:
                signer = cert
    elif sid.tag == 0x80:
        for cert in certs:
            try:
                ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            except x509.ExtensionNotFound:
                continue
            if ski.value.digest == sid.value:
                signer = cert
    if signer is None:
        raise TokenError("时间戳令牌未附签名证书")
    signed_attrs = b"\x31" + attrs.raw[1:]  # signed over as an explicit SET OF (RFC 5652 §5.4)
    _verify_signature(signer, signer_info[5].value, signed_attrs, digest_alg)
    try:
        eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        eku = None
    if eku is None or not eku.critical or _EKU_TIMESTAMPING not in eku.value:
        raise TokenError("签名证书不是时间戳服务证书（缺少关键的 timeStamping 用途）")
    if not roots:
        raise TokenError("未提供时间戳服务的根证书，无法核验")
    if not _chains_to(signer, certs, roots):
        raise TokenError("时间戳服务证书不是由所给根证书签发的")
    return Token(gen_time=gen_time, hash_name=imprint_hash, signer=signer.subject.rfc4514_string())
