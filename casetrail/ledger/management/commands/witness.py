"""`casetrail witness`: run a C2SP tlog-witness (see casetrail.ledger.witness_server), or register a
log key with it (``--add-log <vkey>``). Needs no database: its own state folder and key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.ledger.witness_server import add_log_key, forget_log, serve, timestamp_policy


class Command(BaseCommand):
    help = "运行见证服务（C2SP tlog-witness）：为一致的新检查点副署，拒绝回滚与分叉"
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--state",
            default=str(settings.CASETRAIL_WITNESS_DIR),
            help="状态目录（密钥、已副署的检查点）",
        )
        parser.add_argument("--name", default="casetrail-witness", help="见证方密钥名称")
        parser.add_argument(
            "--listen", default=settings.CASETRAIL_LOCAL_WITNESS_BIND, help="监听地址 host:port"
        )
        parser.add_argument("--add-log", metavar="VKEY", help="登记一个日志公钥后退出")
        parser.add_argument("--tsa-ca", help="PEM：要求每个检查点附有链至该证书的 RFC 3161 时间戳")
        parser.add_argument("--tsa-policy", help="时间戳须带的 TSA 策略 OID")
        parser.add_argument(
            "--forget-log",
            metavar="ORIGIN",
            help="核实该机关经批准的恢复登记后，把该日志已副署的检查点另存并清除，然后退出",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from pathlib import Path

        state = Path(options["state"])
        if options["add_log"]:
            add_log_key(state, options["add_log"])
            self.stdout.write(f"已登记日志公钥：{options['add_log']}")
            return
        if options["forget_log"]:
            kept = forget_log(state, options["forget_log"])
            if kept is None:
                raise CommandError(f"本见证方没有该日志的检查点：{options['forget_log']}")
            self.stdout.write(f"已另存并清除：{kept}")
            return
        tsa = timestamp_policy(options["tsa_ca"], options["tsa_policy"])
        serve(state, options["name"], options["listen"], tsa)
