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
    # A select whose value the action checks, so an unknown or retired device is refused with
    # its own message (第三十七条), not a generic "not a valid choice".
    device = form_fields.NameField(
        label="记录设备", max_length=60, required=False, widget=forms.Select
    )
    recorded_start = forms.DateTimeField(
        label="记录开始时间",
        required=False,
        widget=DT,
        help_text="文件中有拍摄时间的，以文件为准（按设备登记的时钟读取）；"
        "文件时间有误需要更正的，填写实际时间并在下面说明理由",
    )
    recorded_end = forms.DateTimeField(
        label="记录结束时间", required=False, widget=DT, help_text="文件中没有时间时必填"
    )
    time_reason = form_fields.TextField(
        label="记录时间说明（手工填写或更正记录时间的理由）",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="文件中没有时间而手工填写的，说明时间的依据——重大复杂案件中未说明理由的不计入"
        "该阶段的音像记录（第五条）；文件时间有误（如设备时钟不准）的，填写实际时间并说明理由，"
        "文件中的原时间一并保存，审核人可见",
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

    # 第三十三条: marked on upload (with its case); 国家秘密 is offered so that the refusal says
    # what to do instead — such material is never uploaded.
    mark = forms.ChoiceField(
        label="涉密标记（第三十三条）",
        choices=[
            ("", "无"),
            ("commercial_secret", "商业秘密"),
            ("privacy", "个人隐私"),
            ("state_secret", "国家秘密（不得上传）"),
        ],
        required=False,
        help_text="标记后仅本案承办人员及有权人员说明查阅事由后可见；国家秘密材料不得上传，"
        "请在案件页面“登记国家秘密纸质材料”",
    )
    mark_reason = form_fields.TextField(label="标记理由", max_length=300, required=False)

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
        devices = (
            Device.objects.filter(agency_id=officer.agency_id)
            .exclude(status=Device.Status.RETIRED)
            .select_related("officer")
        )
        none = "未指定（本机关要求注明设备）" if officer.agency.requires_av_device else "未指定"
        cast(forms.Select, self.fields["device"].widget).choices = [("", none)] + [
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


def clock_field(**kwargs: Any) -> forms.CharField:
    return form_fields.LineField(
        label="设备时钟（文件中的时间按此读取）",
        max_length=40,
        required=False,
        help_text="UTC、时区名（如 Asia/Shanghai）或固定偏移（如 +08:00）。"
        "多数执法记录仪把北京时间写入文件，应选 Asia/Shanghai；手机按标准写入 UTC",
        **kwargs,
    )


class DeviceForm(forms.Form):
    serial = form_fields.NameField(label="设备编号", max_length=60)
    model = form_fields.NameField(label="型号", max_length=100, required=False)
    kind = forms.ChoiceField(label="类别", choices=Device.Kind.choices)
    officer = forms.ModelChoiceField(
        label="配发人员", queryset=Officer.objects.none(), required=False
    )
    clock = clock_field(widget=forms.TextInput(attrs={"placeholder": "留空：按设备类别默认"}))

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
    clock = clock_field()

    def __init__(self, *args: Any, officer: Officer, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["officer"]).queryset = officers_for_picker(
            officer.agency_id
        )


class AgencyDevicePolicyForm(forms.Form):
    """The agency's setting (administrators): every audio/video record names its device."""

    av_device_required = forms.BooleanField(
        label="本机关所有音像记录须注明登记在册的记录设备（第三十七条）", required=False
    )
    reason = form_fields.LineField(label="变更原因", max_length=200)
