"""The law of the summary procedure (简易程序; 第二十一条; 行政处罚法第五十一、五十二、六十八至七十条):
which penalties officers may decide on the spot, when they may collect a fine on the spot, and the
period for filing the decision with the agency (备案).

Pure checks, nothing written: the on-the-spot start (``actions.case_start_on_the_spot``) refuses
with them before it writes anything, and rules R21/R21b (``rules.py``) read the same limits on the
records of summary cases made before that start existed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.utils import timezone

from casetrail.cases.models import Party
from casetrail.compliance.holidays import calendar
from casetrail.lib.errors import ActionError
from casetrail.lib.workdays import Due

# 行政处罚法第五十一条: 对公民处以二百元以下、对法人或者其他组织处以三千元以下罚款或者警告.
FINE_LIMITS: dict[str, Decimal] = {
    Party.Kind.PERSON: Decimal("200"),
    Party.Kind.ORGANISATION: Decimal("3000"),
}
# 行政处罚法第六十八条第一项: 依法给予一百元以下罚款的, the fine may be collected on the spot.
COLLECTION_LIMIT = Decimal("100")


class Penalty(StrEnum):
    """What 第五十一条 lets officers decide on the spot."""

    WARNING = "warning"
    FINE = "fine"


class Statement(StrEnum):
    """The party's answer to the 告知 (行政处罚法第四十五条): stated and defended, or declined."""

    STATED = "stated"
    DECLINED = "declined"


class CollectionGround(StrEnum):
    """The grounds on which a fine may be collected on the spot (行政处罚法第六十八、六十九条)."""

    UNDER_100 = "under_100"  # 第六十八条第一项: 依法给予一百元以下罚款
    HARD_TO_ENFORCE = "hard_to_enforce"  # 第六十八条第二项: 不当场收缴事后难以执行
    REMOTE = "remote"  # 第六十九条: 边远、水上、交通不便地区, 缴纳确有困难, 经当事人提出


@dataclass(frozen=True)
class OnTheSpot:
    """What the officers did and decided on the spot: the 简易程序记录's items (第二十一条), the
    当场行政处罚决定书's content (行政处罚法第五十二条) and, where a fine was collected, how."""

    decided_at: dt.datetime
    place: str
    doc_no: str  # the number of the pre-printed, numbered decision form (预定格式、编有号码)
    conditions: str
    facts: str
    evidence: list[str]
    legal_basis: str
    reasons: str
    penalty: str
    amount: Decimal | None
    decision: str
    rights_told: bool
    statement: str
    review_body: str
    review_period: str
    litigation_court: str
    litigation_period: str
    statements: str = ""
    review: str = ""
    adopted: str = ""
    adoption_reasons: str = ""
    performance_manner: str = ""
    collected: bool = False
    collection_ground: str = ""
    collection_ground_details: str = ""
    party_requested: bool = False
    receipt_no: str = ""
    documents: list[str] = field(default_factory=list)  # other documents made on the spot
    contentious: bool = False
    other: str = ""
    signer_name: str = ""  # who signed for an organisation (default: its representative)


def fine_refusal(party_kind: str, amount: Decimal) -> ActionError | None:
    """The refusal of a fine beyond what 第五十一条 allows on the spot for this kind of party."""
    limit = FINE_LIMITS.get(party_kind)
    if limit is None or amount <= limit:
        return None
    who = "公民" if party_kind == Party.Kind.PERSON else "法人或者其他组织"
    return ActionError(
        "summary_fine_over_limit",
        f"简易程序只能对{who}当场处以{limit:.0f}元以下罚款（行政处罚法第五十一条），"
        f"拟罚款{amount:.2f}元超过限额，应当依职权立案、按普通程序调查后作出决定",
        field="amount",
    )


