"""Writes of the organisation: agencies, units, officers — their certificates, roles, units, whether
they serve — and their API tokens. Each is a ledgered action (``casetrail.lib.ledgered``); the org
app sits below the ledger and never names it.

Nothing else writes an officer, a role grant, a login's ``is_active`` or an API token: the pages at
/org/, the API under /api/officers/ and /api/me/token/, and `casetrail token` call these actions.
An officer is managed by an administrator (role 系统管理员) of the same agency, never by themselves
where their own powers are concerned (第六条); an officer of another agency is "not found".
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from casetrail.lib.errors import ActionError
from casetrail.lib.identifiers import clean_credit_code
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.lib.text import clean_name, clean_text
from casetrail.org.models import (
    Agency,
    ApiToken,
    LoginState,
    Officer,
    OfficerRole,
    Role,
    Unit,
)
from casetrail.org.second_factor import code_step, device_of, may_use_totp
from casetrail.org.tokens import key_hash, new_key
from casetrail.org.writes import end_sessions, revoke_tokens, set_serving

# Usable tokens an officer may hold at once: each script or device its own, but not without end.
MAX_TOKENS = 10


class OrgAction(ActionName):
    AGENCY_CREATE = "org.agency_create"
    AGENCY_SETTINGS = "org.agency_settings"
    UNIT_CREATE = "org.unit_create"
    OFFICER_CREATE = "org.officer_create"
    OFFICER_CERTIFICATE = "org.officer_certificate"
    OFFICER_ROLES = "org.officer_roles"
    OFFICER_MOVE = "org.officer_move"
    OFFICER_DEACTIVATE = "org.officer_deactivate"
    OFFICER_REACTIVATE = "org.officer_reactivate"
    TOKEN_ISSUE = "org.token_issue"
    TOKEN_REVOKE = "org.token_revoke"
    PASSWORD_RESET = "org.password_reset"
    PASSWORD_CHANGE = "org.password_change"
    LOGIN = "org.login"
    LOGIN_FAILED = "org.login_failed"
    LOCKOUT = "org.lockout"
    PLATFORM_EVENT = "org.platform_event"
    TOTP_ENABLE = "org.totp_enable"
    TOTP_DISABLE = "org.totp_disable"


@action(OrgAction.AGENCY_CREATE)
def agency_create(act: Act, /, *, name: str, credit_code: str, case_number_pattern: str) -> Agency:
    """Register an agency; its ledger starts with this entry."""
    if "{n}" not in case_number_pattern:
        raise ActionError("invalid_pattern", "案件编号格式必须包含 {n}（序号），可包含 {year}")
    # GB 32100: stored in its normal form (the ledger's origin is built from it).
    credit_code = clean_credit_code(credit_code, where="机关", field="credit_code")
    name = clean_name(name, where="机关名称", field="name")
    agency = Agency.objects.create(
        name=name, credit_code=credit_code, case_number_pattern=case_number_pattern
    )
    act.record(agency=agency, actor=None, subject=f"agency:{agency.pk}", rows=[agency])
    return agency


@action(OrgAction.AGENCY_SETTINGS)
def agency_settings_change(
    act: Act, /, *, by: Officer, av_device_required: bool, reason: str
) -> Agency:
    """Change the agency's settings, as its administrator: whether every audio/video record must
    name the registered device it was made with (第三十七条: devices are registered and
    managed, so each recording can be traced to one). The ledger keeps every value it had."""
    if not by.is_active or not by.has_role(Role.ADMIN):
        raise ActionError("not_an_admin", "只有本机关的系统管理员可以变更机关设置", status=403)
    reason = _require_reason(reason)
    agency = Agency.objects.select_for_update(no_key=True).get(pk=by.agency_id)
    if agency.requires_av_device == av_device_required:
        raise ActionError(
            "setting_unchanged",
            "该设置已是" + ("“须注明记录设备”" if av_device_required else "“可不注明记录设备”"),
            field="av_device_required",
        )
    agency.av_device_required = av_device_required
    agency.save(update_fields=["av_device_required"])
    act.record(
        agency=agency.pk, actor=by, subject=f"agency:{agency.pk}", rows=[agency], reason=reason
    )
    return agency


@action(OrgAction.UNIT_CREATE)
def unit_create(act: Act, /, *, agency: Agency, name: str, kind: str) -> Unit:
    """Add an internal unit (股室 / 法制机构)."""
    if kind not in Unit.Kind.values:
        raise ActionError("invalid_unit_kind", "股室类别无效")
    name = clean_name(name, where="股室名称", field="name", limit=60)
    unit = Unit.objects.create(agency=agency, name=name, kind=kind)
    act.record(agency=agency, actor=None, subject=f"unit:{unit.pk}", rows=[unit])
    return unit


def _require_admin(by: Officer, agency_id: int) -> None:
    """``by`` administers the agency: 404 for another agency's officer (not revealed), 403 for
    anyone but an active administrator."""
    if by.agency_id != agency_id:
        raise ActionError("officer_not_found", "人员不存在", status=404)
    if not by.is_active or not by.has_role(Role.ADMIN):
        raise ActionError("not_an_admin", "只有本机关的系统管理员可以管理人员", status=403)


def _locked(officer: Officer) -> Officer:
    """The officer's row, locked for the action: two administrators changing the same officer
    at once are serialised, and each decides on what the other committed."""
    return (
        Officer.objects.select_for_update(no_key=True, of=("self",))
        .select_related("user", "agency")
        .prefetch_related("roles")
        .get(pk=officer.pk)
    )


def _check_roles(roles: list[str]) -> list[str]:
    bad = [r for r in roles if r not in Role.values]
    if bad:
        raise ActionError("invalid_role", f"未知角色：{', '.join(map(str, bad))}", field="roles")
    return list(dict.fromkeys(roles))


def _check_certificate(
    *,
    agency_id: int,
    certificate_no: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    officer_pk: int | None = None,
) -> str:
    """第十一条 / 行政处罚法第四十二条: a certificate is a number with its validity; a range that is
    inverted or already over certifies nothing. "Over" is judged on the agency's local date."""
    number = clean_name(certificate_no, where="执法证件编号", field="certificate_no", limit=200)
    if not number:
        raise ActionError("certificate_no_required", "请填写执法证件编号", field="certificate_no")
    if len(number) > 40:
        raise ActionError(
            "invalid_certificate_no", "执法证件编号不能超过40个字符", field="certificate_no"
        )
    if valid_from is None:
        raise ActionError(
            "certificate_dates_required", "请填写证件有效期起始日期", field="valid_from"
        )
    if valid_to is None:
        raise ActionError(
            "certificate_dates_required", "请填写证件有效期截止日期", field="valid_to"
        )
    if valid_from > valid_to:
        raise ActionError(
            "certificate_range_inverted", "证件有效期的起始日期不能晚于截止日期", field="valid_to"
        )
    if valid_to < timezone.localdate():
        raise ActionError(
            "certificate_expired",
            f"该证件有效期已于 {valid_to.isoformat()} 届满，不能登记已过期的证件",
            field="valid_to",
        )
    holders = Officer.objects.filter(agency_id=agency_id, certificate_no=number)
    if officer_pk is not None:
        holders = holders.exclude(pk=officer_pk)
    holder = holders.first()
    if holder is not None:
        raise ActionError(
            "certificate_no_taken",
            f"执法证件编号 {number} 已登记给{holder.name}",
            field="certificate_no",
        )
    return number


