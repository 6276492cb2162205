"""The organisation: agencies, their units, officers, their enforcement certificates and roles."""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import models
from django.utils import timezone


class Agency(models.Model):
    """A 行政执法机关: owns its cases, its case numbering and (later) its ledger."""

    RECORDED_AGENCY: ClassVar[str] = "id"  # a recorded fact (casetrail.lib.facts)

    name = models.CharField("机关名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    # `{year}` and `{n}` are filled in when a start is approved, e.g. 陵民罚〔{year}〕{n}号.
    case_number_pattern = models.CharField(
        "案件编号格式", max_length=60, default="陵民罚〔{year}〕{n}号"
    )
    # 第三十七条: whether every audio/video record must name the registered device it was made
    # with. Nullable without a default so the agencies recorded before this setting still equal
    # their ledger payloads; NULL reads as "not required".
    av_device_required = models.BooleanField("音像记录须注明记录设备", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政执法机关"

    def __str__(self) -> str:
        return self.name

    def format_case_number(self, *, year: int, n: int) -> str:
        return self.case_number_pattern.format(year=year, n=n)

    @property
    def requires_av_device(self) -> bool:
        return bool(self.av_device_required)


class Unit(models.Model):
    """An internal unit (股室). The 法制机构 does legal review (第九条, 第十六条)."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", "业务股室"
        LEGAL = "legal", "法制机构"
        OFFICE = "office", "办公室"

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units")
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.ORDINARY)

    class Meta:
        verbose_name = verbose_name_plural = "股室"
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="unit_name_unique")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    HANDLER = "handler", "承办人"
    REVIEWER = "reviewer", "审核人"
    APPROVER = "approver", "批准人"
    LEGAL_REVIEWER = "legal_reviewer", "法制审核人"
    CUSTODIAN = "custodian", "档案管理员"
    SUPERVISOR = "supervisor", "监督人员"
    ADMIN = "admin", "系统管理员"


class Officer(models.Model):
    """A person of the agency with a login. Enforcement acts need a valid 执法证 (第十一条)."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="officers")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="officers")
    name = models.CharField("姓名", max_length=40)
    certificate_no = models.CharField("执法证件编号", max_length=40, blank=True)
    certificate_valid_from = models.DateField("证件有效期自", null=True, blank=True)
    certificate_valid_to = models.DateField("证件有效期至", null=True, blank=True)
    # Null while the officer serves. Nullable without a default so that the rows recorded before
    # this column existed still equal their ledger payloads (a missing key reads as null).
    deactivated_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法人员"

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        """A deactivated officer keeps every record naming them but may no longer act or be
        assigned (``casetrail.org.actions.officer_deactivate``)."""
        return self.deactivated_at is None

    @property
    def role_set(self) -> set[str]:
        """The roles held now: grants not revoked. ``roles`` holds the whole history."""
        # Prefetched via `roles` when lists need it; a single officer costs one query of the
        # role names (no grant instances, no prefetch: ≈ 0.2 against 0.5 ms of Python for the
        # request's officer, read on every page — issue 18).
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            prefetched = getattr(self, "_prefetched_objects_cache", {}).get("roles")
            if prefetched is not None:
                cached = {r.role for r in prefetched if r.revoked_at is None}
            else:
                grants = OfficerRole.objects.filter(officer_id=self.pk, revoked_at__isnull=True)
                cached = set(grants.values_list("role", flat=True))
            self._role_cache = cached
        return cached

    def forget_roles(self) -> None:
        """Drop the cached role set (and prefetched grants) after the roles changed."""
        self.__dict__.pop("_role_cache", None)
        getattr(self, "_prefetched_objects_cache", {}).pop("roles", None)

    def has_role(self, role: str) -> bool:
        return role in self.role_set

    def role_labels(self) -> list[str]:
        return [Role(r).label for r in Role.values if r in self.role_set]

    def certificate_valid_on(self, day: dt.date) -> bool:
        """行政处罚法第四十二条: only officers holding a valid certificate may act."""
        return bool(
            self.certificate_no
            and self.certificate_valid_from
            and self.certificate_valid_to
            and self.certificate_valid_from <= day <= self.certificate_valid_to
        )

    @property
    def certificate_valid_today(self) -> bool:
        # The agency's local date: between 00:00 and 08:00 Beijing time the UTC date is yesterday.
        return self.certificate_valid_on(timezone.localdate())


class OfficerRole(models.Model):
    """One grant of a role to an officer, and its revocation; roles decide who may propose,
    review, approve and read (第六条).

    A revoked role is not deleted: the grant keeps its row with ``revoked_at`` set, so the table is
    the history of who held which power when, and every row stays equal to the last ledger entry
    that recorded it. A role granted again is a new row. At most one grant per role is open."""

    RECORDED_AGENCY: ClassVar[str] = "officer__agency_id"  # a recorded fact (casetrail.lib.facts)

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    # All four nullable without defaults: grants recorded before the history existed still equal
    # their ledger payloads.
    granted_at = models.DateTimeField("授予时间", null=True, blank=True)
    granted_by = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "人员角色"
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "role"],
                condition=models.Q(revoked_at__isnull=True),
                name="officer_role_held_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.get_role_display()}"


class Device(models.Model):
    """A recording device (执法记录仪 and others, 第三十七条) that audio/video records refer to.

    Its assignment and status change over time; each change is a ledgered action
    (registered and changed by the audio/video app's device actions)."""

    class Kind(models.TextChoices):
        BODY_CAMERA = "body_camera", "执法记录仪"
        CAMERA = "camera", "照相机 / 摄像机"
        RECORDER = "recorder", "录音设备"
        PHONE = "phone", "移动执法终端"
        SURVEILLANCE = "surveillance", "监控设备"

    class Status(models.TextChoices):
        IN_SERVICE = "in_service", "在用"
        REPAIR = "repair", "维修"
        RETIRED = "retired", "停用"

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="devices")
    serial = models.CharField("设备编号", max_length=60)
    model = models.CharField("型号", max_length=100, blank=True)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices, default=Kind.BODY_CAMERA)
    officer = models.ForeignKey(
        Officer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name="配发人员",
    )
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.IN_SERVICE
    )
    registered_at = models.DateTimeField("登记时间")
    # How the device's clock writes the time into its files (``clock_tzinfo``): "UTC", a time zone
    # ("Asia/Shanghai") or a fixed offset ("+08:00"). Many cameras write their local wall-clock
    # time where MP4/MOV defines UTC. NULL (devices registered before the setting existed, so
    # their rows still equal their ledger payloads): the file's own convention is trusted.
    clock = models.CharField("设备时钟", max_length=40, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "音像记录设备"
        ordering = ["serial"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "serial"], name="device_serial_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"

    @property
    def in_use(self) -> bool:
        """A retired device records nothing more (第三十七条)."""
        return self.status != self.Status.RETIRED

    @property
    def clock_label(self) -> str:
        return clock_label(self.clock)


# --- device clocks -----------------------------------------------------------------------------

_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def clock_tzinfo(clock: str | None) -> dt.tzinfo | None:
    """The time zone a device's clock setting stands for: "UTC", an IANA zone name, or a fixed
    offset "+HH:MM" (at most ±14:00). None for an empty setting; ValueError for anything else."""
    value = (clock or "").strip()
    if not value:
        return None
    if value.upper() == "UTC":
        return dt.UTC
    m = _OFFSET.match(value)
    if m:
        hours, minutes = int(m.group(2)), int(m.group(3))
        if minutes >= 60 or hours * 60 + minutes > 14 * 60:
            raise ValueError(value)
        delta = dt.timedelta(hours=hours, minutes=minutes)
        return dt.timezone(-delta if m.group(1) == "-" else delta)
    if "/" not in value:  # zone names are Area/Location; refuse abbreviations like CST
        raise ValueError(value)
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(value) from None


def clock_label(clock: str | None) -> str:
    value = (clock or "").strip()
    if not value:
        return "未设置（按文件格式的约定读取，MP4/MOV 为 UTC）"
    if value.upper() == "UTC":
        return "UTC（按标准写入）"
    if _OFFSET.match(value):
        return f"固定偏移 UTC{value}"
    return f"当地时间 {value}"


def default_clock(kind: str) -> str:
    """The clock a newly registered device is assumed to have: phones keep UTC in their files as
    the MP4 specification says; body cameras, cameras, recorders and surveillance recorders are
    set by their wall clock, in the agency's time zone."""
    return "UTC" if kind == Device.Kind.PHONE else settings.TIME_ZONE


class IdempotencyKey(models.Model):
    """A POST that carried an ``Idempotency-Key`` (casetrail.org.idempotency): who sent it, a
    fingerprint of what was sent, and — once it succeeded — the answer, replayed to a repeat of
    the same request instead of writing a second permanent record. Keys are per login and expire
    (``CASETRAIL_IDEMPOTENCY_HOURS``). Bookkeeping of the HTTP layer, not a recorded fact: rows
    are deleted when they expire and never ledgered."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # None: still running
    headers = models.JSONField(default=dict)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "幂等键"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class ApiToken(models.Model):
    """An API token of an officer, for scripts and devices (``Authorization: Token <key>``).

    Only the SHA-256 of the key is stored: the key itself is shown once, when it is issued, and
    is in no table, log or ledger entry (issue 15). A token carries a name, an expiry and, once
    revoked, who revoked it and when; rows are kept so the list shows what existed. Working state
    of the login, not a recorded fact — but only the ledgered token actions write it."""

    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField("名称", max_length=60)
    # hex SHA-256 of the key: the key has 256 random bits, so no salt or slow hash is needed.
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField("前缀", max_length=8)  # the key's first characters, to recognise it
    created_at = models.DateTimeField("签发时间")
    expires_at = models.DateTimeField("有效期至")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    def usable_at(self, moment: dt.datetime) -> bool:
        return self.revoked_at is None and moment < self.expires_at

    @property
    def usable(self) -> bool:
        return self.usable_at(timezone.now())

    @property
    def state_label(self) -> str:
        if self.revoked_at is not None:
            return "已撤销"
        return "有效" if self.usable else "已过期"


class LoginState(models.Model):
    """What the login protection keeps about a login beside Django's user row: whether the
    password was set by someone else (a reset) and must be changed before anything else, and
    when it was last changed. Working state, not a recorded fact; each change is ledgered."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_state"
    )
    password_change_required = models.BooleanField(default=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录状态"

    def __str__(self) -> str:
        return str(self.user_id)
