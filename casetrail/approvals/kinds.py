"""What happens when a chain of each kind ends: the effect an app registers from its
``AppConfig.ready()`` (the start procedure registers the start, acceptance and complaint chains;
the decisions app the decision on the case). An app may also say which legal deadline bears on a
waiting chain of its kind (``register_due``: the decision within 90 days, 行政处罚法第六十条), shown
beside the chain on the worklist of whoever must take its next step.

An effect runs inside the deciding action (``approval_decide``) and returns the rows it wrote, which
that action's ledger entry carries under ``effects``. ``approvals`` never names the apps that
register: it only asks this registry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from django.db.models import Model

from casetrail.approvals.models import Chain
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer


class ChainEffect(Protocol):
    def __call__(
        self, *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
    ) -> list[Model]: ...


EFFECTS: dict[str, ChainEffect] = {}
# Kinds whose 法制审核 goes item by item through the legal checklist (行政处罚法第五十八条: the
# decisions); the start's legality review (第九条) is an opinion.
CHECKLIST_KINDS: set[str] = set()


class ChainDue(Protocol):
    """The deadline that bears on a waiting chain, or None: an object with ``title``, ``basis``,
    ``due_at`` and ``overdue`` (the compliance app's Deadline)."""

    def __call__(self, chain: Chain) -> Any: ...


DUES: dict[str, ChainDue] = {}


def register_due(kind: str, due: ChainDue) -> None:
    DUES[kind] = due


def due_of(chain: Chain) -> Any:
    """The deadline an app registered for chains of this kind, if any."""
    due = DUES.get(chain.kind)
    return due(chain) if due is not None else None


def register_effect(kind: str, effect: ChainEffect, *, legal_checklist: bool = False) -> None:
    EFFECTS[kind] = effect
    if legal_checklist:
        CHECKLIST_KINDS.add(kind)


def effect_for(kind: str) -> ChainEffect:
    try:
        return EFFECTS[kind]
    except KeyError:
        raise ActionError("unknown_chain_kind", f"审批事项“{kind}”没有登记办结后的处理") from None


def needs_legal_checklist(kind: str) -> bool:
    return kind in CHECKLIST_KINDS
