"""`casetrail scheduler`: the clock of the task worker. It enqueues the periodic jobs the apps
registered (``casetrail.lib.periodic``): checkpoints every CASETRAIL_CHECKPOINT_SECONDS, the expiry
of abandoned uploads, the daily deadline check; `casetrail run` starts it beside the worker."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from casetrail.lib.periodic import JOBS


class Command(BaseCommand):
    help = "定时任务：按各模块登记的周期排入后台任务（检查点、过期上传、每日期限检查）"

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        periods = {name: job.every() for name, job in JOBS.items() if job.every is not None}
        described = ", ".join(
            f"{name} every {periods[name]} s" if name in periods else f"{name} daily"
            for name in JOBS
        )
        self.stdout.write(f"scheduler: {described}")
        next_run = dict.fromkeys(periods, 0.0)
        last_day = None
        while True:
            today = timezone.localdate()
            if today != last_day:
                for job in JOBS.values():
                    if job.daily:
                        job.enqueue()
                last_day = today
            now = time.monotonic()
            for name, due in next_run.items():
                if now >= due:
                    JOBS[name].enqueue()
                    next_run[name] = now + periods[name]
            wait = max(0.0, min(next_run.values(), default=now + 60) - time.monotonic())
            if stop.wait(min(wait, 60)):
                break
