"""What the end of a 调用单's chain does (第三十二条): approved by the 局长, the 调用单 binds as the
latest decisions per item say — so the 局长 must have decided every item first; refused, nothing
may be copied."""

from __future__ import annotations

import datetime as dt

from django.db.models import Model

from casetrail.access.models import CopyRequest
from casetrail.access.selectors import binding_decisions
from casetrail.approvals.models import Chain
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import step
from casetrail.org.models import Officer


@step
def copy_chain_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    """Approved: refused unless the approving 局长 decided every item (``decision_missing``)."""
    if not approved:
        return []
    request = CopyRequest.objects.get(chain=chain)
    decided = binding_decisions(request)
    missing = [i.label for i in request.items.all() if i.pk not in decided]
    if missing:
        raise ActionError(
            "decision_missing",
            "批准前请在调用单页面逐项决定提供、删除保密部分后提供或不予提供：" + "、".join(missing),
            details=missing,
        )
    strangers = {d.decided_by_id for d in decided.values()} - {officer.pk}
    if strangers:
        raise ActionError(
            "decision_by_another", "逐项决定应由批准的局长本人作出，请重新作出决定", status=403
        )
    return []


def copy_consequence(chain: Chain) -> tuple[str, list[str]]:
    """For the confirmation before the 局长 approves: what the decisions are, and what is missing."""
    request = CopyRequest.objects.filter(chain=chain).first()
    if request is None:
        return "", []
    decided = binding_decisions(request)
    lines = [
        f"{i.label}：{decided[i.pk].get_disposition_display()}" if i.pk in decided else ""
        for i in request.items.all()
    ]
    missing = [
        f"尚未决定：{i.label}（请先在调用单 {request.number} 的页面逐项决定）"
        for i in request.items.all()
        if i.pk not in decided
    ]
    return "按逐项决定复制（" + "；".join(x for x in lines if x) + "）", missing
