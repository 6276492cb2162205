"""The document catalogue: every document type is data (``catalogue.yaml``) — its fields, stage,
officers present, signatures, attachments and the articles it serves.

Forms and validation are driven by these entries, in the UI and the API alike; the compliance rules
read them too. The file is loaded and checked once at start-up: a malformed entry stops the app with
a message naming the entry and the key, never a confusing error on the first form.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from casetrail.lib.errors import ActionError

CATALOGUE_FILE = Path(__file__).with_name("catalogue.yaml")
STAGES = ("start", "investigation", "decision", "service")
FIELD_TYPES = (
    "text",
    "longtext",
    "date",
    "datetime",
    "bool",
    "list",
    "number",
    "money",
    "choice",
    "person",
    "party",
    "officer",
    "officers",
    "legal_basis",
    "document",
)
# Types whose value is checked against the case (its parties, the agency's officers, its records).
CONTEXT_TYPES = ("party", "officer", "officers", "document")
SIGNATURE_ROLES = (
    "officers",
    "party",
    "interviewee",
    "witness",
    "recipient",
    "server",
    "drafter",
    "reviewer",
    "legal_reviewer",
    "approver",
    "expert",
    "applicant",
    "complainant",
    "other",
)
ATTACHMENT_KINDS = ("signed_scan", "photo", "av", "document")
PROCEDURES = ("ordinary", "summary")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    must_be_true: bool = False  # a confirmation that must be ticked (e.g. applicant signed)
    refers_to: tuple[str, ...] = ()  # for type "document": the codes it may point at


@dataclass(frozen=True)
class Signature:
    role: str
    label: str
    refusal: bool = False  # a refusal with its reason may stand in for the signature


@dataclass(frozen=True)
class Attachment:
    kind: str
    label: str
    required: bool = False
    overlaps: tuple[str, ...] = ()  # (start field, end field) the audio/video must cover


@dataclass(frozen=True)
class DocType:
    code: str
    title: str
    stage: str
    articles: tuple[str, ...]
    fields: tuple[Field, ...] = field(default_factory=tuple)
    procedure: str = ""
    officers_min: int = 0  # >0: officers present with certificate numbers shown (第十一条)
    signatures: tuple[Signature, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


CATALOGUE: dict[str, DocType] = {}

_KEYS = {
    "code",
    "title",
    "stage",
    "articles",
    "procedure",
    "fields",
    "officers",
    "signatures",
    "attachments",
}
_FIELD_KEYS = {"name", "label", "type", "required", "choices", "help", "must_be_true", "refers_to"}


def _fail(where: str, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{CATALOGUE_FILE.name}: {where}: {message}")


def _parse_entry(raw: Any, index: int) -> DocType:
    if not isinstance(raw, dict):
        raise _fail(f"entry {index}", "must be a mapping")
    code = str(raw.get("code", ""))
    where = f"entry {index} ({code or '?'})"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
        raise _fail(where, "code must be snake_case")
    unknown = set(raw) - _KEYS
    if unknown:
        raise _fail(where, f"unknown keys {sorted(unknown)}")
    if raw.get("stage") not in STAGES:
        raise _fail(where, f"stage must be one of {STAGES}")
    if raw.get("procedure", "") not in ("", *PROCEDURES):
        raise _fail(where, f"procedure must be one of {PROCEDURES}")
    fields = []
    for f in raw.get("fields") or []:
        if not isinstance(f, dict) or set(f) - _FIELD_KEYS or "name" not in f or "label" not in f:
            raise _fail(where, f"bad field {f!r}")
        ftype = f.get("type", "text")
        if ftype not in FIELD_TYPES:
            raise _fail(where, f"field {f['name']}: unknown type {ftype}")
        choices = tuple(tuple(c) for c in f.get("choices") or [])
        if ftype == "choice" and (not choices or any(len(c) != 2 for c in choices)):
            raise _fail(where, f"field {f['name']}: a choice needs [[value, label], ...]")
        fields.append(
            Field(
                name=str(f["name"]),
                label=str(f["label"]),
                type=ftype,
                required=bool(f.get("required", True)),
                choices=choices,  # type: ignore[arg-type]
                help=str(f.get("help", "")),
                must_be_true=bool(f.get("must_be_true", False)),
                refers_to=tuple(f.get("refers_to") or ()),
            )
        )
    names = [f.name for f in fields]
    if len(names) != len(set(names)):
        raise _fail(where, "duplicate field names")
    signatures = []
    for sig in raw.get("signatures") or []:
        if not isinstance(sig, dict) or sig.get("role") not in SIGNATURE_ROLES:
            raise _fail(where, f"bad signature {sig!r}; roles: {SIGNATURE_ROLES}")
        signatures.append(
            Signature(
                str(sig["role"]),
                str(sig.get("label", sig["role"])),
                bool(sig.get("refusal", False)),
            )
        )
    attachments = []
    for att in raw.get("attachments") or []:
        if not isinstance(att, dict) or att.get("kind") not in ATTACHMENT_KINDS:
            raise _fail(where, f"bad attachment {att!r}; kinds: {ATTACHMENT_KINDS}")
        overlaps = tuple(att.get("overlaps") or ())
        if overlaps and (
            len(overlaps) != 2
            or any(
                (fd := next((f for f in fields if f.name == n), None)) is None
                or fd.type != "datetime"
                for n in overlaps
            )
        ):
            raise _fail(where, f"attachment overlaps must name two datetime fields, got {overlaps}")
        attachments.append(
            Attachment(
                str(att["kind"]),
                str(att.get("label", att["kind"])),
                bool(att.get("required", False)),
                overlaps,
            )
        )
    officers = raw.get("officers") or {}
    return DocType(
        code=code,
        title=str(raw.get("title", "")),
        stage=raw["stage"],
        articles=tuple(raw.get("articles") or ()),
        fields=tuple(fields),
        procedure=str(raw.get("procedure", "")),
        officers_min=int(officers.get("min", 0)),
        signatures=tuple(signatures),
        attachments=tuple(attachments),
    )


def load_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, DocType]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ImproperlyConfigured(f"cannot read the document catalogue {path}: {exc}") from None
    if not isinstance(raw, list):
        raise _fail("top level", "must be a list of entries")
    out: dict[str, DocType] = {}
    for index, entry in enumerate(raw):
        doc = _parse_entry(entry, index)
        if doc.code in out:
            raise _fail(f"entry {index}", f"duplicate code {doc.code}")
        out[doc.code] = doc
    for doc in out.values():
        for f in doc.fields:
            missing = [c for c in f.refers_to if c not in out]
            if missing:
                raise _fail(doc.code, f"field {f.name} refers to unknown codes {missing}")
    return out


CATALOGUE.update(load_catalogue())


def doc_type(code: str) -> DocType:
    try:
        return CATALOGUE[code]
    except KeyError:
        raise ActionError("unknown_document_type", f"未知的文书类型：{code}") from None


def validate_catalogue() -> None:
    """Start-up check: the file on disk parses and agrees with what is loaded."""
    load_catalogue()


def _as_id(raw: Any, where: str, name: str) -> int:
    if isinstance(raw, dict):
        raw = raw.get("id")
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        raise ActionError("invalid_reference", f"{where}：应为编号", field=name) from None


def _clean_context(doc: DocType, f: Field, raw: Any, case: Any, where: str) -> Any:
    """Values that point into the case: a party, officers of the agency, another record."""
    from casetrail.org.models import Officer

    if case is None:
        raise ActionError("case_required", f"{where}：须在案件中填写", field=f.name)
    if f.type == "party":
        pk = _as_id(raw, where, f.name)
        party = case.parties.filter(pk=pk).first()
        if party is None:
            raise ActionError("invalid_party", f"{where}：不是本案当事人", field=f.name)
        return {"id": party.pk, "name": party.name}
    if f.type == "document":
        pk = _as_id(raw, where, f.name)
        record = case.records.filter(pk=pk).first()
        if record is None or (f.refers_to and record.kind not in f.refers_to):
            allowed = "、".join(CATALOGUE[c].title for c in f.refers_to if c in CATALOGUE)
            raise ActionError(
                "invalid_document", f"{where}：应为本案的{allowed or '文书'}", field=f.name
            )
        return {"id": record.pk, "kind": record.kind}
    ids = [_as_id(r, where, f.name) for r in (raw if isinstance(raw, list) else [raw])]
    officers = {o.pk: o for o in Officer.objects.filter(pk__in=ids, agency_id=case.agency_id)}
    out = []
    for pk in ids:
        officer = officers.get(pk)
        if officer is None:
            raise ActionError("invalid_officer", f"{where}：不是本机关人员", field=f.name)
        out.append({"id": officer.pk, "name": officer.name, "cert": officer.certificate_no})
    return out[0] if f.type == "officer" else out


def _clean_value(doc: DocType, f: Field, raw: Any, case: Any = None) -> Any:
    """Normalise one field to its JSON form (strings, integers, lists, booleans, small objects),
    or raise ActionError naming the field."""
    missing = raw is None or raw == "" or raw == []
    where = f"{doc.title}·{f.label}"
    if f.type == "bool":
        value = raw in (True, "true", "on", "1", 1)
        if f.must_be_true and not value:
            raise ActionError("confirmation_required", f"{where}：须经确认后方可记录", field=f.name)
        return value
    if missing:
        if f.required:
            raise ActionError("field_required", f"{where}：必填", field=f.name)
        return [] if f.type in ("list", "officers") else None if f.type in CONTEXT_TYPES else ""
    if f.type in CONTEXT_TYPES:
        return _clean_context(doc, f, raw, case, where)
    if f.type == "number":
        try:
            number = int(str(raw).strip())
        except ValueError:
            raise ActionError("invalid_number", f"{where}：应为整数", field=f.name) from None
        if number < 0:
            raise ActionError("invalid_number", f"{where}：不能为负数", field=f.name)
        return number
    if f.type == "money":
        try:
            amount = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            raise ActionError(
                "invalid_money", f"{where}：金额格式不正确（元，最多两位小数）", field=f.name
            ) from None
        if amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise ActionError(
                "invalid_money", f"{where}：金额应为非负数，最多两位小数", field=f.name
            )
        # A string: canonical JSON carries no floats, and money must not round.
        return str(amount.quantize(Decimal("0.01")))
    if f.type == "list":
        items = raw.splitlines() if isinstance(raw, str) else list(raw)
        cleaned = [str(i).strip() for i in items if str(i).strip()]
        if f.required and not cleaned:
            raise ActionError("field_required", f"{where}：至少填写一项", field=f.name)
        return cleaned
    if f.type == "date":
        day = raw if isinstance(raw, dt.date) else parse_date(str(raw))
        if day is None:
            raise ActionError("invalid_date", f"{where}：日期格式应为 YYYY-MM-DD", field=f.name)
        return day.isoformat()
    if f.type == "datetime":
        moment = raw if isinstance(raw, dt.datetime) else parse_datetime(str(raw))
        if moment is None:
            raise ActionError(
                "invalid_datetime", f"{where}：时间格式应为 YYYY-MM-DDTHH:MM", field=f.name
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if moment > timezone.now() + dt.timedelta(minutes=5):
            raise ActionError("datetime_in_future", f"{where}：不能晚于当前时间", field=f.name)
        if (
            case is not None
            and doc.stage != "start"
            and (timezone.localdate(moment) < timezone.localdate(case.created_at))
        ):
            raise ActionError(
                "datetime_before_case", f"{where}：不能早于案件登记日期", field=f.name
            )
        return timezone.localtime(moment).isoformat()
    if f.type == "choice":
        if raw not in dict(f.choices):
            raise ActionError("invalid_choice", f"{where}：无效的选项 {raw}", field=f.name)
        return raw
    text = str(raw).strip()
    if f.required and not text:
        raise ActionError("field_required", f"{where}：必填", field=f.name)
    return text


def clean_fields(code: str, data: dict[str, Any], *, case: Any = None) -> dict[str, Any]:
    """Validate ``data`` against the catalogue entry (parties, officers and records against
    ``case``) and return the JSON-ready field values."""
    doc = doc_type(code)
    unknown = set(data) - {f.name for f in doc.fields}
    if unknown:
        raise ActionError(
            "unknown_field",
            f"{doc.title}：没有字段 {', '.join(sorted(unknown))}",
            field=sorted(unknown)[0],
        )
    return {f.name: _clean_value(doc, f, data.get(f.name), case) for f in doc.fields}
