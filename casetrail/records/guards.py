"""Conditions the apps above set on making a document of a kind, registered from their
``AppConfig.ready()`` (``records`` never names them).

- A **guard** checks a document's cleaned fields against the case before ``record_create`` or
  ``record_correct`` writes it, and raises ``ActionError`` when the law forbids it: a 证据登记保存清单
  of a 先行登记保存 only after the 负责人 approved it (行政处罚法第五十六条), a 强制执行决定书 only
  under an approved 强制执行决定审批 (第六条).
- A document **made by its own step** (a proposal that opens an approval chain, revised only by
  resubmitting it) is never made or corrected through 制作文书: the registrant says where it is made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from casetrail.cases.models import Case
from casetrail.lib.errors import ActionError

Guard = Callable[[Case, dict[str, Any]], None]

GUARDS: dict[str, list[Guard]] = {}
OWN_STEP: dict[str, str] = {}


def register_guard(kind: str, guard: Guard) -> None:
    """``guard(case, fields)`` runs before a document of ``kind`` is made or corrected."""
    guards = GUARDS.setdefault(kind, [])
    if guard not in guards:
        guards.append(guard)


def register_own_step(kind: str, where: str) -> None:
    """Documents of ``kind`` are made by their own step; ``where`` tells the user which (zh-Hans)."""
    OWN_STEP[kind] = where


def made_by_own_step(kind: str) -> bool:
    return kind in OWN_STEP


def check(case: Case, kind: str, fields: dict[str, Any]) -> None:
    """Refuse a document of ``kind`` with ``fields`` (cleaned) that a registered condition forbids."""
    if kind in OWN_STEP:
        raise ActionError("made_by_own_step", OWN_STEP[kind], field="kind")
    for guard in GUARDS.get(kind, ()):
        guard(case, fields)
