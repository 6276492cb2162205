"""Demo case 2 — 普通程序罚款: a SHOP selling superstitious funeral goods. Inspection and sampling
filmed (第十三条), an interview, an evidence request, the 先行登记保存 of the original ledger approved
by the director (行政处罚法第五十六条) with its register and the 7-day handling (第十二、十四条), the
事先告知书, the party's statement and hearing request, the hearing and the review of the statement
(行政处罚法第四十四、四十五、六十三、六十四条); the decision proposed by 张承办 and approved through its
chain — 王审核 reviews, 陈法制 reviews legality on the checklist (the case went through a hearing,
行政处罚法第五十八条), 赵局长 decides — a fine served by registered mail (第二十三条), an order to correct
served electronically (第二十六条) and checked, paid in full, and closed by the director's 结案审批
(第六条)."""

from __future__ import annotations

import datetime as dt

from casetrail.approvals.models import Chain
from casetrail.cases.models import Case
from casetrail.cases.writes import PartyInput
from casetrail.decisions.actions import preservation_propose
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

TITLE = "钱某销售封建迷信殡葬用品案"
FUNERAL_RULES = "《殡葬管理条例》第二十二条第二款"
SHOP = "陵川县崇文镇东街56号钱某殡葬用品店"
OFFICE = "陵川县民政局询问室"
FACTS = "当事人自今年1月起在其店内销售纸扎别墅、纸扎轿车、冥币等封建迷信殡葬用品，销售金额8600元。"
BASIS = FUNERAL_RULES


def build(s: Story) -> Case:
    start(s)
    inspect_and_sample(s)
    interview(s)
    request_evidence(s)
    hear_the_party(s)
    hearing(s)
    chain = draft_decision(s)
    decision = review_and_decide(s, chain)
    serve_by_mail(s, decision)
    correct_and_perform(s, decision)
    return s.opened


def start(s: Story) -> None:
    s.start(
        category="funeral",
        procedure="ordinary",
        party=PartyInput(
            kind="person",
            name="钱某",
            id_number="140524197806153016",
            phone="13903561234",
            address="山西省晋城市陵川县崇文镇东街56号",
        ),
        signer="钱某",
        reason="群众举报该店销售纸扎别墅、冥币等封建迷信殡葬用品，经初步核实存在违法嫌疑",
        party_facts="钱某，男，个体工商户，经营殡葬用品零售",
        opinion="建议立案调查",
    )


def inspect_and_sample(s: Story) -> None:
    # 现场检查 and 抽样, each filmed as it happens (第十三条).
    begun = now()
    clip = s.video("现场检查全过程", SHOP)
    inspection = s.record(
        "inspection_record",
        {
            "kind": "inspection",
            "place": SHOP,
            "started_at": begun,
            "ended_at": now(),
            **s.party_field,
            "present_person": {"name": "钱某（经营者）"},
            "av_notified": True,
            "findings": "店内货架陈列纸扎别墅12套、纸扎轿车8个、冥币30捆，标价出售。",
            "read_back": True,
        },
    )
    s.attach(inspection, "av", clip)
    s.attach(inspection, "photo", s.photo("店内陈列的封建迷信殡葬用品", SHOP))
    s.attach(inspection, "signed_scan")
    begun = now()
    clip = s.video("抽样取证全过程", SHOP)
    sampling = s.record(
        "sampling_notice",
        {
            **s.party_field,
            "place": SHOP,
            "started_at": begun,
            "ended_at": now(),
            "legal_basis": "《中华人民共和国行政处罚法》第五十六条",
            "method": "从在售商品中随机抽取纸扎别墅、纸扎轿车、冥币各一件（捆）",
            "handling": "样品当场封存，存放于陵川县民政局证据保管室",
            "av_notified": True,
        },
    )
    s.attach(sampling, "av", clip)
    s.attach(sampling, "photo", s.photo("样品及封样", SHOP))
    items = s.record(
        "item_list",
        {
            "source": sampling.pk,
            "made_at": now(),
            "items": ["纸扎别墅 1套 完好", "纸扎轿车 1个 完好", "冥币 1捆 完好"],
        },
        by=s.li,
    )
    s.attach(items, "photo", s.photo("物品清单所列样品", SHOP))


