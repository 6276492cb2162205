"""Validation of a document's fields against its catalogue entry, in the UI and the API alike:
each value normalised to its JSON form, or an ActionError naming the field (zh-Hans)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from casetrail.lib.errors import ActionError
from casetrail.lib.identifiers import valid_id_number, valid_phone
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

PERSON_LIMITS = {"name": 100, "id_number": 18, "phone": 30, "address": 200}


def _as_id(raw: Any, where: str, name: str) -> int:
    if isinstance(raw, dict):
        raw = raw.get("id")
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        raise ActionError("invalid_reference", f"{where}：应为编号", field=name) from None


def _allowed_kinds(f: Field) -> set[str]:
    return {k for code in f.refers_to for k in aliases(code)}


def _clean_documents(f: Field, raw: Any, case: Any, where: str) -> list[dict[str, Any]]:
    """References to records of the case, of the kinds the field names (retired codes of the same
    document included)."""
    ids = [_as_id(r, where, f.name) for r in (raw if isinstance(raw, list) else [raw])]
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
    ids = [_as_id(r, where, f.name) for r in (raw if isinstance(raw, list) else [raw])]
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
        if value is not None and not isinstance(value, str | int):
            raise ActionError(
                "invalid_person_part", f"{where}·{PERSON_LABELS[part]}：应为文字", field=f.name
            )
        parts[part] = str(value if value is not None else "").strip()
        if len(parts[part]) > PERSON_LIMITS[part]:
            raise ActionError(
                "too_long",
                f"{where}·{PERSON_LABELS[part]}：不得超过{PERSON_LIMITS[part]}字",
                field=f.name,
            )
    if not parts["name"]:
        raise ActionError("field_required", f"{where}·姓名：必填", field=f.name)
    parts["id_number"] = parts["id_number"].upper()
    if parts["id_number"] and not valid_id_number(parts["id_number"]):
        raise ActionError(
            "invalid_id_number", f"{where}：身份证号码格式或校验位不正确", field=f.name
        )
    if parts["phone"] and not valid_phone(parts["phone"]):
        raise ActionError("invalid_phone", f"{where}：联系电话只能包含数字和 - +", field=f.name)
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
        if day is None or isinstance(day, dt.datetime):
            raise ActionError("invalid_date", f"{where}：日期格式应为 YYYY-MM-DD", field=f.name)
        _check_range(doc, f, day, case, when, where)
        return day.isoformat()
    if f.type == "datetime":
        moment = raw if isinstance(raw, dt.datetime) else parse_datetime(str(raw))
        if moment is None:
            raise ActionError(
                "invalid_datetime", f"{where}：时间格式应为 YYYY-MM-DDTHH:MM", field=f.name
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        _check_range(doc, f, moment, case, when, where)
        return timezone.localtime(moment).isoformat()
    if f.type == "choice":
        if raw not in dict(f.choices):
            raise ActionError("invalid_choice", f"{where}：无效的选项 {raw}", field=f.name)
        return raw
    text = str(raw).strip()
    if f.required and not text:
        raise ActionError("field_required", f"{where}：必填", field=f.name)
    return text


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
    return values
