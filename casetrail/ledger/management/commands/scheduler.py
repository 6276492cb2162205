"""`casetrail scheduler`: the clock of the task worker. Every CASETRAIL_CHECKPOINT_SECONDS it
enqueues the checkpoint task and the expiry of abandoned uploads, and once a day the deadline
check; `casetrail run` starts it beside the worker."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from casetrail.ledger.tasks import make_checkpoints


class Command(BaseCommand):
    help = "定时任务：按 CASETRAIL_CHECKPOINT_SECONDS 间隔排入签发检查点的任务"

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        from casetrail.compliance.tasks import check_deadlines
        from casetrail.evidence.tasks import expire_abandoned_uploads

        interval = settings.CASETRAIL_CHECKPOINT_SECONDS
        self.stdout.write(f"scheduler: checkpoints every {interval} s, deadlines daily")
        last_day = None
        while True:
            today = timezone.localdate()
            if today != last_day:
                check_deadlines.enqueue()
                last_day = today
            expire_abandoned_uploads.enqueue()
            if stop.wait(interval):
                break
            make_checkpoints.enqueue()