def interview(s: Story) -> None:
    # 询问 (recorded on audio).
    begun = now()
    tape = s.audio("询问钱某录音", OFFICE)
    interview = s.record(
        "interview_record",
        {
            "started_at": begun,
            "ended_at": now(),
            "place": OFFICE,
            "interviewee": {
                "name": "钱某",
                "id_number": "140524197806153016",
                "phone": "13903561234",
                "address": "山西省晋城市陵川县崇文镇东街56号",
            },
            "interviewee_role": "party",
            **s.party_field,
            "recorder": s.li.pk,
            "rights_told": True,
            "content": "问：店内的纸扎别墅、冥币从何处进货，售出多少？\n"
            "答：从外地批发，今年以来售出约8600元。\n问：是否知道这些物品禁止销售？\n"
            "答：不太清楚，以后不卖了。",
            "read_back": True,
        },
    )
    s.attach(interview, "av", tape)
    s.attach(interview, "signed_scan")


def request_evidence(s: Story) -> None:
    # 调取证据: notice, its receipt, the register and the 7-day handling (第十二条、第十四条).
    request = s.record(
        "evidence_request_notice",
        {
            "issued_at": now(),
            "addressee": {"name": "钱某（钱某殡葬用品店经营者）"},
            "items": ["今年以来进货单据（复制件）", "销售台账（原件）"],
            "legal_basis": "《中华人民共和国行政处罚法》第五十五条",
            "due_date": today(),
            "place": "陵川县民政局社会事务股，当面提交",
            "contact": "张承办 0356-6202001",
        },
    )
    s.attach(request, "signed_scan")
    s.investigation_receipt(request, SHOP)
    hold_the_ledger(s, request)


def hold_the_ledger(s: Story, request: Record) -> None:
    """先行登记保存 of the original ledger (行政处罚法第五十六条): proposed by 张承办, reviewed by
    王审核, approved by 赵局长 (第六条); registered once approved, and dealt with in seven days."""
    chain = preservation_propose(
        case=s.opened,
        officer=s.zhang,
        fields={
            "reason": "销售台账原件是认定销售金额的关键证据，当事人已表示“以后不卖了”，"
            "台账存在被销毁的可能。",
            "initiated": "ex_officio",
            "object": "钱某殡葬用品店销售台账原件1册（共24页）",
            "form": "register_hold",
            "legal_basis": "《中华人民共和国行政处罚法》第五十六条",
            "documents": ["证据登记保存清单", "先行登记保存证据处理决定"],
        },
        opinion="证据可能灭失，建议对销售台账原件先行登记保存",
    )
    s.approve(chain, {"review": "情况属实，同意", "decide": "同意先行登记保存"})
    register = s.record(
        "evidence_register",
        {
            "made_at": now(),
            "place": OFFICE,
            "holder": {"name": "钱某"},
            **s.party_field,
            "items": ["销售台账 1册 共24页", "进货单据复制件 9张"],
            "storage_method": "removed",
            "storage_place": "陵川县民政局证据保管室",
            "preservation_decision": chain.record_id,
            "request_notice": request.pk,
            "holder_told": True,
        },
    )
    s.attach(register, "photo", s.photo("登记保存的销售台账", OFFICE))
    s.attach(register, "signed_scan")
    s.record(
        "evidence_hold_handling_decision",
        {
            "register": register.pk,
            "decided_at": now(),
            "handling": "return",
            "details": "销售台账已复制并经当事人签字确认，原件解除登记保存并退还。",
            "legal_basis": "《中华人民共和国行政处罚法》第五十六条",
        },
    )


def hear_the_party(s: Story) -> None:
    # 权利告知, 陈述申辩, 听证 (行政处罚法第四十四、四十五、六十三、六十四条).
    rights = s.record(
        "rights_notice",
        {
            "issued_at": now(),
            **s.party_field,
            "facts": FACTS,
            "reasons": "制造、销售封建迷信殡葬用品属《殡葬管理条例》禁止的行为。",
            "legal_basis": BASIS,
            "proposed": "没收封建迷信殡葬用品，并处销售金额一倍罚款人民币8600元。",
            "proposed_fine": "8600.00",
            "rights": ["陈述权", "申辩权", "要求听证的权利"],
            "hearing_available": True,
            "statement_deadline": today(),
            "hearing_request_deadline": today(),
        },
    )
    s.attach(rights, "signed_scan")
    s.investigation_receipt(rights, SHOP)
    statement = s.record(
        "statement_record",
        {
            "rights_notice": rights.pk,
            "started_at": now(),
            "place": OFFICE,
            **s.party_field,
            "speaker": {"name": "钱某"},
            "mode": "oral",
            "facts": "初次经营，不清楚相关规定，已主动下架全部商品。",
            "reasons": "请求从轻处罚，并要求举行听证。",
            "read_back": True,
        },
    )
    s.attach(statement, "signed_scan")
    # 行政处罚法第六十四条: the hearing asked for within five days of the notice.
    s.record(
        "penalty_notice_reply",
        {
            "notice": rights.pk,
            "received_at": now(),
            **s.party_field,
            "reply": "hearing",
            "mode": "oral",
            "content": "当事人在陈述申辩时当场口头要求举行听证。",
        },
    )


