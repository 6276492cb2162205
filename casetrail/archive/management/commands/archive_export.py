"""`casetrail archive-export CASE DIR`: write the archive package (AIP) of an archived case out as
a BagIt folder for the 档案馆 (移交), validated with ``bagit`` before it appears under DIR.

CASE is the case number (e.g. 陵民罚〔2026〕3号) or its id. The package is made first when the case
has none yet (as the custodian named by ``--custodian``, default: the agency's first custodian).
Record the transfer itself with ``--receiver`` and ``--receiver-person``: a ledgered 移交."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.archive import actions, service
from casetrail.archive.selectors import current_file_of
from casetrail.cases.models import Case
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer, Role


class Command(BaseCommand):
    help = "把已归档案件的归档信息包（BagIt）导出到目录，供向档案馆移交"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case", help="案件编号或案件 id")
        parser.add_argument("dir", help="导出目录（不得已存在）")
        parser.add_argument("--custodian", default="", help="办理的档案管理员用户名")
        parser.add_argument("--receiver", default="", help="接收单位（登记移交）")
        parser.add_argument("--receiver-person", default="", help="接收人（登记移交）")

    def handle(self, *args: Any, **options: Any) -> None:
        ref = options["case"]
        case = Case.objects.filter(number=ref).first()
        if case is None and ref.isdigit():
            case = Case.objects.filter(pk=int(ref)).first()
        if case is None:
            raise CommandError(f"找不到案件：{ref}")
        f = current_file_of(case)
        if f is None or f.status != "archived":
            raise CommandError(f"案件 {case.number or case.pk} 尚未归档")
        custodians = Officer.objects.filter(
            agency_id=case.agency_id, roles__role=Role.CUSTODIAN, roles__revoked_at__isnull=True
        )
        if options["custodian"]:
            custodians = custodians.filter(user__username=options["custodian"])
        custodian = custodians.order_by("id").first()
        if custodian is None:
            raise CommandError("找不到办理的档案管理员")
        try:
            package = service.latest_package(f) or service.package(case_file=f, officer=custodian)
            dest = service.export(package=package, dest=Path(options["dir"]))
            if options["receiver"]:
                actions.archive_transfer(
                    package=package,
                    officer=custodian,
                    receiver=options["receiver"],
                    receiver_person=options["receiver_person"],
                )
        except ActionError as err:
            raise CommandError(err.message) from None
        self.stdout.write(
            f"已导出 {f.archive_code} 的归档信息包到 {dest}"
            f"（{package.files} 个文件，SHA-256 {package.blob.sha256}）"
        )
