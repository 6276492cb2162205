"""Demo case 1 — 简易程序警告 (第二十一条): an elderly-care home that did not sign service agreements
with four residents, inspected on film, warned on the spot under the summary procedure, the decision
served directly (第二十二条) and performed at once."""

from __future__ import annotations

from casetrail.cases.models import Case
from casetrail.cases.writes import PartyInput
from casetrail.demo.story import (
    COURT,
    LITIGATION_PERIOD,
    REVIEW_BODY,
    REVIEW_PERIOD,
    Story,
    now,
    today,
)
from casetrail.records.models import Record

TITLE = "陵川县康乐颐养院未与入住老年人签订服务协议案"
ELDERLY_RULES = "《养老机构管理办法》（民政部令第66号）第四十六条"
PLACE = "陵川县崇文镇府前街18号陵川县康乐颐养院"


def build(s: Story) -> Case:
    start(s)
    inspect(s)
    decision = decide(s)
    serve_and_perform(s, decision)
    return s.opened


def start(s: Story) -> None:
    s.start(
        category="elderly",
        procedure="summary",
        party=PartyInput(
            kind="organisation",
            name="陵川县康乐颐养院",
            credit_code="52140524MJ0123456K",
            representative="刘某某",
            phone="0356-6201234",
            address="山西省晋城市陵川县崇文镇府前街18号",
        ),
        signer="刘某某",
        reason="养老机构服务质量日常监督检查中发现该院未与部分入住老年人签订服务协议",
        party_facts="陵川县康乐颐养院，民办非企业单位，院长刘某某，入住老年人26名",
        opinion="违法事实确凿、情节轻微，拟适用简易程序当场给予警告",
    )


def inspect(s: Story) -> None:
    """Approved by the director, the case is in 调查取证: the inspection, filmed (第十三条)."""
    begun = now()
    clip = s.video("现场检查全过程", PLACE)
    inspection = s.record(
        "inspection_record",
        {
            "kind": "inspection",
            "place": PLACE,
            "started_at": begun,
            "ended_at": now(),
            "party": s.party_id,
            "present_person": {"name": "刘某某（院长）"},
            "av_notified": True,
            "findings": "抽查入住老年人档案26份，其中4名老年人入住时未与本院签订服务协议，"
            "院方未能提供协议文本。",
            "read_back": True,
        },
    )
    s.attach(inspection, "av", clip)
    s.attach(inspection, "photo", s.photo("入住老年人档案抽查情况", PLACE))
    s.advance("decision", "现场检查完毕，违法事实确凿，当场处理")


def decide(s: Story) -> Record:
    """Decided on the spot: the summary-procedure record and the decision (第二十一条)."""
    made = now()
    record = s.record(
        "summary_procedure_record",
        {
            "made_at": made,
            "place": PLACE,
            "party": s.party_id,
            "conditions": "违法事实确凿并有法定依据，对法人或者其他组织给予警告，"
            "符合《中华人民共和国行政处罚法》第五十一条规定的简易程序条件。",
            "steps": "执法人员二人出示执法证件、表明身份；告知当事人违法事实、处罚理由和依据及"
            "陈述申辩权；听取陈述申辩；填写预定格式、编有号码的行政处罚决定书并当场交付。",
            "documents": ["现场检查笔录", f"当场行政处罚决定书（{s.doc_no}）"],
            "facts": "该院有4名入住老年人未签订服务协议。",
            "legal_basis": f"{ELDERLY_RULES}第（二）项",
            "decision": "给予警告，责令立即与上述老年人或者其代理人签订服务协议。",
            "statements": "当事人对违法事实无异议，表示立即补签服务协议。",
            "review": "当事人陈述属实，未提出新的事实和理由。",
            "adopted": "adopted",
            "adoption_reasons": "当事人积极整改，予以采纳，依法给予警告。",
            "filed_with": "陵川县民政局法制股",
            "filing": "简易程序记录及当场行政处罚决定书复印件",
            "filed_on": today(),
            "collected_on_spot": False,
            "contentious": False,
        },
    )
    s.attach(record, "photo", s.photo("当场宣告处罚决定", PLACE))
    s.attach(record, "signed_scan")
    decision = s.record(
        "administrative_decision",
        {
            "doc_no": s.doc_no,
            "decided_at": now(),
            "party": s.party_id,
            "facts": "当事人有4名入住老年人未与其签订服务协议。",
            "evidence": ["现场检查笔录及音像记录", "入住老年人档案"],
            "legal_basis": f"{ELDERLY_RULES}第（二）项；《中华人民共和国行政处罚法》第五十一条",
            "reasons": "违法事实确凿，情节轻微，当事人当场表示整改。",
            "decision": "警告。",
            "review_body": REVIEW_BODY,
            "review_period": REVIEW_PERIOD,
            "litigation_court": COURT,
            "litigation_period": LITIGATION_PERIOD,
        },
    )
    s.attach(decision, "signed_scan")
    s.advance("service", "当场作出警告决定，进入送达执行")

    return decision


def serve_and_perform(s: Story, decision: Record) -> None:
    """Served directly (第二十二条) and performed (第二十七条)."""
    served = now()
    receipt = s.record(
        "service_receipt",
        {
            "document": decision.pk,
            "recipient": {"name": "陵川县康乐颐养院"},
            "party": s.party_id,
            "signer": {"name": "刘某某（院长）"},
            "signer_relation": "representative",
            "method": "direct",
            "place": PLACE,
            "served_at": served,
            "server": [s.zhang.pk, s.li.pk],
        },
    )
    s.attach(receipt, "signed_scan")
    direct = s.record(
        "direct_service_record",
        {
            "document": decision.pk,
            "receipt": receipt.pk,
            "recipient": {"name": "陵川县康乐颐养院"},
            "signer": {"name": "刘某某（院长）"},
            "place": PLACE,
            "served_at": served,
            "server": [s.zhang.pk, s.li.pk],
        },
    )
    s.attach(direct, "photo", s.photo("当场交付决定书", PLACE))
    performance = s.record(
        "performance_record",
        {
            "decision": decision.pk,
            "recorded_at": now(),
            "status": "full",
            "performed_on": today(),
            "details": "警告已当场宣告并送达；当事人当日与4名老年人补签服务协议。",
        },
    )
    s.attach(performance, "photo", s.photo("补签的服务协议", PLACE))
    s.close(
        "performed",
        "现场检查发现违法事实，适用简易程序当场作出警告决定并直接送达。",
        "决定已送达，当事人当日补签服务协议，履行完毕。",
    )