def collection_refusal(
    *,
    amount: Decimal,
    ground: str,
    details: str,
    receipt_no: str,
    party_requested: bool | None,
) -> ActionError | None:
    """The refusal of an on-the-spot collection 第六十八、六十九、七十条 do not allow.
    ``party_requested`` None: not recorded (records made before the field existed)."""
    if ground not in {g.value for g in CollectionGround}:
        return ActionError(
            "collection_ground_required",
            "当场收缴罚款须写明依据：一百元以下罚款、不当场收缴事后难以执行（行政处罚法第六十八条），"
            "或边远、水上、交通不便地区经当事人提出（第六十九条）",
            field="collection_ground",
        )
    if ground == CollectionGround.UNDER_100 and amount > COLLECTION_LIMIT:
        return ActionError(
            "on_the_spot_collection_refused",
            f"罚款{amount:.2f}元超过一百元，不能以“一百元以下罚款”为由当场收缴（行政处罚法第六十八条"
            "第一项）；只有不当场收缴事后难以执行（第六十八条第二项），或在边远、水上、交通不便地区"
            "经当事人提出（第六十九条）的，才能当场收缴，否则由当事人到指定银行或通过电子支付系统缴纳",
            field="collection_ground",
        )
    if ground != CollectionGround.UNDER_100 and not details.strip():
        return ActionError(
            "collection_ground_details_required",
            "以“事后难以执行”或“边远、水上、交通不便地区”为由当场收缴的，须说明具体情形"
            "（行政处罚法第六十八条第二项、第六十九条）",
            field="collection_ground_details",
        )
    if ground == CollectionGround.REMOTE and party_requested is False:
        return ActionError(
            "collection_not_requested",
            "边远、水上、交通不便地区当场收缴罚款，须经当事人提出（行政处罚法第六十九条）",
            field="party_requested",
        )
    if not receipt_no.strip():
        return ActionError(
            "receipt_no_required",
            "当场收缴罚款必须向当事人出具财政部门统一制发的专用票据，并记录票据编号"
            "（行政处罚法第七十条）",
            field="receipt_no",
        )
    return None


def check_on_the_spot(
    spot: OnTheSpot, party_kind: str, *, is_major: bool, now: dt.datetime
) -> None:
    """Refuse what may not be decided on the spot (行政处罚法第四十四、五十一、五十二、六十八至七十条),
    before anything is written. The catalogue checks each record's fields after this."""
    if is_major:
        raise ActionError(
            "summary_not_for_major",
            "重大复杂案件不适用简易程序，请依职权立案调查（行政处罚法第五十一条、第五十七条）",
            field="is_major",
        )
    if spot.decided_at > now + dt.timedelta(minutes=5):
        raise ActionError(
            "datetime_in_future", "当场作出决定的时间不能晚于当前时间", field="decided_at"
        )
    if spot.penalty not in {p.value for p in Penalty}:
        raise ActionError(
            "invalid_penalty",
            "简易程序只能当场给予警告或者罚款（行政处罚法第五十一条）",
            field="penalty",
        )
    if spot.penalty == Penalty.WARNING and spot.amount is not None:
        raise ActionError("amount_not_allowed", "给予警告的，不填写罚款金额", field="amount")
    if spot.penalty == Penalty.FINE:
        if spot.amount is None or spot.amount <= 0:
            raise ActionError("fine_amount_required", "请填写罚款金额（元）", field="amount")
        refusal = fine_refusal(party_kind, spot.amount)
        if refusal:
            raise refusal
    if not spot.rights_told:
        raise ActionError(
            "rights_not_told",
            "作出行政处罚决定之前，应当告知当事人拟作出的行政处罚内容及事实、理由、依据，"
            "并告知其依法享有的陈述、申辩权（行政处罚法第四十四条）",
            field="rights_told",
        )
    if spot.collected:
        if spot.penalty != Penalty.FINE or spot.amount is None:
            raise ActionError(
                "nothing_to_collect", "给予警告的，没有可当场收缴的罚款", field="collected"
            )
        refusal = collection_refusal(
            amount=spot.amount,
            ground=spot.collection_ground,
            details=spot.collection_ground_details,
            receipt_no=spot.receipt_no,
            party_requested=spot.party_requested,
        )
        if refusal:
            raise refusal


def filing_due(decided_at: dt.datetime) -> Due:
    """The last day for filing a decision made on the spot with the agency: the configured number
    of working days after the day it was made (行政处罚法第八十五条: 二日 counts working days)."""
    return calendar().add_workdays(
        timezone.localdate(decided_at), settings.CASETRAIL_SUMMARY_FILING_DAYS
    )
