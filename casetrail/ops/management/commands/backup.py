"""`casetrail backup DIR`: a consistent copy of the running system (casetrail.ops.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.ops.backup import BackupError, backup
from casetrail.ops.management.commands._passphrase import passphrase


class Command(BaseCommand):
    help = (
        "备份数据库（SQLite 在线备份或 pg_dump）、其引用的证据文件和以口令加密的密钥到新目录 DIR，"
        "写入含摘要、日志条数和检查点的清单并校验；运行中即可备份"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", help="新的备份目录（不能已存在）")
        parser.add_argument("--passphrase-file", help="含加密密钥所用口令的文件")
        parser.add_argument("--no-keys", action="store_true", help="不备份密钥（另行保管时）")

    def handle(self, *args: Any, **options: Any) -> None:
        secret = (
            None if options["no_keys"] else passphrase(options["passphrase_file"], confirm=True)
        )
        try:
            manifest = backup(Path(options["dir"]), passphrase=secret)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        data = manifest.data
        sizes = "，".join(f"{o} {v['size']} 条" for o, v in data["ledgers"].items()) or "无"
        self.stdout.write(
            f"备份完成：{options['dir']}（数据库 {data['database']}，证据文件 {data['blobs']} 个，"
            f"{'含' if data['keys'] else '不含'}密钥；日志：{sizes}）"
        )
