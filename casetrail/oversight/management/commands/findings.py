"""`casetrail findings`: raise the new findings of every agency (or one) now, as the scheduler
does daily — looking at what changed since the last pass, or at everything with ``--full`` — and
print how many cases were looked at, breaches found and findings raised."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casetrail.oversight.refresh import refresh_all


class Command(BaseCommand):
    help = "刷新监督发现（第三十四、三十五条）：各类问题只记录一次"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="只看该机关（统一社会信用代码）")
        parser.add_argument(
            "--full", action="store_true", help="检查全部案件和全部日志，而不只是上次以来的变化"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for r in refresh_all(agency_code=options.get("agency"), full=options["full"]):
            self.stdout.write(
                f"{r.agency.name}：检查案件 {r.cases} 件，发现 {r.found} 项，新记录 {r.raised} 项"
            )