@action(OrgAction.OFFICER_CREATE)
def officer_create(
    act: Act,
    /,
    *,
    unit: Unit,
    username: str,
    name: str,
    password: str,
    roles: list[str],
    certificate_no: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    by: Officer | None = None,
) -> Officer:
    """Create a login and its officer with roles (第六条) and, for enforcement staff, a
    certificate (第十一条, 行政处罚法第四十二条). ``by`` is the administrator creating them; only
    loading the demo and bootstrapping an agency's first administrator go without one."""
    if by is not None:
        _require_admin(by, unit.agency_id)
    roles = _check_roles(roles)
    User = get_user_model()
    username = username.strip()
    if not username:
        raise ActionError("username_required", "请填写登录名", field="username")
    try:
        User.username_validator(username)
    except ValidationError:
        raise ActionError(
            "invalid_username", "登录名只能包含字母、数字和 @ . + - _", field="username"
        ) from None
    if User.objects.filter(username=username).exists():
        raise ActionError("username_taken", f"登录名 {username} 已被使用", field="username")
    name = clean_name(name, where="姓名", field="name", limit=40)
    if not name:
        raise ActionError("name_required", "请填写姓名", field="name")
    try:
        validate_password(password)
    except ValidationError as exc:
        raise ActionError("weak_password", "；".join(exc.messages), field="password") from None
    if certificate_no.strip() or valid_from or valid_to:
        certificate_no = _check_certificate(
            agency_id=unit.agency_id,
            certificate_no=certificate_no,
            valid_from=valid_from,
            valid_to=valid_to,
        )
    # No officer is a Django superuser or staff member, administrators included: an agency's
    # administrator works through the officer actions (/org/officers/), confined to the agency;
    # the Django admin is for the platform's installer (`casetrail createsuperuser`) only.
    user = User.objects.create_user(username=username, password=password)
    officer = Officer.objects.create(
        user=user,
        agency=unit.agency,
        unit=unit,
        name=name,
        certificate_no=certificate_no,
        certificate_valid_from=valid_from,
        certificate_valid_to=valid_to,
    )
    now = timezone.now()
    role_rows = [
        OfficerRole.objects.create(officer=officer, role=r, granted_at=now, granted_by=by)
        for r in roles
    ]
    act.record(
        agency=unit.agency,
        actor=by,
        subject=f"officer:{officer.pk}",
        rows=[officer, *role_rows],
        username=username,
    )
    return officer


