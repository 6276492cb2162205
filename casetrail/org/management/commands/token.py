"""`casetrail token <username> [--revoke]`: issue (or revoke) a user's API token through the
ledgered token actions, as the operator at the server's console."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casetrail.lib.errors import ActionError
from casetrail.org.actions import token_issue, token_revoke
from casetrail.org.models import Officer


class Command(BaseCommand):
    help = (
        "为某工作人员签发新的 API 令牌并打印（旧令牌随即失效），供脚本或设备使用："
        "Authorization: Token <令牌>；--revoke 撤销其令牌"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="撤销该用户的令牌")

    def handle(self, *args: Any, **options: Any) -> None:
        officer = Officer.objects.filter(user__username=options["username"]).first()
        if officer is None:
            raise CommandError(f"没有登记为工作人员的用户 {options['username']}")
        try:
            if options["revoke"]:
                token_revoke(by=None, officer=officer)
                self.stdout.write(f"已撤销 {officer.name} 的 API 令牌")
            else:
                self.stdout.write(token_issue(by=None, officer=officer).key)
        except ActionError as err:
            raise CommandError(err.message) from None
