"""The registry of finding kinds: findings as data (第三十四、三十五条).

Each kind has a stable code, a title, the article it enforces, the item of 第三十五条 it falls
under — (一) records not made or not made as required, (二) leaks, (三) deletion or alteration,
(四) loss through bad storage, (五) other breaches — and a small function that yields what it finds
in one agency from what the system already knows. A kind whose source is not built yet is declared
with ``detect=None`` (shown as such on the findings page) and gets its function when it is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

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


Detect = Callable[[int], Iterator[Raised]]  # agency id → what is found now


@dataclass(frozen=True)
class FindingKind:
    code: str
    title: str
    article: str
    item: str  # key of ITEMS
    detect: Detect | None
    waits_for: str = ""  # zh-Hans: the source not built yet, when detect is None

    @property
    def item_label(self) -> str:
        return ITEMS[self.item]

    @property
    def automatic(self) -> bool:
        """Whether the kind has its detector (templates must not touch ``detect``: they would
        call it)."""
        return self.detect is not None


KINDS: dict[str, FindingKind] = {}


def register_finding_kind(kind: FindingKind) -> None:
    """Add a kind (or give a registered-later kind its detector: same code, replaced)."""
    if kind.item not in ITEMS:
        raise ValueError(f"finding kind {kind.code}: item {kind.item!r} is not one of 第三十五条")
    old = KINDS.get(kind.code)
    if old is not None and old.detect is not None:
        raise ValueError(f"finding kind {kind.code} registered twice")
    KINDS[kind.code] = kind


def finding_kind(code: str, *, title: str, article: str, item: str) -> Callable[[Detect], Detect]:
    """Decorator: register ``fn(agency_id)`` as the detector of the kind ``code``."""

    def register(fn: Detect) -> Detect:
        register_finding_kind(FindingKind(code, title, article, item, fn))
        return fn

    return register