@action(OrgAction.OFFICER_CERTIFICATE)
def officer_certificate_record(
    act: Act,
    /,
    *,
    by: Officer,
    officer: Officer,
    certificate_no: str,
    valid_from: dt.date,
    valid_to: dt.date,
) -> Officer:
    """Record an officer's 行政执法证 or its renewal: number and validity. 第十一条 has the number
    written into every investigation record and 行政处罚法第四十二条 lets only holders of a valid
    certificate act, so the checks of cases and records read this. Refuses an inverted range, a
    range already over (on the agency's local date) and a number another officer holds."""
    _require_admin(by, officer.agency_id)
    number = _check_certificate(
        agency_id=officer.agency_id,
        certificate_no=certificate_no,
        valid_from=valid_from,
        valid_to=valid_to,
        officer_pk=officer.pk,
    )
    row = _locked(officer)
    previous = {
        "certificate_no": row.certificate_no,
        "valid_from": row.certificate_valid_from and row.certificate_valid_from.isoformat(),
        "valid_to": row.certificate_valid_to and row.certificate_valid_to.isoformat(),
    }
    row.certificate_no = number
    row.certificate_valid_from = valid_from
    row.certificate_valid_to = valid_to
    row.save(update_fields=["certificate_no", "certificate_valid_from", "certificate_valid_to"])
    act.record(
        agency=row.agency_id,
        actor=by,
        subject=f"officer:{row.pk}",
        rows=[row],
        previous=previous,
    )
    return row


