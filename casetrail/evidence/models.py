"""Evidence: content-addressed blobs, audio/video and photo records, their links to cases, every
read of them, and the mutable side (uploads in progress, poster frames) kept in separate tables.

Blob, Item, ItemLink and AccessLog are insert-only (第三十五条): database triggers refuse UPDATE and
DELETE. Upload and Poster change while work is in progress; they hold nothing the record relies on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.org.models import Agency, Device, Officer


class Kind(models.TextChoices):
    PHOTO = "photo", "照片"
    AUDIO = "audio", "录音"
    VIDEO = "video", "录像"
    SURVEILLANCE = "surveillance", "监控录像"


class Informed(models.TextChoices):
    """第十三条 / common practice: the party is told before recording starts."""

    TOLD = "told", "已事先告知当事人"
    NOT_TOLD = "not_told", "未告知（须说明原因）"
    NO_PARTY = "no_party", "无当事人在场"


class TimeSource(models.TextChoices):
    """Where an item's recording times come from. Typed-in and corrected times carry the reason
    the uploader gave (``Item.time_reason``), which the reviewer sees; only with one do they count
    as the time of the recording (第五条 per stage, the service clip of 第二十四、二十五条)."""

    MEDIA = "media", "取自文件"
    ENTERED = "entered", "人工填写（文件中无时间）"
    CORRECTED = "corrected", "人工更正（文件时间有误）"


class Blob(models.Model):
    """Stored bytes, addressed by SHA-256; SM3 computed too. One row per distinct content."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    sm3 = models.CharField("SM3", max_length=64)
    size = models.BigIntegerField("字节数")
    media_type = models.CharField("媒体类型", max_length=100)
    storage = models.CharField("存储", max_length=10)  # "file" or "s3" when first stored
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+"
    )  # first stored by
    created_at = models.DateTimeField("入库时间")

    class Meta:
        verbose_name = verbose_name_plural = "存储对象"

    def __str__(self) -> str:
        return f"blob {self.sha256[:12]}…"

    @property
    def short(self) -> str:
        return self.sha256[:12] + "…"


