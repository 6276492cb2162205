"""What a 规则豁免审批 does when it ends (第六条), registered with ``approvals.kinds`` from
``ComplianceConfig.ready()``: approved, the exemption is written and lifts the block of its rule for
its item; refused, nothing is written — the proposal and its steps stay recorded."""

from __future__ import annotations

import datetime as dt

from django.db.models import Model

from casetrail.approvals.models import Chain, StepRole
from casetrail.compliance.engine import RULES
from casetrail.compliance.models import Exemption
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import step
from casetrail.org.models import Officer

EXEMPTION_REQUEST = "exemption_request"


@step
def exemption_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    if not approved:
        return []
    fields = chain.record.fields
    # A returned proposal may have been revised: what is approved must still be exemptible, and
    # 第五条 on a 重大 case needs the 负责人 in the chain.
    rule = RULES.get(fields["rule"])
    if rule is None or not rule.exemptible:
        raise ActionError("not_exemptible", f"{fields['rule']} 不允许豁免，不能批准")
    if rule.id == "R5" and chain.case.is_major and StepRole.DECIDE not in chain.step_plan():
        raise ActionError(
            "director_required", "重大复杂案件豁免第五条须经负责人批准，请退回后重新提请"
        )
    exemption = Exemption.objects.create(
        case=chain.case,
        rule=fields["rule"],
        subject=fields["subject"],
        reason=fields["reason"],
        officer=chain.proposer,
        created_at=now,
        chain=chain,
    )
    return [exemption]
