"""证据保全 and 先行登记保存 as a decision (第十四条; 第六条; 行政处罚法第五十六条: 先行登记保存 needs
the approval of the agency's 负责人).

The handler proposes the 证据保全决定 (reason, how it started, the object and form, the basis); the
unit reviewer reviews and the 负责人 approves. The preservation takes effect when approved: only
then may the 证据登记保存清单 of a 先行登记保存 be made (it names the approved decision), and its
seven-working-day handling deadline (CF56) runs from that register. A refused proposal binds:
nothing may be registered under it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model

from casetrail.approvals.models import Chain
from casetrail.cases.models import Case
from casetrail.decisions.chains import approved_chain_of, referenced
from casetrail.decisions.kinds import DecisionChain
from casetrail.lib.ledgered import step
from casetrail.org.models import Officer
from casetrail.records.guards import Refusal

PROPOSAL = "evidence_preservation_decision"


@step
def preservation_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    """Effect of the 证据保全审批: the approval is the decision (the chain's steps are its record);
    nothing else is written. The register follows it (``register_follows_approval``)."""
    return []


def register_follows_approval(case: Case, fields: dict[str, Any]) -> Refusal | None:
    """Guard of the 证据登记保存清单: a 先行登记保存 only under an approved 证据保全决定 of that form
    (行政处罚法第五十六条); a register of evidence obtained by a 调取证据通知书 needs none."""
    decision = referenced(case, fields, "preservation_decision")
    if decision is None:
        if referenced(case, fields, "request_notice") is not None:
            return None
        return Refusal(
            "preservation_not_approved",
            "先行登记保存须经行政机关负责人批准（行政处罚法第五十六条）：请先在案件页提请证据保全"
            "审批，批准后在清单中选择该证据保全决定；调取的证据请选择对应的调取证据通知书",
        )
    if approved_chain_of(decision, DecisionChain.EVIDENCE_PRESERVATION) is None:
        return Refusal(
            "preservation_not_approved",
            "所选证据保全决定尚未经负责人批准（或未获批准、或不是批准时的版本），不能登记保存"
            "（行政处罚法第五十六条）",
        )
    if decision.fields.get("form") != "register_hold":
        return Refusal("not_a_register_hold", "所选证据保全决定的形式不是先行登记保存")
    return None
