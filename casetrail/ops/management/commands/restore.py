"""`casetrail restore DIR`: put a backup into an empty var/ (or database), then `verify`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.ops.backup import BackupError, newer_checkpoints, read_manifest, restore
from casetrail.ops.management.commands._passphrase import passphrase


def _known_size(path: str) -> tuple[str, int]:
    """A checkpoint kept elsewhere (C2SP tlog-checkpoint: origin line, size line, root …)."""
    lines = Path(path).read_text("utf-8").splitlines()
    try:
        return lines[0].strip(), int(lines[1].strip())
    except (IndexError, ValueError):
        raise CommandError(f"{path} 不是检查点（首行来源，次行条数）") from None


class Command(BaseCommand):
    help = (
        "把备份恢复到空的 var/（或空数据库）并运行 verify；目标不空则拒绝。"
        "--checkpoint 给出另存的检查点时，比它旧的备份报告为回滚"
    )
    # Nothing may open the (empty) target database before the copy is in place.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", help="备份目录")
        parser.add_argument("--passphrase-file", help="含密钥口令的文件")
        parser.add_argument(
            "--checkpoint", action="append", default=[], help="另存的检查点文件（可多次）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = read_manifest(Path(options["dir"]))
            secret = (
                passphrase(options["passphrase_file"], confirm=False)
                if manifest.data.get("keys")
                else None
            )
            known = dict(_known_size(p) for p in options["checkpoint"])
            rollback = newer_checkpoints(manifest, known)
            if rollback:
                for line in rollback:
                    self.stderr.write(line)
                raise CommandError("备份比已知的检查点旧：拒绝恢复（须作为经批准的恢复另行记录）")
            restore(Path(options["dir"]), passphrase=secret)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        from casetrail.ledger.verify import verify

        report = verify()
        for line in report.findings:
            self.stdout.write(line)
        self.stdout.write(report.summary())
        if not report.intact:
            if any(
                "older backup" in f or "differ from the checkpoint" in f for f in report.findings
            ):
                self.stderr.write(
                    "日志落后于见证方所持检查点（备份之后的记录已灭失）：请由系统管理员在"
                    "“恢复登记”（/ops/recovery/）登记恢复经过，经负责人批准后核验不再报告回滚"
                )
            sys.exit(1)
        self.stdout.write(f"已恢复：{options['dir']}")
