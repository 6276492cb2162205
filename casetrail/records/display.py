"""How a record's fields are shown to one viewer: formatted for people, and with personal data
masked unless the viewer may see it (``casetrail.cases.selectors.may_see_personal_data``).

What is personal comes from the catalogue: a ``person``'s ID number, phone and address (each
masked on its own, the name stays), and fields marked ``personal`` — free text is withheld whole
("〔个人信息，已隐去〕"), never shown in part. A record made under an older version of its entry
is masked by that version and, field by field, by the current entry of its document too: personal
data is never less protected in an old record than in a new one.
"""

from __future__ import annotations

from typing import Any

from casetrail.lib.masking import (
    mask_address,
    mask_id_number,
    mask_phone,
    mask_texts,
    withheld_text,
)
from casetrail.records.catalogue import (
    PERSON_LABELS,
    DocType,
    Field,
    entry,
    has_value,
    successor,
    title_of,
)

WITHHELD = "〔个人信息，已隐去〕"


# What stands for a marked record's or item's content withheld from a viewer (第三十三条): that
# it exists, what it is marked, and that it is withheld — e.g. "〔商业秘密，已隐去〕".
withheld_for = withheld_text


PART_MASKS = {"id_number": mask_id_number, "phone": mask_phone, "address": mask_address}


def _is_personal(f: Field | None) -> bool:
    return f is not None and (f.type == "person" or bool(f.personal))


def masking_field(doc: DocType, name: str) -> Field | None:
    """The field definition that says how ``name`` is masked, if it holds personal data."""
    own = doc.field(name)
    if _is_personal(own):
        return own
    current = successor(doc.code)
    theirs = current.field(name) if current is not None and current is not doc else None
    return theirs if _is_personal(theirs) else None


def mask_value(f: Field, value: Any) -> Any:
    if not has_value(value):
        return value
    if f.type == "person" and isinstance(value, dict):
        return {
            k: PART_MASKS[k](v) if k in PART_MASKS and isinstance(v, str) else mask_texts(v)
            for k, v in value.items()
        }
    if f.personal in PART_MASKS and isinstance(value, str):
        return PART_MASKS[f.personal](value)
    return [WITHHELD] if isinstance(value, list) else WITHHELD


def masked_fields(doc: DocType | None, fields: dict[str, Any]) -> dict[str, Any]:
    """The record's field values with personal data masked (an unknown entry: all withheld)."""
    out = {}
    for name, value in fields.items():
        f = masking_field(doc, name) if doc is not None else Field(name, name, personal="text")
        # A field the catalogue does not call personal may still hold a typed-in ID or phone
        # number: free text is searched for them (``mask_texts``).
        out[name] = mask_value(f, value) if f is not None else mask_texts(value)
    return out


def fields_for(doc: DocType | None, fields: dict[str, Any], *, personal: bool) -> dict[str, Any]:
    """The values as the API gives them to a viewer: whole, or masked."""
    return dict(fields) if personal else masked_fields(doc, fields)


def format_person(value: dict[str, Any]) -> str:
    parts = [f"{PERSON_LABELS[k]} {value[k]}" for k in PART_MASKS if value.get(k)]
    return f"{value.get('name', '')}（{'，'.join(parts)}）" if parts else str(value.get("name", ""))


def _reference(value: dict[str, Any]) -> str:
    return f"{title_of(str(value.get('kind', '')))} #{value.get('id')}"


def _shown(f: Field, value: Any) -> Any:
    if f.type == "bool":
        return "是" if value else "否"
    if value == WITHHELD or value == [WITHHELD]:
        return WITHHELD
    if f.type == "list":
        return "；".join(value or [])
    if f.type == "officers":
        return "、".join(o.get("name", "") for o in value or [])
    if f.type in ("party", "officer") and isinstance(value, dict):
        return value.get("name", "")
    if f.type == "person" and isinstance(value, dict):
        return format_person(value)
    if f.type == "document" and isinstance(value, dict):
        return _reference(value)
    if f.type == "documents" and isinstance(value, list):
        return "、".join(_reference(v) for v in value if isinstance(v, dict))
    if f.type == "money" and value:
        return f"{value} 元"
    if f.type == "choice":
        return dict(f.choices).get(value, value)
    if f.type == "datetime" and value:
        return value.replace("T", " ")[:16]
    return value


def shown_fields(
    doc: DocType | None, fields: dict[str, Any], *, personal: bool
) -> list[tuple[str, Any]]:
    """(label, text) of every field that says something, in the entry's order."""
    values = fields_for(doc, fields, personal=personal)
    if doc is None:
        return [(k, v) for k, v in values.items() if has_value(v)]
    out = []
    for f in doc.fields:
        value = _shown(f, values.get(f.name))
        if value in ("", None, []):
            continue  # an optional field left empty says nothing on the page
        out.append((f.label, value))
    return out


def mask_ledger_row(row: dict[str, Any]) -> dict[str, Any]:
    """A ``records.Record`` row of a ledger entry with its personal fields masked by its kind and
    catalogue version (registered with the ledger's entry page); other rows as they are."""
    if row.get("table") != "records.Record" or not isinstance(row.get("fields"), dict):
        return row
    doc = entry(str(row.get("kind", "")), row.get("catalogue_version") or 1)
    return {**row, "fields": masked_fields(doc, row["fields"])}
