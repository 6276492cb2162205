"""`casetrail demo`: load the demo agency 陵川县民政局 and its personas (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from casetrail.cases.models import Case
from casetrail.demo.oversight import load_oversight
from casetrail.demo.personas import DEMO_PASSWORD, PERSONAS, load_demo
from casetrail.demo.stories import load_demo_cases, summary


class Command(BaseCommand):
    help = "载入演示机关（陵川县民政局）及演示人员；重复运行不会重复创建"

    def handle(self, *args: Any, **options: Any) -> None:
        personas = load_demo()
        self.stdout.write(f"演示机关：陵川县民政局。演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, name, unit, roles, _ in PERSONAS:
            labels = "、".join(r.label for r in roles)
            self.stdout.write(f"  {username:<6} {name}（{unit}，{labels}）")
        demo_cases = load_demo_cases()
        self.stdout.write(summary(demo_cases))
        titles = [c.title for c in demo_cases]
        cases = list(Case.objects.filter(agency_id=personas["zhang"].agency_id, title__in=titles))
        self.stdout.write(load_oversight(personas, cases))
