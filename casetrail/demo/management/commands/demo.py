"""`casetrail demo`: load the demo agency 陵川县民政局 and its personas (idempotent)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from casetrail.cases.models import Case
from casetrail.demo.archive import archive_demo_cases
from casetrail.demo.copies import load_copies
from casetrail.demo.documents import issue_demo_documents
from casetrail.demo.oversight import load_oversight
from casetrail.demo.personas import DEMO_PASSWORD, PERSONAS, load_demo
from casetrail.demo.stories import ORDINARY_TITLE, load_demo_cases, summary


class Command(BaseCommand):
    help = "载入演示机关（陵川县民政局）及演示人员；重复运行不会重复创建"

    def handle(self, *args: Any, **options: Any) -> None:
        # Loading the demo is asking for it: its shared password is allowed (issue 15), while a
        # real deployment (CASETRAIL_DEMO unset) refuses that password for every other account.
        # Only while it loads: the process (a test run, say) keeps its own setting afterwards.
        was, settings.DEMO = settings.DEMO, True
        try:
            self._load()
        finally:
            settings.DEMO = was

    def _load(self) -> None:
        personas = load_demo()
        self.stdout.write(f"演示机关：陵川县民政局。演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, name, unit, roles, _ in PERSONAS:
            labels = "、".join(r.label for r in roles)
            self.stdout.write(f"  {username:<6} {name}（{unit}，{labels}）")
        loaded = load_demo_cases()
        self.stdout.write(summary(loaded))
        titles = [c.title for c in loaded]
        cases = list(
            Case.objects.filter(agency_id=personas["zhang"].agency_id, title__in=titles).order_by(
                "id"
            )
        )
        # The browser tests' servers need no 文书, and rendering them takes a while.
        if os.environ.get("CASETRAIL_DEMO_DOCUMENTS", "1") != "0":
            issued, refused = issue_demo_documents(personas, cases)
            self.stdout.write(f"已签发的送达文书：{issued} 份（案件页“打印”可取 PDF）")
            for line in refused:
                self.stdout.write(f"  未签发：{line}")
            # The fulfilled 调用单 needs the issued decision (issue 13 item 8).
            ordinary = next((c for c in cases if c.title == ORDINARY_TITLE), None)
            self.stdout.write(load_copies(personas, ordinary))
            # Issue 12: the archive needs the issued documents (四性检测: 完整性).
            self.stdout.write(archive_demo_cases(personas, cases))
        self.stdout.write(load_oversight(personas, cases))
