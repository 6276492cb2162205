"""`casetrail token <username>`: print (creating if needed) the API token of a user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "打印某用户的 API 令牌（没有则创建），供脚本或设备使用：Authorization: Token <令牌>"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"没有用户 {options['username']}")
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
