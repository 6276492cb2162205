"""Periodic background work, registered by each app from its ``AppConfig.ready()`` and enqueued by
`casetrail scheduler` (which `casetrail run` starts beside the task worker).

A job is a name, how often (``every`` seconds, or ``daily`` once per local day) and a function that
enqueues it (usually ``some_task.enqueue``); the scheduler never names the apps that register.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Job:
    name: str
    enqueue: Callable[[], Any]
    every: Callable[[], int] | None = None  # seconds, read when the scheduler starts
    daily: bool = False


JOBS: dict[str, Job] = {}


def register(job: Job) -> None:
    """Add (or replace, by name) a periodic job."""
    if (job.every is None) == (not job.daily):
        raise ValueError(f"job {job.name}: give either every=… or daily=True")
    JOBS[job.name] = job
