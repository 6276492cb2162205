"""Validation of a document's fields against its catalogue entry, in the UI and the API alike:
each value normalised to its JSON form, or an ActionError naming the field (zh-Hans)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from casetrail.lib.errors import ActionError
from casetrail.lib.identifiers import clean_id_number, clean_phone
from casetrail.lib.numbers import parse_int, parse_money
from casetrail.lib.text import DOCUMENT_MAX, LINE_MAX, NAME_MAX, clean_name, clean_text
from casetrail.lib.times import parse_day, parse_moment
from casetrail.records.catalogue import (
    CATALOGUE,
    CONTEXT_TYPES,
    PERSON_LABELS,
    PERSON_PARTS,
    DocType,
    Field,
    aliases,
    has_value,
)

# Room for spaces typed inside an ID number (removed by normalising); a party's column holds 30.
PERSON_LIMITS = {"name": NAME_MAX, "id_number": 30, "phone": 30, "address": 200}
# Free text by field type: one line (a text field, a list item, a legal basis) or a document body.
TEXT_LIMITS = {"text": LINE_MAX, "legal_basis": LINE_MAX, "longtext": DOCUMENT_MAX}
LIST_ITEMS_MAX = 500
REFERENCES_MAX = 200


def text_limit(f: Field) -> int:
    """The most characters a text, longtext or list field holds (a list: all its lines)."""
    return DOCUMENT_MAX if f.type == "list" else TEXT_LIMITS.get(f.type, LINE_MAX)


def _as_id(raw: Any, where: str, name: str) -> int:
    if isinstance(raw, dict):
        raw = raw.get("id")
    try:
        return parse_int(raw, minimum=1)
    except ActionError:
        raise ActionError("invalid_reference", f"{where}：应为编号", field=name) from None


def _as_ids(raw: Any, where: str, name: str) -> list[int]:
    items = raw if isinstance(raw, list) else [raw]
    if len(items) > REFERENCES_MAX:
        raise ActionError("too_many", f"{where}：最多{REFERENCES_MAX}项", field=name)
    return [_as_id(r, where, name) for r in items]


def _allowed_kinds(f: Field) -> set[str]:
    return {k for code in f.refers_to for k in aliases(code)}


def _clean_documents(f: Field, raw: Any, case: Any, where: str) -> list[dict[str, Any]]:
    """References to records of the case, of the kinds the field names (retired codes of the same
    document included)."""
    ids = _as_ids(raw, where, f.name)
    if len(set(ids)) != len(ids):
        raise ActionError("duplicate_document", f"{where}：同一文书重复", field=f.name)
    found = {r.pk: r for r in case.records.filter(pk__in=ids)}
    allowed = _allowed_kinds(f)
    out = []
    for pk in ids:
        record = found.get(pk)
        if record is None or (allowed and record.kind not in allowed):
            titles = "、".join(CATALOGUE[c].title for c in f.refers_to if c in CATALOGUE)
            raise ActionError(
                "invalid_document", f"{where}：应为本案的{titles or '文书'}", field=f.name
            )
        out.append({"id": record.pk, "kind": record.kind})
    return out


def _clean_context(f: Field, raw: Any, case: Any, where: str) -> Any:
    """Values that point into the case: a party, officers of the agency, other records."""
    from casetrail.org.models import Officer

    if case is None:
        raise ActionError("case_required", f"{where}：须在案件中填写", field=f.name)
    if f.type == "party":
        pk = _as_id(raw, where, f.name)
        party = case.parties.filter(pk=pk).first()
        if party is None:
            raise ActionError("invalid_party", f"{where}：不是本案当事人", field=f.name)
        return {"id": party.pk, "name": party.name}
    if f.type in ("document", "documents"):
        refs = _clean_documents(f, raw, case, where)
        return refs[0] if f.type == "document" else refs
    ids = _as_ids(raw, where, f.name)
    officers = {o.pk: o for o in Officer.objects.filter(pk__in=ids, agency_id=case.agency_id)}
    out = []
    for pk in ids:
        officer = officers.get(pk)
        if officer is None:
            raise ActionError("invalid_officer", f"{where}：不是本机关人员", field=f.name)
        out.append({"id": officer.pk, "name": officer.name, "cert": officer.certificate_no})
    return out[0] if f.type == "officer" else out


def _clean_person(f: Field, raw: Any, where: str) -> dict[str, str]:
    """A person named in a document, part by part: the name, and the personal parts each checked
    (and each masked on its own for viewers who may not see personal data)."""
    if not isinstance(raw, dict):
        raise ActionError(
            "person_object_required",
            f"{where}：应分项填写姓名（name）、身份证件号码（id_number）、联系电话（phone）、"
            "住址（address），不能合写为一段文字",
            field=f.name,
        )
    unknown = set(raw) - set(PERSON_PARTS)
    if unknown:
        raise ActionError(
            "unknown_person_part",
            f"{where}：没有 {', '.join(sorted(unknown))} 项（可填 name、id_number、phone、address）",
            field=f.name,
        )
    parts: dict[str, str] = {}
    for part in PERSON_PARTS:
        value = raw.get(part)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            raise ActionError(
                "invalid_person_part", f"{where}·{PERSON_LABELS[part]}：应为文字", field=f.name
            )
        clean = clean_text if part == "address" else clean_name
        parts[part] = clean(
            value, where=f"{where}·{PERSON_LABELS[part]}", field=f.name, limit=PERSON_LIMITS[part]
        )
    if not parts["name"]:
        raise ActionError("field_required", f"{where}·姓名：必填", field=f.name)
    # Stored in the normal form (GB 11643): full-width digits and x typed in Chinese mode are the
    # same number as the ASCII ones.
    if parts["id_number"]:
        parts["id_number"] = clean_id_number(parts["id_number"], where=where, field=f.name)
    if parts["phone"]:
        parts["phone"] = clean_phone(parts["phone"], where=where, field=f.name)
    return parts


def _span(delta: dt.timedelta) -> str:
    if delta.seconds == 0:
        return f"{delta.days}日"
    if delta.seconds % 3600 == 0:
        return f"{delta.days * 24 + delta.seconds // 3600}小时"
    return f"{int(delta.total_seconds()) // 60}分钟"


def _check_range(
    doc: DocType, f: Field, value: Any, case: Any, when: tuple[dt.datetime, dt.datetime], where: str
) -> None:
    """``valid_range``: how far before and after the record's time the value may lie, and not
    before the case was registered where the entry (or the default) says so. ``when`` is the
    record's time: (made, now) — for a correction, lower bounds count from when the record was
    first made and upper bounds from the correction, so an old record stays correctable."""
    bounds = f.range(doc)
    is_day = not isinstance(value, dt.datetime)
    made, now = when
    ref: dt.date | dt.datetime = timezone.localdate(now) if is_day else now
    first: dt.date | dt.datetime = timezone.localdate(made) if is_day else made
    if bounds.after is not None and value > ref + bounds.after:
        if f.valid_range is None:
            raise ActionError("datetime_in_future", f"{where}：不能晚于当前时间", field=f.name)
        limit = f"后{_span(bounds.after)}" if bounds.after else ("当日" if is_day else "当时")
        raise ActionError("out_of_range", f"{where}：不能晚于记录时间{limit}", field=f.name)
    if bounds.before is not None and value < first - bounds.before:
        limit = f"前{_span(bounds.before)}" if bounds.before else ("当日" if is_day else "当时")
        raise ActionError("out_of_range", f"{where}：不能早于记录时间{limit}", field=f.name)
    day = value if is_day else timezone.localdate(value)
    if bounds.since_case and case is not None and day < timezone.localdate(case.created_at):
        raise ActionError("datetime_before_case", f"{where}：不能早于案件登记日期", field=f.name)


def _clean_value(
    doc: DocType, f: Field, raw: Any, case: Any, when: tuple[dt.datetime, dt.datetime]
) -> Any:
    """Normalise one field to its JSON form (strings, integers, lists, booleans, small objects),
    or raise ActionError naming the field."""
    where = f"{doc.title}·{f.label}"
    if f.type == "bool":
        value = raw in (True, "true", "on", "1", 1)
        if f.must_be_true and not value:
            raise ActionError("confirmation_required", f"{where}：须经确认后方可记录", field=f.name)
        return value
    missing = (
        raw is None or raw == "" or raw == [] or (isinstance(raw, dict) and not has_value(raw))
    )
    if missing:
        if f.required:
            raise ActionError("field_required", f"{where}：必填", field=f.name)
        return (
            []
            if f.type in ("list", "officers", "documents")
            else None
            if f.type in (*CONTEXT_TYPES, "person")
            else ""
        )
    if f.type in CONTEXT_TYPES:
        return _clean_context(f, raw, case, where)
    if f.type == "person":
        return _clean_person(f, raw, where)
    if f.type == "number":
        # Integers of the catalogue are whole non-negative counts (pages, items), within what a
        # ledger entry holds exactly (RFC 8785: ±(2^53−1)).
        return parse_int(raw, where=where, field=f.name, minimum=0)
    if f.type == "money":
        # A string: canonical JSON carries no floats, and money must not round.
        return str(parse_money(raw, where=where, field=f.name))
    if f.type == "list":
        return _clean_list(f, raw, where)
    if f.type == "date":
        day = parse_day(raw, where=where, field=f.name)
        _check_range(doc, f, day, case, when, where)
        return day.isoformat()
    if f.type == "datetime":
        moment = parse_moment(raw, where=where, field=f.name)
        _check_range(doc, f, moment, case, when, where)
        return timezone.localtime(moment).isoformat()
    if f.type == "choice":
        if not isinstance(raw, str) or raw not in dict(f.choices):
            shown = raw if isinstance(raw, str | int) else type(raw).__name__
            raise ActionError("invalid_choice", f"{where}：无效的选项 {shown}", field=f.name)
        return raw
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise ActionError("invalid_text", f"{where}：应为文字", field=f.name)
    text = clean_text(raw, where=where, field=f.name, limit=text_limit(f))
    if f.required and not text:
        raise ActionError("field_required", f"{where}：必填", field=f.name)
    return text


def _clean_list(f: Field, raw: Any, where: str) -> list[str]:
    """One item per line (a form's textarea) or a JSON list of texts."""
    if isinstance(raw, str):
        clean_text(raw, where=where, field=f.name, limit=text_limit(f))
        items: list[Any] = raw.splitlines()
    elif isinstance(raw, list):
        items = raw
    else:
        raise ActionError("invalid_list", f"{where}：应为每行一项的文字或文字列表", field=f.name)
    if len(items) > LIST_ITEMS_MAX:
        raise ActionError("too_many", f"{where}：最多{LIST_ITEMS_MAX}项", field=f.name)
    cleaned = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise ActionError("invalid_list", f"{where}：每一项应为文字", field=f.name)
        text = clean_text(item, where=f"{where}（每项）", field=f.name, limit=LINE_MAX)
        if text:
            cleaned.append(text)
    if f.required and not cleaned:
        raise ActionError("field_required", f"{where}：至少填写一项", field=f.name)
    return cleaned


def _required_if_message(doc: DocType, f: Field) -> str:
    assert f.required_if is not None
    other = doc.field(f.required_if.field)
    assert other is not None
    where = f"{doc.title}·{f.label}"
    if f.required_if.values:
        labels = dict(other.choices)
        said = "或".join(f"“{labels[v]}”" for v in f.required_if.values)
        return f"{where}：{other.label}为{said}的，此项必填"
    verb = "勾选" if other.type == "bool" else "填写"
    return f"{where}：已{verb}“{other.label}”的，此项必填"


def clean_fields(
    doc: DocType,
    data: dict[str, Any],
    *,
    case: Any = None,
    now: dt.datetime | None = None,
    made: dt.datetime | None = None,
) -> dict[str, Any]:
    """Validate ``data`` against the entry ``doc`` (parties, officers and records against
    ``case``; dates and times against the record's time: ``now``, and for a correction ``made``,
    when the record was first made) and return the JSON-ready field values. Nothing is written."""
    unknown = set(data) - {f.name for f in doc.fields}
    if unknown:
        raise ActionError(
            "unknown_field",
            f"{doc.title}：没有字段 {', '.join(sorted(unknown))}",
            field=sorted(unknown)[0],
        )
    now = now or timezone.now()
    when = (made or now, now)
    values = {f.name: _clean_value(doc, f, data.get(f.name), case, when) for f in doc.fields}
    for f in doc.fields:
        if f.required_if and f.required_if.met(values) and not has_value(values[f.name]):
            raise ActionError("field_required", _required_if_message(doc, f), field=f.name)
    _check_ranges(doc, values)
    return values


def _as_moment(value: str) -> dt.date | dt.datetime:
    return dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)


def _check_ranges(doc: DocType, values: dict[str, Any]) -> None:
    """The entry's ``ranges``: an end is not before its start (a 现场检查笔录 from 13:25 to 13:20
    is refused). A date against a datetime compares the datetime's local day."""
    for start_name, end_name in doc.ranges:
        start, end = values.get(start_name), values.get(end_name)
        if not start or not end:
            continue
        a, b = _as_moment(start), _as_moment(end)
        if isinstance(a, dt.datetime) != isinstance(b, dt.datetime):
            a = timezone.localdate(a) if isinstance(a, dt.datetime) else a
            b = timezone.localdate(b) if isinstance(b, dt.datetime) else b
        if b < a:
            start_field, end_field = doc.field(start_name), doc.field(end_name)
            assert start_field is not None and end_field is not None
            raise ActionError(
                "range_inverted",
                f"{doc.title}·{end_field.label}：不能早于{start_field.label}",
                field=end_name,
            )
