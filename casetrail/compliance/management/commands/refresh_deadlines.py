"""`casetrail refresh-deadlines`: recompute every case's stored deadlines from its records (after a
change of a configured period, or to rebuild them). The actions keep them up to date otherwise."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.compliance.stored import refresh_all
from casetrail.org.models import Agency


class Command(BaseCommand):
    help = "重新计算各案件存储的期限（配置的期限改变后，或重建时）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="只算该机关（统一社会信用代码）")

    def handle(self, *args: Any, **options: Any) -> None:
        agency_id = None
        if options.get("agency"):
            agency = Agency.objects.filter(credit_code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"没有统一社会信用代码为 {options['agency']} 的机关")
            agency_id = agency.pk
        started = time.monotonic()
        cases, added, removed = refresh_all(agency_id=agency_id)
        self.stdout.write(
            f"refresh-deadlines: {cases} 个案件，新增 {added} 项，删除 {removed} 项，"
            f"用时 {time.monotonic() - started:.1f} 秒"
        )