@action(OrgAction.OFFICER_ROLES)
def officer_roles_change(
    act: Act,
    /,
    *,
    by: Officer,
    officer: Officer,
    add: list[str] | tuple[str, ...] = (),
    remove: list[str] | tuple[str, ...] = (),
    reason: str = "",
) -> Officer:
    """Grant and revoke roles. 第六条 names 承办人、审核人、批准人 and has each decision pass
    through them, so who holds a role is itself a recorded fact: a revoked grant keeps its row
    (revoked_at, revoked_by) and a new grant is a new row; 第三十一条's 档案管理员 and the
    supervisors are roles alike. Nobody changes their own roles — another administrator must —
    which also means an agency never loses its last administrator this way."""
    _require_admin(by, officer.agency_id)
    add, remove = _check_roles(list(add)), _check_roles(list(remove))
    if not add and not remove:
        raise ActionError("no_change", "请选择要授予或撤销的角色", field="roles")
    if set(add) & set(remove):
        raise ActionError("role_conflict", "同一角色不能同时授予和撤销", field="roles")
    if by.pk == officer.pk:
        raise ActionError(
            "own_roles",
            "不能变更本人的角色：权限应由其他系统管理员授予或撤销（第六条）",
            status=403,
        )
    row = _locked(officer)
    held = row.role_set
    already = [Role(r).label for r in add if r in held]
    if already:
        raise ActionError(
            "role_already_held", f"{row.name}已有角色：{'、'.join(already)}", field="roles"
        )
    missing = [Role(r).label for r in remove if r not in held]
    if missing:
        raise ActionError(
            "role_not_held", f"{row.name}没有角色：{'、'.join(missing)}", field="roles"
        )
    now = timezone.now()
    rows: list[OfficerRole] = []
    for grant in row.roles.filter(revoked_at__isnull=True, role__in=remove).order_by("pk"):
        grant.revoked_at, grant.revoked_by = now, by
        grant.save(update_fields=["revoked_at", "revoked_by"])
        rows.append(grant)
    for r in add:
        rows.append(OfficerRole.objects.create(officer=row, role=r, granted_at=now, granted_by=by))
    act.record(
        agency=row.agency_id,
        actor=by,
        subject=f"officer:{row.pk}",
        rows=rows,
        added=add,
        removed=remove,
        reason=clean_text(reason, where="依据 / 说明", field="reason", limit=200),
    )
    row.forget_roles()
    officer.forget_roles()
    return row


@action(OrgAction.OFFICER_MOVE)
def officer_move(act: Act, /, *, by: Officer, officer: Officer, unit: Unit) -> Officer:
    """Move an officer to another unit of the same agency. The unit decides whose review counts:
    the 审核人 of the handling unit (第六条) and the 法制机构's legal review (第九条、第十六条);
    cases already handled keep the unit they were handled by."""
    _require_admin(by, officer.agency_id)
    if unit.agency_id != officer.agency_id:
        raise ActionError("invalid_unit", "股室不属于本机关", field="unit")
    row = _locked(officer)
    if unit.pk == row.unit_id:
        raise ActionError("no_change", f"{row.name}已在{unit.name}", field="unit")
    from_unit = row.unit_id
    row.unit = unit
    row.save(update_fields=["unit"])
    act.record(
        agency=row.agency_id,
        actor=by,
        subject=f"officer:{row.pk}",
        rows=[row],
        from_unit=from_unit,
        to_unit=unit.pk,
    )
    return row


def _require_reason(reason: str) -> str:
    reason = clean_text(reason, where="原因", field="reason", limit=200)
    if not reason:
        raise ActionError("reason_required", "请填写原因", field="reason")
    return reason


