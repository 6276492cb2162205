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


def register_effect(kind: str, effect: ChainEffect) -> None:
    EFFECTS[kind] = effect


def effect_for(kind: str) -> ChainEffect:
    try:
        return EFFECTS[kind]
    except KeyError:
        raise ActionError("unknown_chain_kind", f"审批事项“{kind}”没有登记办结后的处理") from None
