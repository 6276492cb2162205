"""Web UI of operations: 恢复登记 (/ops/recovery/) — the 系统管理员 proposes, the 负责人 decides,
the supervisors read. Each POST asks for the password again (casetrail.org.reauth)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.ops.actions import recovery_decide, recovery_propose
from casetrail.ops.forms import RecoveryDecideForm, RecoveryProposeForm
from casetrail.ops.models import RecoveryStatus
from casetrail.ops.recovery import behind_of
from casetrail.ops.selectors import recoveries_of_agency, recovery_for_user, recovery_reader
from casetrail.org.models import Role
from casetrail.org.reauth import recent_auth_required


@login_required
@require_http_methods(["GET", "POST"])
@recent_auth_required
def recovery_list(request: HttpRequest) -> HttpResponse:
    officer = recovery_reader(request.user)
    may_propose = officer.has_role(Role.ADMIN)
    form = RecoveryProposeForm(request.POST or None) if may_propose else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("只有系统管理员可以提请恢复登记")
        status = 400
        if form.is_valid():
            try:
                row = recovery_propose(
                    by=officer,
                    reason=form.cleaned_data["reason"],
                    behind=behind_of(officer.agency_id),
                )
            except ActionError as err:
                apply_error(form, err)
                status = err.status
            else:
                messages.success(request, "已提请恢复登记，待负责人批准")
                return redirect("ops-recovery", row.pk)
    rows = recoveries_of_agency(officer=officer)
    return render(request, "ops/recovery_list.html", {"rows": rows, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@recent_auth_required
def recovery_detail(request: HttpRequest, recovery_id: int) -> HttpResponse:
    officer = recovery_reader(request.user)
    row = recovery_for_user(user=request.user, recovery_id=recovery_id)
    may_decide = (
        row.status == RecoveryStatus.PROPOSED
        and officer.has_role(Role.APPROVER)
        and officer.pk != row.proposed_by_id
    )
    form = RecoveryDecideForm(request.POST or None) if may_decide else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("恢复登记由本机关负责人（批准人）决定，提请人本人不能决定")
        status = 400
        if form.is_valid():
            try:
                recovery_decide(by=officer, recovery=row, **form.cleaned_data)
            except ActionError as err:
                apply_error(form, err)
                status = err.status
            else:
                messages.success(request, "已决定")
                return redirect("ops-recovery", row.pk)
    return render(request, "ops/recovery.html", {"r": row, "form": form}, status=status)