def hearing(s: Story) -> None:
    hearing_notice = s.record(
        "hearing_notice",
        {
            "issued_at": now(),
            **s.party_field,
            "requested_on": today(),
            "hearing_at": now(),
            "place": "陵川县民政局听证室",
            "host": s.p["chen"].pk,
            "public": "public",
            "party_rights": "当事人可以申请主持人回避，可以委托一至二人代理，可以进行申辩和质证。",
        },
    )
    s.attach(hearing_notice, "signed_scan")
    s.investigation_receipt(hearing_notice, SHOP)
    begun = now()
    clip = s.video("听证全过程", "陵川县民政局听证室")
    hearing = s.record(
        "hearing_record",
        {
            "hearing_notice": hearing_notice.pk,
            "started_at": begun,
            "ended_at": now(),
            "place": "陵川县民政局听证室",
            "host": s.p["chen"].pk,
            "recorder": s.p["liu"].pk,
            "public": "public",
            "participants": ["当事人钱某", "案件调查人员张承办、李承办"],
            "recusal": "当事人未申请回避。",
            "investigation_case": FACTS + "建议没收违法物品并处罚款8600元。",
            "party_case": "对违法事实无异议，认为罚款过重，请求从轻。",
            "debate": "双方就销售金额的认定进行质证，当事人认可销售台账记载的金额。",
            "final_statement": "已认识错误，保证不再销售。",
            "read_back": True,
        },
        sign={"host": "陈法制", "clerk": "刘档案"},
    )
    s.attach(hearing, "av", clip)
    s.attach(hearing, "signed_scan")
    s.record(
        "hearing_report",
        {
            "hearing_record": hearing.pk,
            "made_at": now(),
            "host": s.p["chen"].pk,
            "summary": "听证公开举行，当事人到场，调查人员和当事人进行了陈述、质证和辩论。",
            "facts_found": FACTS,
            "opinion": "违法事实清楚，证据确凿；当事人主动下架，建议在法定幅度内按下限罚款。",
        },
        sign={"drafter": "陈法制"},
    )
    s.advance("decision", "调查终结，听证完毕")


def draft_decision(s: Story) -> Chain:
    # 行政处罚法第四十五条: the party's statement reviewed before the decision is proposed.
    s.record(
        "statement_review",
        {
            "statement": s.opened.records.get(kind="statement_record").pk,
            "reviewed_at": now(),
            "reviewers": [s.zhang.pk, s.li.pk],
            "facts_review": "当事人主动下架商品属实，已在现场检查笔录和照片中记载。",
            "reasons_review": "初次违法、主动整改的理由成立，可在裁量基准内从轻。",
            "evidence_review": "当事人未提交证据。",
            "conclusion": "partly",
            "handling": "部分采纳：按裁量基准下限罚款，不予免除处罚。",
        },
    )
    report = s.record(
        "investigation_final_report",
        {
            "made_at": now(),
            "drafter": s.zhang.pk,
            **s.party_field,
            "course": "经现场检查、抽样取证、询问、调取证据、听取陈述申辩并举行听证，调查终结。",
            "facts": FACTS,
            "evidence": [
                "现场检查笔录及音像记录",
                "抽查取样通知书及物品清单",
                "询问笔录",
                "销售台账",
            ],
            "legal_basis": BASIS,
            "proposal": "没收封建迷信殡葬用品，并处销售金额一倍罚款8600元。",
        },
    )
    return s.propose_decision(
        {
            **s.party_field,
            "report": report.pk,
            "facts": FACTS,
            "evidence": ["现场检查笔录", "物品清单", "询问笔录", "销售台账", "听证笔录及听证报告"],
            "legal_basis": BASIS,
            "considerations": "初次违法，主动下架，积极配合调查；听证中认可违法事实，陈述申辩部分"
            "采纳。按裁量基准取下限。",
            "decision_kind": "penalty",
            "proposal": "没收封建迷信殡葬用品；罚款人民币8600元。",
            "proposed_fine": "8600.00",
        },
        "事实清楚，证据确凿，程序合法，建议按上述意见处罚。",
    )


