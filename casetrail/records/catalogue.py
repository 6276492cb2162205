"""The document catalogue: every document type is data (``catalogue.yaml``) — its fields, stages,
officers present, signatures, attachments and the articles it serves.

Forms, validation (``casetrail.records.validation``) and display (``casetrail.records.display``)
are driven by these entries, in the UI and the API alike; the compliance rules read them too.

Entries are versioned. Every record stores the version of its entry it was made with (NULL: 1), and
is read, shown and corrected under that version, so changing an entry never strands older records.
Superseded versions live in ``catalogue_history.yaml``; ``catalogue.lock`` holds a fingerprint of
every (code, version), so an entry cannot change without a new version: start-up stops and says so.

Both files and the lock are loaded and checked once at start-up: a malformed entry stops the app
with a message naming the entry and the key, never a confusing error on the first form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured

from casetrail.lib.canonical_json import canonicalize
from casetrail.lib.errors import ActionError

SCHEMA_VERSION = 2
CATALOGUE_FILE = Path(__file__).with_name("catalogue.yaml")
HISTORY_FILE = Path(__file__).with_name("catalogue_history.yaml")
LOCK_FILE = Path(__file__).with_name("catalogue.lock")

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
    "documents",
)
# Types whose value is checked against the case (its parties, the agency's officers, its records).
CONTEXT_TYPES = ("party", "officer", "officers", "document", "documents")
# The parts of a ``person`` value; all but the name are personal data, masked one by one.
PERSON_PARTS = ("name", "id_number", "phone", "address")
PERSON_LABELS = {
    "name": "姓名",
    "id_number": "身份证件号码",
    "phone": "联系电话",
    "address": "住址",
}
# How a ``personal`` field is masked: free text is withheld whole, the others keep a visible part.
PERSONAL_KINDS = ("text", "id_number", "phone", "address")
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
# Who makes a document: the case's officers through 制作文书 (handler); the act that proposes a
# decision and opens its approval chain (proposal: the 处理决定审批表); or the person taking a step
# of a chain, in their own login, as that step (approval_step: 法制审核意见, 集体讨论记录, 负责人签批 —
# 第六条). Only ``handler`` documents are made through record_create.
MADE_BY = ("handler", "proposal", "approval_step")
# Clocks of phones and PCs drift: a time "now" may arrive a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=5)


def has_value(value: Any) -> bool:
    """Whether a field's value says something (a ticked box, a non-empty text, list or person)."""
    if isinstance(value, dict):
        return any(has_value(v) for v in value.values())
    return value not in (None, "", [], False)


@dataclass(frozen=True)
class Condition:
    """``required_if``: the field is required when ``field`` has a value (or one of ``values``)."""

    field: str
    values: tuple[str, ...] = ()

    def met(self, values: Mapping[str, Any]) -> bool:
        value = values.get(self.field)
        if self.values:
            return isinstance(value, str) and value in self.values
        return has_value(value)


@dataclass(frozen=True)
class Range:
    """``valid_range`` of a date or time, relative to the record's time: at most ``before``
    earlier and ``after`` later (None: unbounded); ``since_case``: not before the day the case
    was registered. ``spec`` keeps the catalogue's words for the API."""

    before: dt.timedelta | None = None
    after: dt.timedelta | None = None
    since_case: bool = False
    spec: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    must_be_true: bool = False  # a confirmation that must be ticked (e.g. applicant signed)
    refers_to: tuple[str, ...] = ()  # for "document(s)": the codes it may point at
    personal: str = ""  # one of PERSONAL_KINDS: masked for viewers who may not see personal data
    required_if: Condition | None = None
    future: bool = False  # a datetime that may lie in the future (a hearing noticed ahead)
    valid_range: Range | None = None

    def range(self, doc: DocType) -> Range:
        """The bounds this date or time is checked against (see ``valid_range``)."""
        if self.valid_range is not None:
            return self.valid_range
        if self.type != "datetime":
            return Range()  # dates are often deadlines: unbounded unless the entry says
        # A document of the start may record what happened before the case was registered.
        return Range(
            after=None if self.future else CLOCK_SKEW, since_case="start" not in doc.stages
        )


@dataclass(frozen=True)
class Signature:
    role: str
    label: str
    refusal: bool = False  # a refusal with its reason may stand in for the signature
    required: bool = True
    key: str = ""  # the slot: stable, distinct from the role (two officers of one hearing)

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.role)


