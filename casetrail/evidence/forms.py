"""Forms of the evidence pages. Their field names are the tus Upload-Metadata keys too."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from casetrail.evidence.models import Informed, Kind
from casetrail.evidence.selectors import linkable_cases
from casetrail.lib import form_fields
from casetrail.org.models import Device, Officer
from casetrail.org.selectors import officers_for_picker

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RecordForm(forms.Form):
    """What the uploader says about a recording (第十三、三十条)."""

    kind = forms.ChoiceField(
        label="类别", choices=[("", "按文件内容识别"), *Kind.choices], required=False
    )
    case = forms.ChoiceField(label="归入案件", required=False)
    device = forms.ChoiceField(label="记录设备", required=False)
    recorded_start = forms.DateTimeField(
        label="记录开始时间", required=False, widget=DT, help_text="文件中有拍摄时间的，以文件为准"
    )
    recorded_end = forms.DateTimeField(
        label="记录结束时间", required=False, widget=DT, help_text="文件中没有时间时必填"
    )
    place = form_fields.TextField(label="地点", max_length=200, required=False)
    informed = forms.ChoiceField(label="记录前是否告知当事人（第十三条）", choices=Informed.choices)
    informed_how = form_fields.TextField(
        label="告知方式 / 未告知原因", max_length=300, required=False
    )
    description = form_fields.TextField(
        label="记录内容", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    late_reason = form_fields.TextField(
        label="延迟上传理由（超过24小时必填，第三十条）",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, officer: Officer, case_id: int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["case"]).choices = [
            ("", "暂不归案（放入我的待归案）")
        ] + [
            (str(c.pk), f"{c.number or '（未编号）'} {c.title}")
            for c in linkable_cases(officer=officer)
        ]
        if case_id:
            self.fields["case"].initial = str(case_id)
        devices = Device.objects.filter(
            agency_id=officer.agency_id, status=Device.Status.IN_SERVICE
        ).select_related("officer")
        cast(forms.ChoiceField, self.fields["device"]).choices = [("", "未指定")] + [
            (d.serial, f"{d} {d.model}（{d.officer.name if d.officer else '未配发'}）")
            for d in devices
        ]
        mine = [d.serial for d in devices if d.officer_id == officer.pk]
        if mine:
            self.fields["device"].initial = mine[0]

    def metadata(self) -> dict[str, str]:
        d = self.cleaned_data
        out = {k: str(v) for k, v in d.items() if v not in (None, "")}
        for key in ("recorded_start", "recorded_end"):
            if d.get(key):
                out[key] = d[key].isoformat()
        return out


class LinkForm(forms.Form):
    case = forms.ChoiceField(label="归入案件")

    def __init__(self, *args: Any, officer: Officer, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["case"]).choices = [
            (str(c.pk), f"{c.number or '（未编号）'} {c.title}")
            for c in linkable_cases(officer=officer)
        ]


class DeviceForm(forms.Form):
    serial = form_fields.NameField(label="设备编号", max_length=60)
    model = form_fields.NameField(label="型号", max_length=100, required=False)
    kind = forms.ChoiceField(label="类别", choices=Device.Kind.choices)
    officer = forms.ModelChoiceField(
        label="配发人员", queryset=Officer.objects.none(), required=False
    )

    def __init__(self, *args: Any, officer: Officer, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["officer"]).queryset = officers_for_picker(
            officer.agency_id
        )


class DeviceUpdateForm(forms.Form):
    officer = forms.ModelChoiceField(
        label="配发人员", queryset=Officer.objects.none(), required=False
    )
    status = forms.ChoiceField(label="状态", choices=Device.Status.choices)

    def __init__(self, *args: Any, officer: Officer, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["officer"]).queryset = officers_for_picker(
            officer.agency_id
        )
