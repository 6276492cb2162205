"""Web UI of 评议考核: the agency's reports (supervisors issue, the director reads), one report's
table, and its XLSX."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from casetrail.evidence.storage import blob_store
from casetrail.lib import form_fields
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.org.models import Officer, Role
from casetrail.oversight.actions import report_issue
from casetrail.oversight.indicators import INDICATORS
from casetrail.oversight.reports import report_table, report_xlsx
from casetrail.oversight.selectors import (
    report_for_user,
    reports_of_agency,
    require_overseer,
    units_of,
)


class IssueForm(forms.Form):
    period = form_fields.NameField(
        label="考核期间", max_length=10, help_text="年度 2026、季度 2026-Q3 或月份 2026-07"
    )
    unit = forms.TypedChoiceField(label="股室", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: object, officer: Officer, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        unit = self.fields["unit"]
        assert isinstance(unit, forms.TypedChoiceField)
        unit.choices = [("", "全局")] + [(u.pk, u.name) for u in units_of(officer)]
        for i in INDICATORS:
            self.fields[f"w_{i.code}"] = form_fields.IntegerField(
                label=f"权重：{i.title}", min_value=0, max_value=100, initial=i.weight
            )


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    officer = require_overseer(request.user)
    may_issue = officer.has_role(Role.SUPERVISOR)
    form = IssueForm(
        request.POST or None, officer=officer, initial={"period": str(timezone.localdate().year)}
    )
    status = 200
    if request.method == "POST":
        if not may_issue:
            raise PermissionDenied("只有监督人员可以出具评议考核报告")
        if form.is_valid():
            d = form.cleaned_data
            unit = next((u for u in units_of(officer) if u.pk == d["unit"]), None)
            try:
                report = report_issue(
                    officer=officer,
                    period=d["period"],
                    unit=unit,
                    weights={i.code: d[f"w_{i.code}"] for i in INDICATORS},
                )
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect("report-detail", report_id=report.pk)
        status = 400
    context = {
        "rows": list(reports_of_agency(officer=officer)),
        "form": form,
        "may_issue": may_issue,
    }
    return render(request, "oversight/reports.html", context, status=status)


@login_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = report_for_user(user=request.user, report_id=report_id)
    title, rows = report_table(report)
    context = {"r": report, "title": title, "head": rows[0], "rows": rows[1:]}
    return render(request, "oversight/report.html", context)


@login_required
def report_download(request: HttpRequest, report_id: int) -> HttpResponse:
    report = report_for_user(user=request.user, report_id=report_id)
    response = HttpResponse(
        report_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="evaluation-{report.pk}.xlsx"'
    return response


@login_required
def report_pdf_download(request: HttpRequest, report_id: int) -> FileResponse:
    """The sealed PDF as issued (never rendered again)."""
    report = report_for_user(user=request.user, report_id=report_id)
    if report.pdf is None:
        raise Http404("该报告出具时尚未保存 PDF，请下载 XLSX")
    response = FileResponse(
        blob_store().iter_bytes(report.pdf.sha256), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="evaluation-{report.pk}.pdf"'
    return response
