"""Tasks on RQ (``CASETRAIL_TASKS=rq``, issue 18 item 7): a real task of the ledger enqueued through
django-tasks' RQ backend into a real Redis (127.0.0.1:6379, database 7 only, emptied before and
after) and run by a burst worker with the deployment's settings (``RQ_QUEUES``, ``RQ``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from casetrail.ledger.models import Checkpoint, Ledger, LedgerEntry

REDIS_URL = "redis://127.0.0.1:6379/7"  # database 7: the scale test's and this test's only


@pytest.fixture
def rq(settings: Any) -> Iterator[Any]:
    """The RQ backend on Redis database 7, emptied before and after; skipped without Redis."""
    import redis

    conn = redis.Redis.from_url(REDIS_URL)
    try:
        conn.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis 不可用（127.0.0.1:6379）：RQ 任务测试跳过")
    conn.flushdb()
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    try:
        yield conn
    finally:
        conn.flushdb()
        conn.close()


def burst_worker() -> Any:
    """The worker `casetrail rqworker` would make from the settings, without forking (the test's
    database connection and transaction stay in this process), working until the queue is empty."""
    import django_rq

    return django_rq.get_worker("default", worker_class="rq.worker.SimpleWorker")


def test_it_runs_an_enqueued_task_on_an_rq_worker(personas: Any, rq: Any) -> None:
    from casetrail.ledger.tasks import make_checkpoints

    ledger = Ledger.objects.get(agency=personas["zhang"].agency)
    entries = LedgerEntry.objects.filter(ledger=ledger).count()
    assert entries > 0 and not Checkpoint.objects.filter(ledger=ledger).exists()

    result = make_checkpoints.enqueue()
    assert result.status == "READY"
    assert rq.llen("rq:queue:default") == 1  # really in Redis, not run on the spot
    assert not Checkpoint.objects.filter(ledger=ledger).exists()

    worker = burst_worker()
    assert worker.work(burst=True)  # True: it worked at least one job

    result.refresh()
    assert result.status == "SUCCESSFUL", result.errors
    assert result.return_value == 1  # one log grew: the demo agency's
    assert result.worker_ids == [worker.name]
    checkpoint = Checkpoint.objects.get(ledger=ledger)
    # The first checkpoint pins the log's key by a ledgered action of its own, which it covers.
    assert checkpoint.size == LedgerEntry.objects.filter(ledger=ledger).count() > entries
    assert rq.llen("rq:queue:default") == 0


def test_it_fails_every_job_without_the_job_class(personas: Any, rq: Any, settings: Any) -> None:
    """Why ``RQ = {"JOB_CLASS": "django_tasks_rq.Job"}`` is in the settings: a worker fetching
    rq's plain Job fails the task and nothing is written."""
    from casetrail.ledger.tasks import make_checkpoints

    assert settings.RQ == {"JOB_CLASS": "django_tasks_rq.Job"}
    settings.RQ = {}
    result = make_checkpoints.enqueue()
    burst_worker().work(burst=True)
    result.refresh()
    assert result.status == "FAILED"
    assert "'Task' object is not callable" in result.errors[0].traceback
    assert not Checkpoint.objects.exists()
