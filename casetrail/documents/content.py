"""What a 文书 prints, as data: built once from the record when it is issued, hashed (SM3 over its
RFC 8785 JSON) and handed to the family's template.

The digest on every page (the verification line and QR code) is of this content, not of the PDF:
a PDF cannot carry the digest of its own bytes. The PDF's own SHA-256 and SM3 are in the issuing
action's ledger entry and in the blob row, and ``verify-document`` checks both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone

from casetrail.cases.models import Case, Party
from casetrail.documents.families import family_of
from casetrail.lib.canonical_json import canonicalize
from casetrail.lib.digests import hexdigest
from casetrail.records.models import Record

CN_DIGITS = "〇一二三四五六七八九"
#: The fields a decision prints as its remedies sentence (行政处罚法第五十九条第一款第五项), not as
#: labelled paragraphs; and the typed 文号 of older records, replaced by the register's number.
REMEDY_FIELDS = ("review_body", "review_period", "litigation_court", "litigation_period")
NOT_PRINTED = ("doc_no",)
#: Fields whose date is the document's date (成文日期), in this order; else the issuing day.
DATE_FIELDS = ("decided_at", "issued_at", "served_at", "ended_at", "started_at")
VERIFY_PREFIX = "CT1"


def chinese_year(year: int) -> str:
    return "".join(CN_DIGITS[int(d)] for d in str(year))


def chinese_number(n: int) -> str:
    """1..31 in Chinese numerals as dates write them (十一, 二十, 三十一)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens] + "十")
    return head + (CN_DIGITS[ones] if ones else "") if n >= 10 else CN_DIGITS[n]


def chinese_date(day: dt.date) -> str:
    """二〇二六年十一月三十日: the 成文日期 as a sealed 文书 writes it."""
    return f"{chinese_year(day.year)}年{chinese_number(day.month)}月{chinese_number(day.day)}日"


@dataclass(frozen=True)
class PartyBlock:
    label: str
    lines: list[str]


@dataclass(frozen=True)
class Printed:
    """Everything a page shows. ``fields`` are (label, text) in the catalogue entry's order."""

    agency: str
    agency_code: str
    title: str
    family: str
    kind: str
    version: int
    doc_no: str | None
    case_number: str
    record: int
    record_seq: int
    fields: list[tuple[str, str]]
    remedies: str
    signatures: list[str]
    party: PartyBlock | None
    date: str
    template: str
    extra: dict[str, str] = field(default_factory=dict)
    # A blank 送达回证 printed for an issued document carries that document's code, so the signed
    # paper, scanned back, names the document it proves was served.
    code_of: str = ""

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["fields"] = [list(pair) for pair in self.fields]
        return data

    @property
    def sm3(self) -> str:
        return hexdigest("sm3", canonicalize(self.as_json(), name="document"))

    @property
    def short(self) -> str:
        return self.code_of or self.sm3[:16]

    @property
    def verify_code(self) -> str:
        """The QR code's text: CT1|agency code|ledger seq of the record|first 16 hex of SM3."""
        return f"{VERIFY_PREFIX}|{self.agency_code}|{self.record_seq}|{self.short}"

    @property
    def verify_line_short(self) -> str:
        """The same, in two lines for the page's corner (CSS ``\\A`` is the line break)."""
        return f"核验：机关代码 {self.agency_code}\\A账本序号 {self.record_seq} · SM3 {self.short}"

    @property
    def verify_line(self) -> str:
        return f"核验：机关代码 {self.agency_code} · 账本序号 {self.record_seq} · SM3 {self.short}"


def _party_block(case: Case, value: Any) -> PartyBlock | None:
    if not isinstance(value, dict) or "id" not in value:
        return None
    party = Party.objects.filter(case=case, pk=value["id"]).first()
    if party is None:
        return None
    lines = [f"当事人：{party.name}"]
    if party.kind == "person":
        if party.id_number:
            lines.append(f"身份证件号码：{party.id_number}")
    else:
        if party.credit_code:
            lines.append(f"统一社会信用代码：{party.credit_code}")
        if party.representative:
            lines.append(f"法定代表人（负责人）：{party.representative}")
    if party.address:
        lines.append(f"住址（住所）：{party.address}")
    return PartyBlock("当事人", lines)


