"""The proposals of the internal decisions after the start, as acts of the case's step page and
API (``/cases/<id>/<slug>/``, ``/api/cases/<id>/<slug>/`` with ``{"fields": {…}, "opinion": "…"}``),
registered from ``DecisionsConfig.ready()``. Each form is the proposal document of the catalogue
plus the handler's 初审意见和理由."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms

from casetrail.cases.hooks import CaseAct
from casetrail.cases.models import Case, Confidentiality, Procedure, Stage, StartStatus
from casetrail.decisions import actions, closing, enforcement, extension, flags, preservation
from casetrail.org.models import Officer
from casetrail.records.forms import OPINION, catalogue_form

Propose = Callable[..., Any]


def _in(*stages: str, ordinary: bool = False) -> Callable[[Case], bool]:
    def available(case: Case) -> bool:
        return (
            case.start_status == StartStatus.APPROVED
            and case.stage in stages
            and (not ordinary or case.procedure == Procedure.ORDINARY)
        )

    return available


def _proposal(
    title: str,
    kind: str,
    propose: Propose,
    available: Callable[[Case], bool],
    order: int,
    extra: dict[str, forms.Field] | None = None,
) -> CaseAct:
    def run(case: Case, officer: Officer, d: dict[str, Any]) -> Any:
        fields = {k: v for k, v in d.items() if k != "opinion"}
        return propose(case=case, officer=officer, fields=fields, opinion=d["opinion"])

    return CaseAct(
        title,
        lambda case: catalogue_form(kind, extra={**(extra or {}), **OPINION}, case=case),
        run,
        available,
        order=order,
    )


def _extendable_periods() -> forms.Field:
    """The periods that may be extended, offered as a list; any other one the API names reaches
    the action, which refuses it with ``not_extendable`` and the law's reason."""
    return forms.CharField(
        label="延长的期限",
        widget=forms.Select(
            choices=[(k, f"{k}（{v.article}）") for k, v in extension.extendable().items()]
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))


class LowerForm(ReasonForm):
    opinion = OPINION["opinion"]


class ConfidentialityForm(LowerForm):
    to = forms.ChoiceField(label="变更后密级", choices=Confidentiality.choices)

    field_order = ["to", "reason", "opinion"]


def _open(case: Case) -> bool:
    return case.start_status == StartStatus.APPROVED and case.is_open


ACTS: dict[str, CaseAct] = {
    "preservation": _proposal(
        "提请证据保全（先行登记保存）审批",
        preservation.PROPOSAL,
        actions.preservation_propose,
        _in(Stage.INVESTIGATION),
        order=30,
    ),
    "extension": _proposal(
        "提请延长办案期限",
        extension.PROPOSAL,
        actions.extension_propose,
        _in(Stage.INVESTIGATION, Stage.DECISION, ordinary=True),
        order=31,
        extra={"deadline": _extendable_periods()},
    ),
    "enforcement": _proposal(
        "提请强制执行决定审批",
        enforcement.ENFORCEMENT_FORM,
        actions.enforcement_propose,
        _in(Stage.SERVICE),
        order=60,
    ),
    "court-enforcement": _proposal(
        "提请申请人民法院强制执行审批",
        enforcement.COURT_FORM,
        actions.court_enforcement_propose,
        _in(Stage.SERVICE),
        order=61,
    ),
    "closing": _proposal(
        "提请结案审批", closing.PROPOSAL, actions.closing_propose, _in(Stage.SERVICE), order=89
    ),
    "major-raise": CaseAct(
        "认定为重大复杂案件",
        lambda case: ReasonForm,
        lambda case, officer, d: actions.major_flag_raise(
            case=case, officer=officer, reason=d["reason"]
        ),
        lambda case: _open(case) and not case.is_major,
        order=80,
        allowed=flags.may_raise,
    ),
    "major-lower": CaseAct(
        "提请取消重大复杂案件认定",
        lambda case: LowerForm,
        lambda case, officer, d: actions.major_flag_propose_lower(
            case=case, officer=officer, reason=d["reason"], opinion=d["opinion"]
        ),
        lambda case: _open(case) and case.is_major,
        order=81,
    ),
    "confidentiality": CaseAct(
        "提请变更密级",
        lambda case: ConfidentialityForm,
        lambda case, officer, d: actions.confidentiality_propose(
            case=case, officer=officer, to=d["to"], reason=d["reason"], opinion=d["opinion"]
        ),
        _open,
        order=82,
    ),
}
