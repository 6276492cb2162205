"""Demo case 1 — 简易程序警告 (第二十一条; 行政处罚法第五十一、五十二条): during a routine check two
officers find that an elderly-care home has not signed service agreements with four residents; they
show their certificates, tell the home's head the facts and the proposed warning, hear him, and
warn the home on the spot — the case opened and decided at once, without a start approval, the
当场行政处罚决定书 handed over and signed for. The on-the-spot handling is filmed, the decision is
filed with the bureau (备案) within the period, and the home performs at once."""

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
from casetrail.start.actions import summary_file
from casetrail.start.summary import OnTheSpot

TITLE = "陵川县康乐颐养院未与入住老年人签订服务协议案"
ELDERLY_RULES = "《养老机构管理办法》（民政部令第66号）第四十六条"
PLACE = "陵川县崇文镇府前街18号陵川县康乐颐养院"
FACTS = "抽查入住老年人档案26份，其中4名老年人入住时未与该院签订服务协议，院方未能提供协议文本。"


def build(s: Story) -> Case:
    decide_on_the_spot(s)
    film(s)
    file_with_the_bureau(s)
    serve_and_perform(s)
    return s.opened


def decide_on_the_spot(s: Story) -> None:
    """The case, the 简易程序记录, the decision and its 送达回证 in one action (第二十一条)."""
    s.start_on_the_spot(
        category="elderly",
        party=PartyInput(
            kind="organisation",
            name="陵川县康乐颐养院",
            credit_code="52140524MJ01234568",
            representative="刘某某",
            phone="0356-6201234",
            address="山西省晋城市陵川县崇文镇府前街18号",
        ),
        signer="刘某某",
        spot=OnTheSpot(
            decided_at=now(),
            place=PLACE,
            doc_no=f"陵民当罚〔{today().year}〕0001号",
            conditions="违法事实确凿并有法定依据，对法人或者其他组织给予警告，"
            "符合《中华人民共和国行政处罚法》第五十一条规定的简易程序条件。",
            facts=FACTS,
            evidence=["现场检查情况及音像记录", "入住老年人档案"],
            legal_basis=f"{ELDERLY_RULES}第（二）项；《中华人民共和国行政处罚法》第五十一条",
            reasons="违法事实确凿，情节轻微，当事人当场表示整改。",
            penalty="warning",
            amount=None,
            decision="警告，责令立即与上述老年人或者其代理人签订服务协议。",
            rights_told=True,
            statement="stated",
            statements="院长刘某某对违法事实无异议，表示立即补签服务协议。",
            review="当事人陈述属实，未提出新的事实和理由。",
            adopted="adopted",
            adoption_reasons="当事人积极整改，予以采纳，依法给予警告。",
            review_body=REVIEW_BODY,
            review_period=REVIEW_PERIOD,
            litigation_court=COURT,
            litigation_period=LITIGATION_PERIOD,
            documents=["入住老年人档案抽查情况照片"],
        ),
    )


def film(s: Story) -> None:
    """The handling on the spot was filmed; the clip and a photo go with the record (第二十一条)."""
    record = _on_the_spot(s, "summary_procedure_record")
    s.attach(record, "av", s.video("现场检查及当场处罚全过程", PLACE))
    s.attach(record, "photo", s.photo("当场宣告处罚决定", PLACE))
    s.attach(record, "signed_scan")
    s.attach(_on_the_spot(s, "administrative_decision"), "signed_scan")
    s.attach(_on_the_spot(s, "service_receipt"), "signed_scan")


def file_with_the_bureau(s: Story) -> None:
    """备案 with the bureau's legal unit, the same day (第二十一条（五）; 行政处罚法第五十二条)."""
    summary_file(
        case=s.opened,
        officer=s.zhang,
        fields={
            "filed_at": now(),
            "filed_with": "陵川县民政局法制股",
            "decision": _on_the_spot(s, "administrative_decision").pk,
            "contents": ["当场行政处罚决定书", "简易程序记录", "送达回证", "现场音像记录"],
        },
    )


def serve_and_perform(s: Story) -> None:
    """Handed over on the spot (第二十二条) and performed at once (第二十七条)."""
    decision = _on_the_spot(s, "administrative_decision")
    receipt = _on_the_spot(s, "service_receipt")
    direct = s.record(
        "direct_service_record",
        {
            "document": decision.pk,
            "receipt": receipt.pk,
            "recipient": {"name": "陵川县康乐颐养院"},
            "signer": {"name": "刘某某（院长）"},
            "place": PLACE,
            "served_at": receipt.fields["served_at"],
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
        "现场检查发现违法事实，适用简易程序当场作出警告决定并直接送达，已报局备案。",
        "决定已当场送达，当事人当日补签服务协议，履行完毕。",
    )


def _on_the_spot(s: Story, kind: str) -> Record:
    return s.opened.records.get(kind=kind)
