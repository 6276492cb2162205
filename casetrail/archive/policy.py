"""The agency's archive policy as data, with zero-configuration defaults: the parts of the 档号
(DA/T 22: 全宗号-门类代码·年度-保管期限-机构代码-件号), the order of the documents in the 案卷
(第三十条; the order the issue prescribes, adjustable by the agency), the formats the archive
accepts (DA/T 70 可用性), the 保管期限 rules (永久 / 30年 / 10年 from the case's kind and outcome)
and which documents a 案卷 must hold.

The newest ``ArchiveSettings`` row of the agency applies; changing it is the ledgered action
``archive_settings_set``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casetrail.archive.models import ArchiveSettings, Retention
from casetrail.cases.models import Case
from casetrail.org.models import Agency

# The groups of the 案卷, each with the record kinds it holds, in the default order: the decision
# first, then the investigation report, the filing approval, evidence, review opinions, hearing,
# service, execution, other (issue 12, following the provincial 案卷 standards).
GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "decision": (
        "处理决定",
        ("administrative_decision", "summary_procedure_record", "on_the_spot_fine_record"),
    ),
    "report": ("调查终结报告", ("investigation_final_report",)),
    "filing": (
        "立案（程序启动）审批",
        (
            "start_approval_form",
            "application_registration",
            "oral_application_record",
            "application_receipt",
            "application_decision",
            "complaint_registration",
        ),
    ),
    "evidence": (
        "调查取证",
        (
            "interview_record",
            "inspection_record",
            "sampling_notice",
            "item_list",
            "evidence_request_notice",
            "evidence_register",
            "appraisal_commission",
            "appraisal_opinion",
            "refusal_record",
            "evidence_preservation_decision",
            "evidence_hold_handling_decision",
            "rights_notice",
            "statement_record",
            "statement_waiver",
            "penalty_notice_reply",
            "statement_review",
        ),
    ),
    "review": (
        "审核审批意见",
        (
            "decision_approval_form",
            "legal_review_opinion",
            "expert_opinion",
            "expert_meeting_minutes",
            "collective_discussion_record",
            "leader_approval",
        ),
    ),
    "hearing": ("听证", ("hearing_notice", "hearing_record", "hearing_report")),
    "service": (
        "送达",
        (
            "service_receipt",
            "direct_service_record",
            "mail_service_record",
            "left_service_record",
            "public_notice_service_record",
            "electronic_service_record",
            "fax_service_record",
            "entrusted_service_record",
            "transfer_service_record",
        ),
    ),
    "execution": (
        "执行",
        (
            "performance_record",
            "correction_order",
            "correction_check_record",
            "demand_notice",
            "demand_statement_record",
            "statement_review_opinion",
            "enforcement_approval_form",
            "enforcement_decision",
            "court_enforcement_approval_form",
            "court_enforcement_record",
            "case_closing_report",
        ),
    ),
    "other": ("其他", ()),
}
DEFAULT_ORDER = list(GROUPS)
GROUP_OF = {kind: group for group, (_, kinds) in GROUPS.items() for kind in kinds}

# The formats the archive accepts as they are (DA/T 70 可用性; GB/T 33190 / DA/T 47 suitable
# long-term formats): PDF for documents, MP4/M4A/MP3/WAV for audio and video, JPEG/PNG/TIFF photos.
DEFAULT_FORMATS = [
    "application/pdf",
    "video/mp4",
    "audio/mp4",
    "audio/mpeg",
    "audio/wav",
    "audio/x-wav",
    "image/jpeg",
    "image/png",
    "image/tiff",
]

# 保管期限 rules, the first that matches applies (``when``: facts of the case that must all equal).
# 重大复杂 cases are kept permanently; 简易程序 and cases closed without a penalty 10 years; the
# other 行政执法 案卷 30 years.
DEFAULT_RETENTION_RULES: list[dict[str, Any]] = [
    {"when": {"is_major": True}, "period": "Y", "basis": "重大复杂案件的案卷永久保存"},
    {"when": {"procedure": "summary"}, "period": "D10", "basis": "简易程序案件保管10年"},
    {
        "when": {"ground": ["no_penalty", "terminated", "transferred"]},
        "period": "D10",
        "basis": "不予处罚、终止调查或移送的案件保管10年",
    },
    {"when": {}, "period": "D30", "basis": "一般程序行政执法案卷保管30年"},
]

# Documents of these kinds, where the case has them, must be in the 案卷 as their issued PDF
# (DA/T 70 完整性): what was addressed to the party carries the case's legal effect.
REQUIRED_KINDS = (
    "administrative_decision",
    "enforcement_decision",
    "correction_order",
    "rights_notice",
    "hearing_notice",
    "demand_notice",
)


@dataclass(frozen=True)
class Policy:
    fonds_code: str
    fonds_name: str
    category_code: str
    category_name: str
    org_code: str
    formats: list[str]
    order: list[str]
    retention_rules: list[dict[str, Any]]


def defaults(agency: Agency) -> Policy:
    """What applies before the agency set anything: its own 全宗 (named after it), 门类 ZF
    (行政执法), 机构代码 ZF."""
    return Policy(
        fonds_code=f"Q{agency.pk:03d}",
        fonds_name=agency.name,
        category_code="ZF",
        category_name="行政执法",
        org_code="ZF",
        formats=list(DEFAULT_FORMATS),
        order=list(DEFAULT_ORDER),
        retention_rules=list(DEFAULT_RETENTION_RULES),
    )


def policy_of(agency: Agency) -> Policy:
    row = ArchiveSettings.objects.filter(agency=agency).order_by("-set_at", "-id").first()
    if row is None:
        return defaults(agency)
    return Policy(
        fonds_code=row.fonds_code,
        fonds_name=row.fonds_name,
        category_code=row.category_code,
        category_name=row.category_name,
        org_code=row.org_code,
        formats=list(row.formats),
        order=list(row.order),
        retention_rules=list(row.retention_rules),
    )


def case_facts(case: Case, ground: str) -> dict[str, Any]:
    return {
        "is_major": case.is_major,
        "procedure": case.procedure,
        "category": case.category,
        "ground": ground,
    }


def _matches(when: dict[str, Any], facts: dict[str, Any]) -> bool:
    for key, want in when.items():
        have = facts.get(key)
        if isinstance(want, list):
            if have not in want:
                return False
        elif have != want:
            return False
    return True


def retention_for(policy: Policy, case: Case, ground: str) -> tuple[str, str]:
    """(保管期限 code, the rule's basis) of the first rule that matches the case."""
    facts = case_facts(case, ground)
    for rule in policy.retention_rules:
        if _matches(rule.get("when") or {}, facts):
            return Retention(rule["period"]).value, str(rule.get("basis", ""))
    return Retention.YEARS_30.value, "未匹配保管期限规则，按30年保管"


def archive_code(
    *, fonds: str, category: str, year: int, retention: str, org: str, piece: int
) -> str:
    """DA/T 22 档号: 全宗号-门类代码·年度-保管期限-机构代码-件号 (件号 four digits)."""
    return f"{fonds}-{category}·{year}-{retention}-{org}-{piece:04d}"


def group_of(kind: str) -> str:
    return GROUP_OF.get(kind, "other")


def order_key(order: list[str], kind: str) -> int:
    group = group_of(kind)
    return order.index(group) if group in order else len(order)
