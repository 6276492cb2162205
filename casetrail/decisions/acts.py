"""The decision's act on the case page and in the API (``/cases/<id>/decision-proposal/``,
``POST /api/cases/<id>/decision-proposal/``), registered from ``DecisionsConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django import forms

from casetrail.cases.hooks import CaseAct
from casetrail.cases.models import Case
from casetrail.compliance.engine import CaseView
from casetrail.decisions import actions
from casetrail.decisions.selectors import why_no_proposal
from casetrail.org.models import Officer
from casetrail.records.forms import OPINION, catalogue_form


def proposal_form(case: Case) -> type[forms.Form]:
    """The 处理决定审批表 with the 承办人初审意见 (第六条), offering the case's parties and records."""
    return catalogue_form("decision_approval_form", extra=OPINION, case=case)


def _propose(case: Case, officer: Officer, d: dict[str, Any]) -> Any:
    fields = {k: v for k, v in d.items() if k != "opinion"}
    return actions.decision_propose(case=case, officer=officer, fields=fields, opinion=d["opinion"])


ACTS: dict[str, CaseAct] = {
    "decision-proposal": CaseAct(
        "提出处理决定（处理决定审批表）",
        proposal_form,
        _propose,
        lambda case: why_no_proposal(CaseView(case)) is None,
        order=30,
    ),
}
