"""`casetrail import-av DIR --device SERIAL [--officer CERT_NO]`: ingest a collection station's dock.

Every file under DIR is hashed (SHA-256 + SM3 in one streaming read); content already recorded by
the agency is skipped; new content is stored (copied — the source is never moved, changed or
deleted), its times read from the media, and an audio/video record made, not linked to a case (it
waits in the officer's inbox). A late recording without ``--late-reason`` is stored and waits for
its reason in the inbox. Safe to run again after an interruption.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from casetrail.evidence.devices import check_device
from casetrail.evidence.ingest import hash_file, ingest, new_upload
from casetrail.evidence.models import Blob, Item, Upload
from casetrail.lib.errors import ActionError
from casetrail.org.models import Device, Officer


class Command(BaseCommand):
    help = "从采集站目录导入音像记录：跳过已存储的文件，读取记录时间，报告超时上传，不删除源文件"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory")
        parser.add_argument("--device", required=True, help="执法记录仪设备编号")
        parser.add_argument("--officer", help="记录人执法证号（默认设备的配发人员）")
        parser.add_argument("--agency", type=int, help="机关 id（多个机关登记了同一设备编号时）")
        parser.add_argument("--informed", default="told", choices=["told", "not_told", "no_party"])
        parser.add_argument("--informed-how", default="采集站导入：按执法记录仪使用规定事先告知")
        parser.add_argument("--late-reason", default="", help="超过24小时的记录的延迟理由")

    def handle(self, *args: Any, **o: Any) -> None:
        root = Path(o["directory"])
        if not root.is_dir():
            raise CommandError(f"目录不存在：{root}")
        devices = Device.objects.filter(serial=o["device"]).select_related("officer", "agency")
        if o["agency"]:
            devices = devices.filter(agency_id=o["agency"])
        if devices.count() != 1:
            raise CommandError(f"设备 {o['device']} 未登记（或多个机关有同一编号，请加 --agency）")
        device = devices.get()
        if o["officer"]:
            officer = Officer.objects.filter(
                agency_id=device.agency_id, certificate_no=o["officer"]
            ).first()
            if officer is None:
                raise CommandError(f"执法证号 {o['officer']} 不存在")
        elif device.officer is not None:
            officer = device.officer
        else:
            raise CommandError("设备未配发给人员，请用 --officer 指定记录人")
        try:  # a retired device records nothing more (第三十七条): refused before any file
            check_device(officer=officer, device=device, kind="")
        except ActionError as err:
            raise CommandError(err.message) from None
        stats = {"imported": 0, "skipped": 0, "late": 0, "waiting": 0, "refused": 0}
        files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
        for path in files:
            digests = hash_file(path)
            blob = Blob.objects.filter(sha256=digests["sha256"]).first()
            if blob is not None and (
                Item.objects.filter(agency_id=device.agency_id, blob=blob).exists()
                or Upload.objects.filter(
                    agency_id=device.agency_id, blob=blob, state=Upload.State.NEEDS_DETAILS
                ).exists()
            ):
                stats["skipped"] += 1
                self.stdout.write(f"跳过（已存储） {path}")
                continue
            meta = {
                "filename": path.name,
                "device": device.serial,
                "officer": officer.certificate_no,
                "informed": o["informed"],
                "informed_how": o["informed_how"],
                "late_reason": o["late_reason"],
            }
            upload = new_upload(
                officer=officer,
                length=digests["size"],
                metadata=meta,
                source="import",
                expires_at=timezone.now() + dt.timedelta(days=3650),
            )
            upload.received_at = timezone.now()
            upload.save(update_fields=["received_at"])
            try:
                ingest(upload=upload, path=path, move=False, digests=digests)
            except Exception as exc:  # one bad file must not stop the dock
                stats["refused"] += 1
                self.stdout.write(f"拒收 {path}：{getattr(exc, 'message', exc)}")
                continue
            upload.refresh_from_db()
            item = upload.item
            if upload.state == Upload.State.DONE and item is not None:
                stats["imported"] += 1
                if item.late:
                    stats["late"] += 1
                    self.stdout.write(
                        f"超时（{item.delay_hours} 小时，第三十条） {path} → 音像记录 #{item.pk}"
                    )
                else:
                    self.stdout.write(f"导入 {path} → 音像记录 #{item.pk}")
            else:
                stats["waiting"] += 1
                if upload.error_code == "late_reason_required":
                    stats["late"] += 1
                self.stdout.write(f"待补充信息 {path}：{upload.error_message}")
        self.stdout.write(
            f"import-av: {len(files)} 个文件，导入 {stats['imported']}，跳过（已存储）"
            f" {stats['skipped']}，超时 {stats['late']}，待补充信息 {stats['waiting']}，"
            f"拒收 {stats['refused']}；源文件均未删除"
        )