def _date_of(record: Record, now: dt.datetime) -> dt.date:
    for name in DATE_FIELDS:
        value = record.fields.get(name)
        if isinstance(value, str) and len(value) >= 10:
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return timezone.localdate(now)


def _remedies(values: dict[str, Any]) -> str:
    body, period = values.get("review_body"), values.get("review_period")
    court, within = values.get("litigation_court"), values.get("litigation_period")
    if not (body or court):
        return ""
    parts = []
    if body:
        parts.append(f"于{period or '法定期限内'}向{body}申请行政复议")
    if court:
        parts.append(f"于{within or '法定期限内'}向{court}提起行政诉讼")
    return "如不服本决定，可以" + "，或者".join(parts) + "。"


def printed(
    *, record: Record, case: Case, doc_no: str | None, record_seq: int, now: dt.datetime
) -> Printed:
    """The content of ``record`` as its 文书 prints it, personal data whole (the document is
    served on the party; who may download it is checked by the selectors)."""
    family = family_of(record.kind)
    doc = record.doc
    party_field = next((f.name for f in doc.fields if f.type == "party"), None) if doc else None
    skip = set(NOT_PRINTED) | ({party_field} if party_field else set())
    if family == "decision":
        skip |= set(REMEDY_FIELDS)
    labels = {f.label: f.name for f in doc.fields} if doc else {}
    fields = [
        (label, str(text))
        for label, text in record.shown_fields(personal=True)
        if labels.get(label, label) not in skip
    ]
    party = _party_block(case, record.fields.get(party_field)) if party_field else None
    return Printed(
        agency=case.agency.name,
        agency_code=case.agency.credit_code,
        title=record.title,
        family=str(family),
        kind=record.kind,
        version=record.version,
        doc_no=doc_no,
        case_number=case.number or "",
        record=record.pk,
        record_seq=record_seq,
        fields=fields,
        remedies=_remedies(record.fields) if family == "decision" else "",
        signatures=[s.label for s in doc.signatures if s.role != "other"] if doc else [],
        party=party,
        date=chinese_date(_date_of(record, now)),
        template=f"documents/pdf/{family}.html",
    )


BLANK = "　" * 8


def blank_receipt(*, issued: Any, now: dt.datetime) -> Printed:
    """The 送达回证 (第二十二、二十四条) of an issued document, printed blank for the recipient and
    the server to fill in and sign on paper: the document, its 文号 and the party filled in, the
    rest left to the pen. It carries the served document's verification code."""
    from casetrail.records.catalogue import CATALOGUE

    record, case = issued.record, issued.case
    doc = record.doc
    party_field = next((f.name for f in doc.fields if f.type == "party"), None) if doc else None
    party = record.fields.get(party_field) if party_field else None
    receipt = CATALOGUE["service_receipt"]
    served = record.title + (f"（{issued.doc_no}）" if issued.doc_no else "")
    return Printed(
        agency=case.agency.name,
        agency_code=case.agency.credit_code,
        title=receipt.title,
        family="receipt",
        kind="service_receipt",
        version=receipt.version,
        doc_no=None,
        case_number=case.number or "",
        record=record.pk,
        record_seq=issued.record_seq,
        fields=[
            ("送达的文书", served),
            ("受送达人", party.get("name", "") if isinstance(party, dict) else BLANK),
            ("送达方式", "直接送达 / 留置送达 / 委托送达 / 转交送达（选一）"),
            ("送达地点", BLANK),
            ("送达时间", "　　　　年　　月　　日　　时　　分"),
        ],
        remedies="",
        signatures=[s.label for s in receipt.signatures],
        party=None,
        date=chinese_date(timezone.localdate(now)),
        template="documents/pdf/receipt.html",
        code_of=issued.code,
    )