def review_and_decide(s: Story, chain: Chain) -> Record:
    # The plan fixed when proposed: 审核 → 法制审核 (经过听证, 行政处罚法第五十八条) → 负责人.
    s.review(chain, "同意承办人意见。案件经过听证，按程序提交法制审核。")
    s.legal_review(
        chain,
        "执法主体适格，程序合法，事实清楚，证据充分，适用依据正确，裁量适当，同意。",
        {"discretion": "按《殡葬管理条例》罚款幅度下限，符合本局裁量基准。"},
    )
    s.decide(chain, "同意。")
    decision = s.record(
        "administrative_decision",
        {
            "decided_at": now(),
            **s.party_field,
            "facts": FACTS,
            "evidence": ["现场检查笔录及音像记录", "物品清单", "询问笔录", "销售台账", "听证笔录"],
            "legal_basis": BASIS,
            "reasons": "当事人销售封建迷信殡葬用品，违反《殡葬管理条例》；考虑其初次违法并主动整改，按下限处罚。",
            "decision": "一、没收封建迷信殡葬用品；二、罚款人民币8600元。",
            "penalty_amount": "8600.00",
            "performance_deadline": today() + dt.timedelta(days=15),
            "performance_manner": "持缴款通知书至中国农业银行陵川县支行缴纳",
            "review_body": REVIEW_BODY,
            "review_period": REVIEW_PERIOD,
            "litigation_court": COURT,
            "litigation_period": LITIGATION_PERIOD,
        },
    )
    s.attach(decision, "signed_scan")
    s.advance("service", "行政处罚决定已作出")
    return decision


def serve_by_mail(s: Story, decision: Record) -> None:
    mail = s.record(
        "mail_service_record",
        {
            "document": decision.pk,
            "recipient": {"name": "钱某"},
            "address": "山西省晋城市陵川县崇文镇东街56号",
            "registered": True,
            "tracking_no": "XA118605243CN",
            "posted_at": now(),
            "registration": "邮寄送达登记簿第018号：行政处罚决定书一份，挂号寄送",
            "outcome": "delivered",
            "received_on": today(),
            "server": [s.zhang.pk, s.li.pk],
        },
    )
    s.attach(mail, "posting_slip")  # 交寄凭证
    s.attach(mail, "return_card")  # 回执


def correct_and_perform(s: Story, decision: Record) -> None:
    order = s.record(
        "correction_order",
        {
            "issued_at": now(),
            **s.party_field,
            "decision": decision.pk,
            "violation": "销售封建迷信殡葬用品。",
            "legal_basis": BASIS,
            "requirements": "立即停止销售封建迷信殡葬用品，清理库存。",
            "due_date": today() + dt.timedelta(days=3),
        },
    )
    s.attach(order, "signed_scan")
    sent = now()
    electronic = s.record(
        "electronic_service_record",
        {
            "document": order.pk,
            "recipient": {"name": "钱某"},
            "consent_on_file": True,
            "consent_on": today(),
            "channel": "sms",
            "address": "13903561234",
            "sent_at": sent,
            "outcome": "arrived",
            "arrived_at": now(),
            "server": [s.zhang.pk, s.li.pk],
        },
    )
    s.attach(electronic, "consent")  # 同意电子送达确认书
    s.attach(electronic, "delivery_proof")  # 发送及到达凭证
    clip = s.video("整改复查", SHOP)
    check = s.record(
        "correction_check_record",
        {
            "order": order.pk,
            "checked_at": now(),
            "place": SHOP,
            "present_person": {"name": "钱某"},
            "findings": "店内已无封建迷信殡葬用品陈列和库存。",
            "result": "corrected",
        },
    )
    s.attach(check, "av", clip)
    s.attach(check, "photo", s.photo("整改后的货架", SHOP))
    performance = s.record(
        "performance_record",
        {
            "decision": decision.pk,
            "recorded_at": now(),
            "status": "full",
            "performed_on": today(),
            "amount_paid": "8600.00",
            "payment_proof": "山西省非税收入一般缴款书 No.1405240012345",
            "details": "当事人已全额缴纳罚款，没收物品已登记入库待销毁。",
        },
    )
    s.attach(performance, "document")
    s.close(
        "performed",
        "立案调查、听证、法制审核后作出罚款决定，邮寄送达；责令改正通知书电子送达。",
        "罚款已全额缴纳，责令改正经复查已改正。",
    )
