"""Which layout (family) prints each catalogue entry, and which families draw a 文号.

The family decides the template (``documents/pdf/<family>.html``) and the 文号 series. An entry not
named here prints with the generic layout and has no 文号 (an internal form, a 笔录 of another kind);
adding an entry to the catalogue never needs code here to be printable.
"""

from __future__ import annotations

from casetrail.documents.models import Family

FAMILY_OF: dict[str, Family] = {
    # 决定书: the decision with its legal basis and remedies (第二十条; 行政处罚法第五十九条).
    "administrative_decision": Family.DECISION,
    "enforcement_decision": Family.DECISION,
    "evidence_preservation_decision": Family.DECISION,
    "evidence_hold_handling_decision": Family.DECISION,
    "correction_order": Family.DECISION,
    # 告知书 and notices addressed to the party or an applicant.
    "rights_notice": Family.NOTICE,
    "hearing_notice": Family.NOTICE,
    "supplement_notice": Family.NOTICE,
    "complaint_notice": Family.NOTICE,
    "evidence_request_notice": Family.NOTICE,
    "sampling_notice": Family.NOTICE,
    # 催告书 (第二十八条; 行政强制法第三十五条).
    "demand_notice": Family.DEMAND,
    # 笔录: read back and signed page by page (第十一、十二条).
    "interview_record": Family.MINUTES,
    "inspection_record": Family.MINUTES,
    "statement_record": Family.MINUTES,
    "hearing_record": Family.MINUTES,
    "demand_statement_record": Family.MINUTES,
    "oral_application_record": Family.MINUTES,
    "refusal_record": Family.MINUTES,
    "correction_check_record": Family.MINUTES,
    # 送达回证 (第二十二、二十四条).
    "service_receipt": Family.RECEIPT,
}

#: Families whose documents carry a 文号 drawn from the agency's register.
NUMBERED: frozenset[str] = frozenset({Family.DECISION, Family.NOTICE, Family.DEMAND})


def family_of(kind: str) -> Family:
    return FAMILY_OF.get(kind, Family.OTHER)
