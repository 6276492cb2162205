"""`casetrail token <username> [--name N] [--days D] | --list | --revoke ID`: issue, list or
revoke a user's API tokens through the ledgered token actions, as the operator at the server's
console."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.lib.errors import ActionError
from casetrail.org.actions import token_issue, token_revoke
from casetrail.org.models import Officer
from casetrail.org.selectors import tokens_of


class Command(BaseCommand):
    help = (
        "为某工作人员签发新的 API 令牌并打印（只显示这一次，系统只保存摘要），供脚本或设备使用："
        "Authorization: Token <令牌>；--list 列出其令牌；--revoke 编号 撤销一个令牌"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="令牌名称（用途），默认“API 令牌”")
        parser.add_argument("--days", type=int, default=None, help="有效期（天）")
        parser.add_argument("--list", action="store_true", help="列出该用户的令牌")
        parser.add_argument("--revoke", type=int, default=None, help="撤销编号为此的令牌")

    def handle(self, *args: Any, **options: Any) -> None:
        officer = Officer.objects.filter(user__username=options["username"]).first()
        if officer is None:
            raise CommandError(f"没有登记为工作人员的用户 {options['username']}")
        try:
            if options["list"]:
                for t in tokens_of(officer):
                    self.stdout.write(
                        f"{t.pk}\t{t.name}\t{t.prefix}…\t{t.expires_at:%Y-%m-%d}\t{t.state_label}"
                    )
            elif options["revoke"] is not None:
                token = tokens_of(officer).filter(pk=options["revoke"]).first()
                if token is None:
                    raise CommandError(f"{officer.name}没有编号为 {options['revoke']} 的令牌")
                token_revoke(by=None, token=token)
                self.stdout.write(f"已撤销 {officer.name} 的令牌“{token.name}”")
            else:
                issued = token_issue(
                    by=None, officer=officer, name=options["name"], days=options["days"]
                )
                self.stdout.write(issued.key)
        except ActionError as err:
            raise CommandError(err.message) from None
