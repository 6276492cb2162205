"""Demo case 3 — 重大案件: an elderly-care centre endangering its residents. Legal review in the
start chain, audio/video in every stage (第五条), the 事先告知 waived in writing, the decision
reviewed by 王审核, legally reviewed by 陈法制, discussed by three leaders (郑副局长 chairs, 第十八条) and
decided by 赵局长, each in their own login; mail returned then 公告送达
(第二十五条), a 催告书 left at the RESIDENCE (留置送达, 第二十四条), the review of the party's statement
served by fax (第二十六条), an enforcement decision approved through its chain (第六条, 第二十八条) and
served through another bureau (委托送达), a copy transferred through the prison (转交送达), and
申请人民法院强制执行 approved by the director and recorded to its result (第二十九条); closed by the
director's 结案审批."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casetrail.approvals.models import Chain
from casetrail.cases.actions import marked_read_record, state_secret_register
from casetrail.cases.models import Case
from casetrail.cases.writes import PartyInput
from casetrail.decisions.actions import court_enforcement_propose, enforcement_propose
from casetrail.demo.story import (
    COURT,
    LITIGATION_PERIOD,
    REVIEW_BODY,
    REVIEW_PERIOD,
    Story,
    now,
    today,
)
from casetrail.demo.summary_warning import ELDERLY_RULES
from casetrail.records.actions import material_mark, record_correct
from casetrail.records.models import Record

TITLE = "陵川县福寿养老服务中心未按强制性国家标准提供养老服务案"
HOME = "山西省晋城市陵川县礼义镇北街3号福寿养老服务中心"
BOARD = "陵川县民政局公告栏"
RESIDENCE = "山西省晋城市陵川县礼义镇南街12号（吴某住所）"
FACTS = (
    "当事人安全出口被杂物堵塞，2处消防栓损坏，夜间仅1名工作人员值守41名老年人，"
    "不符合GB 38600-2019《养老机构服务安全基本规范》的强制性要求，且经责令仍未改正。"
)
BASIS = f"{ELDERLY_RULES}第（三）项"


def build(s: Story) -> Case:
    start(s)
    investigate(s)
    mark_secrets(s)
    chain = draft_decision(s)
    decision = review_and_decide(s, chain)
    serve_by_public_notice(s, decision)
    demand = demand_and_leave_at_residence(s, decision)
    review_statement(s, demand)
    enforcement = enforce(s, decision, demand)
    transfer_a_copy(s, enforcement)
    court = apply_to_the_court(s, decision, demand)
    record_the_ruling(s, decision, court)
    return s.opened


def start(s: Story) -> None:
    s.start(
        category="elderly",
        procedure="ordinary",
        is_major=True,
        party=PartyInput(
            kind="organisation",
            name="陵川县福寿养老服务中心",
            credit_code="52140524MJ0765432N",
            representative="吴某",
            phone="0356-6305678",
            address="山西省晋城市陵川县礼义镇北街3号",
        ),
        signer="吴某",
        reason="消防检查通报该中心安全出口堵塞、消防设施损坏、夜间无人值守，危及入住老年人安全",
        party_facts="陵川县福寿养老服务中心，民办非企业单位，法定代表人吴某，入住老年人41名",
        opinion="情节严重，拟处较大数额罚款，属重大行政执法行为，建议立案调查",
        start_clip=("立案审批期间现场初步核查：安全出口、消防设施", HOME),
    )


def investigate(s: Story) -> None:
    begun = now()
    clip = s.video("现场检查全过程", HOME)
    inspection = s.record(
        "inspection_record",
        {
            "kind": "inspection",
            "place": HOME,
            "started_at": begun,
            "ended_at": now(),
            "party": s.party_id,
            "present_person": {"name": "吴某（法定代表人）"},
            "witness": {"name": "礼义镇北街社区居委会委员郑某"},
            "av_notified": True,
            "findings": "一层安全出口堆放床垫杂物；2处室内消防栓无水；夜班排班表显示仅1人值守。",
            "read_back": True,
        },
        sign={"witness": "郑某"},
    )
    s.attach(inspection, "av", clip)
    s.attach(inspection, "photo", s.photo("被堵塞的安全出口", HOME))
    begun = now()
    tape = s.audio("询问吴某录音", "陵川县民政局询问室")
    interview = s.record(
        "interview_record",
        {
            "started_at": begun,
            "ended_at": now(),
            "place": "陵川县民政局询问室",
            "interviewee": {
                "name": "吴某（法定代表人）",
                "id_number": "140524198203120017",
                "phone": "13835600728",
                "address": "山西省晋城市陵川县礼义镇南街12号",
            },
            "interviewee_role": "agent",
            "party": s.party_id,
            "recorder": s.li.pk,
            "rights_told": True,
            "content": "问：安全出口为何堆放杂物？\n答：库房不够用，临时堆放。\n"
            "问：夜间值守几人？\n答：一人。",
            "read_back": True,
        },
    )
    s.attach(interview, "av", tape)
    rights = s.record(
        "rights_notice",
        {
            "issued_at": now(),
            "party": s.party_id,
            "facts": FACTS,
            "reasons": "养老机构未按照有关强制性国家标准提供服务，情节严重。",
            "legal_basis": BASIS,
            "proposed": "罚款人民币30000元。",
            "proposed_fine": "30000.00",
            "rights": ["陈述权", "申辩权", "要求听证的权利"],
            "hearing_available": True,
            "statement_deadline": today(),
            "hearing_request_deadline": today(),
        },
    )
    s.attach(rights, "signed_scan")
    s.investigation_receipt(rights, HOME)
    waiver = s.record(
        "penalty_notice_reply",
        {
            "notice": rights.pk,
            "received_at": now(),
            "party": s.party_id,
            "reply": "waiver",
            "mode": "written",
            "content": "本单位对告知的事实、理由和依据无异议，放弃陈述、申辩和要求听证的权利。",
        },
    )
    s.attach(waiver, "document")
    s.advance("decision", "调查终结；当事人书面放弃陈述、申辩和听证")


def mark_secrets(s: Story) -> None:
    """第三十三条: the home's accounts photographed as evidence are its 商业秘密, shown only to
    those the access function allows once they give a reason; a 国家秘密 notice bearing on the
    case stays on paper, the record holds only where it is kept and who keeps it; 张承办's read
    of the accounts (办案) is in the read log on the case page."""
    accounts = s.photo("养老院财务账册（营业收入明细）", HOME)
    material_mark(
        target=f"evidence:{accounts.pk}",
        officer=s.zhang,
        kind="commercial_secret",
        reason="当事人经营收入数据，属商业秘密",
    )
    state_secret_register(
        case=s.opened,
        officer=s.zhang,
        title="上级机关养老机构消防安全专项整治通报（原件标注密级）",
        kept_at="陵川县民政局机要室保密柜",
        keeper="刘档案",
        reason="原件标注密级，按保密规定管理，不上传本系统",
    )
    marked_read_record(
        case=s.opened,
        officer=s.zhang,
        reason="handling",
        session="demo",
        via="page",
        target=f"evidence:{accounts.pk}",
    )


def draft_decision(s: Story) -> Chain:
    report = s.record(
        "investigation_final_report",
        {
            "made_at": now(),
            "drafter": s.zhang.pk,
            "party": s.party_id,
            "course": "经现场检查、询问法定代表人、事先告知，当事人书面放弃陈述申辩和听证。",
            "facts": FACTS,
            "evidence": ["现场检查笔录及音像记录", "现场照片", "询问笔录及录音", "排班表"],
            "legal_basis": BASIS,
            "proposal": "罚款人民币30000元。",
        },
    )
    return s.propose_decision(
        {
            "party": s.party_id,
            "report": report.pk,
            "facts": FACTS,
            "evidence": ["现场检查笔录及音像记录", "询问笔录", "排班表"],
            "legal_basis": BASIS,
            "considerations": "危及41名老年人人身安全，情节严重；经责令未改正。",
            "decision_kind": "penalty",
            "proposal": "罚款人民币30000元。",
            "proposed_fine": "30000.00",
        },
        "情节严重，建议顶格处罚。",
    )


def review_and_decide(s: Story, chain: Chain) -> Record:
    # The plan fixed when proposed for a 重大 case: 审核 → 法制审核 → 集体讨论 → 负责人.
    s.review(chain, "同意承办人意见，重大案件提请法制审核和集体讨论。")
    s.legal_review(
        chain,
        "执法主体适格，程序合法，事实清楚，证据充分，适用依据正确，裁量适当，同意。",
        {"discretion": "情节严重且经责令未改正，顶格处罚符合本局裁量基准。"},
    )
    # 第五条: the discussion is filmed like every stage of a 重大 case.
    s.video("集体讨论全过程", "陵川县民政局会议室")
    s.discuss(
        chain,
        "zheng",
        {
            "zhao": "同意罚款30000元，按程序作出决定。",
            "zheng": "违法事实清楚，危及老年人安全，同意顶格处罚。",
            "feng": "同意；决定作出后督促其立即整改。",
        },
        "经集体讨论，一致同意对当事人罚款人民币30000元。",
    )
    s.decide(chain, "经集体讨论决定，同意。")
    decision = s.record(
        "administrative_decision",
        {
            "decided_at": now(),
            "party": s.party_id,
            "facts": FACTS,
            "evidence": ["现场检查笔录及音像记录", "询问笔录", "排班表"],
            "legal_basis": BASIS,
            "reasons": "违法行为危及入住老年人人身安全，情节严重，经集体讨论决定。",
            "decision": "罚款人民币30000元。",
            "penalty_amount": "30000.00",
            "performance_deadline": today() + dt.timedelta(days=15),
            "performance_manner": "至中国农业银行陵川县支行缴纳",
            "review_body": REVIEW_BODY,
            "review_period": REVIEW_PERIOD,
            "litigation_court": COURT,
            "litigation_period": LITIGATION_PERIOD,
        },
    )
    s.attach(decision, "signed_scan")
    s.advance("service", "重大行政处罚决定经法制审核、集体讨论后作出")
    return decision


def serve_by_public_notice(s: Story, decision: Record) -> None:
    servers = [s.zhang.pk, s.li.pk]
    mail = s.record(
        "mail_service_record",
        {
            "document": decision.pk,
            "recipient": {"name": "陵川县福寿养老服务中心"},
            "address": "山西省晋城市陵川县礼义镇北街3号",
            "registered": True,
            "tracking_no": "XA118605257CN",
            "posted_at": now(),
            "registration": "邮寄送达登记簿第021号：行政处罚决定书一份，挂号寄送",
            "outcome": "returned",
            "return_reason": "原址已停业搬离，查无此单位",
            "server": servers,
        },
    )
    s.attach(mail, "posting_slip")  # 交寄凭证
    s.attach(mail, "return_card")  # 退回的邮件
    clip = s.video("张贴公告全过程", BOARD)
    notice = s.record(
        "public_notice_service_record",
        {
            "document": decision.pk,
            "recipient": {"name": "陵川县福寿养老服务中心"},
            "attempts": "一、执法人员到当事人住所直接送达，已停业无人，法定代表人电话无法接通；"
            "二、挂号邮寄（XA118605257CN）被退回，退回原因：查无此单位。",
            "earlier_attempts": [mail.pk],
            "reasons": "受送达人下落不明，以其他方式无法送达。",
            "carrier": "board",
            "carrier_detail": "陵川县民政局公告栏及当事人原住所门口",
            "notice_text": f"陵川县福寿养老服务中心：本局已于{timezone.localtime(decision.created_at):%Y年%m月%d日}对你单位作出行政处罚决定，"
            "自公告之日起经过三十日即视为送达。",
            "published_at": now(),
            "course": "两名执法人员张贴公告并全程录像、拍照，公告留存件归档。",
            "server": servers,
        },
    )
    s.attach(notice, "notice_copy")
    s.attach(notice, "av", clip)
    s.attach(notice, "photo", s.photo("张贴的公告", BOARD))
    s.record(
        "performance_record",
        {
            "decision": decision.pk,
            "recorded_at": now(),
            "status": "none",
            "details": "公告期满视为送达，履行期限届满，当事人未缴纳罚款。",
        },
    )


def demand_and_leave_at_residence(s: Story, decision: Record) -> Record:
    servers = [s.zhang.pk, s.li.pk]
    # 催告 (行政强制法第三十五条), left at the RESIDENCE when refused (第二十四条).
    demand = s.record(
        "demand_notice",
        {
            "issued_at": now(),
            "party": s.party_id,
            "decision": decision.pk,
            "nonperformance": "当事人逾期未缴纳罚款30000元。",
            # The demo compresses weeks into minutes: the period the 催告书 set for performance
            # has run by the time the enforcement decision is proposed (行政强制法第三十七条).
            "deadline": today() - dt.timedelta(days=1),
            "manner": "至中国农业银行陵川县支行缴纳罚款",
            "amount": "30000.00",
            "payment_method": "银行缴款",
            "rights": "当事人有权在收到本催告书之日起三日内进行陈述和申辩。",
            "legal_basis": "《中华人民共和国行政强制法》第三十五条、第五十四条",
        },
    )
    s.attach(demand, "signed_scan")
    refusal = "吴某称罚款过重，拒绝签收"
    clip = s.video("留置送达全过程", RESIDENCE)
    served = now()
    receipt = s.record(
        "service_receipt",
        {
            "document": demand.pk,
            "recipient": {"name": "陵川县福寿养老服务中心（法定代表人吴某）"},
            "party": s.party_id,
            "signer_relation": "none",
            "method": "left",
            "place": RESIDENCE,
            "served_at": served,
            "refusal_reason": refusal,
            "refusal_date": today(),
            "server": servers,
        },
        refuse={"recipient": ("吴某", refusal)},
    )
    s.attach(receipt, "av", clip)  # 第二十四条: the 送达回证 of a 留置 carries its own clip
    left = s.record(
        "left_service_record",
        {
            "document": demand.pk,
            "receipt": receipt.pk,
            "recipient": {"name": "陵川县福寿养老服务中心（法定代表人吴某）"},
            "residence": RESIDENCE,
            "refusal_reason": refusal,
            "refusal_date": today(),
            "served_at": served,
            "left_at_residence": True,
            "witness": {"name": "礼义镇南街社区居委会委员郑某"},
            "server": servers,
        },
        sign={"witness": "郑某"},
    )
    s.attach(left, "av", clip)
    s.attach(left, "photo", s.photo("留置于住所的催告书", RESIDENCE))

    return demand


def review_statement(s: Story, demand: Record) -> None:
    servers = [s.zhang.pk, s.li.pk]
    # 陈述申辩 and its review, served by fax with the party's consent (第二十六条).
    statement = s.record(
        "demand_statement_record",
        {
            "demand_notice": demand.pk,
            "made_at": now(),
            "party": s.party_id,
            "speaker": {"name": "吴某（法定代表人）"},
            "mode": "written",
            "facts": "中心已停业，无力缴纳罚款。",
            "reasons": "请求减免罚款；同意以传真方式接收复核意见（传真0356-6305679）。",
            "evidence": ["停业说明一份", "同意传真送达确认书"],
        },
    )
    s.attach(statement, "document")
    statement_review = s.record(
        "statement_review_opinion",
        {
            "statement": statement.pk,
            "reviewed_at": now(),
            "reviewers": [s.p["chen"].pk, s.p["wang"].pk],
            "facts_review": "停业不影响已发生违法行为的法律责任。",
            "reasons_review": "无力缴纳不属于法定减免情形，可依法申请延期或分期缴纳。",
            "evidence_review": "停业说明属实，但与减免无关。",
            "conclusion": "rejected",
            "handling": "维持原处罚决定，依法加处罚款并申请人民法院强制执行。",
        },
        sign={"drafter": "陈法制"},
    )
    s.attach(statement_review, "signed_scan")
    fax = s.record(
        "fax_service_record",
        {
            "document": statement_review.pk,
            "recipient": {"name": "陵川县福寿养老服务中心（法定代表人吴某）"},
            "consent_on_file": True,
            "consent_on": today(),
            "fax_number": "0356-6305679",
            "pages": 2,
            "sent_at": now(),
            "outcome": "confirmed",
            "arrived_at": now(),
            "confirmation": "电话确认吴某本人收到",
            "server": servers,
        },
    )
    s.attach(fax, "consent")  # 同意传真送达确认书
    s.attach(fax, "transmission_report")  # 传真发送报告


def enforce(s: Story, decision: Record, demand: Record) -> Record:
    """强制执行决定 (加处罚款, 行政强制法第四十五条): proposed after the 催告书 was served, its period
    ran and the statement was reviewed; 王审核 reviews, 陈法制 reviews legality (重大), 赵局长
    decides (第六条); the 强制执行决定书 is made under the approval."""
    reasons = "当事人经催告逾期仍不履行，陈述申辩理由经复核不成立。"
    manner = (
        "每日按罚款数额的百分之三加处罚款，加处罚款数额不超过罚款本数；并依法申请人民法院强制执行。"
    )
    basis = "《中华人民共和国行政强制法》第三十七条、第四十五条"
    chain = enforcement_propose(
        case=s.opened,
        officer=s.zhang,
        fields={
            **s.party_field,
            "decision": decision.pk,
            "demand_notice": demand.pk,
            "nonperformance": "催告书确定的履行期限届满，当事人仍未缴纳罚款30000元。",
            "statements": "当事人书面陈述申辩称已停业、无力缴纳，经复核不成立，复核意见已传真送达。",
            "reasons": reasons,
            "legal_basis": basis,
            "manner": manner,
            "execution_on": today(),
        },
        opinion="当事人经催告逾期不履行且无正当理由，建议作出强制执行决定",
    )
    s.approve(
        chain,
        {
            "review": "事实清楚，程序合法，同意",
            "legal": "经审核，催告已送达且期限届满，陈述申辩已复核，符合行政强制法第三十七条",
            "decide": "同意作出强制执行决定",
        },
    )
    enforcement = s.record(
        "enforcement_decision",
        {
            "approval": chain.record_id,
            "decided_at": now(),
            **s.party_field,
            "demand_notice": demand.pk,
            "decision": decision.pk,
            "reasons": reasons,
            "legal_basis": basis,
            "manner": manner,
            "execution_on": today(),
            "review_body": REVIEW_BODY,
            "review_period": REVIEW_PERIOD,
            "litigation_court": COURT,
            "litigation_period": LITIGATION_PERIOD,
        },
    )
    s.attach(enforcement, "signed_scan")
    serve_through_another_bureau(s, enforcement)
    return enforcement


def serve_through_another_bureau(s: Story, enforcement: Record) -> None:
    """委托送达 (第二十六条): served through the bureau where 吴某 now lives."""
    servers = [s.zhang.pk, s.li.pk]
    entrusted_at = now()
    entrusted_receipt = s.record(
        "service_receipt",
        {
            "document": enforcement.pk,
            "recipient": {"name": "陵川县福寿养老服务中心（法定代表人吴某）"},
            "party": s.party_id,
            "signer": {"name": "吴某"},
            "signer_relation": "representative",
            "method": "entrusted",
            "place": "高平市民政局",
            "served_at": now(),
            "outside_server": {"name": "冯某（高平市民政局工作人员）"},
        },
        sign={"server": "冯某（高平市民政局）"},
    )
    s.attach(entrusted_receipt, "signed_scan")
    entrusted = s.record(
        "entrusted_service_record",
        {
            "document": enforcement.pk,
            "recipient": {"name": "陵川县福寿养老服务中心（法定代表人吴某）"},
            "entrusted_body": "高平市民政局",
            "entrusted_at": entrusted_at,
            "receipt": entrusted_receipt.pk,
            "served_at": now(),
            "course": "吴某现居高平市，委托高平市民政局送达，吴某本人签收，送达回证已寄回。",
            "server": servers,
        },
    )
    s.attach(entrusted, "entrustment_letter")  # 委托送达函


def transfer_a_copy(s: Story, enforcement: Record) -> None:
    servers = [s.zhang.pk, s.li.pk]
    # A copy to the centre's former legal representative, now serving a sentence: 转交送达
    # through the prison (第二十六条).
    transferred_at = now()
    transfer_receipt = s.record(
        "service_receipt",
        {
            "document": enforcement.pk,
            "recipient": {"name": "郑某（原法定代表人）"},
            "party": s.party_id,
            "signer": {"name": "郑某"},
            "signer_relation": "self",
            "method": "transfer",
            "place": "山西省晋城监狱",
            "served_at": now(),
            "outside_server": {"name": "狱警刘某（山西省晋城监狱）"},
        },
        sign={"server": "狱警刘某（山西省晋城监狱）"},
    )
    s.attach(transfer_receipt, "signed_scan")
    transfer = s.record(
        "transfer_service_record",
        {
            "document": enforcement.pk,
            "recipient": {"name": "郑某（原法定代表人）"},
            "ground": "custody",
            "transfer_body": "山西省晋城监狱",
            "transferred_at": transferred_at,
            "receipt": transfer_receipt.pk,
            "served_at": now(),
            "course": "郑某正在服刑，经监狱转交送达，郑某本人签收，监狱将送达回证寄回。",
            "server": servers,
        },
    )
    s.attach(transfer, "transfer_letter")  # 转交函


def apply_to_the_court(s: Story, decision: Record, demand: Record) -> Record:
    """申请人民法院强制执行 (第二十九条): decided by 赵局长 through the chain (第六条; 行政强制法第五十五条:
    the application bears the director's signature), kept as successive versions of one record."""
    documents = [
        "强制执行申请书（局长签名、加盖公章）",
        "行政处罚决定书及作出决定的事实、理由和依据",
        "当事人的意见及催告情况",
        "申请强制执行标的情况",
    ]
    nonperformance = "经催告逾期仍未缴纳罚款及加处罚款，陈述申辩理由经复核不成立。"
    chain = court_enforcement_propose(
        case=s.opened,
        officer=s.zhang,
        fields={
            **s.party_field,
            "decision": decision.pk,
            "demand_notice": demand.pk,
            "no_remedy_sought": True,
            "nonperformance": nonperformance,
            "court": COURT,
            "documents": documents,
        },
        opinion="本局无强制执行权，建议申请陵川县人民法院强制执行",
    )
    s.approve(
        chain,
        {
            "review": "同意申请",
            "legal": "经审核，符合行政强制法第五十三、五十四条规定的申请条件",
            "decide": "同意申请人民法院强制执行",
        },
    )
    court = s.record(
        "court_enforcement_record",
        {
            "recorded_at": now(),
            "approval": chain.record_id,
            "decision": decision.pk,
            "demand_notice": demand.pk,
            "nonperformance": nonperformance,
            "applied_on": today(),
            "court": COURT,
            "documents": documents,
            "acceptance": "pending",
            "ruling": "pending",
        },
    )
    s.attach(court, "document")
    s.attach(court, "signed_scan")
    return court


def record_the_ruling(s: Story, decision: Record, court: Record) -> None:
    """The court accepts and rules; the fine is collected; 结案审批 closes the case."""
    year = s.opened.number_year
    court = record_correct(
        record=court,
        officer=s.zhang,
        fields={
            "recorded_at": now(),
            "acceptance": "accepted",
            "accepted_on": today(),
            "ruling": "enforce",
            "ruled_on": today(),
            "ruling_no": f"（{year}）晋0524行审{s.opened.number_seq}号",
            "execution_result": "人民法院裁定准予执行，已从被执行人账户划扣罚款30000元及"
            "加处罚款30000元，执行完毕。",
        },
        reason="法院受理并裁定准予执行，补记执行结果",
        signatures=s.signatures("court_enforcement_record"),
    )
    s.attach(court, "document")  # 受理通知书、裁定书
    s.attach(court, "signed_scan")  # 签名页
    performance = s.record(
        "performance_record",
        {
            "decision": decision.pk,
            "recorded_at": now(),
            "status": "full",
            "performed_on": today(),
            "amount_paid": "60000.00",
            "payment_proof": f"（{year}）晋0524执{s.opened.number_seq}号结案通知书",
            "details": "经人民法院强制执行，罚款及加处罚款已全部缴入国库。",
        },
    )
    s.attach(performance, "document")
    s.attach(performance, "photo", s.photo("法院执行结案通知书", "陵川县民政局"))
    s.close(
        "enforced",
        "重大案件经法制审核、集体讨论作出罚款决定，公告送达；催告后作出强制执行决定并申请"
        "人民法院强制执行。",
        "经人民法院强制执行，罚款及加处罚款已全部缴入国库。",
    )
