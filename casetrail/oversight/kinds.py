"""The registry of finding kinds: findings as data (第三十四、三十五条).

Each kind has a stable code, a title, the article it enforces, the item of 第三十五条 it falls
under — (一) records not made or not made as required, (二) leaks, (三) deletion or alteration,
(四) loss through bad storage, (五) other breaches — and a small function that yields what it finds
in one agency from what the system already knows. A kind whose source is not built yet is declared
with no detector (shown as such on the findings page) and gets its function when it is.

A detector declares its scope (issue 18: the refresh's cost must not grow with the number of
cases): ``Scope.CASES`` reads only the cases ``Look.cases`` names — the cases whose facts changed
since the last pass (every case on the first, full one); ``Scope.SINCE`` reads what is new in the
agency since the last pass — the log entries ``Look.entries()`` and the time from ``Look.since``
to ``Look.now`` — and runs once a pass. A kind may have one detector of each scope (a deadline is
breached by a changed case or by time alone)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from casetrail.ledger.models import LedgerEntry

ITEMS = {
    "一": "（一）未按规定制作、保存执法全过程记录",
    "二": "（二）泄露执法全过程记录",
    "三": "（三）删除、篡改执法全过程记录",
    "四": "（四）保管不善造成执法全过程记录毁损、灭失",
    "五": "（五）其他违反本办法规定的情形",
}


@dataclass(frozen=True)
class Raised:
    """What a detector found: ``subject`` keys it within its kind (raised once); ``case_id``,
    ``unit_id`` and ``officer_id`` say whose it is (for the dashboard); ``details`` is zh-Hans."""

    subject: str
    details: str
    case_id: int | None = None
    unit_id: int | None = None
    officer_id: int | None = None
    article: str = ""  # overrides the kind's article (a deadline or rule names its own)
    facts: dict[str, Any] = field(default_factory=dict)


class Scope(StrEnum):
    CASES = "cases"  # the changed cases, a bounded chunk at a time
    SINCE = "since"  # what is new in the agency since the last pass, once a pass


@dataclass(frozen=True)
class Look:
    """What one call of a detector reads in agency ``agency_id``.

    ``cases``: for a ``Scope.CASES`` detector, the case ids to look at (ascending, at most
    CASETRAIL_FINDINGS_CASES of them); None for a ``Scope.SINCE`` one. ``first_seq``,
    ``end_seq``: the agency's log entries with ``first_seq <= seq < end_seq`` are new (first_seq
    0: the whole log, a full pass). ``since``: the end of the last pass — what time alone made a
    breach happened in [since, now); None on a full pass, where every case is looked at anyway."""

    agency_id: int
    cases: Sequence[int] | None
    first_seq: int
    end_seq: int
    since: dt.datetime | None
    now: dt.datetime

    @property
    def full(self) -> bool:
        return self.first_seq == 0

    def entries(self) -> QuerySet[LedgerEntry]:
        """The agency's log entries new in this pass: a range of the (ledger, seq) index."""
        return LedgerEntry.objects.filter(
            ledger__agency_id=self.agency_id, seq__gte=self.first_seq, seq__lt=self.end_seq
        )


Detect = Callable[[Look], Iterator[Raised]]  # what is found now, within the look


@dataclass(frozen=True)
class FindingKind:
    code: str
    title: str
    article: str
    item: str  # key of ITEMS
    detectors: dict[Scope, Detect] = field(default_factory=dict)
    waits_for: str = ""  # zh-Hans: the source not built yet, when there is no detector

    @property
    def item_label(self) -> str:
        return ITEMS[self.item]

    @property
    def automatic(self) -> bool:
        """Whether the kind has a detector (templates read this, never the functions)."""
        return bool(self.detectors)


KINDS: dict[str, FindingKind] = {}


def register_finding_kind(kind: FindingKind) -> None:
    """Add a kind, or add detectors of other scopes to a registered one (same code)."""
    if kind.item not in ITEMS:
        raise ValueError(f"finding kind {kind.code}: item {kind.item!r} is not one of 第三十五条")
    old = KINDS.get(kind.code)
    if old is not None and old.detectors:
        if set(old.detectors) & set(kind.detectors):
            raise ValueError(f"finding kind {kind.code} registered twice")
        kind = FindingKind(
            old.code, old.title, old.article, old.item, {**old.detectors, **kind.detectors}
        )
    KINDS[kind.code] = kind


def finding_kind(
    code: str, *, title: str, article: str, item: str, scope: Scope
) -> Callable[[Detect], Detect]:
    """Decorator: register ``fn(look)`` as the detector of the kind ``code`` for ``scope``."""

    def register(fn: Detect) -> Detect:
        register_finding_kind(FindingKind(code, title, article, item, {scope: fn}))
        return fn

    return register
