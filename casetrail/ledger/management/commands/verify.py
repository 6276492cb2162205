"""`casetrail verify`: recompute the ledger and compare every recorded row and blob with it.
Exit status 0 when intact, 1 when anything differs."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casetrail.ledger.verify import verify
from casetrail.lib.progress import ProgressBar


class Command(BaseCommand):
    help = "核验记录日志：重算每个叶子、节点和检查点，逐行比对记录与日志、重算文件摘要；有差异时退出码为 1"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="只核验该机关（统一社会信用代码）")
        parser.add_argument(
            "--since",
            type=int,
            default=0,
            metavar="SEQ",
            help="只核验从该序号起的日志条目及其记录的数据行",
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            metavar="N",
            help="用 N 个进程并行核验日志条目与节点、数据行和文件摘要（默认 1）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["since"] < 0:
            self.stderr.write("--since 不能为负数")
            sys.exit(2)
        if not 1 <= options["jobs"] <= 64:
            self.stderr.write("--jobs 应为 1 到 64 之间的整数")
            sys.exit(2)
        progress = None if options["no_progress"] else ProgressBar()
        report = verify(
            agency_code=options["agency"],
            since=options["since"],
            progress=progress,
            jobs=options["jobs"],
        )
        for line in report.findings:
            self.stdout.write(line)
        for line in report.notes:
            self.stderr.write(f"提示：{line}")
        self.stdout.write(report.summary())
        if not report.intact:
            sys.exit(1)
