"""What happens when a chain of each kind ends: the effect an app registers from its
``AppConfig.ready()`` (the start procedure registers the start, acceptance and complaint chains).

An effect runs inside the deciding action (``approval_decide``) and returns the rows it wrote, which
that action's ledger entry carries under ``effects``. ``approvals`` never names the apps that
register: it only asks this registry.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

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
