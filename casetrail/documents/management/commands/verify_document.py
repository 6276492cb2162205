"""`casetrail verify-document FILE.pdf` (or `--code "CT1|…"` for a paper copy): check a 文书
against the ledger — issued by whom, when, in which case, whether it matches — and name what
differs (each finding with its stable code: digest_mismatch, signature_invalid, unknown_sequence…).
Exit status 0 on a match, 1 when anything differs, 2 on bad arguments, 3 when the file is the issued
document but that document has been withdrawn (撤回; its reason, who and when are printed)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casetrail.documents.verification import Verification, verify_code, verify_pdf

WITHDRAWN = 3  # exit status: the very document issued, but withdrawn since


class Command(BaseCommand):
    help = (
        "核验文书：PDF 文件比对签发时的摘要并指出不同之处；纸质件用 --code 输入核验码；"
        "不一致时退出码为 1，文书已撤回时为 3"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="文书 PDF 文件")
        parser.add_argument("--code", default="", help="纸面核验码（二维码内容或核验行）")

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["file"]) == bool(options["code"]):
            self.stderr.write("请给出一个 PDF 文件，或用 --code 给出核验码（二者之一）")
            sys.exit(2)
        if options["file"]:
            path = Path(options["file"])
            if not path.is_file():
                self.stderr.write(f"文件不存在：{path}")
                sys.exit(2)
            result = verify_pdf(path.read_bytes())
        else:
            result = verify_code(options["code"])
        self.report(result)
        if not result.matches:
            sys.exit(1)
        if result.withdrawn:
            sys.exit(WITHDRAWN)

    def report(self, result: Verification) -> None:
        d = result.document
        if d is not None:
            self.stdout.write(f"文书：{d.record.title} {d.doc_no or ''}".rstrip())
            self.stdout.write(f"机关：{d.agency.name}（{d.agency.credit_code}）")
            self.stdout.write(f"案件：{d.case.number or d.case.pk}")
            self.stdout.write(f"签发：{d.issued_by.name} {d.issued_at:%Y-%m-%d %H:%M:%S%z}")
            self.stdout.write(f"账本序号：{d.record_seq}")
            withdrawal = getattr(d, "withdrawal", None)
            if withdrawal is not None:
                self.stdout.write(
                    f"已撤回：{withdrawal.reason}（{withdrawal.by.name} "
                    f"{withdrawal.at:%Y-%m-%d %H:%M:%S%z}）"
                )
        for kind, finding in zip(result.kinds, result.findings, strict=True):
            self.stdout.write(f"不一致（{kind}）：{finding}")
        if not result.matches:
            self.stdout.write("核验结果：不一致")
        elif result.withdrawn:
            self.stdout.write("核验结果：与签发的文书一致，但该文书已撤回，不再有效")
        else:
            self.stdout.write("核验结果：一致")
