"""Checking a PDF, or the code printed on a paper copy, against what the agency issued.

A file is *the* issued document when its SHA-256 is the stored PDF's. Otherwise its verification
line (``核验：机关代码 … · 账本序号 … · SM3 …``) names the document it claims to be, and the
findings say what differs: the content digest, the page count, the text of each page, the seal.
A scan has no text layer to read: its code (from the QR or the printed line) is checked instead.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from casetrail.documents.content import VERIFY_PREFIX
from casetrail.documents.models import IssuedDocument
from casetrail.evidence.storage import blob_store
from casetrail.lib.digests import MultiHasher

LINE = re.compile(r"核验：机关代码\s*(\S+)\s*(?:·\s*)?账本序号\s*(\d+)\s*·\s*SM3\s*([0-9a-f]{16})")
CODE = re.compile(rf"{VERIFY_PREFIX}\|([0-9A-Z]{{18}})\|(\d+)\|([0-9a-f]{{16}})")


# What can differ, as stable codes beside each finding (the CLI prints them; scripts switch on them).
DIGEST_MISMATCH = "digest_mismatch"  # the file is not the issued PDF byte for byte
SM3_MISMATCH = "sm3_mismatch"  # the printed/QR SM3 is not the issued document's
UNKNOWN_SEQUENCE = "unknown_sequence"  # no document under that agency code and ledger number
SIGNATURE_INVALID = "signature_invalid"  # the seal does not verify over what it signed
SIGNATURE_UNTRUSTED = "signature_untrusted"  # sealed, but not with the agency's seal certificate
SIGNATURE_MISSING = "signature_missing"  # no seal in the file
SIGNATURE_PARTIAL = "signature_partial"  # changes appended after the seal
PAGE_COUNT = "page_count"
PAGE_TEXT = "page_text"
UNREADABLE = "unreadable"  # not a PDF, or no code/verification line to read


@dataclass
class Verification:
    """The outcome: the document found (if any), whether the file or code matches it exactly,
    and one finding a line for everything that differs (zh-Hans), with its stable code in
    ``kinds`` at the same index (``digest_mismatch``, ``signature_invalid``, ``unknown_sequence``…)."""

    document: IssuedDocument | None = None
    matches: bool = False
    findings: list[str] = field(default_factory=list)
    sha256: str = ""
    kinds: list[str] = field(default_factory=list)

    def note(self, kind: str, finding: str) -> Verification:
        self.kinds.append(kind)
        self.findings.append(finding)
        return self

    @property
    def withdrawn(self) -> str:
        d = self.document
        w = getattr(d, "withdrawal", None) if d is not None else None
        return w.reason if w is not None else ""


def _documents(agency_id: int | None) -> object:
    qs = IssuedDocument.objects.select_related("blob", "issued_by", "case", "agency", "record")
    return qs.filter(agency_id=agency_id) if agency_id is not None else qs


def find_by_code(agency_code: str, record_seq: int, agency_id: int | None) -> IssuedDocument | None:
    return (
        _documents(agency_id)  # type: ignore[attr-defined]
        .filter(agency__credit_code=agency_code, record_seq=record_seq)
        .first()
    )


def verify_code(text: str, *, agency_id: int | None = None) -> Verification:
    """Check a code read from paper: the QR text ``CT1|机关代码|账本序号|SM3前16位`` or the printed
    line. ``agency_id``: look only among that agency's documents (staff see their own)."""
    m = CODE.search(text.strip()) or LINE.search(text)
    if m is None:
        return Verification().note(UNREADABLE, "无法识别核验码：应为二维码内容或页脚的核验行")
    code, seq, short = m.group(1), int(m.group(2)), m.group(3)
    document = find_by_code(code, seq, agency_id)
    if document is None:
        return Verification().note(
            UNKNOWN_SEQUENCE, f"机关代码 {code}、账本序号 {seq} 下没有签发的文书"
        )
    if document.code != short:
        return Verification(document).note(
            SM3_MISMATCH,
            f"SM3 摘要不符：纸面为 {short}，签发时为 {document.code}（内容可能被改动）",
        )
    return Verification(document, True)


def _pages_text(data: bytes) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return [page.extract_text() or "" for page in reader.pages]


