"""Forms of the documents app: the signed paper 送达回证 recorded from its scan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils import timezone

from casetrail.documents.actions import ReceiptInput
from casetrail.lib import form_fields
from casetrail.records.catalogue import CATALOGUE

_RECEIPT = CATALOGUE["service_receipt"]


def _choices(name: str, keep: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    field = _RECEIPT.field(name)
    choices = list(field.choices) if field is not None else []
    return [c for c in choices if keep is None or c[0] in keep]


# A receipt signed on paper: served by hand (直接) or left after a refusal (留置), or by post
# with the recipient's signed card (邮寄). The other ways go through 制作文书 → 送达回证.
METHODS = ("direct", "left", "mail")


# Who signed the paper (留置送达 has no signer: the method says so).
RELATIONS = [c for c in _choices("signer_relation") if c[0] != "none"]


class ReceiptScanForm(forms.Form):
    file = forms.FileField(label="签收的送达回证扫描件或照片（PDF、JPEG、PNG，不超过20MB）")
    served_at = forms.DateTimeField(
        label="送达时间（签收或留置时间）",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        initial=lambda: timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    )
    method = forms.ChoiceField(label="送达方式", choices=_choices("method", METHODS))
    recipient = form_fields.NameField(label="受送达人", max_length=100)
    signer_relation = forms.ChoiceField(label="签收人身份", choices=RELATIONS)
    signer = form_fields.NameField(
        label="签收人（非本人签收时填写）", required=False, max_length=100
    )
    place = form_fields.TextField(label="送达地点", max_length=200)
    refusal_reason = form_fields.TextField(
        label="拒收事由（留置送达时填写，第二十四条）",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def receipt(self) -> ReceiptInput:
        return receipt_from(self.cleaned_data)


def receipt_from(d: Mapping[str, Any]) -> ReceiptInput:
    """The receipt as the form or the API validated it."""
    return ReceiptInput(
        served_at=d["served_at"],
        recipient=d["recipient"],
        signer_relation=d["signer_relation"],
        method=d["method"],
        place=d["place"],
        signer=d.get("signer") or "",
        refusal_reason=d.get("refusal_reason") or "",
        servers=tuple(d.get("servers") or ()),
    )
