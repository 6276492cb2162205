"""`casetrail rotate-key <统一社会信用代码>`: replace an agency log's checkpoint key, as a ledgered
decision whose statement the old key signs (the old key file is kept beside it)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casetrail.ledger.key_actions import ledger_key_rotate
from casetrail.ledger.keys import KeyError_
from casetrail.ledger.models import Ledger
from casetrail.lib.errors import ActionError


class Command(BaseCommand):
    help = "轮换机关记录日志的检查点签名密钥（由旧密钥签署轮换声明，记入日志）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("agency", help="机关统一社会信用代码")

    def handle(self, *args: Any, **options: Any) -> None:
        ledger = Ledger.objects.filter(agency__credit_code=options["agency"]).first()
        if ledger is None:
            self.stderr.write(f"机关 {options['agency']} 没有记录日志")
            sys.exit(2)
        try:
            row = ledger_key_rotate(ledger=ledger)
        except (ActionError, KeyError_) as exc:
            self.stderr.write(str(exc))
            sys.exit(1)
        self.stdout.write(
            f"已轮换：新公钥 {row.vkey}（替换 {row.replaces.key_id if row.replaces else ''}）"
        )
        self.stdout.write("若已设置 CASETRAIL_LEDGER_KEYS，请把新公钥加入其中，并告知各见证方。")
