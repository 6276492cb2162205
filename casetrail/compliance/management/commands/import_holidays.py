"""`casetrail import-holidays FILE --by USERNAME`: load the State Council's holiday schedule of a
year the calendar data does not cover yet (a small YAML file; see README)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.compliance.actions import holiday_schedule_import
from casetrail.compliance.holidays import parse_schedule
from casetrail.lib.errors import ActionError
from casetrail.org.selectors import officer_for_user


class Command(BaseCommand):
    help = "导入国务院办公厅公布的某年节假日安排（YAML：year、source、holidays、workdays），由系统管理员执行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="节假日安排文件（YAML）")
        parser.add_argument("--by", required=True, help="执行导入的系统管理员登录名")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["by"]).first()
        officer = officer_for_user(user) if user is not None else None
        if officer is None:
            raise CommandError(f"没有工作人员 {options['by']}")
        try:
            text = Path(options["file"]).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法读取 {options['file']}：{exc}") from None
        try:
            row = holiday_schedule_import(officer=officer, schedule=parse_schedule(text))
        except ActionError as err:
            raise CommandError(f"{err.message}（{err.code}）") from None
        self.stdout.write(
            f"已导入 {row.year} 年节假日安排：放假 {len(row.holidays)} 天，"
            f"调休上班 {len(row.workdays)} 天（{row.source}）"
        )
