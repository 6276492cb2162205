"""Forms of the officer administration. They only parse input; each is submitted to exactly one
action, which validates it and whose refusal is shown beside the field it names."""

from __future__ import annotations

from typing import Any

from django import forms

from casetrail.lib import form_fields
from casetrail.org.models import Officer, Role, Unit
from casetrail.org.selectors import units_of_agency

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class CertificateFields(forms.Form):
    certificate_no = form_fields.NameField(label="执法证件编号", max_length=40)
    valid_from = forms.DateField(label="有效期自", widget=DATE)
    valid_to = forms.DateField(label="有效期至", widget=DATE)


class OfficerCreateForm(CertificateFields):
    username = form_fields.NameField(label="登录名", max_length=150)
    name = form_fields.NameField(label="姓名", max_length=40)
    password = forms.CharField(
        label="初始密码", widget=forms.PasswordInput, strip=False, max_length=128
    )
    unit = UnitChoiceField(label="股室", queryset=Unit.objects.none())
    roles = forms.MultipleChoiceField(
        label="角色", choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    field_order = ["username", "name", "password", "unit", "roles"]

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_of_agency(agency_id)  # type: ignore[attr-defined]
        # Staff without enforcement duties (档案管理员, 监督, 管理员) hold no certificate.
        for name in ("certificate_no", "valid_from", "valid_to"):
            self.fields[name].required = False
            self.fields[name].label = f"{self.fields[name].label}（执法人员填写）"


class CertificateForm(CertificateFields):
    pass


class RolesForm(forms.Form):
    """The whole role set as checkboxes; the view sends the difference as grants/revocations."""

    roles = forms.MultipleChoiceField(
        label="角色", choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    reason = form_fields.TextField(label="依据 / 说明", max_length=200, required=False)

    def changes(self, officer: Officer) -> tuple[list[str], list[str]]:
        chosen, held = set(self.cleaned_data["roles"]), officer.role_set
        order = Role.values
        return (
            [r for r in order if r in chosen - held],
            [r for r in order if r in held - chosen],
        )


class MoveForm(forms.Form):
    unit = UnitChoiceField(label="调往股室", queryset=Unit.objects.none())

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_of_agency(agency_id)  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = form_fields.TextField(label="原因", max_length=200)


class TokenForm(forms.Form):
    name = form_fields.NameField(label="令牌名称（用途）", max_length=60)
    days = form_fields.IntegerField(label="有效期（天）", min_value=1, max_value=3650, initial=90)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码（或重置后的临时密码）",
        widget=forms.PasswordInput,
        strip=False,
        max_length=128,
    )
    new_password = forms.CharField(
        label="新密码", widget=forms.PasswordInput, strip=False, max_length=128
    )
    new_password2 = forms.CharField(
        label="再次输入新密码", widget=forms.PasswordInput, strip=False, max_length=128
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


class ReauthForm(forms.Form):
    password = forms.CharField(
        label="密码", widget=forms.PasswordInput, strip=False, max_length=128
    )


class CodeForm(forms.Form):
    """The 6-digit code of an authenticator app (casetrail.org.second_factor)."""

    code = form_fields.NameField(
        label="验证码",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
        error_messages={
            "required": "请输入验证器上的 6 位验证码",
            "min_length": "验证码为 6 位数字",
            "max_length": "验证码为 6 位数字",
        },
    )

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        if not code.isdigit():
            raise forms.ValidationError("验证码为 6 位数字")
        return code


class ConfirmForm(forms.Form):
    """A form with nothing to fill in: the button is the decision (a password reset)."""
