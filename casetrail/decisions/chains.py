"""What the proposals of the internal decisions share (第六条): the handler of the case proposes,
in the stage the proposal belongs to; the chain's plan is fixed when it opens (审核 → 法制审核 for a
重大 case where the kind asks for it → 批准); the decision takes effect only when the last person
of the plan approves, and the documents that follow it name the approved version.

Used by the proposals of 证据保全, 强制执行决定, 申请人民法院强制执行, 结案, 延期 and the lowering of
the 重大 flag (``casetrail.decisions.actions``) and by their effects and guards.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from casetrail.approvals.models import OPEN_STATUSES, Chain, ChainStatus, StepRole
from casetrail.cases.models import Case, Stage
from casetrail.cases.writes import require_assigned, require_handler
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer
from casetrail.records.catalogue import doc_type
from casetrail.records.models import Record


def require_proposer(case: Case, officer: Officer) -> None:
    """第六条: the 承办人 proposes — a handler of this case, with a certificate valid today."""
    require_handler(officer, timezone.localdate())
    require_assigned(case, officer)


def require_stage(case: Case, kind: str) -> None:
    """The proposal is made in a stage its catalogue entry belongs to."""
    allowed = doc_type(kind).stages
    if not case.is_open or case.stage not in allowed:
        names = "、".join(f"“{Stage(s).label}”" for s in allowed)
        raise ActionError(
            "wrong_stage",
            f"{doc_type(kind).title}在{names}阶段提出，本案当前为“{case.get_stage_display()}”",
        )


def open_chains(case: Case) -> list[Chain]:
    return list(case.chains.filter(status__in=OPEN_STATUSES).order_by("created_at", "id"))


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
