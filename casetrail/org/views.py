"""Web UI of the organisation: the agency administrator's officer pages (/org/officers/) and every
officer's own API token page (/org/me/token/). Each form is submitted to exactly one action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.org import actions
from casetrail.org.forms import CertificateForm, MoveForm, OfficerCreateForm, ReasonForm, RolesForm
from casetrail.org.models import Officer
from casetrail.org.selectors import (
    agency_admin_for_request,
    managed_officer_for_user,
    officer_for_request,
    officers_of_agency,
    token_of,
)


@login_required
@require_http_methods(["GET", "POST"])
def officer_list(request: HttpRequest) -> HttpResponse:
    me = agency_admin_for_request(request.user)
    form = OfficerCreateForm(request.POST or None, agency_id=me.agency_id)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                # The form's fields are the action's keyword arguments.
                created = actions.officer_create(by=me, **form.cleaned_data)
            except ActionError as err:
                apply_error(form, err)
            else:
                messages.success(request, f"已创建人员 {created.name}")
                return redirect("org-officer", created.pk)
        status = 400
    return render(
        request,
        "org/officer_list.html",
        {"officers": officers_of_agency(me.agency_id), "form": form},
        status=status,
    )


@dataclass(frozen=True)
class Change:
    """One form of the officer page: how it is built and the one action it is submitted to."""

    title: str
    done: str
    make: Callable[[Any, Officer, Officer], forms.Form]
    submit: Callable[[dict[str, Any], Officer, Officer], Any]


CHANGES: dict[str, Change] = {
    "certificate": Change(
        "登记 / 换发执法证件",
        "执法证件已登记",
        lambda data, me, o: CertificateForm(
            data,
            initial={
                "certificate_no": o.certificate_no,
                "valid_from": o.certificate_valid_from,
                "valid_to": o.certificate_valid_to,
            },
        ),
        lambda d, me, o: actions.officer_certificate_record(
            by=me,
            officer=o,
            certificate_no=d["certificate_no"],
            valid_from=d["valid_from"],
            valid_to=d["valid_to"],
        ),
    ),
    "roles": Change(
        "变更角色",
        "角色已变更",
        lambda data, me, o: RolesForm(data, initial={"roles": sorted(o.role_set)}),
        lambda d, me, o: actions.officer_roles_change(
            by=me, officer=o, add=d["add"], remove=d["remove"], reason=d["reason"]
        ),
    ),
    "unit": Change(
        "调整股室",
        "股室已调整",
        lambda data, me, o: MoveForm(data, agency_id=me.agency_id, initial={"unit": o.unit_id}),
        lambda d, me, o: actions.officer_move(by=me, officer=o, unit=d["unit"]),
    ),
    "deactivate": Change(
        "停用账号",
        "已停用：该人员不能再登录，API 令牌已撤销",
        lambda data, me, o: ReasonForm(data),
        lambda d, me, o: actions.officer_deactivate(by=me, officer=o, reason=d["reason"]),
    ),
    "reactivate": Change(
        "恢复账号",
        "已恢复：该人员可以重新登录",
        lambda data, me, o: ReasonForm(data),
        lambda d, me, o: actions.officer_reactivate(by=me, officer=o, reason=d["reason"]),
    ),
}


def _detail(
    request: HttpRequest,
    me: Officer,
    officer: Officer,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    shown = ["certificate", "roles", "unit", "deactivate" if officer.is_active else "reactivate"]
    page_forms = [(key, CHANGES[key].title, CHANGES[key].make(None, me, officer)) for key in shown]
    if bound:
        page_forms = [(k, t, bound[1] if k == bound[0] else f) for k, t, f in page_forms]
    for key, _, form in page_forms:
        form.auto_id = f"id_{key}_%s"  # several forms on one page: keep element ids unique
    grants = officer.roles.select_related("granted_by", "revoked_by").order_by("pk")
    return render(
        request,
        "org/officer_detail.html",
        {
            "officer": officer,
            "forms": page_forms,
            "grants": grants,
            "token": token_of(officer),
            "is_me": officer.pk == me.pk,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def officer_detail(request: HttpRequest, officer_id: int) -> HttpResponse:
    me, officer = managed_officer_for_user(user=request.user, officer_id=officer_id)
    return _detail(request, me, officer)


@login_required
@require_POST
def officer_change(request: HttpRequest, officer_id: int, change: str) -> HttpResponse:
    me, officer = managed_officer_for_user(user=request.user, officer_id=officer_id)
    spec = CHANGES.get(change)
    if spec is None:
        raise Http404("没有这项操作")
    form = spec.make(request.POST, me, officer)
    status = 400
    if form.is_valid():
        data = dict(form.cleaned_data)
        if isinstance(form, RolesForm):
            data["add"], data["remove"] = form.changes(officer)
        try:
            spec.submit(data, me, officer)
        except ActionError as err:
            apply_error(form, err)
            status = err.status  # 403 for one's own roles or account, else 400
        else:
            messages.success(request, spec.done)
            return redirect("org-officer", officer.pk)
    return _detail(request, me, officer, bound=(change, form), status=status)


@login_required
@require_POST
def officer_token_revoke(request: HttpRequest, officer_id: int) -> HttpResponse:
    me, officer = managed_officer_for_user(user=request.user, officer_id=officer_id)
    try:
        actions.token_revoke(by=me, officer=officer)
    except ActionError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, f"已撤销 {officer.name} 的 API 令牌")
    return redirect("org-officer", officer.pk)


@login_required
@never_cache  # the page may carry a freshly issued key
@require_http_methods(["GET", "POST"])
def my_token(request: HttpRequest) -> HttpResponse:
    """Every officer issues and revokes their own API token; the key is shown once, right after
    it is issued, and never again."""
    me = officer_for_request(request.user)
    key, error, status = None, None, 200
    if request.method == "POST":
        try:
            if request.POST.get("do") == "revoke":
                actions.token_revoke(by=me, officer=me)
                messages.success(request, "API 令牌已撤销")
                return redirect("org-my-token")
            key = actions.token_issue(by=me, officer=me).key
        except ActionError as err:
            error, status = err.message, 400
    return render(
        request,
        "org/my_token.html",
        {"token": token_of(me), "key": key, "error": error},
        status=status,
    )