class DestroyedBlob(models.Model):
    """Bytes deleted from the store by a lawful destruction (档案销毁, 第三十条 with the retention
    rules): the blob's row stays (every record naming it keeps its digests), this row says the
    bytes are gone on purpose. Insert-only; ``verify``, ``verify-blobs``, fixity and backup read
    it as recorded, not missing. ``destroyed_by`` names the destruction (``app.kind:id``); the
    deciding action's ledger entry carries this row."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    sm3 = models.CharField("SM3", max_length=64)
    size = models.BigIntegerField("字节数")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    destroyed_by = models.CharField("销毁依据", max_length=80)
    at = models.DateTimeField("销毁时间")

    class Meta:
        verbose_name = verbose_name_plural = "已销毁的存储对象"

    def __str__(self) -> str:
        return f"destroyed {self.sha256[:12]}…"


class PendingDeletion(models.Model):
    """The bytes of a destroyed blob not yet deleted from the store: written beside its
    ``DestroyedBlob`` row, removed once the bytes are gone. The daily pass works through these
    rows only, so bytes stored again later under the same digest (the same file brought into
    another case after the deletion) are never deleted by it. Bookkeeping, not a recorded fact
    (as the deadline marks)."""

    sha256 = models.CharField("SHA-256", max_length=64, primary_key=True)
    since = models.DateTimeField("销毁时间")

    class Meta:
        verbose_name = verbose_name_plural = "待删除的已销毁对象"

    def __str__(self) -> str:
        return f"pending deletion {self.sha256[:12]}…"


class Item(models.Model):
    """An audio/video or photo record (音像记录): what, who, with which device, when and where."""

    RECORDED_AGENCY: ClassVar[str] = "agency_id"  # a recorded fact (casetrail.lib.facts)

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    uploaded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")
    recorded_start = models.DateTimeField("记录开始", null=True, blank=True)
    recorded_end = models.DateTimeField("记录结束")
    time_source = models.CharField("时间来源", max_length=10)  # TimeSource
    place = models.CharField("地点", max_length=200, blank=True)
    informed = models.CharField("事先告知", max_length=10, choices=Informed.choices)
    informed_how = models.CharField("告知方式 / 未告知原因", max_length=300, blank=True)
    description = models.TextField("记录内容", blank=True)
    file_name = models.CharField("文件名", max_length=200)
    original_name = models.CharField("原始文件名", max_length=500, blank=True)
    media = models.JSONField("媒体信息", default=dict)
    source = models.CharField("来源", max_length=10)  # "upload" (tus) or "import" (采集站)
    delay_seconds = models.BigIntegerField("上传延迟（秒）")
    late = models.BooleanField("超过24小时")
    late_reason = models.CharField("延迟上传理由", max_length=500, blank=True)
    # Added after the first records: nullable without defaults, so the rows recorded before them
    # still equal their ledger payloads (and SQLite adds the columns without rebuilding the
    # insert-only table).
    # The device clock setting the file's time was read with (org.Device.clock), if one applied.
    clock = models.CharField("读取文件时间所按设备时钟", max_length=40, null=True, blank=True)
    # When the officer corrected the file's time: the time as read from the file, kept beside.
    file_recorded_start = models.DateTimeField("文件中的记录开始时间", null=True, blank=True)
    file_recorded_end = models.DateTimeField("文件中的记录结束时间", null=True, blank=True)
    # Why the times were typed in (no time in the file) or the file's time corrected.
    time_reason = models.CharField("记录时间说明", max_length=500, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "音像记录"
        ordering = ["recorded_end", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "blob"], name="item_blob_once_per_agency")
        ]
        indexes = [
            # Partial: the late ones only (第三十条 findings), newest first. The former (agency,
            # late) served the agency prefix only — the bare boolean term is no equality for
            # SQLite's planner — and read every item of the agency (issue 18).
            models.Index(
                fields=["agency", "-uploaded_at"],
                condition=models.Q(late=True),
                name="item_late_uploaded",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def duration_label(self) -> str:
        """The recording's length as people say it ("2分05秒", "45秒"), or "" for a photo or a
        file without one."""
        ms = (self.media or {}).get("duration_ms")
        if not ms:
            return ""
        seconds = round(ms / 1000)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        if hours:
            return f"{hours}小时{minutes:02d}分{seconds:02d}秒"
        return f"{minutes}分{seconds:02d}秒" if minutes else f"{seconds}秒"

    @property
    def reference(self) -> str:
        """How people name the item: kind, device, when it was recorded (local time) and length,
        e.g. "录像 · 执法记录仪 DSJ-0001 · 2026-11-26 09:30 · 2分05秒". Reads ``device``: select
        it with the item on a list."""
        at = timezone.localtime(self.recorded_start or self.recorded_end)
        parts = [self.get_kind_display()]
        if self.device_id is not None and self.device is not None:
            parts.append(f"{self.device.get_kind_display()} {self.device.serial}")
        parts.append(f"{at:%Y-%m-%d %H:%M}")
        if self.duration_label:
            parts.append(self.duration_label)
        return " · ".join(parts)

    @property
    def time_source_label(self) -> str:
        try:
            return TimeSource(self.time_source).label
        except ValueError:
            return self.time_source

    @property
    def time_trusted(self) -> bool:
        """Whether the recorded times may stand as the recording's time: read from the file, or
        typed in / corrected with a reason given (the reviewer sees it)."""
        return self.time_source == TimeSource.MEDIA or bool((self.time_reason or "").strip())

    @property
    def delay(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.delay_seconds)

    @property
    def delay_hours(self) -> float:
        return round(self.delay_seconds / 3600, 1)

    @property
    def duration_seconds(self) -> str:
        ms = self.media.get("duration_ms")
        return f"{ms / 1000:.1f}" if ms else ""

    @property
    def playable(self) -> str:
        """ "video", "audio", "image" or "" — how the page shows it."""
        mt = self.blob.media_type
        for prefix in ("video", "audio", "image"):
            if mt.startswith(prefix + "/"):
                return prefix
        return ""


class ItemLink(models.Model):
    """An item belongs to a case from this moment on. One link per item, never changed."""

    RECORDED_AGENCY: ClassVar[str] = "item__agency_id"  # a recorded fact (casetrail.lib.facts)

    item = models.OneToOneField(Item, on_delete=models.PROTECT, related_name="link")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence_links")
    by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "音像记录归案"

    def __str__(self) -> str:
        return f"item {self.item_id} → case {self.case_id}"


class UnlinkedItem(models.Model):
    """A projection, not a recorded fact: one row per item not yet linked to a case, kept by
    database triggers (``casetrail.evidence.projection``: inserted with the item, removed with its
    link, in the same statement's transaction), so a handler's inbox on the worklist reads its
    few rows through an index instead of checking every item they ever recorded for a link
    (issue 18). Never written by the application; rebuilt from Item and ItemLink at any time."""

    item = models.OneToOneField(
        Item, on_delete=models.DO_NOTHING, primary_key=True, related_name="+", db_constraint=False
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    # Each officer column is indexed (a ForeignKey's own index): the inbox is "uploaded or
    # recorded by me", read as two index lookups.
    uploaded_by = models.ForeignKey(
        Officer, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    officer = models.ForeignKey(
        Officer, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )

    class Meta:
        verbose_name = verbose_name_plural = "待归案音像记录（投影）"

    def __str__(self) -> str:
        return f"item {self.item_id} unlinked"


class AccessLog(models.Model):
    """Every view, play and download of an item: who and when (第三十三条)."""

    RECORDED_AGENCY: ClassVar[str] = "item__agency_id"  # a recorded fact (casetrail.lib.facts)

    class What(models.TextChoices):
        VIEW = "view", "查看"
        PLAY = "play", "播放"
        DOWNLOAD = "download", "下载"

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="accesses")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=10, choices=What.choices)
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "音像记录调阅日志"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.officer} {self.get_what_display()} item {self.item_id}"


class Upload(models.Model):
    """An ingest in progress (mutable): a tus upload receiving bytes, or stored bytes waiting for
    the uploader to complete the record (a late recording's reason, a missing time …)."""

    class State(models.TextChoices):
        RECEIVING = "receiving", "上传中"
        NEEDS_DETAILS = "needs_details", "待补充信息"
        DONE = "done", "已完成"
        REFUSED = "refused", "已拒收"
        TERMINATED = "terminated", "已取消"
        EXPIRED = "expired", "已过期"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, default="upload")
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    metadata = models.JSONField(default=dict)
    file_name = models.CharField(max_length=200)
    original_name = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.RECEIVING)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True, blank=True)  # the last byte arrived
    sha256 = models.CharField(max_length=64, blank=True)
    sm3 = models.CharField(max_length=64, blank=True)
    media_type = models.CharField(max_length=100, blank=True)
    media = models.JSONField(default=dict)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, null=True, blank=True)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True)
    error_code = models.CharField(max_length=60, blank=True)
    error_message = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "上传任务"
        indexes = [models.Index(fields=["officer", "state"]), models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"upload {self.pk} {self.file_name}"

    @property
    def part_path(self):  # type: ignore[no-untyped-def]
        return settings.CASETRAIL_UPLOAD_DIR / f"{self.pk}.part"

    @property
    def percent(self) -> int:
        return int(self.offset * 100 / self.length) if self.length else 100


class Poster(models.Model):
    """A poster frame or thumbnail made by a background task (derived, replaceable)."""

    blob = models.OneToOneField(Blob, on_delete=models.CASCADE, related_name="poster")
    key = models.CharField(max_length=200, blank=True)
    width = models.IntegerField(default=0)
    height = models.IntegerField(default=0)
    made_at = models.DateTimeField()
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "封面帧"

    def __str__(self) -> str:
        return f"poster of {self.blob_id}"
