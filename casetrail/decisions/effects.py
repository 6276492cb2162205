"""What the 处理决定审批 does when it ends (registered with ``approvals.kinds`` from
``DecisionsConfig.ready()``). It runs inside ``approval_decide`` and returns the rows it wrote.

Nothing on the case changes when it ends: the approved chain itself is what the guard on the
行政执法决定书 and the rules R15–R19, R58 read (an approval lets the decision document be made; a
refusal binds, 行政处罚法第五十八条, until a new proposal passes)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Model

from casetrail.approvals.models import Chain
from casetrail.lib.ledgered import step
from casetrail.org.models import Officer


@step
def decision_chain_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    return []
