"""The organisation: agencies, their units, officers, their enforcement certificates and roles."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

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

    class Meta:
        verbose_name = verbose_name_plural = "行政执法机关"

    def __str__(self) -> str:
        return self.name

    def format_case_number(self, *, year: int, n: int) -> str:
        return self.case_number_pattern.format(year=year, n=n)


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
        # Prefetched via `roles` when lists need it; a single officer costs one query.
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = {r.role for r in self.roles.all() if r.revoked_at is None}
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

    class Meta:
        verbose_name = verbose_name_plural = "音像记录设备"
        ordering = ["serial"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "serial"], name="device_serial_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"
