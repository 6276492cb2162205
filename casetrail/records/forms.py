"""Forms generated from the document catalogue: every field type of ``catalogue.yaml`` as a form
field; fields that point into the case offer its parties, the agency's officers and its records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils import timezone

from casetrail.org.models import Officer
from casetrail.records.catalogue import doc_type

DT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _context_choices(f: Any, case: Any) -> list[tuple[Any, str]]:
    """Choices for fields that point into the case: its parties, the agency's officers, records."""
    if case is None:
        return []
    if f.type == "party":
        return [(p.pk, f"{p.name}（{p.get_role_display()}）") for p in case.parties.all()]
    if f.type == "document":
        records = case.records.filter(kind__in=f.refers_to) if f.refers_to else case.records.all()
        return [
            (r.pk, f"{r.title} #{r.pk}（{timezone.localtime(r.created_at):%Y-%m-%d}）")
            for r in records
        ]
    # Deactivated officers stay choosable here: a document (or its correction) may have to name
    # who acted at the time; they are marked so nobody names them for new work by mistake.
    officers = Officer.objects.filter(agency_id=case.agency_id).order_by("name")
    return [
        (o.pk, f"{o.name}（{o.certificate_no or '无执法证'}）{'' if o.is_active else '（已停用）'}")
        for o in officers
    ]


def catalogue_form(
    kind: str, *, extra: Mapping[str, forms.Field] | None = None, case: Any = None
) -> type[forms.Form]:
    """A form generated from the catalogue entry of ``kind`` (plus ``extra`` fields); fields that
    point into the case offer its parties, officers and records."""
    doc = doc_type(kind)
    fields: dict[str, forms.Field] = {}
    for f in doc.fields:
        label = f.label + (f"（{f.help}）" if f.help else "")
        field: forms.Field
        if f.type == "bool":
            field = forms.BooleanField(label=label, required=False)
        elif f.type == "longtext" or f.type == "list":
            field = forms.CharField(
                label=label, required=f.required, widget=forms.Textarea(attrs={"rows": 3})
            )
        elif f.type == "date":
            field = forms.DateField(
                label=label, required=f.required, widget=forms.DateInput(attrs={"type": "date"})
            )
        elif f.type == "datetime":
            field = forms.DateTimeField(
                label=label,
                required=f.required,
                widget=DT_WIDGET,
                initial=lambda: timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            )
        elif f.type == "choice":
            field = forms.ChoiceField(label=label, required=f.required, choices=f.choices)
        elif f.type == "number":
            field = forms.IntegerField(label=label, required=f.required, min_value=0)
        elif f.type == "money":
            field = forms.DecimalField(
                label=label + "（元）",
                required=f.required,
                min_value=0,
                decimal_places=2,
                max_digits=14,
            )
        elif f.type == "officers":
            field = forms.TypedMultipleChoiceField(
                label=label,
                required=f.required,
                coerce=int,
                choices=_context_choices(f, case),
                widget=forms.CheckboxSelectMultiple,
            )
        elif f.type in ("party", "officer", "document"):
            field = forms.TypedChoiceField(
                label=label,
                required=f.required,
                coerce=int,
                choices=[("", "—— 请选择 ——"), *_context_choices(f, case)],
            )
        else:
            field = forms.CharField(label=label, required=f.required, max_length=500)
        fields[f.name] = field
    fields.update(extra or {})
    return type(f"{kind}_form", (forms.Form,), fields)


OPINION = {
    "opinion": forms.CharField(
        label="承办人初审意见和理由", widget=forms.Textarea(attrs={"rows": 3})
    )
}