@dataclass(frozen=True)
class Attachment:
    kind: str
    label: str
    required: bool = False
    overlaps: tuple[str, ...] = ()  # (start field, end field) the audio/video must cover
    name: str = ""  # the slot a file is attached to; defaults to the kind

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.kind)


@dataclass(frozen=True)
class DocType:
    code: str
    title: str
    stages: tuple[str, ...]
    articles: tuple[str, ...]
    fields: tuple[Field, ...] = field(default_factory=tuple)
    procedure: str = ""
    officers_min: int = 0  # >0: officers present with certificate numbers shown (第十一条)
    signatures: tuple[Signature, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    version: int = 1
    formerly: tuple[str, ...] = ()  # retired codes whose records are this document
    made_by: str = "handler"  # one of MADE_BY

    @property
    def stage(self) -> str:
        """The first stage the document belongs to (most belong to one)."""
        return self.stages[0]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def signature(self, key: str) -> Signature | None:
        return next((s for s in self.signatures if s.key == key), None)

    def attachment(self, name: str) -> Attachment | None:
        return next((a for a in self.attachments if a.name == name), None)

    def slot_of_kind(self, kind: str) -> str | None:
        """The one slot of ``kind``, for callers that still name attachments by kind."""
        slots = [a.name for a in self.attachments if a.kind == kind]
        return slots[0] if len(slots) == 1 else None


CATALOGUE: dict[str, DocType] = {}  # code → current entry
HISTORY: dict[tuple[str, int], DocType] = {}  # (code, version) → superseded entry


# --- parsing ---------------------------------------------------------------------------------------

_KEYS_V1 = {
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
_KEYS_V2 = _KEYS_V1 | {"version", "formerly", "made_by"}
_FIELD_KEYS_V1 = {
    "name",
    "label",
    "type",
    "required",
    "choices",
    "help",
    "must_be_true",
    "refers_to",
}
_FIELD_KEYS_V2 = _FIELD_KEYS_V1 | {"personal", "required_if", "future", "valid_range"}
_SIGNATURE_KEYS = {"key", "role", "label", "refusal", "required"}
_ATTACHMENT_KEYS = {"name", "kind", "label", "required", "overlaps"}
_SNAKE = re.compile(r"[a-z][a-z0-9_]*")
_DURATION = re.compile(r"(\d+)([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class _Where:
    """Builds start-up messages that name the file, the entry and the key at fault."""

    def __init__(self, path: Path, what: str) -> None:
        self.path, self.what = path, what

    def fail(self, message: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"{self.path.name}: {self.what}: {message}")


def _bool(raw: Mapping[str, Any], key: str, default: bool, where: _Where) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise where.fail(f"{key} must be true or false, got {value!r}")
    return value


def _codes(raw: Any, key: str, where: _Where) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        raise where.fail(f"{key} must be a list of codes")
    return tuple(raw)


def _duration(text: Any, where: _Where, key: str, *, days_only: bool) -> dt.timedelta | None:
    if text == "any":
        return None
    match = _DURATION.fullmatch(str(text))
    if not match or (days_only and match.group(2) != "d"):
        unit = "Nd" if days_only else "Nd, Nh or Nm"
        raise where.fail(f"valid_range {key} must be {unit} or any, got {text!r}")
    return dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _parse_range(f: dict[str, Any], ftype: str, future: bool, where: _Where) -> Range | None:
    raw = f.get("valid_range")
    if raw is None:
        return None
    if ftype not in ("date", "datetime"):
        raise where.fail("valid_range applies to date and datetime fields only")
    if not isinstance(raw, dict) or set(raw) - {"before", "after"}:
        raise where.fail(f"valid_range must be {{before, after}}, got {raw!r}")
    days_only = ftype == "date"
    before_text = raw.get("before", "case" if ftype == "datetime" else "any")
    since_case = before_text == "case"
    before = None if since_case else _duration(before_text, where, "before", days_only=days_only)
    if ftype == "datetime":
        after_text = raw.get("after", "any" if future else "5m")
        after = _duration(after_text, where, "after", days_only=False)
        if not future and (after is None or after > CLOCK_SKEW):
            raise where.fail("a range reaching into the future needs future: true")
    else:
        after_text = raw.get("after", "any")
        after = _duration(after_text, where, "after", days_only=True)
    spec = (("before", str(before_text)), ("after", str(after_text)))
    return Range(before=before, after=after, since_case=since_case, spec=spec)


def _parse_field(f: Any, schema: int, where: _Where) -> tuple[Field, Any]:
    """One field, and its raw ``required_if`` (resolved once every field is known)."""
    if not isinstance(f, dict) or "name" not in f or "label" not in f:
        raise where.fail(f"bad field {f!r}: a field is a mapping with name and label")
    name = str(f["name"])
    here = _Where(where.path, f"{where.what}: field {name}")
    allowed = _FIELD_KEYS_V1 if schema == 1 else _FIELD_KEYS_V2
    unknown = set(f) - allowed
    if unknown:
        raise here.fail(f"unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    if not _SNAKE.fullmatch(name):
        raise here.fail("name must be snake_case")
    ftype = f.get("type", "text")
    if ftype not in FIELD_TYPES:
        raise here.fail(f"unknown type {ftype}; types: {FIELD_TYPES}")
    personal = f.get("personal", False)
    if schema == 1 and ftype == "person":
        # Schema 1 had the person as one line of text holding name and identity: all of it is
        # personal data, so it is shown only to those who may see personal data.
        ftype, personal = "text", "text"
    choices = tuple(tuple(c) for c in f.get("choices") or [])
    if ftype == "choice" and (not choices or any(len(c) != 2 for c in choices)):
        raise here.fail("a choice needs choices: [[value, label], ...]")
    if personal is True:
        personal = "text"
    if personal is False:
        personal = ""
    if personal and personal not in PERSONAL_KINDS:
        raise here.fail(f"personal must be true or one of {PERSONAL_KINDS[1:]}, got {personal!r}")
    if personal and ftype == "person":
        raise here.fail("a person's parts are masked one by one: personal does not apply")
    if personal and ftype not in ("text", "longtext", "list"):
        raise here.fail("personal applies to text, longtext and list fields")
    refers_to = _codes(f.get("refers_to"), "refers_to", here)
    if refers_to and ftype not in ("document", "documents"):
        raise here.fail("refers_to applies to document and documents fields only")
    future = _bool(f, "future", False, here)
    if future and ftype != "datetime":
        raise here.fail("future applies to datetime fields only")
    required = _bool(f, "required", True, here)
    if "required_if" in f and required:
        raise here.fail("a field with required_if must say required: false")
    parsed = Field(
        name=name,
        label=str(f["label"]),
        type=ftype,
        required=required,
        choices=choices,
        help=str(f.get("help", "")),
        must_be_true=_bool(f, "must_be_true", False, here),
        refers_to=refers_to,
        personal=personal,
        future=future,
        valid_range=_parse_range(f, ftype, future, here),
    )
    return parsed, f.get("required_if")


def _resolve_condition(raw: Any, f: Field, fields: dict[str, Field], where: _Where) -> Condition:
    here = _Where(where.path, f"{where.what}: field {f.name}: required_if")
    if isinstance(raw, str):
        raw = {"field": raw}
    if not isinstance(raw, dict) or set(raw) - {"field", "in"} or "field" not in raw:
        raise here.fail(f"must name a field, or be {{field, in: [values]}}, got {raw!r}")
    other = fields.get(str(raw["field"]))
    if other is None or other.name == f.name:
        raise here.fail(f"names no other field of the entry: {raw['field']!r}")
    values = raw.get("in")
    if values is None:
        return Condition(other.name)
    values = [values] if isinstance(values, str) else values
    known = dict(other.choices)
    if other.type != "choice" or not isinstance(values, list) or set(values) - set(known):
        raise here.fail(f"in: must list choices of {other.name}, got {values!r}")
    return Condition(other.name, tuple(values))


def _parse_signatures(raw: Any, schema: int, where: _Where) -> tuple[Signature, ...]:
    out: list[Signature] = []
    for sig in raw or []:
        if not isinstance(sig, dict) or sig.get("role") not in SIGNATURE_ROLES:
            raise where.fail(f"bad signature {sig!r}; roles: {SIGNATURE_ROLES}")
        here = _Where(where.path, f"{where.what}: signature {sig.get('key', sig['role'])}")
        if schema == 1:
            out.append(
                Signature(sig["role"], str(sig.get("label", sig["role"])), bool(sig.get("refusal")))
            )
            continue
        unknown = set(sig) - _SIGNATURE_KEYS
        if unknown:
            raise here.fail(f"unknown keys {sorted(unknown)}; allowed: {sorted(_SIGNATURE_KEYS)}")
        key = str(sig.get("key", sig["role"]))
        if not _SNAKE.fullmatch(key):
            raise here.fail("key must be snake_case")
        out.append(
            Signature(
                role=sig["role"],
                label=str(sig.get("label", sig["role"])),
                refusal=_bool(sig, "refusal", False, here),
                required=_bool(sig, "required", True, here),
                key=key,
            )
        )
    keys = [s.key for s in out]
    if len(keys) != len(set(keys)):
        raise where.fail(f"duplicate signature keys {keys}: give each signature its own key")
    return tuple(out)


def _parse_attachments(
    raw: Any, schema: int, fields: dict[str, Field], where: _Where
) -> tuple[Attachment, ...]:
    out: list[Attachment] = []
    for att in raw or []:
        if not isinstance(att, dict) or att.get("kind") not in ATTACHMENT_KINDS:
            raise where.fail(f"bad attachment {att!r}; kinds: {ATTACHMENT_KINDS}")
        here = _Where(where.path, f"{where.what}: attachment {att.get('name', att['kind'])}")
        if schema == 2 and set(att) - _ATTACHMENT_KEYS:
            unknown = sorted(set(att) - _ATTACHMENT_KEYS)
            raise here.fail(f"unknown keys {unknown}; allowed: {sorted(_ATTACHMENT_KEYS)}")
        name = str(att.get("name", att["kind"])) if schema == 2 else att["kind"]
        if not _SNAKE.fullmatch(name):
            raise here.fail("name must be snake_case")
        overlaps = tuple(att.get("overlaps") or ())
        if overlaps and (
            len(overlaps) != 2
            or any((fd := fields.get(n)) is None or fd.type != "datetime" for n in overlaps)
        ):
            raise here.fail(f"overlaps must name two datetime fields, got {overlaps}")
        out.append(
            Attachment(
                kind=att["kind"],
                label=str(att.get("label", att["kind"])),
                required=bool(att.get("required", False)),
                overlaps=overlaps,
                name=name,
            )
        )
    names = [a.name for a in out]
    if len(names) != len(set(names)):
        raise where.fail(f"duplicate attachment names {names}: give each slot its own name")
    return tuple(out)


def _parse_entry(raw: Any, path: Path, index: int, schema: int) -> DocType:
    if not isinstance(raw, dict):
        raise _Where(path, f"entry {index}").fail("must be a mapping")
    code = str(raw.get("code", ""))
    where = _Where(path, f"entry {index} ({code or '?'})")
    if not _SNAKE.fullmatch(code):
        raise where.fail("code must be snake_case")
    allowed = _KEYS_V1 | {"version"} if schema == 1 else _KEYS_V2
    unknown = set(raw) - allowed
    if unknown:
        raise where.fail(f"unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise where.fail(f"version must be a whole number from 1, got {version!r}")
    stages = raw.get("stage")
    stages = [stages] if isinstance(stages, str) else stages
    if (
        not isinstance(stages, list)
        or not stages
        or any(s not in STAGES for s in stages)
        or len(set(stages)) != len(stages)
        or (schema == 1 and len(stages) != 1)
    ):
        raise where.fail(f"stage must be one of {STAGES}, or a list of them")
    if raw.get("procedure", "") not in ("", *PROCEDURES):
        raise where.fail(f"procedure must be one of {PROCEDURES}")
    parsed = [_parse_field(f, schema, where) for f in raw.get("fields") or []]
    by_name = {f.name: f for f, _ in parsed}
    if len(by_name) != len(parsed):
        raise where.fail("duplicate field names")
    fields = tuple(
        f if cond is None else replace(f, required_if=_resolve_condition(cond, f, by_name, where))
        for f, cond in parsed
    )
    officers = raw.get("officers") or {}
    if not isinstance(officers, dict) or set(officers) - {"min"}:
        raise where.fail(f"officers must be {{min: N}}, got {officers!r}")
    made_by = raw.get("made_by", "handler")
    if made_by not in MADE_BY:
        raise where.fail(f"made_by must be one of {MADE_BY}, got {made_by!r}")
    return DocType(
        code=code,
        title=str(raw.get("title", "")),
        stages=tuple(stages),
        articles=tuple(raw.get("articles") or ()),
        fields=fields,
        procedure=str(raw.get("procedure", "")),
        officers_min=int(officers.get("min", 0)),
        signatures=_parse_signatures(raw.get("signatures"), schema, where),
        attachments=_parse_attachments(raw.get("attachments"), schema, by_name, where),
        version=version,
        formerly=_codes(raw.get("formerly"), "formerly", where),
        made_by=made_by,
    )


def parse_entry(raw: Any, *, schema: int = SCHEMA_VERSION, source: str = "entry") -> DocType:
    """One entry as the catalogue reads it (without the checks across entries)."""
    return _parse_entry(raw, Path(source), 0, schema)


def fingerprint(raw: dict[str, Any], schema: int) -> str:
    """SHA-256 of the RFC 8785 canonical JSON of an entry and the schema it is read in: its
    content whatever its YAML layout, the same in the catalogue and (moved) in the history."""
    body = {k: v for k, v in raw.items() if k != "schema"}
    return hashlib.sha256(canonicalize({"schema": schema, "entry": body}, name="entry")).hexdigest()


@dataclass
class Loaded:
    current: dict[str, DocType]
    history: dict[tuple[str, int], DocType]
    fingerprints: dict[tuple[str, int], str]


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ImproperlyConfigured(f"cannot read the document catalogue {path}: {exc}") from None
    where = _Where(path, "top level")
    if not isinstance(raw, dict) or set(raw) != {"schema_version", "entries"}:
        raise where.fail("must be a mapping of schema_version and entries")
    if raw["schema_version"] != SCHEMA_VERSION:
        raise where.fail(f"schema_version must be {SCHEMA_VERSION}, got {raw['schema_version']!r}")
    if not isinstance(raw["entries"], list):
        raise where.fail("entries must be a list")
    return raw["entries"]


def _fingerprint_of(raw: dict[str, Any], schema: int, where: _Where) -> str:
    try:
        return fingerprint(raw, schema)
    except (TypeError, ValueError) as exc:
        raise where.fail(
            f"values must be text, whole numbers, true/false, lists or mappings ({exc})"
        ) from None


def parse_files(path: Path = CATALOGUE_FILE, history_path: Path = HISTORY_FILE) -> Loaded:
    """Parse the catalogue and its history, and check them against each other (without the
    lock): codes unique, versions ordered, references and former codes known."""
    loaded = Loaded({}, {}, {})
    for index, raw in enumerate(_read(path)):
        where = _Where(
            path, f"entry {index} ({raw.get('code', '?') if isinstance(raw, dict) else '?'})"
        )
        doc = _parse_entry(raw, path, index, SCHEMA_VERSION)
        if doc.code in loaded.current:
            raise where.fail(f"duplicate code {doc.code}")
        loaded.current[doc.code] = doc
        loaded.fingerprints[(doc.code, doc.version)] = _fingerprint_of(raw, SCHEMA_VERSION, where)
    for index, raw in enumerate(_read(history_path)):
        where = _Where(history_path, f"entry {index}")
        schema = raw.get("schema") if isinstance(raw, dict) else None
        if schema not in (1, 2):
            raise where.fail(
                f"schema (the schema it was written in) must be 1 or 2, got {schema!r}"
            )
        body = {k: v for k, v in raw.items() if k != "schema"}
        doc = _parse_entry(body, history_path, index, schema)
        where = _Where(history_path, f"entry {index} ({doc.code} version {doc.version})")
        key = (doc.code, doc.version)
        now = loaded.current.get(doc.code)
        if key in loaded.history or (now is not None and now.version == doc.version):
            raise where.fail("this version is already in the catalogue or its history")
        if now is not None and now.version < doc.version:
            raise where.fail(f"a superseded version must be older than the current {now.version}")
        loaded.history[key] = doc
        loaded.fingerprints[key] = _fingerprint_of(raw, schema, where)
    retired = {code for code, _ in loaded.history} - set(loaded.current)
    for doc in loaded.current.values():
        where = _Where(path, doc.code)
        for f in doc.fields:
            missing = [c for c in f.refers_to if c not in loaded.current]
            if missing:
                raise where.fail(f"field {f.name} refers to unknown codes {missing}")
        wrong = [c for c in doc.formerly if c not in retired]
        if wrong:
            raise where.fail(f"formerly names codes that are not retired into the history: {wrong}")
    known = set(loaded.current) | retired
    for (code, version), doc in loaded.history.items():
        for f in doc.fields:
            missing = [c for c in f.refers_to if c not in known]
            if missing:
                raise _Where(history_path, f"{code} version {version}").fail(
                    f"field {f.name} refers to unknown codes {missing}"
                )
    return loaded


BUMP = (
    "an entry may not change once records can be made with it: give the changed entry the next "
    "version, move the old entry unchanged into catalogue_history.yaml (with schema: 2, or 1 if "
    "it predates schema 2), then run `python -m casetrail.records.lock`"
)


def read_lock(path: Path = LOCK_FILE) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ImproperlyConfigured(f"cannot read the catalogue lock {path}: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[1].isdigit() or not re.fullmatch(r"[0-9a-f]{64}", parts[2]):
            raise ImproperlyConfigured(
                f"{path.name}: line {number}: expected `code version sha256`"
            )
        out[(parts[0], int(parts[1]))] = parts[2]
    return out


def check_lock(
    loaded: Loaded,
    lock: dict[tuple[str, int], str],
    path: Path = LOCK_FILE,
    *,
    allow_new: bool = False,
) -> None:
    """Every entry version is locked with its fingerprint (``allow_new``: or not locked yet, for
    the lock tool); no locked version has vanished."""
    for (code, version), digest in sorted(loaded.fingerprints.items()):
        locked = lock.get((code, version))
        if locked is None and not allow_new:
            raise ImproperlyConfigured(
                f"{path.name}: {code} version {version} is not locked: a new entry or version is "
                "locked with `python -m casetrail.records.lock`"
            )
        if locked is not None and locked != digest:
            raise ImproperlyConfigured(
                f"{path.name}: {code} version {version} differs from the version locked: {BUMP}"
            )
    gone = sorted(set(lock) - set(loaded.fingerprints))
    if gone:
        code, version = gone[0]
        raise ImproperlyConfigured(
            f"{path.name}: {code} version {version} is locked but in neither the catalogue nor its "
            "history: records made with it must stay readable, so superseded versions move to "
            "catalogue_history.yaml and stay there"
        )


def load_catalogue(
    path: Path = CATALOGUE_FILE, history_path: Path = HISTORY_FILE, lock_path: Path = LOCK_FILE
) -> Loaded:
    loaded = parse_files(path, history_path)
    check_lock(loaded, read_lock(lock_path), lock_path)
    return loaded


def install(loaded: Loaded) -> None:
    """Make ``loaded`` the catalogue in force (start-up; tests that load a catalogue fixture)."""
    CATALOGUE.clear()
    CATALOGUE.update(loaded.current)
    HISTORY.clear()
    HISTORY.update(loaded.history)


# Parsed on import (a malformed entry stops everything that imports it, naming the entry and key);
# the lock is checked by validate_catalogue() from RecordsConfig.ready(), at every start-up, so the
# lock tool (``python -m casetrail.records.lock``) can still read a catalogue whose lock is behind.
_LOADED = parse_files()
install(_LOADED)


def validate_catalogue() -> None:
    """Start-up check: the catalogue and its history, parsed on import, agree with the lock (the
    files are parsed once: YAML parsing is most of the start-up cost of the catalogue)."""
    check_lock(_LOADED, read_lock(LOCK_FILE), LOCK_FILE)


# --- lookups ---------------------------------------------------------------------------------------


def doc_type(code: str) -> DocType:
    """The current entry of ``code`` (documents are made with it)."""
    try:
        return CATALOGUE[code]
    except KeyError:
        raise ActionError("unknown_document_type", f"未知的文书类型：{code}") from None


def entry(code: str, version: int | None = None) -> DocType | None:
    """The entry ``code`` as it was at ``version`` (None: current), from the catalogue or its
    history; None when there is no such version."""
    current = CATALOGUE.get(code)
    if version is None or (current is not None and current.version == version):
        return current
    return HISTORY.get((code, version))


def doc_version(code: str, version: int) -> DocType:
    doc = entry(code, version)
    if doc is None:
        raise ActionError("unknown_document_type", f"未知的文书类型：{code}（第{version}版）")
    return doc


def successor(code: str) -> DocType | None:
    """The current entry for records of ``code``: its own, or the one it was merged into."""
    return CATALOGUE.get(code) or next((d for d in CATALOGUE.values() if code in d.formerly), None)


def aliases(code: str) -> tuple[str, ...]:
    """``code`` and the retired codes whose records are the same document (e.g. the 送达回证 once
    kept apart for the investigation)."""
    doc = CATALOGUE.get(code)
    return (code, *doc.formerly) if doc else (code,)


def title_of(code: str) -> str:
    """The title of the document ``code``, retired codes included (their last version's)."""
    doc = CATALOGUE.get(code)
    if doc is None:
        versions = sorted(v for c, v in HISTORY if c == code)
        doc = HISTORY.get((code, versions[-1])) if versions else None
    return doc.title if doc else code
