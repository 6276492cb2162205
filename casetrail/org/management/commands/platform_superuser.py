"""`casetrail createsuperuser`: the platform superuser, for installation only (issue 15).

Django's own command, and then the creation is recorded in every agency's ledger: a superuser
belongs to no agency and may read each in /admin/ (which changes no recorded fact). Agencies'
administrators are ordinary officers with the role 系统管理员 and never superusers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import createsuperuser

from casetrail.org.actions import platform_event_record
from casetrail.org.models import Agency


class Command(createsuperuser.Command):
    help = "创建平台超级用户（仅用于安装；创建记入每个机关的日志）"

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        before = set(User.objects.filter(is_superuser=True).values_list("pk", flat=True))
        super().handle(*args, **options)
        for user in User.objects.filter(is_superuser=True).exclude(pk__in=before):
            for agency in Agency.objects.order_by("pk"):
                platform_event_record(
                    agency=agency, operator=user.get_username(), event="superuser created"
                )
