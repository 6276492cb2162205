"""`casetrail findings`: raise the new findings of every agency (or one) now, as the scheduler
does daily, and print how many were found and raised."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casetrail.oversight.refresh import refresh_all


class Command(BaseCommand):
    help = "刷新监督发现（第三十四、三十五条）：各类问题只记录一次"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="只看该机关（统一社会信用代码）")

    def handle(self, *args: Any, **options: Any) -> None:
        for r in refresh_all(agency_code=options.get("agency")):
            self.stdout.write(f"{r.agency.name}：发现 {r.found} 项，新记录 {r.raised} 项")
