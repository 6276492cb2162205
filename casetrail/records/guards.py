"""When a document may not be made now: a registry the apps above ``records`` fill from their
``AppConfig.ready()`` (the decisions app: no 行政执法决定书 before the decision on the case was
approved, 行政处罚法第五十八条).

``records`` sits below the apps that know why (DESIGN.md §2), so it never names them: ``record_create``
and ``record_correct`` ask every registered guard about the document they are about to write, with
its validated fields, and refuse with the first refusal a guard gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from casetrail.cases.models import Case
from casetrail.lib.errors import ActionError
from casetrail.records.catalogue import DocType


@dataclass(frozen=True)
class Refusal:
    """Why a document may not be made now: a stable code and a zh-Hans message saying what to do."""

    code: str
    message: str


DocumentGuard = Callable[[Case, str, dict[str, Any]], Refusal | None]
GUARDS: list[DocumentGuard] = []


def register_document_guard(guard: DocumentGuard) -> None:
    """``guard(case, kind, fields)`` returns a Refusal when the document ``kind`` with these
    (validated) fields may not be made in ``case`` now, else None."""
    if guard not in GUARDS:
        GUARDS.append(guard)


def check_document_allowed(case: Case, kind: str, fields: dict[str, Any]) -> None:
    """Raise the first refusal of a registered guard (nothing is written then)."""
    for guard in GUARDS:
        refusal = guard(case, kind, fields)
        if refusal is not None:
            raise ActionError(refusal.code, refusal.message)


def require_made_by_handler(doc: DocType | None) -> None:
    """第六条: an opinion of a reviewer, the legal unit, the leaders' discussion or the leader is
    their own step of the approval chain, taken in their own login; the 处理决定审批表 is made by
    proposing the decision (which opens its chain). Neither is made through 制作文书."""
    if doc is None or doc.made_by == "handler":
        return
    if doc.made_by == "approval_step":
        raise ActionError(
            "made_by_approval_step",
            f"{doc.title}由审核人、法制审核人员或负责人在本人账号中作为审批环节办理（第六条），"
            "承办人不能制作或更正；请在案件的“审批”中查看或办理",
            status=403,
        )
    raise ActionError(
        "made_by_proposal",
        f"{doc.title}在提出审批时填写（如“提出处理决定”）并随审批流程办理（第六条），"
        "不能单独制作或更正；审批退回后在审批页面修改并重新提交",
        status=403,
    )
