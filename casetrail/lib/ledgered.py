"""The one way a recorded fact is written: the ledgered action (第三十五条; DESIGN.md §2).

Every change of a recorded fact is one typed, keyword-only function decorated with
``@action(SomeAction.NAME)``. The decorator

- opens a durable transaction: an action is never nested in another transaction, so its rows and
  its ledger entry commit together or not at all;
- hands the function an ``Act`` (its first, positional-only parameter) on which the function
  records exactly one ledger entry with ``act.record(...)``: the entry is appended to the agency's
  log under the log's lock, inside the transaction;
- refuses to commit an action that recorded no entry, and refuses a second entry;
- runs the side effects scheduled with ``act.on_commit`` only after the transaction committed.

Action names are members of ``ActionName`` enums (each app declares its own, values
``"app.verb"``), never free strings. Helpers that write rows for an action (a chain's first step, a
document) are decorated ``@step``: they run only inside an action, whose entry carries their rows.

``lib`` sits below the ledger, so the append itself is a hook: the ledger app registers it from its
``AppConfig.ready()`` (``register_appender``), and the apps below the ledger (``org``) write through
this module without naming the ledger.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from enum import StrEnum
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from django.db import models, transaction

from casetrail.lib.facts import fact_of

P = ParamSpec("P")
R = TypeVar("R")


class ActionName(StrEnum):
    """Base of every app's enum of action names. Subclass it; values are ``"app.verb"``."""


class Appender(Protocol):
    def __call__(
        self,
        *,
        agency: Any,
        actor: Any,
        action: str,
        subject: str,
        payload: dict[str, Any],
        case_id: int | None,
    ) -> Any: ...


_appender: list[Appender] = []
# Run inside the action's transaction, after it recorded its entry, with the id of the case the
# entry names: projections of a case kept beside its facts (the stored deadlines of compliance).
_after_case: list[Callable[[int], Any]] = []
_current: ContextVar[Act | None] = ContextVar("casetrail_action", default=None)


def register_appender(appender: Appender) -> None:
    """Called once by the ledger app: the function that appends an entry under the log's lock."""
    _appender[:] = [appender]


def register_after_case(hook: Callable[[int], Any]) -> None:
    """Called by an app above (from its ``AppConfig.ready()``): ``hook(case_id)`` runs after every
    action whose entry names a case, in the action's transaction, so what it derives from the case
    commits with the facts it derives from (or not at all)."""
    if hook not in _after_case:
        _after_case.append(hook)


class Act:
    """The running action: records its one ledger entry and schedules its side effects."""

    def __init__(self, name: ActionName) -> None:
        self.name = name
        self.entry: Any = None
        self.case_id: int | None = None
        self._effects: list[Callable[[], Any]] = []
        # What the action's ``before`` hook did outside the transaction (e.g. the blobs it
        # uploaded: {"blobs": {sha256, …}}); empty without a hook.
        self.prepared: dict[str, Any] = {}

    def record(
        self,
        *,
        agency: Any,
        actor: Any,
        subject: str,
        rows: Iterable[models.Model] = (),
        case: int | None = None,
        **extra: Any,
    ) -> Any:
        """Append the action's ledger entry: the full rows it wrote (``fact_of`` each), the case
        they belong to, and any ``extra`` payload keys. Returns the ledger entry row."""
        if self.entry is not None:
            raise RuntimeError(f"action {self.name} recorded a second ledger entry")
        if not _appender:
            raise RuntimeError("no ledger appender registered (is casetrail.ledger installed?)")
        payload: dict[str, Any] = {"rows": [fact_of(r) for r in rows], **extra}
        if case is not None:
            payload["case"] = case
            self.case_id = case
        self.entry = _appender[0](
            agency=agency,
            actor=actor,
            action=str(self.name),
            subject=subject,
            payload=payload,
            case_id=case,
        )
        return self.entry

    def on_commit(self, effect: Callable[[], Any]) -> None:
        """Run ``effect`` after the action's transaction has committed (never if it rolls back)."""
        self._effects.append(effect)


def action(
    name: ActionName, *, before: Callable[..., dict[str, Any]] | None = None
) -> Callable[[Callable[Concatenate[Act, P], R]], Callable[P, R]]:
    """Make ``fn(act, /, *, …)`` a ledgered action called as ``fn(*, …)``.

    ``before(**kwargs)``, when given, runs with the action's arguments before its transaction
    opens: the remote I/O the action needs (uploading the bytes of a blob it records) happens
    there, never with the transaction's locks held (``lib.outside``). What it returns is
    ``act.prepared`` for the action's steps to read. It must be idempotent and harmless when the
    action then refuses or rolls back (a content-addressed upload is: the orphan is listed by
    ``verify-blobs``)."""
    if not isinstance(name, ActionName):
        raise TypeError(f"action names are ActionName members, not {name!r}")

    def wrap(fn: Callable[Concatenate[Act, P], R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            outer = _current.get()
            if outer is not None:
                raise RuntimeError(
                    f"action {name} called inside action {outer.name}: one action is one "
                    "transaction with one ledger entry; call a @step instead"
                )
            act = Act(name)
            if before is not None:
                act.prepared = before(*args, **kwargs)
            token = _current.set(act)
            try:
                with transaction.atomic(durable=True):
                    result = fn(act, *args, **kwargs)
                    if act.entry is None:
                        raise RuntimeError(f"action {name} wrote no ledger entry")
                    if act.case_id is not None:
                        for hook in _after_case:
                            hook(act.case_id)
                    for effect in act._effects:
                        transaction.on_commit(effect)
            finally:
                _current.reset(token)
            return result

        run.__ledgered_action__ = name  # type: ignore[attr-defined]
        return run

    return wrap


def step(fn: Callable[P, R]) -> Callable[P, R]:
    """A building block that writes rows for the action calling it (its entry carries them)."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if _current.get() is None:
            raise RuntimeError(f"{fn.__qualname__} writes recorded rows: call it inside an action")
        return fn(*args, **kwargs)

    run.__ledgered_step__ = True  # type: ignore[attr-defined]
    return run


def current_action() -> Act | None:
    """The action running in this context, if any (the test suite's write guard asks)."""
    return _current.get()
