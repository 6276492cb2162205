"""`casetrail verify-blobs`: re-hash every stored blob; exit 1 on any finding."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casetrail.evidence.fixity import blob_count, iter_blob_findings


class Progress:
    """A one-line progress bar on stderr (only when it is a terminal, or when forced)."""

    def __init__(self, stream: Any, enabled: bool) -> None:
        self.stream, self.enabled, self.last = stream, enabled, 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.2:
            return
        self.last = now
        frac = done / total if total else 1.0
        bar = "#" * int(frac * 30)
        self.stream.write(
            f"\r[{bar:<30}] {frac * 100:5.1f}% {done / 2**20:,.1f}/{total / 2**20:,.1f} MiB"
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "重新计算所有已存储文件的 SHA-256 和 SM3，报告缺失或被改动的文件（有发现时退出码为 1）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--agency", type=int, default=None, help="只检查该机关（id）的文件")
        parser.add_argument(
            "--progress", action="store_true", help="即使 stderr 不是终端也显示进度条"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        progress = Progress(sys.stderr, options["progress"] or sys.stderr.isatty())
        findings = 0
        for line in iter_blob_findings(agency_id=options["agency"], progress=progress):
            findings += 1
            self.stdout.write(line)
        count = blob_count(options["agency"])
        self.stdout.write(
            f"verify-blobs: {findings} findings in {count} blobs ({time.monotonic() - started:.1f} s)"
        )
        if findings:
            raise CommandError(f"{findings} findings", returncode=1)
