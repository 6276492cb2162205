"""Web UI of compliance: propose a reasoned exemption from a rule that allows one (decided through
its approval chain), the agency's exemptions for the supervisors; the holiday schedules legal
periods are counted on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from casetrail.cases.models import Case
from casetrail.cases.selectors import case_for_user
from casetrail.compliance.actions import exemption_propose, holiday_schedule_import
from casetrail.compliance.holidays import calendar, parse_schedule
from casetrail.compliance.models import HolidaySchedule
from casetrail.compliance.panels import cards
from casetrail.compliance.selectors import exemptions_of_agency
from casetrail.compliance.stored import due_ids, shown
from casetrail.evidence.models import Item
from casetrail.lib import form_fields
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.lib.numbers import id_or_none
from casetrail.lib.paging import CappedPaginator
from casetrail.org.models import Role
from casetrail.org.selectors import officer_for_request
from casetrail.records.views import stored_scan


class ExemptionForm(forms.Form):
    rule = form_fields.NameField(label="规则", max_length=10)
    subject = form_fields.NameField(label="对象", max_length=60)
    reason = form_fields.TextField(
        label="无法满足的理由（审核人审批，监督人员可见）", widget=forms.Textarea(attrs={"rows": 3})
    )
    facts = form_fields.TextField(
        label="无法满足的事实及证据说明（未附证明材料的必填）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    item = forms.TypedChoiceField(
        label="证明无法满足的音像记录或照片（可选）", required=False, coerce=int, empty_value=None
    )
    document = forms.FileField(label="证明材料扫描件（PDF、JPEG 或 PNG，可选）", required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = Item.objects.filter(link__case=case).select_related("device")
        items = items.order_by("recorded_start", "pk")
        field = self.fields["item"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—— 不附 ——")] + [(i.pk, i.reference) for i in items]


@login_required
@require_http_methods(["GET", "POST"])
def exemption_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """提请规则豁免: a proposal the unit reviewer (and for 第五条 on a 重大 case the 负责人) decides."""
    officer = officer_for_request(request.user)
    case = case_for_user(user=request.user, case_id=case_id)
    if not case.assignments.filter(officer=officer).exists():
        raise PermissionDenied("只有本案承办人员可以提请豁免")
    form = ExemptionForm(
        request.POST or None, request.FILES or None, case=case, initial=request.GET.dict()
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = dict(form.cleaned_data)
            try:
                upload = d.pop("document")
                chain = exemption_propose(
                    case=case,
                    officer=officer,
                    blob_sha256=stored_scan(officer, upload, "证明材料") if upload else "",
                    **d,
                )
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect("chain-detail", chain_id=chain.pk)
        status = 400
    return render(
        request,
        "form.html",
        {"form": form, "title": "提请规则豁免（第六条）", "case": case, "multipart": True},
        status=status,
    )


@login_required
def exemption_list(request: HttpRequest) -> HttpResponse:
    """Every exemption of the agency with its status (supervisors)."""
    officer = officer_for_request(request.user)
    rows = exemptions_of_agency(officer=officer)
    return render(request, "compliance/exemptions.html", {"rows": rows})


# The full lists behind the worklist's 已逾期 and 临近期限 (whose totals stop at 100).
DEADLINE_LISTS = {"overdue": "已逾期", "due": "临近期限"}
DEADLINES_PER_PAGE = 50


@login_required
def deadline_list(request: HttpRequest) -> HttpResponse:
    """Every overdue (``?which=overdue``) or soon-due (``?which=due``) deadline of the officer's
    cases — a supervisor's: the agency's — earliest first, paged and counted to 1,000 like the
    case list. The same rows as the worklist's section, which shows the first 20."""
    officer = officer_for_request(request.user)
    which = request.GET.get("which", "")
    which = which if which in DEADLINE_LISTS else "overdue"
    paginator = CappedPaginator(
        due_ids(officer=officer, overdue=which == "overdue"), DEADLINES_PER_PAGE
    )
    page = paginator.get_page(id_or_none(request.GET.get("page")) or 1)
    rows = cards(shown(list(page.object_list)))
    context = {"page": page, "rows": rows, "which": which, "title": DEADLINE_LISTS[which]}
    context["lists"] = list(DEADLINE_LISTS.items())
    return render(request, "compliance/deadlines.html", context)


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
