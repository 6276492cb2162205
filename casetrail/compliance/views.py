"""Web UI of compliance: record a reasoned exemption from a rule that allows one; the holiday
schedules legal periods are counted on."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from casetrail.cases.selectors import case_for_user
from casetrail.compliance.actions import exemption_record, holiday_schedule_import
from casetrail.compliance.holidays import calendar, parse_schedule
from casetrail.compliance.models import HolidaySchedule
from casetrail.lib import form_fields
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.org.models import Role
from casetrail.org.selectors import officer_for_request


class ExemptionForm(forms.Form):
    rule = form_fields.NameField(label="规则", max_length=10)
    subject = form_fields.NameField(label="对象", max_length=60)
    reason = form_fields.TextField(
        label="无法满足的理由（监督人员可见）", widget=forms.Textarea(attrs={"rows": 3})
    )


@login_required
@require_http_methods(["GET", "POST"])
def exemption_new(request: HttpRequest, case_id: int) -> HttpResponse:
    officer = officer_for_request(request.user)
    case = case_for_user(user=request.user, case_id=case_id)
    form = ExemptionForm(request.POST or None, initial=request.GET.dict())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                exemption_record(case=case, officer=officer, **form.cleaned_data)
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect("case-detail", case_id=case.pk)
        status = 400
    return render(
        request, "form.html", {"form": form, "title": "记录规则豁免", "case": case}, status=status
    )


class HolidayScheduleForm(forms.Form):
    file = forms.FileField(label="节假日安排文件（YAML）")


def _years_shown(schedules: list[HolidaySchedule]) -> list[tuple[int, str, str]]:
    cal = calendar()
    imported = {s.year: s.source for s in schedules}
    this_year = timezone.localdate().year
    years = sorted({*range(this_year - 1, this_year + 3), *imported})
    return [
        (
            y,
            "imported" if y in imported else "data" if cal.published(y) else "estimated",
            imported.get(y, "chinese-calendar 数据" if cal.published(y) else "—"),
        )
        for y in years
    ]


@login_required
@require_http_methods(["GET", "POST"])
def holidays(request: HttpRequest) -> HttpResponse:
    """Which years' holidays are known; administrators import a year's schedule here."""
    officer = officer_for_request(request.user)
    may_import = officer.has_role(Role.ADMIN)
    form = HolidayScheduleForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied("只有系统管理员可以导入节假日安排")
        if form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8")
                holiday_schedule_import(officer=officer, schedule=parse_schedule(text))
            except UnicodeDecodeError:
                form.add_error("file", "文件应为 UTF-8 编码的文本")
            except ActionError as err:
                form.add_error("file", err.message)
            else:
                return redirect("holidays")
        status = 400
    context = {
        "years": _years_shown(list(HolidaySchedule.objects.order_by("year", "id"))),
        "form": form,
        "may_import": may_import,
    }
    return render(request, "compliance/holidays.html", context, status=status)
