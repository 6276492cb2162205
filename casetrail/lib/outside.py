"""No network or remote I/O inside a database transaction.

A call to another machine (the TSA, a witness, the publication bucket, clamd, an S3 upload) can
take its whole timeout. Made inside a transaction it holds that transaction's locks meanwhile: the
agency's log row, SQLite's one write lock, a case row — every action of the agency (on SQLite,
of the whole installation) waits for a server that is not answering. So the callers ask first,
then write in a short transaction; ``require_no_transaction`` at each call site makes a
regression fail loudly in the tests instead of slowly in production.

The test suite runs each test inside a transaction of its own (Django's ``TestCase``, pytest-django's
``db`` fixture). Django marks that block ``_from_testcase`` — the same mark that lets a durable
``atomic`` (every ledgered action) run inside it — and it is not counted here: only the blocks the
application opened are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections


class InsideTransaction(RuntimeError):
    """A network or remote call was made inside a database transaction: a programming error."""


def open_transactions() -> list[str]:
    """The aliases of the database connections that are inside an atomic block the application
    opened (the test case's own block does not count)."""
    inside = []
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            continue
        blocks = getattr(conn, "atomic_blocks", [])
        if not blocks or any(not getattr(b, "_from_testcase", False) for b in blocks):
            inside.append(conn.alias)
    return inside


def require_no_transaction(what: str) -> None:
    """Raise ``InsideTransaction`` when called inside a database transaction: ``what`` (e.g.
    "the TSA request") names the remote call in the message. Returns None otherwise."""
    inside = open_transactions()
    if inside and not _known.get():
        raise InsideTransaction(
            f"{what} must not run inside a database transaction (open on: {', '.join(inside)}): "
            "it would hold the transaction's locks for as long as the remote side takes. "
            "Make the call before the transaction (or after it commits) and keep only the "
            "database writes inside."
        )


_known: ContextVar[tuple[str, ...]] = ContextVar("casetrail_known_inside", default=())


@contextmanager
def known_inside_transaction(why: str) -> Iterator[None]:
    """The remote calls made in this block are known to run inside a transaction and are left so
    for now (``why`` says where and why; each use is listed in the README under #18). Not for
    new code: move the call before the transaction instead."""
    token = _known.set((*_known.get(), why))
    try:
        yield
    finally:
        _known.reset(token)
