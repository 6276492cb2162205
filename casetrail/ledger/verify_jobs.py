"""The initializer of a `verify --jobs N` worker process. A freshly spawned interpreter imports it
before Django is set up, so it imports nothing of Django's models: it sets Django up, after which
the worker unpickles its tasks (``casetrail.ledger.verify.run_in_worker``)."""

from __future__ import annotations


def init() -> None:
    import django

    django.setup()
