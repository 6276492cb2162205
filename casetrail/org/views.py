"""Web UI of the organisation: the agency administrator's officer pages (/org/officers/) and every
officer's own API token page (/org/me/token/). Each form is submitted to exactly one action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.lib.numbers import id_or_none
from casetrail.org import actions
from casetrail.org.forms import (
    CertificateForm,
    CodeForm,
    MoveForm,
    OfficerCreateForm,
    PasswordChangeForm,
    ReasonForm,
    ReauthForm,
    RolesForm,
    TokenForm,
)
from casetrail.org.login import AUTH_AT, MUST_CHANGE, client_address
from casetrail.org.models import Officer
from casetrail.org.reauth import recent_auth_required
from casetrail.org.second_factor import (
    ENROL_SECRET,
    OTP_PENDING,
    base32,
    check_login_code,
    config_url,
    device_of,
    may_use_totp,
    new_secret,
    qr_svg,
)
from casetrail.org.selectors import (
    agency_admin_for_request,
    managed_officer_for_user,
    officer_for_request,
    officers_of_agency,
    tokens_of,
)


@login_required
@require_http_methods(["GET", "POST"])
@recent_auth_required
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
    "totp-reset": Change(
        "解除验证器绑定（双因素认证）",
        "已解除：该人员下次登录只需密码，可重新绑定验证器",
        lambda data, me, o: ReasonForm(data),
        lambda d, me, o: actions.totp_disable(by=me, officer=o, reason=d["reason"]),
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
    temporary: str | None = None,
) -> HttpResponse:
    shown = ["certificate", "roles", "unit", "deactivate" if officer.is_active else "reactivate"]
    if device_of(officer.user) is not None:
        shown.append("totp-reset")  # a lost phone: the administrator unbinds it
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
            "tokens": tokens_of(officer),
            "is_me": officer.pk == me.pk,
            "temporary": temporary,
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
@recent_auth_required
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
@recent_auth_required
def officer_token_revoke(request: HttpRequest, officer_id: int, token_id: int) -> HttpResponse:
    me, officer = managed_officer_for_user(user=request.user, officer_id=officer_id)
    token = tokens_of(officer).filter(pk=token_id).first()
    if token is None:
        raise Http404("令牌不存在")
    try:
        actions.token_revoke(by=me, token=token)
    except ActionError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, f"已撤销 {officer.name} 的 API 令牌“{token.name}”")
    return redirect("org-officer", officer.pk)


@login_required
@never_cache  # the answer carries the one-time password
@require_POST
@recent_auth_required
def officer_password_reset(request: HttpRequest, officer_id: int) -> HttpResponse:
    """An administrator resets a forgotten password: the system makes a one-time password, shown
    here once, good only for choosing a new password at the next login."""
    me, officer = managed_officer_for_user(user=request.user, officer_id=officer_id)
    try:
        temporary = actions.password_reset(by=me, officer=officer)
    except ActionError as err:
        messages.error(request, err.message)
        return redirect("org-officer", officer.pk)
    return _detail(request, me, officer, temporary=temporary)


@login_required
@never_cache  # the page may carry a freshly issued key
@require_http_methods(["GET", "POST"])
def my_tokens(request: HttpRequest) -> HttpResponse:
    """Every officer issues, lists and revokes their own API tokens; a key is shown once, right
    after it is issued, and never again (only its hash is kept)."""
    me = officer_for_request(request.user)
    key, status = None, 200
    form = TokenForm(request.POST if request.POST.get("do") == "issue" else None)
    if request.method == "POST":
        revoke = request.POST.get("revoke")
        if revoke:
            token = tokens_of(me).filter(pk=id_or_none(revoke) or 0).first()
            if token is None:
                raise Http404("令牌不存在")
            try:
                actions.token_revoke(by=me, token=token)
            except ActionError as err:
                messages.error(request, err.message)
            else:
                messages.success(request, f"已撤销令牌“{token.name}”")
            return redirect("org-my-token")
        status = 400
        if form.is_valid():
            try:
                key = actions.token_issue(by=me, officer=me, **form.cleaned_data).key
            except ActionError as err:
                apply_error(form, err)
            else:
                status, form = 201, TokenForm()
    return render(
        request,
        "org/my_token.html",
        {"tokens": tokens_of(me), "key": key, "form": form},
        status=200 if status == 201 else status,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def my_password(request: HttpRequest) -> HttpResponse:
    """Change one's own password (after a reset the only page a login may use)."""
    me = officer_for_request(request.user)
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.password_change(
                    officer=me,
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password"],
                )
            except ActionError as err:
                apply_error(form, err)
            else:
                update_session_auth_hash(request, me.user)  # this session stays logged in
                request.session[MUST_CHANGE] = False
                request.session[AUTH_AT] = timezone.now().timestamp()
                messages.success(request, "密码已修改")
                return redirect("worklist")
    return render(
        request,
        "org/my_password.html",
        {"form": form, "required": request.session.get(MUST_CHANGE, False)},
        status=status,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def reauth(request: HttpRequest) -> HttpResponse:
    """再次确认身份: the password again before a sensitive action (casetrail.org.reauth).
    Wrong passwords count towards the lockout like any failed login."""
    officer_for_request(request.user)
    form = ReauthForm(request.POST or None)
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            user = authenticate(
                request,
                username=request.user.get_username(),
                password=form.cleaned_data["password"],
            )
            if user is not None and user.pk == request.user.pk:
                request.session[AUTH_AT] = timezone.now().timestamp()
                return redirect(target or "worklist")
            form.add_error("password", "密码不正确")
    return render(request, "org/reauth.html", {"form": form, "next": target}, status=status)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if ok else ""


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def login_otp(request: HttpRequest) -> HttpResponse:
    """双因素认证: after the right password, the code of the officer's authenticator app. Wrong
    codes are ledgered failed logins and django-otp slows the next tries."""
    target = _safe_next(request)
    officer = officer_for_request(request.user)
    device = device_of(request.user)
    if not request.session.get(OTP_PENDING) or device is None:
        request.session[OTP_PENDING] = False
        return redirect(target or "worklist")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            ok, wait = check_login_code(device, form.cleaned_data["code"])
            if ok:
                request.session[OTP_PENDING] = False
                request.session[AUTH_AT] = timezone.now().timestamp()
                actions.login_record(
                    officer=officer, address=client_address(request), via="web+totp"
                )
                return redirect(target or "worklist")
            if wait:
                form.add_error("code", f"验证码错误次数过多，请 {wait} 秒后再试")
                status = 429
            else:
                actions.login_failed_record(
                    officer=officer, address=client_address(request), factor="totp"
                )
                form.add_error("code", "验证码不正确，请输入验证器上当前的 6 位验证码")
    return render(request, "org/login_otp.html", {"form": form, "next": target}, status=status)


@login_required
@never_cache  # the page shows a key being bound
@require_http_methods(["GET", "POST"])
@recent_auth_required
def my_totp(request: HttpRequest) -> HttpResponse:
    """双因素认证 for one's own login: bind an authenticator app (scan, then give its code) or
    unbind it (with a reason). Offered to reviewers, legal reviewers, approvers, administrators."""
    me = officer_for_request(request.user)
    if not may_use_totp(me):
        raise PermissionDenied("双因素认证适用于审核、法制审核、批准人员和系统管理员")
    device = device_of(me.user)
    code_form = CodeForm(request.POST if request.POST.get("do") == "enable" else None)
    reason_form = ReasonForm(request.POST if request.POST.get("do") == "disable" else None)
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if request.POST.get("do") == "enable" and code_form.is_valid():
                secret = str(request.session.get(ENROL_SECRET, ""))
                actions.totp_enable(officer=me, secret=secret, code=code_form.cleaned_data["code"])
                request.session.pop(ENROL_SECRET, None)
                messages.success(request, "验证器已绑定：今后登录时在密码之后输入验证码")
                return redirect("org-my-totp")
            if request.POST.get("do") == "disable" and reason_form.is_valid():
                actions.totp_disable(by=me, officer=me, reason=reason_form.cleaned_data["reason"])
                messages.success(request, "验证器已解除绑定")
                return redirect("org-my-totp")
        except ActionError as err:
            apply_error(code_form if request.POST.get("do") == "enable" else reason_form, err)
            status = err.status
    context: dict[str, Any] = {"device": device, "code_form": code_form, "reason_form": reason_form}
    if device is None:
        # The key lives in the session until its first code proves the app holds it.
        secret = str(request.session.get(ENROL_SECRET) or "")
        if not secret:
            secret = request.session[ENROL_SECRET] = new_secret()
        url = config_url(secret, me)
        context |= {"qr": qr_svg(url), "secret": base32(secret)}
    return render(request, "org/my_totp.html", context, status=status)
