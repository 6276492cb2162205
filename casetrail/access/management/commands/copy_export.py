"""`casetrail copy-export 调用〔2026〕1号 --to /media/usb --by zhang [--recipient 王律师]`: write the
copy package of an approved 调用单 to a folder (a USB stick) as a BagIt bag, recorded as a
delivery in the disclosure register and the ledger. Exit status 0 when written, 1 when refused
(the reason and its code on stderr), 2 on bad arguments."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casetrail.access.delivery import make_package
from casetrail.access.models import CopyRequest, Delivery
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer


class Command(BaseCommand):
    help = "将经局长批准的调用单的复制件包导出到文件夹（如U盘），记入复制件交付记录和执法记录日志"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("request", help="调用单编号（如 调用〔2026〕1号）或其 id")
        parser.add_argument("--to", required=True, help="目标文件夹（复制件包写在其下）")
        parser.add_argument("--by", required=True, help="办理导出的本案承办人（登录名）")
        parser.add_argument("--recipient", default="", help="接收人（默认为调用单的申请人）")

    def handle(self, *args: Any, **options: Any) -> None:
        key = str(options["request"])
        query = CopyRequest.objects.select_related("case", "chain", "record")
        copy = (query.filter(pk=int(key)) if key.isdigit() else query.filter(number=key)).first()
        officer = Officer.objects.filter(user__username=options["by"]).first()
        if copy is None or officer is None or officer.agency_id != copy.agency_id:
            self.stderr.write("调用单或办理人不存在（办理人应为本机关人员）")
            sys.exit(2)
        try:
            package, _token, written = make_package(
                request=copy,
                officer=officer,
                recipient=options["recipient"] or copy.requester,
                delivery=Delivery.FOLDER,
                folder=Path(options["to"]),
            )
        except ActionError as err:
            self.stderr.write(f"{err.message}（{err.code}）")
            sys.exit(1)
        self.stdout.write(f"已导出：{written}")
        self.stdout.write(f"接收人：{package.recipient}；调用单：{copy.number}")
        self.stdout.write("核验：casetrail-verify " + str(written))
