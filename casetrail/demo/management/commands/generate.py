"""`casetrail generate --cases N --agencies K`: realistic data at scale for benchmarks and load tests
(``casetrail.demo.generate``): the demo agency (and K-1 more), the demo stories told through the
actions, then N cases copied from them in bulk, checkpointed, with their deadlines and fresh planner
statistics. Everything it writes passes `casetrail verify`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.demo.generate import generate


class Command(BaseCommand):
    help = "生成大规模测试数据（案件、当事人、各阶段记录、音像、日志条目、检查点、期限）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="生成的案件数")
        parser.add_argument("--agencies", type=int, default=1, help="机关数（默认 1：演示机关）")
        parser.add_argument(
            "--seed", type=int, default=1, help="随机种子（同一种子生成同样的数据）"
        )
        parser.add_argument("--batch", type=int, default=200, help="每个事务写入的案件数")
        parser.add_argument("--jobs", type=int, default=2, help="计算期限的进程数（默认 2）")
        parser.add_argument(
            "--copier",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="在单独的进程中复制案件，与写入并行（默认是；--no-copier 在同一进程中）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if (
            options["cases"] < 0
            or options["agencies"] < 1
            or options["batch"] < 1
            or options["jobs"] < 1
        ):
            raise CommandError("--cases 不能为负，--agencies、--batch 与 --jobs 至少为 1")
        # The personas get the demo password, as `casetrail demo` gives it: generated data is
        # demo data (a real deployment, CASETRAIL_DEMO unset, refuses it for other accounts).
        was, settings.DEMO = settings.DEMO, True
        try:
            report = generate(
                cases=options["cases"],
                agencies_count=options["agencies"],
                seed=options["seed"],
                batch=options["batch"],
                jobs=options["jobs"],
                copier=options["copier"],
                progress=lambda line: print(line, file=sys.stderr, flush=True),
            )
        finally:
            settings.DEMO = was
        self.stdout.write(report.summary())
