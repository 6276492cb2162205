"""Writes of compliance: a reasoned exemption, where the rule allows one."""

from __future__ import annotations

from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.cases.writes import locked, require_assigned
from casetrail.compliance.engine import RULES, CaseView
from casetrail.compliance.models import Exemption
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.org.models import Officer


class ComplianceAction(ActionName):
    EXEMPTION = "compliance.exemption"


@action(ComplianceAction.EXEMPTION)
def exemption_record(
    act: Act, /, *, case: Case, officer: Officer, rule_id: str, subject: str, reason: str
) -> Exemption:
    """Record why a rule cannot be met for this case (e.g. recording was impossible). Only for a
    rule that allows it and an item it currently reports; supervisors see every exemption."""
    rule = RULES.get(rule_id)
    if rule is None:
        raise ActionError("unknown_rule", f"没有规则 {rule_id}", field="rule")
    if not rule.exemptible:
        raise ActionError(
            "not_exemptible", f"{rule.id}（{rule.article}）不允许豁免，必须补齐", field="rule"
        )
    if not reason.strip():
        raise ActionError("exemption_reason_required", "豁免必须说明理由", field="reason")
    case = locked(case)
    try:
        require_assigned(case, officer)
    except ActionError:
        raise ActionError("not_assigned", "只有本案承办人员可以记录豁免", status=403) from None
    open_subjects = {m.subject for m in rule.check(CaseView(case))}
    if subject not in open_subjects:
        raise ActionError(
            "nothing_to_exempt", f"{rule.id} 对“{subject}”没有未满足的要求", field="subject"
        )
    exemption = Exemption.objects.create(
        case=case,
        rule=rule.id,
        subject=subject,
        reason=reason.strip(),
        officer=officer,
        created_at=timezone.now(),
    )
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"exemption:{exemption.pk}",
        rows=[exemption],
        case=case.pk,
    )
    return exemption