def _seal_findings(data: bytes, document: IssuedDocument) -> list[str]:
    """What is wrong with the file's seal, one zh-Hans line each (the archive's 四性检测 too)."""
    return [finding for _kind, finding in _seal_problems(data, document)]


def _seal_problems(data: bytes, document: IssuedDocument) -> list[tuple[str, str]]:
    """Whether the file's seal signature is still intact over what it signed, covers the whole
    file, and was made with the issuing agency's seal certificate (the only root trusted)."""
    from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped, unused-ignore]
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from casetrail.documents.seal import certificate

    root = asn1_x509.Certificate.load(
        certificate(document.agency).public_bytes(serialization.Encoding.DER)
    )

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = reader.embedded_signatures
    except Exception as exc:  # an unreadable PDF is itself the finding
        return [(UNREADABLE, f"无法读取 PDF 结构（{exc}）")]
    if not sigs:
        return [(SIGNATURE_MISSING, "文件中没有电子印章（签名）")]
    try:
        status = validate_pdf_signature(sigs[0], ValidationContext(trust_roots=[root]))
    except Exception as exc:  # a signature too damaged to evaluate is an invalid one
        return [(SIGNATURE_INVALID, f"电子印章无法核验（{type(exc).__name__}：{exc}）")]
    out = []
    if not status.trusted:
        out.append((SIGNATURE_UNTRUSTED, f"电子印章不是{document.agency.name}的印章证书所签"))
    if not status.intact:
        out.append((SIGNATURE_INVALID, "电子印章所签内容已被改动（签名摘要不符）"))
    if status.coverage is not None and status.coverage.name != "ENTIRE_FILE":
        out.append((SIGNATURE_PARTIAL, "电子印章之后文件被追加修改（签名未覆盖整个文件）"))
    return out


def verify_pdf(data: bytes, *, agency_id: int | None = None) -> Verification:
    """Check a PDF file: exact match by digest, else what differs from the document it names."""
    digests = MultiHasher(("sha256", "sm3")).update(data).hexdigests()
    exact = _documents(agency_id).filter(blob__sha256=digests["sha256"]).first()  # type: ignore[attr-defined]
    if exact is not None:
        return Verification(exact, True, [], digests["sha256"])
    try:
        pages = _pages_text(data)
    except Exception:
        return Verification(sha256=digests["sha256"]).note(UNREADABLE, "文件不是可读取的 PDF")
    m = next((LINE.search(text) for text in pages if LINE.search(text)), None)
    if m is None:
        return Verification(sha256=digests["sha256"]).note(
            UNREADABLE, "文件中没有核验行：不是本系统签发的文书，或是扫描件（请输入核验码）"
        )
    document = find_by_code(m.group(1), int(m.group(2)), agency_id)
    if document is None:
        return Verification(sha256=digests["sha256"]).note(
            UNKNOWN_SEQUENCE, f"机关代码 {m.group(1)}、账本序号 {m.group(2)} 下没有签发的文书"
        )
    result = Verification(document, False, [], digests["sha256"]).note(
        DIGEST_MISMATCH,
        f"文件摘要与签发的 PDF 不一致：SHA-256 {digests['sha256'][:16]}… ≠ {document.blob.sha256[:16]}…",
    )
    if m.group(3) != document.code:
        result.note(SM3_MISMATCH, f"核验行的 SM3 为 {m.group(3)}，签发时为 {document.code}")
    original = b"".join(blob_store().iter_bytes(document.blob.sha256))
    theirs = _pages_text(original)
    if len(theirs) != len(pages):
        result.note(PAGE_COUNT, f"页数不同：签发 {len(theirs)} 页，文件 {len(pages)} 页")
    for n, (a, b) in enumerate(zip(theirs, pages, strict=False), start=1):
        if a != b:
            a_lines, b_lines = a.splitlines(), b.splitlines()
            diff = next(
                (
                    (i, x, y)
                    for i, (x, y) in enumerate(zip(a_lines, b_lines, strict=False), start=1)
                    if x != y
                ),
                (min(len(a_lines), len(b_lines)) + 1, "（无）", "（无）"),
            )
            result.note(
                PAGE_TEXT, f"第 {n} 页第 {diff[0]} 行不同：签发为“{diff[1]}”，文件为“{diff[2]}”"
            )
    for kind, finding in _seal_problems(data, document):
        result.note(kind, finding)
    return result