@action(OrgAction.OFFICER_DEACTIVATE)
def officer_deactivate(act: Act, /, *, by: Officer, officer: Officer, reason: str) -> Officer:
    """Take an officer out of service (transfer, retirement, a withdrawn certificate): they can no
    longer log in, their API token is revoked, and they are offered for no new case, record or
    device (行政处罚法第四十二条). Nothing is deleted: 第三十五条 forbids altering records, so every
    record keeps naming them, and they can be reactivated."""
    _require_admin(by, officer.agency_id)
    reason = _require_reason(reason)
    if by.pk == officer.pk:
        raise ActionError("own_account", "不能停用本人账号，请由其他系统管理员办理", status=403)
    row = _locked(officer)
    if not row.is_active:
        raise ActionError("already_inactive", f"{row.name}已停用")
    set_serving(row, serving=False)
    token_revoked = revoke_tokens(row, by=by) > 0
    act.record(
        agency=row.agency_id,
        actor=by,
        subject=f"officer:{row.pk}",
        rows=[row],
        reason=reason,
        token_revoked=token_revoked,
    )
    return row


@action(OrgAction.OFFICER_REACTIVATE)
def officer_reactivate(act: Act, /, *, by: Officer, officer: Officer, reason: str) -> Officer:
    """Put a deactivated officer back into service with the roles and certificate they had; they
    log in again and need a new API token. Acting still needs a valid certificate
    (行政处罚法第四十二条)."""
    _require_admin(by, officer.agency_id)
    reason = _require_reason(reason)
    row = _locked(officer)
    if row.is_active:
        raise ActionError("already_active", f"{row.name}未停用")
    set_serving(row, serving=True)
    act.record(
        agency=row.agency_id, actor=by, subject=f"officer:{row.pk}", rows=[row], reason=reason
    )
    return row


def _require_self_or_admin(by: Officer | None, officer: Officer) -> None:
    """Revoking tokens: the officer themselves, an administrator of the agency, or (``by`` None)
    the operator at the server's console (`casetrail token`)."""
    if by is not None and by.pk != officer.pk:
        _require_admin(by, officer.agency_id)


class IssuedToken(NamedTuple):
    """A token just issued: its row and its key, which exists nowhere else and is shown once."""

    token: ApiToken
    key: str

    @property
    def pk(self) -> int:
        return self.token.pk


def _token_fact(token: ApiToken) -> dict[str, Any]:
    """What the ledger says of a token: never its key, nor the key's hash."""
    return {
        "token": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": token.expires_at.astimezone(dt.UTC).isoformat(),
    }


