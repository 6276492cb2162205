"""Checks the copies app makes before its actions and pages (第三十二条): who decides a 调用单's
items, who carries an approved one out, and how a download link's token is kept (its SHA-256,
never the token)."""

from __future__ import annotations

import hashlib

from casetrail.access.models import CopyRequest
from casetrail.access.selectors import is_approved
from casetrail.approvals.models import ChainStatus
from casetrail.approvals.selectors import why_cannot_act
from casetrail.cases.writes import require_assigned
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer


def require_decider(request: CopyRequest, officer: Officer) -> None:
    """Only the one who may now take the chain's 批准 step decides per item (403); only while
    the chain waits for it (``not_awaiting_decision``)."""
    chain = request.chain
    chain.refresh_from_db()
    reason = why_cannot_act(officer=officer, chain=chain)
    if chain.status == ChainStatus.PENDING_DECISION and reason:
        raise ActionError("not_allowed_to_decide", reason, status=403)
    if chain.status != ChainStatus.PENDING_DECISION:
        raise ActionError("not_awaiting_decision", "该调用单不在待局长批准环节，不能作出决定")


def require_fulfiller(request: CopyRequest, officer: Officer) -> None:
    """The approved 调用单 is carried out by a handler of its case."""
    require_assigned(request.case, officer)
    if not is_approved(request):
        raise ActionError(
            "no_approved_request",
            "调用单未经局长批准，不能复制（第三十二条）",
            status=409,
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
