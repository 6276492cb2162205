"""What every proposal of an internal decision shares (第六条): the handler of the case proposes,
with the proposal document from the catalogue and the handler's 初审意见和理由, and the chain opens
with its plan fixed; the decision takes effect only when the last person of the plan approves.

Used by the proposals of 证据保全, 强制执行决定, 申请人民法院强制执行, 结案, 延期 and the lowering of
the 重大 flag (``casetrail.decisions.actions``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from casetrail.approvals.models import OPEN_STATUSES, Chain, ChainStatus, Step, StepRole
from casetrail.approvals.writes import open_chain
from casetrail.cases.models import Case, Stage
from casetrail.cases.writes import require_assigned, require_handler
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import step
from casetrail.org.models import Officer
from casetrail.records.catalogue import doc_type
from casetrail.records.models import Record
from casetrail.records.writes import add_record

REVIEW_THEN_DECIDE: list[str] = [StepRole.REVIEW, StepRole.DECIDE]


def require_proposer(case: Case, officer: Officer) -> None:
    """第六条: the 承办人 proposes — a handler of this case, with a certificate valid today."""
    require_handler(officer, timezone.localdate())
    require_assigned(case, officer)


def require_stage(case: Case, kind: str, *stages: str) -> None:
    """The proposal belongs to ``stages`` (the stages of its catalogue entry by default)."""
    allowed = stages or doc_type(kind).stages
    if not case.is_open or case.stage not in allowed:
        names = "、".join(f"“{Stage(s).label}”" for s in allowed)
        raise ActionError(
            "wrong_stage",
            f"{doc_type(kind).title}在{names}阶段提出，本案当前为“{case.get_stage_display()}”",
        )


def open_chains(case: Case) -> list[Chain]:
    return list(case.chains.filter(status__in=OPEN_STATUSES).order_by("created_at", "id"))


@step
def propose(
    *,
    case: Case,
    officer: Officer,
    kind: str,
    chain_kind: str,
    fields: dict[str, Any],
    opinion: str,
    plan: list[str],
    now: dt.datetime,
) -> tuple[Record, Chain, Step]:
    """The proposal document and its chain, opened with ``plan`` (the steps after the proposal)."""
    record = add_record(case=case, kind=kind, officer=officer, fields=fields, now=now)
    chain, first = open_chain(
        case=case,
        kind=chain_kind,
        record=record,
        proposer=officer,
        opinion=opinion,
        requires_legal=StepRole.LEGAL in plan,
        plan=plan,
        now=now,
    )
    return record, chain, first


def chain_plan(case: Case, *, legal_when_major: bool = False) -> list[str]:
    """审核 → (法制审核 for a 重大 case, where the kind asks for it) → 批准."""
    legal: list[str] = [StepRole.LEGAL] if legal_when_major and case.is_major else []
    return [StepRole.REVIEW, *legal, StepRole.DECIDE]


def referenced(case: Case, fields: dict[str, Any], name: str) -> Record | None:
    """The record of the case a (cleaned) document field points at."""
    value = fields.get(name)
    pk = value.get("id") if isinstance(value, dict) else None
    return case.records.filter(pk=pk).first() if pk else None


def approved_chain_of(record: Record | None, chain_kind: str) -> Chain | None:
    """The approved chain of ``chain_kind`` that decided on exactly this version of ``record``."""
    if record is None:
        return None
    return Chain.objects.filter(record=record, kind=chain_kind, status=ChainStatus.APPROVED).first()


def save_status(chain: Chain) -> None:
    """Store the outcome ``approval_decide`` set on the chain before its effect runs, so that the
    rules the effect runs (R6: no chain still open) see this chain as decided. The deciding
    action saves the same values again afterwards."""
    chain.save(update_fields=["status", "decided_at"])