@action(OrgAction.TOKEN_ISSUE)
def token_issue(
    act: Act, /, *, by: Officer | None, officer: Officer, name: str = "", days: int | None = None
) -> IssuedToken:
    """Issue a named API token for scripts and devices (第七条, the information system), valid
    for ``days`` (default ``CASETRAIL_TOKEN_DAYS``, at most ``CASETRAIL_TOKEN_MAX_DAYS``). Only
    the officer themselves — or the operator at the console (``by`` None) — issues a token: an
    administrator who could make a token for another officer could act as them (第六条). The key
    is returned once; only its SHA-256 is stored and the ledger names the token, not the key."""
    if by is not None and by.pk != officer.pk:
        if by.agency_id != officer.agency_id:
            raise ActionError("officer_not_found", "人员不存在", status=404)
        raise ActionError(
            "not_own_token", "只能为本人签发 API 令牌：管理员不能代他人签发（第六条）", status=403
        )
    name = clean_name(name or "API 令牌", where="令牌名称", field="name", limit=60)
    longest = settings.CASETRAIL_TOKEN_MAX_DAYS
    days = settings.CASETRAIL_TOKEN_DAYS if days is None else days
    if not 1 <= days <= longest:
        raise ActionError("invalid_token_days", f"令牌有效期应为 1 至 {longest} 天", field="days")
    row = _locked(officer)
    if not row.is_active:
        raise ActionError("officer_inactive", f"{row.name}已停用，不能签发令牌")
    now = timezone.now()
    if row.api_tokens.filter(revoked_at__isnull=True, expires_at__gt=now).count() >= MAX_TOKENS:
        raise ActionError("too_many_tokens", f"有效令牌已有 {MAX_TOKENS} 个，请先撤销不用的令牌")
    key = new_key()
    token = ApiToken.objects.create(
        officer=row,
        name=name,
        key_hash=key_hash(key),
        prefix=key[:8],
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    act.record(agency=row.agency_id, actor=by, subject=f"officer:{row.pk}", **_token_fact(token))
    return IssuedToken(token, key)


@action(OrgAction.TOKEN_REVOKE)
def token_revoke(act: Act, /, *, by: Officer | None, token: ApiToken) -> ApiToken:
    """Revoke an API token (a lost device, a finished script): requests with it get 401 from
    then on. By its owner, an administrator of the agency, or the console (``by`` None)."""
    _require_self_or_admin(by, token.officer)
    row = ApiToken.objects.select_for_update(no_key=True).get(pk=token.pk)
    if row.revoked_at is not None:
        raise ActionError("token_revoked", f"令牌“{row.name}”已撤销")
    row.revoked_at, row.revoked_by = timezone.now(), by
    row.save(update_fields=["revoked_at", "revoked_by"])
    act.record(
        agency=token.officer.agency_id,
        actor=by,
        subject=f"officer:{token.officer_id}",
        **_token_fact(row),
    )
    return row


# --- passwords ------------------------------------------------------------------------------


def _check_password(password: str, user: Any) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ActionError("weak_password", "；".join(exc.messages), field="password") from None


@action(OrgAction.PASSWORD_RESET)
def password_reset(act: Act, /, *, by: Officer | None, officer: Officer, operator: str = "") -> str:
    """Reset another officer's forgotten password, as an administrator of the agency (or the
    platform operator at the console, ``by`` None and ``operator`` their name). Returns a
    generated one-time password to hand to the officer: the administrator never chooses it, it
    is good only for setting a new password at the next login (nothing else can be done with
    it), every session of the officer ends, and the ledger records who reset whose password —
    never the password."""
    if by is not None:
        _require_admin(by, officer.agency_id)
        if by.pk == officer.pk:
            raise ActionError("own_account", "不能重置本人密码，请在“修改密码”中修改", status=403)
    row = _locked(officer)
    if not row.is_active:
        raise ActionError("officer_inactive", f"{row.name}已停用，不能重置密码")
    temporary = secrets.token_urlsafe(12)
    row.user.set_password(temporary)
    row.user.save(update_fields=["password"])
    LoginState.objects.update_or_create(user=row.user, defaults={"password_change_required": True})
    end_sessions(row.user_id)
    act.record(
        agency=row.agency_id,
        actor=by,
        subject=f"officer:{row.pk}",
        username=row.user.username,
        operator=operator or None,
    )
    return temporary


@action(OrgAction.PASSWORD_CHANGE)
def password_change(
    act: Act, /, *, officer: Officer, old_password: str, new_password: str
) -> Officer:
    """An officer changes their own password (after a reset: before anything else). The old
    password must be given; the new one passes the password rules (length, not common, not the
    demo password outside the demo) and differs from the old."""
    user = officer.user
    if not user.check_password(old_password):
        raise ActionError("wrong_password", "原密码不正确", field="old_password")
    if old_password == new_password:
        raise ActionError("password_unchanged", "新密码不能与原密码相同", field="new_password")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ActionError("weak_password", "；".join(exc.messages), field="new_password") from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    LoginState.objects.update_or_create(
        user=user,
        defaults={"password_change_required": False, "password_changed_at": timezone.now()},
    )
    act.record(agency=officer.agency_id, actor=officer, subject=f"officer:{officer.pk}")
    return officer


# --- logins ---------------------------------------------------------------------------------


@action(OrgAction.LOGIN)
def login_record(act: Act, /, *, officer: Officer, address: str, via: str = "web") -> None:
    """等保 2.0 (GB/T 22239-2019 8.1.4.1 身份鉴别, 8.1.4.3 安全审计): a login, with the address
    it came from."""
    act.record(
        agency=officer.agency_id,
        actor=officer,
        subject=f"officer:{officer.pk}",
        address=address,
        via=via,
    )


@action(OrgAction.LOGIN_FAILED)
def login_failed_record(act: Act, /, *, officer: Officer, address: str, factor: str = "") -> None:
    """A wrong password for an officer's login, with the address it came from (never the
    password tried); ``factor="totp"``: a wrong second-factor code after the right password.
    Failures for a login name nobody holds belong to no agency: they are in the lockout table
    (django-axes) and the server's log only."""
    facts: dict[str, Any] = {"address": address} | ({"factor": factor} if factor else {})
    act.record(agency=officer.agency_id, actor=None, subject=f"officer:{officer.pk}", **facts)


@action(OrgAction.LOCKOUT)
def lockout_record(act: Act, /, *, officer: Officer, address: str, minutes: int) -> None:
    """A login locked out after too many failures (django-axes), for ``minutes``."""
    act.record(
        agency=officer.agency_id,
        actor=None,
        subject=f"officer:{officer.pk}",
        address=address,
        minutes=minutes,
    )


@action(OrgAction.PLATFORM_EVENT)
def platform_event_record(act: Act, /, *, agency: Agency, operator: str, event: str) -> None:
    """Something a platform superuser did (created, logged in): superusers belong to no agency
    and see every one, so each agency's ledger records it (issue 15)."""
    act.record(agency=agency.pk, actor=None, subject=f"platform:{operator}", event=event)


# --- second factor ----------------------------------------------------------------------------


@action(OrgAction.TOTP_ENABLE)
def totp_enable(act: Act, /, *, officer: Officer, secret: str, code: str) -> TOTPDevice:
    """Bind an authenticator app to one's own login (casetrail.org.second_factor): the key shown
    to the officer (hex, 160 bits) and its current code, which proves the app holds it. From the
    next login on, the code is asked after the password. The ledger names the binding, never the
    key."""
    if not may_use_totp(officer):
        raise ActionError(
            "totp_not_offered", "双因素认证适用于审核、法制审核、批准人员和系统管理员", status=403
        )
    row = _locked(officer)
    if device_of(row.user) is not None:
        raise ActionError("totp_enabled", "已绑定验证器；如需更换，请先解除绑定")
    try:
        valid_key = len(bytes.fromhex(secret)) == 20
    except ValueError:
        valid_key = False
    if not valid_key:
        raise ActionError("invalid_totp_secret", "密钥无效，请刷新页面重新扫码")
    step = code_step(secret, code.strip())
    if step is None:
        raise ActionError(
            "wrong_code",
            "验证码不正确：请核对手机时间是否准确，并输入当前的 6 位验证码",
            field="code",
        )
    device = TOTPDevice.objects.create(
        user=row.user, name="验证器", key=secret, confirmed=True, last_t=step
    )
    act.record(agency=row.agency_id, actor=row, subject=f"officer:{row.pk}", device=device.pk)
    return device


@action(OrgAction.TOTP_DISABLE)
def totp_disable(act: Act, /, *, by: Officer, officer: Officer, reason: str) -> None:
    """Unbind an officer's authenticator (a lost or replaced phone): by the officer themselves or
    an administrator of the agency, with the reason. The next login asks for the password only
    (or, for a role that requires it, binds a new authenticator first)."""
    _require_self_or_admin(by, officer)
    reason = _require_reason(reason)
    row = _locked(officer)
    devices = TOTPDevice.objects.filter(user=row.user)
    ids = sorted(devices.values_list("pk", flat=True))
    if not ids:
        raise ActionError("totp_not_enabled", f"{row.name}未绑定验证器")
    devices.delete()
    act.record(
        agency=row.agency_id, actor=by, subject=f"officer:{row.pk}", devices=ids, reason=reason
    )
