"""Forms generated from the document catalogue: every field type of ``catalogue.yaml`` as a form
field; fields that point into the case offer its parties, the agency's officers and its records;
a person is a group of inputs (name, ID number, phone, address)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils import timezone

from casetrail.cases.models import MarkKind
from casetrail.evidence.selectors import items_of_case
from casetrail.lib import form_fields
from casetrail.org.models import Officer
from casetrail.records.catalogue import (
    PERSON_LABELS,
    PERSON_PARTS,
    DocType,
    aliases,
    doc_type,
    doc_version,
)
from casetrail.records.numbers import prefetch_numbers
from casetrail.records.validation import PERSON_LIMITS, text_limit

DT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _context_choices(f: Any, case: Any) -> list[tuple[Any, str]]:
    """Choices for fields that point into the case: its parties, the agency's officers, records."""
    if case is None:
        return []
    if f.type == "party":
        return [(p.pk, f"{p.name}（{p.get_role_display()}）") for p in case.parties.all()]
    if f.type in ("document", "documents"):
        kinds = [k for code in f.refers_to for k in aliases(code)]
        records = list(case.records.filter(kind__in=kinds) if kinds else case.records.all())
        prefetch_numbers(records)
        # Named as people name them (title, 文号, date); a superseded version stays choosable (an
        # old reference must still validate) but says it was corrected.
        corrected = set(
            case.records.filter(replaces__isnull=False).values_list("replaces_id", flat=True)
        )
        return [(r.pk, r.reference + ("（已更正）" if r.pk in corrected else "")) for r in records]
    # Deactivated officers stay choosable here: a document (or its correction) may have to name
    # who acted at the time; they are marked so nobody names them for new work by mistake.
    officers = Officer.objects.filter(agency_id=case.agency_id).order_by("name")
    return [
        (o.pk, f"{o.name}（{o.certificate_no or '无执法证'}）{'' if o.is_active else '（已停用）'}")
        for o in officers
    ]


class PersonWidget(forms.MultiWidget):
    """Name, ID number, phone and address side by side, each with its own label."""

    template_name = "records/widgets/person.html"

    def __init__(self) -> None:
        super().__init__(
            {
                part: forms.TextInput(attrs={"title": PERSON_LABELS[part], "autocomplete": "off"})
                for part in PERSON_PARTS
            }
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [value.get(part, "") for part in PERSON_PARTS]
        return [None] * len(PERSON_PARTS)


class PersonField(forms.MultiValueField):
    """A person named in a document as its parts; the action checks the ID number's check digit
    and the phone. The name is what a person given at all must have."""

    widget = PersonWidget

    def __init__(self, *, required: bool, **kwargs: Any) -> None:
        # No part is required on its own (an optional person may be left empty as a whole); a
        # person given without a name is refused in compress().
        parts = [
            (form_fields.TextField if part == "address" else form_fields.NameField)(
                max_length=PERSON_LIMITS[part], required=False
            )
            for part in PERSON_PARTS
        ]
        super().__init__(parts, required=required, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> dict[str, str] | None:
        values = {p: (v or "").strip() for p, v in zip(PERSON_PARTS, data_list or [], strict=False)}
        if not any(values.values()):
            return None
        if not values.get("name"):
            raise forms.ValidationError("请填写姓名", code="incomplete")
        return {part: values.get(part, "") for part in PERSON_PARTS}


def _field(f: Any, label: str, case: Any) -> forms.Field:
    if f.type == "bool":
        return forms.BooleanField(label=label, required=False)
    if f.type in ("longtext", "list"):
        return form_fields.TextField(
            label=label,
            required=f.required,
            max_length=text_limit(f),
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    if f.type == "date":
        return forms.DateField(
            label=label, required=f.required, widget=forms.DateInput(attrs={"type": "date"})
        )
    if f.type == "datetime":
        return forms.DateTimeField(
            label=label,
            required=f.required,
            widget=DT_WIDGET,
            initial=lambda: timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        )
    if f.type == "choice":
        return forms.ChoiceField(label=label, required=f.required, choices=f.choices)
    if f.type == "number":
        return form_fields.IntegerField(label=label, required=f.required, min_value=0)
    if f.type == "money":
        # The unit once: many catalogue labels already end with it ("罚款金额（元）").
        unit = "" if label.endswith("（元）") else "（元）"
        return form_fields.MoneyField(label=label + unit, required=f.required)
    if f.type == "person":
        return PersonField(label=label, required=f.required)
    if f.type in ("officers", "documents"):
        return forms.TypedMultipleChoiceField(
            label=label,
            required=f.required,
            coerce=int,
            choices=_context_choices(f, case),
            widget=forms.CheckboxSelectMultiple,
        )
    if f.type in ("party", "officer", "document"):
        return forms.TypedChoiceField(
            label=label,
            required=f.required,
            coerce=int,
            choices=[("", "—— 请选择 ——"), *_context_choices(f, case)],
        )
    return form_fields.TextField(label=label, required=f.required, max_length=text_limit(f))


def _label(doc: DocType, f: Any) -> str:
    label = f.label + (f"（{f.help}）" if f.help else "")
    if f.required_if:
        other = doc.field(f.required_if.field)
        if other is not None:
            label += f"（视“{other.label}”必填）"
    return label


def catalogue_form(
    kind: str,
    *,
    extra: Mapping[str, forms.Field] | None = None,
    case: Any = None,
    version: int | None = None,
) -> type[forms.Form]:
    """A form generated from the catalogue entry of ``kind`` (at ``version``; None: current,
    plus ``extra`` fields); fields that point into the case offer its parties, officers and
    records."""
    doc = doc_type(kind) if version is None else doc_version(kind, version)
    fields: dict[str, forms.Field] = {f.name: _field(f, _label(doc, f), case) for f in doc.fields}
    fields.update(extra or {})
    return type(f"{kind}_form", (forms.Form,), fields)


def initial_from(doc: DocType, values: dict[str, Any]) -> dict[str, Any]:
    """A record's stored values as the initial values of its form (ids for references, lines for
    lists, a person's parts as they are)."""
    out: dict[str, Any] = {}
    for f in doc.fields:
        value = values.get(f.name)
        if f.type in ("party", "officer", "document") and isinstance(value, dict):
            out[f.name] = value.get("id")
        elif f.type in ("officers", "documents") and isinstance(value, list):
            out[f.name] = [v.get("id") for v in value if isinstance(v, dict)]
        elif f.type == "list" and isinstance(value, list):
            out[f.name] = "\n".join(value)
        elif f.type == "datetime" and isinstance(value, str):
            out[f.name] = value[:16]
        else:
            out[f.name] = value
    return out


OPINION = {
    "opinion": form_fields.TextField(
        label="承办人初审意见和理由", widget=forms.Textarea(attrs={"rows": 3})
    )
}


def mark_form(case: Any) -> type[forms.Form]:
    """标记涉密材料 (第三十三条): one of the case's records (current versions) or media items, the
    mark and its reason. 国家秘密 is offered so that the refusal says what to do instead."""
    superseded = set(case.records.exclude(replaces=None).values_list("replaces_id", flat=True))
    targets = [
        (f"record:{r.pk}", r.reference) for r in case.records.all() if r.pk not in superseded
    ]
    targets += [(f"evidence:{i.pk}", i.reference) for i in items_of_case(case=case)]

    class MarkForm(forms.Form):
        target = forms.ChoiceField(label="材料", choices=targets)
        kind = forms.ChoiceField(label="标记", choices=MarkKind.choices)
        reason = form_fields.TextField(
            label="标记理由", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
        )

    return MarkForm
