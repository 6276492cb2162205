"""Building blocks of the issuing action (``@step``): the 文号 drawn from the register, the PDF
stored as a content-addressed blob."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from PIL import Image

from casetrail.documents.models import Family, NumberCounter, NumberPattern
from casetrail.evidence.models import Blob
from casetrail.evidence.storage import blob_store, put_bytes, upload_before, uploaded_before
from casetrail.evidence.writes import blob_row
from casetrail.lib.counters import next_in_year
from casetrail.lib.digests import MultiHasher
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import step
from casetrail.org.models import Agency

PLACEHOLDERS = ("{year}", "{n}")


def check_pattern(pattern: str) -> str:
    """A 文号 pattern holds ``{year}`` and ``{n}`` once each and nothing else in braces."""
    text = pattern.strip()
    if not text or len(text) > 60:
        raise ActionError("invalid_pattern", "文号格式不能为空，且不超过60字", field="pattern")
    rest = text
    for p in PLACEHOLDERS:
        if rest.count(p) != 1:
            raise ActionError(
                "invalid_pattern",
                "文号格式须各含一次 {year} 和 {n}，如“陵民罚决〔{year}〕{n}号”",
                field="pattern",
            )
        rest = rest.replace(p, "")
    if "{" in rest or "}" in rest:
        raise ActionError("invalid_pattern", "文号格式中只能使用 {year} 和 {n}", field="pattern")
    return text


# The default pattern's word after the agency's case-number prefix (陵民罚 → 陵民罚决〔{year}〕{n}号).
DEFAULT_WORD = {Family.DECISION: "决", Family.NOTICE: "告", Family.DEMAND: "催"}


def default_pattern(agency: Agency, family: str) -> str:
    """The pattern in force while the administrator has set none (zero configuration): the
    prefix of the agency's case numbers with the family's word, e.g. 陵民罚〔{year}〕{n}号 gives
    决定书 陵民罚决〔{year}〕{n}号, 告知书 陵民罚告〔…〕, 催告书 陵民罚催〔…〕."""
    prefix = agency.case_number_pattern.split("〔")[0].split("{")[0].strip()
    return f"{prefix}{DEFAULT_WORD.get(Family(family), '')}〔{{year}}〕{{n}}号"


def pattern_of(agency: Agency, family: str) -> NumberPattern | None:
    """The pattern the administrator set last (None: the default is in force)."""
    return (
        NumberPattern.objects.filter(agency=agency, family=family)
        .order_by("-set_at", "-id")
        .first()
    )


def pattern_in_force(agency: Agency, family: str) -> str:
    pattern = pattern_of(agency, family)
    return pattern.pattern if pattern is not None else default_pattern(agency, family)


@step
def draw_number(
    *, agency: Agency, family: str, now: dt.datetime
) -> tuple[str, int, int, NumberCounter]:
    """The next 文号 of the family this year: gapless, as case numbers are — the counter row is
    locked and advanced inside the issuing transaction, so an issue that rolls back never uses a
    number. Returns (文号, year, n, counter)."""
    pattern = pattern_in_force(agency, family)
    year = timezone.localdate(now).year
    counter = next_in_year(NumberCounter, year=year, agency=agency, family=family)
    return pattern.format(year=year, n=counter.last), year, counter.last, counter


# The scans accepted: what the file's first bytes say, never the name or the browser's word.
SCAN_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
MAX_SCAN_BYTES = 20 * 1024 * 1024


def scan_media_type(data: bytes) -> str:
    """The media type of a signed paper's scan or photo (PDF, PNG or JPEG, ≤ 20 MB), read from
    its bytes; anything else is refused (``scan_type``), an image that does not decode too."""
    if len(data) > MAX_SCAN_BYTES:
        raise ActionError("scan_too_large", "扫描件不得超过20MB", field="file")
    media_type = next((m for magic, m in SCAN_MAGIC if data.startswith(magic)), "")
    if media_type.startswith("image/"):
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        except Exception:
            media_type = ""
    if not media_type:
        raise ActionError(
            "scan_type", "签字件应为 PDF 文件或 JPEG、PNG 图片（扫描件或照片）", field="file"
        )
    return media_type


def scan_upload(**kwargs: Any) -> dict[str, Any]:
    """The ``before`` hook of the receipt action: the scan uploaded before the transaction when
    it is one the action accepts (``scan_media_type``); the action refuses the rest as before."""
    scan = kwargs.get("scan") or b""
    try:
        scan_media_type(scan)
    except ActionError:
        return {}
    return upload_before(scan)


@step
def store_pdf(*, agency_id: int, data: bytes) -> tuple[Blob, dict[str, str]]:
    """Put the PDF in the blob store (addressed by SHA-256, write-once) and record its row.
    Returns (blob, {"sha256": …, "sm3": …})."""
    digests = MultiHasher(("sha256", "sm3")).update(data).hexdigests()
    store = blob_store()
    if not uploaded_before(digests["sha256"]):
        put_bytes(data)  # refused inside a transaction except where marked known (lib.outside)
    blob, _ = blob_row(
        agency_id=agency_id,
        sha256=digests["sha256"],
        sm3=digests["sm3"],
        size=len(data),
        media_type="application/pdf",
        storage=store.name,
    )
    return blob, digests
