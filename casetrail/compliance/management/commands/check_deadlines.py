"""`casetrail check-deadlines`: print every due and overdue deadline of open cases, with its basis.
The scheduler runs the same check daily through the task worker."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from casetrail.compliance.stored import due_deadlines


class Command(BaseCommand):
    help = "列出各案件临近和已逾期的期限（含法律依据）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="只看该机关（统一社会信用代码）")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = due_deadlines(agency_code=options.get("agency"))
        for d in rows:
            state = "已逾期" if d.overdue else "临近"
            due = timezone.localtime(d.due_at).strftime("%Y-%m-%d %H:%M")
            note = f" [{d.estimate_note}]" if d.estimated else ""
            self.stdout.write(
                f"{state} {due} {d.case.label} {d.case.title}：{d.title}（{d.basis}）{note}"
            )
        overdue = sum(1 for d in rows if d.overdue)
        self.stdout.write(
            f"check-deadlines: {overdue} 项已逾期，{len(rows) - overdue} 项在 "
            f"{settings.CASETRAIL_DUE_SOON_HOURS} 小时内到期"
        )
