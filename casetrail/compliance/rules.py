"""The rule catalogue of DESIGN.md §7, each rule a small function beside its id and article.
Ids are stable: findings, exemptions and the UI refer to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from casetrail.approvals.models import OPEN_STATUSES, ChainStatus
from casetrail.cases.models import STAGE_ORDER, Stage, StartMode, StartStatus
from casetrail.compliance.engine import (
    CaseView,
    Deadline,
    Kind,
    Missing,
    Unit,
    deadline,
    missing_attachments,
    ref,
    referring,
    refs,
    rule,
    title,
)
from casetrail.compliance.holidays import calendar
from casetrail.compliance.service import (
    SERVICE_DOCS,
    effective_service_date,
    effective_services_of,
    filmed_at,
    moment,
    served_on,
    service_clip_problems,
    services_of,
    why_not_served,
)

LATER_STAGES = (Stage.DECISION, Stage.SERVICE, Stage.CLOSED)


@rule(
    "R6",
    article="第六条",
    kind=Kind.BLOCK,
    title="内部审批：承办人→审核人→批准人",
    gates=(Stage.INVESTIGATION, *LATER_STAGES),
)
def approvals_are_complete(case: CaseView) -> Iterator[Missing]:
    for chain in case.case.chains.all():
        if chain.status in OPEN_STATUSES:
            yield Missing(
                f"chain:{chain.pk}",
                f"“{chain.get_kind_display()}”尚未审批完毕（{chain.get_status_display()}）",
            )


FILMED_STAGES = (Stage.START, Stage.INVESTIGATION, Stage.DECISION, Stage.SERVICE)


@rule(
    "R5",
    article="第五条",
    kind=Kind.BLOCK,
    title="重大复杂案件各阶段均有音像记录",
    gates=(Stage.INVESTIGATION, *LATER_STAGES),
    exemptible=True,
)
def major_cases_filmed_in_every_stage(case: CaseView) -> Iterator[Missing]:
    """第五条: a 重大复杂 case is recorded on audio/video through its whole course. Checked as each
    stage ends (the gate of every stage change, 程序启动 included: the start chain's approval
    checks it too), for the stage ending and every one before it (since the case is 重大: a flag
    raised during the case makes 第五条 apply from then on — a stage that ended before needs
    nothing, the stage it was raised in needs audio/video after the raise). An item counts for a stage
    when its recorded time overlaps the stage's span; a time typed in or corrected by hand counts
    only with the reason the uploader gave (the reviewer sees it with the item)."""
    since = case.major_since
    if since is None:
        return
    here = case.case.stage
    for stage in FILMED_STAGES:
        if STAGE_ORDER.index(stage) > STAGE_ORDER.index(here):
            break
        span = case.stage_spans.get(stage)
        if not span or span[0] >= span[1] or span[1] <= since:
            continue  # never in it (an emergency start opens in 调查取证), or not yet 重大
        span = (max(span[0], since), span[1])
        items = case.av_overlapping(*span)
        if any(i.time_trusted for i in items):
            continue
        unexplained = "、".join(f"#{i.pk}" for i in items)
        note = (
            f"（音像记录{unexplained}的时间为人工填写且未说明理由，不计入）" if unexplained else ""
        )
        yield Missing(
            f"stage:{stage}",
            f"重大复杂案件“{Stage(stage).label}”阶段（{_span_text(span)}）缺少音像记录"
            f"{note}；请上传该阶段的音像记录，或说明无法记录的理由申请豁免",
        )


def _span_text(span: tuple[dt.datetime, dt.datetime]) -> str:
    start, end = (timezone.localtime(t) for t in span)
    return f"{start:%Y-%m-%d %H:%M}至{end:%Y-%m-%d %H:%M}"


# --- 第三章 调查取证 ---------------------------------------------------------------------------

DECIDE = (Stage.DECISION,)


@rule(
    "R11",
    article="第十一条",
    kind=Kind.BLOCK,
    title="调查记录载明执法人员及出示证件情况并经签字",
    gates=DECIDE,
)
def investigation_records_list_officers(case: CaseView) -> Iterator[Missing]:
    for r in case.records:
        doc = r.doc  # the entry as it was when the record was made
        if doc is None or Stage.INVESTIGATION not in doc.stages:
            continue
        if len(doc.stages) > 1 and case.stage_at(r.created_at) != Stage.INVESTIGATION:
            continue  # a document of several stages, made in another one
        present = r.officers_present or []
        if doc.officers_min and (
            len(present) < doc.officers_min or not all(o.get("shown") for o in present)
        ):
            yield Missing(
                f"record:{r.pk}",
                f"{title(r)}未载明不少于{doc.officers_min}名执法人员及其出示证件情况",
            )
        signed = {s.slot for s in r.signatures.all()}
        for sig in doc.signatures:
            if sig.required and sig.key not in signed:
                yield Missing(f"record:{r.pk}", f"{title(r)}缺少{sig.label}")


# 第十一条: an investigation record (调查记录) lists the officers who made it; in the catalogue these
# are the investigation documents with an ``officers`` key (询问笔录, 现场检查(勘验)笔录, 证据登记保存
# 清单, 抽查取样通知书, 陈述申辩笔录, 听证笔录, 拒绝接受调查记录 …).
def _investigation_records(case: CaseView) -> list[Any]:
    return [
        r
        for r in case.records
        if r.doc is not None and r.doc.officers_min and Stage.INVESTIGATION in r.doc.stages
    ]


# The R12 pair (第十二条（五）; 行政处罚法第四十四、四十五条): the party is told of the proposed
# penalty with its facts, reasons and basis and of the right to state and defend, then heard — a
# statement, a hearing, or a recorded waiver — before every penalty decision. The decision stage's
# 事先告知书 counts as the 告知 once its entry joins NOTICES.
NOTICES = ("rights_notice",)
HEARD = ("statement_record", "hearing_record", "statement_waiver")


def _heard(case: CaseView) -> list[Any]:
    """Records that heard the party: a statement, a hearing, a recorded waiver — or the party's
    written reply to the 事先告知书 giving up the statement and the hearing."""
    waivers = [
        r for r in case.records_of("penalty_notice_reply") if r.fields.get("reply") == "waiver"
    ]
    return [*case.records_of(*HEARD), *waivers]


NOT_TOLD = (
    "作出行政处罚决定之前，应当告知当事人拟作出的行政处罚内容及事实、理由、依据，"
    "并告知其陈述、申辩（听证）的权利（行政处罚法第四十四条）"
)
NOT_HEARD = (
    "告知后、作出行政处罚决定之前，应当听取当事人的陈述、申辩，当事人放弃的应当记录"
    "（第十二条（五）；行政处罚法第四十五条）"
)


def _penalty_pair(case: CaseView) -> Iterator[Missing]:
    """Every decision of a case the agency started (ex officio, on a complaint, on the spot) is
    taken as a 行政处罚决定; a decision on an application is not a penalty. A summary case's
    简易程序记录 records both halves (告知 and the statement or its waiver) on the spot."""
    c = case.case
    if c.start_mode == StartMode.APPLICATION:
        return
    decisions = case.records_of("administrative_decision")
    summary = c.procedure == "summary"
    if not decisions and c.stage == Stage.DECISION and not summary:
        told = case.records_of(*NOTICES)
        if not told:
            yield Missing("case", NOT_TOLD, "rights_notice")
        elif not [h for h in _heard(case) if h.created_at >= told[0].created_at]:
            yield Missing("case", NOT_HEARD, "statement_waiver")
    for d in decisions:
        on_the_spot = [
            r for r in case.records_of("summary_procedure_record") if r.created_at <= d.created_at
        ]
        if summary and on_the_spot:
            continue
        told = [n for n in case.records_of(*NOTICES) if n.created_at <= d.created_at]
        if not told:
            yield Missing(f"record:{d.pk}", f"{title(d)}：{NOT_TOLD}", "rights_notice")
            continue
        heard = [h for h in _heard(case) if told[0].created_at <= h.created_at <= d.created_at]
        if not heard:
            yield Missing(f"record:{d.pk}", f"{title(d)}：{NOT_HEARD}", "statement_waiver")


@rule(
    "R12",
    article="第十二条",
    kind=Kind.BLOCK,
    title="调查取证留有记录，各方式均制作相应文书；处罚决定前告知并听取陈述申辩",
    gates=(Stage.DECISION, Stage.SERVICE),
)
def investigation_methods_have_documents(case: CaseView) -> Iterator[Missing]:
    # 第十二条: an investigation is recorded in documents; entering 审查决定 needs at least one
    # investigation record besides the start documents. A summary case is decided on the spot
    # (its 简易程序记录, R21, records what the officers found).
    if (
        case.case.stage in (Stage.START, Stage.INVESTIGATION)
        and case.case.procedure != "summary"
        and not _investigation_records(case)
    ):
        yield Missing(
            "case",
            "进入审查决定前，应至少制作一份调查取证记录（如询问笔录、现场检查(勘验)笔录），"
            "启动阶段的文书不能代替调查记录（第十二条）",
            "interview_record",
        )
    yield from _penalty_pair(case)
    for notice in case.records_of("evidence_request_notice"):
        if not referring(case, "evidence_register", "request_notice", notice):
            yield Missing(
                f"record:{notice.pk}", f"{title(notice)}：缺少证据登记保存清单", "evidence_register"
            )
        # 送达回证 (records under its retired code investigation_service_receipt count too)
        if not referring(case, "service_receipt", "document", notice):
            yield Missing(
                f"record:{notice.pk}", f"{title(notice)}：缺少送达回证", "service_receipt"
            )
    for notice in case.records_of("sampling_notice"):
        if not referring(case, "item_list", "source", notice):
            yield Missing(f"record:{notice.pk}", f"{title(notice)}：缺少物品清单", "item_list")
    for notice in case.records_of("hearing_notice"):
        records = referring(case, "hearing_record", "hearing_notice", notice)
        if not records:
            yield Missing(f"record:{notice.pk}", f"{title(notice)}：缺少听证笔录", "hearing_record")
        elif not any(referring(case, "hearing_report", "hearing_record", h) for h in records):
            yield Missing(f"record:{notice.pk}", f"{title(notice)}：缺少听证报告", "hearing_report")
    for commission in case.records_of("appraisal_commission"):
        opinions = referring(case, "appraisal_opinion", "commission", commission)
        if not opinions:
            yield Missing(
                f"record:{commission.pk}",
                f"{title(commission)}：缺少鉴定意见（鉴定报告）",
                "appraisal_opinion",
            )
        for opinion in opinions:
            for label in missing_attachments(opinion):
                yield Missing(f"record:{opinion.pk}", f"{title(opinion)}：缺少附件“{label}”")


@rule(
    "R13",
    article="第十三条",
    kind=Kind.BLOCK,
    title="现场检查、抽样取证同步音像记录并事先告知",
    gates=DECIDE,
    exemptible=True,
)
def inspections_are_filmed(case: CaseView) -> Iterator[Missing]:
    for r in case.records_of("inspection_record", "sampling_notice"):
        start, end = parse_datetime(r.fields["started_at"]), parse_datetime(r.fields["ended_at"])
        items = case.av_overlapping(start, end) if start and end else []
        if not items:
            yield Missing(
                f"record:{r.pk}", f"{title(r)}：缺少与检查时间重合的同步音像记录（第十三条）"
            )
        elif any(i.informed == "not_told" for i in items):
            yield Missing(f"record:{r.pk}", f"{title(r)}：音像记录前未告知当事人及在场人员")


@rule("R14", article="第十四条", kind=Kind.BLOCK, title="证据保全记录完整", gates=DECIDE)
def preservation_is_complete(case: CaseView) -> Iterator[Missing]:
    for decision in case.records_of("evidence_preservation_decision"):
        if case.chain_status(decision) not in (None, ChainStatus.APPROVED):
            continue  # not (yet) approved: nothing may follow from it (a refusal binds)
        if decision.fields.get("form") == "register_hold" and not referring(
            case, "evidence_register", "preservation_decision", decision
        ):
            yield Missing(
                f"record:{decision.pk}",
                f"{title(decision)}：先行登记保存应制作证据登记保存清单",
                "evidence_register",
            )


@deadline(
    "CF56",
    article="行政处罚法第五十六条",
    title="先行登记保存证据的处理决定",
    unit=Unit.WORKING_DAYS,  # 行政处罚法第八十五条: 七日 counts working days
    follows=("evidence_register",),
)
def register_and_hold_decided(case: CaseView) -> Iterator[Deadline]:
    cal = calendar()
    for register in case.records_of("evidence_register"):
        made = moment(register, "made_at") or register.created_at
        yield Deadline(
            case.case,
            f"先行登记保存证据的处理决定（#{register.pk}）",
            "行政处罚法第五十六条：先行登记保存的，应当在七日内（工作日）及时作出处理决定",
            cal.add_workdays(timezone.localdate(made), 7),
            done=bool(referring(case, "evidence_hold_handling_decision", "register", register)),
        )


# --- 第四章 审查决定 ---------------------------------------------------------------------------

LEAVE_DECISION = (Stage.SERVICE,)


# R15–R20 (第十五至二十条), with R44 and R58 (行政处罚法第四十四、四十五、五十八条), read the
# 处理决定审批 chain: they live with it in casetrail/decisions/rules.py.


@deadline(
    "CF60",
    article="行政处罚法第六十条",
    title="作出行政处罚决定",
    unit=Unit.CALENDAR_DAYS,  # 民法典第二百零三条: a last day off moves to the next working day
    follows=("case",),
)
def decided_within_ninety_days(case: CaseView) -> Iterator[Deadline]:
    c = case.case
    if c.approved_at and c.procedure == "ordinary":
        extended = case.extension_days("CF60")
        yield Deadline(
            c,
            "作出行政处罚决定",
            "行政处罚法第六十条：自立案之日起九十日内作出行政处罚决定"
            + (f"；经负责人批准延长{extended}日" if extended else ""),
            calendar().period_end(timezone.localdate(c.approved_at), 90 + extended),
            done=case.has("administrative_decision"),
        )


# --- 第五章 送达执行 ---------------------------------------------------------------------------

CLOSE = (Stage.CLOSED,)


@rule(
    "R22",
    article="第二十二至二十六条",
    kind=Kind.BLOCK,
    title="执法文书已送达且送达方式有相应凭证",
    gates=CLOSE,
    exemptible=False,
)
def documents_are_served(case: CaseView) -> Iterator[Missing]:
    """第二十二至二十六条; 行政处罚法第六十一条: every document that must be served has a service that
    took effect (a returned letter, an unconfirmed e-mail or fax is no service), each service
    record has its proofs, a 留置 or 公告 has the audio/video of that very service attached, and a
    公告 follows other methods that failed."""
    for doc in case.records_of(*SERVICE_DOCS):
        services = services_of(case, doc)
        if not services:
            yield Missing(f"record:{doc.pk}", f"{title(doc)}尚无送达记录", "service_receipt")
            continue
        if not any(effective_service_date(s) for s in services):
            failed = "；".join(f"{title(s)}：{why_not_served(s)}" for s in services)
            yield Missing(
                f"record:{doc.pk}",
                f"{title(doc)}尚未送达（{failed}），未送达的不视为送达，请另行送达（第二十二至二十六条）",
                "service_receipt",
            )
        for s in services:
            for label in missing_attachments(s):
                yield Missing(
                    f"record:{s.pk}", f"{title(s)}：缺少附件“{label}”（第二十三条至第二十六条）"
                )
            at = filmed_at(s)
            if at is not None:
                for problem in service_clip_problems(s, at):
                    yield Missing(
                        f"record:{s.pk}",
                        f"{title(s)}：{problem}；应以音像记录方式记录送达过程（第二十四、二十五条）",
                    )
            if s.kind == "public_notice_service_record":
                earlier = [o for o in services if o.pk != s.pk and o.created_at < s.created_at]
                # earlier_attempts (several records); version 1 had one last_attempt
                if not earlier and not (refs(s, "earlier_attempts") or refs(s, "last_attempt")):
                    yield Missing(
                        f"record:{s.pk}",
                        f"{title(s)}：应记录已穷尽其他送达方式仍无法送达的情况（第二十五条）",
                    )


@deadline(
    "CF61",
    article="行政处罚法第六十一条；第二十二至二十六条",
    title="送达执法文书",
    unit=Unit.WORKING_DAYS,  # 行政处罚法第八十五条: 七日 counts working days
    follows=(
        "administrative_decision",
        "correction_order",
        "demand_notice",
        "enforcement_decision",
    ),
)
def documents_served_in_time(case: CaseView) -> Iterator[Deadline]:
    cal = calendar()
    for decision in case.records_of(
        "administrative_decision", "correction_order", "demand_notice", "enforcement_decision"
    ):
        decided = moment(decision, "decided_at", "issued_at") or decision.created_at
        yield Deadline(
            case.case,
            f"送达{decision.title}（#{decision.pk}）",
            "行政处罚法第六十一条：行政处罚决定书应当在宣告后当场交付，或在七日内（工作日）送达"
            if decision.kind == "administrative_decision"
            else "第二十二至二十六条：执法文书及时送达并记录（参照决定书七个工作日）",
            cal.add_workdays(timezone.localdate(decided), 7),
            # Only service that took effect: a returned letter leaves the period running.
            done=served_on(case, decision) is not None,
        )


@deadline(
    "R25",
    article="第二十五条",
    title="公告送达生效",
    unit=Unit.CALENDAR_DAYS,  # 民事诉讼法第九十五条 with its 第八十五条 on a last day off
    follows=("public_notice_service_record",),
)
def public_notice_takes_effect(case: CaseView) -> Iterator[Deadline]:
    for r in case.records_of("public_notice_service_record"):
        document = next((d for d in case.records if d.pk == ref(r, "document")), None)
        day = effective_service_date(r)
        if document is not None and day:
            yield Deadline(
                case.case,
                f"公告送达生效（{document.title}）",
                "第二十五条；公告发出之日起经过三十日即视为送达",
                day,
                info=True,
                estimated=not calendar().published(day.year),
            )


@deadline(
    "CF67",
    article="行政处罚法第六十七条",
    title="缴纳罚款",
    unit=Unit.CALENDAR_DAYS,  # 民法典第二百零三条: a last day off moves to the next working day
    follows=("administrative_decision",),
)
def fine_paid(case: CaseView) -> Iterator[Deadline]:
    for decision in case.records_of("administrative_decision"):
        effective = served_on(case, decision)
        if decision.fields.get("penalty_amount") and effective:
            paid = any(
                r.fields.get("status") == "full"
                for r in referring(case, "performance_record", "decision", decision)
            )
            yield Deadline(
                case.case,
                f"缴纳罚款（#{decision.pk}）",
                "行政处罚法第六十七条：自收到行政处罚决定书之日起十五日内缴纳罚款",
                calendar().period_end(effective, 15),
                done=paid,
            )


@rule(
    "R27",
    article="第二十七条",
    kind=Kind.BLOCK,
    title="依职权决定后记录履行情况；责令改正按期复查",
    gates=CLOSE,
)
def performance_recorded(case: CaseView) -> Iterator[Missing]:
    if case.case.start_mode != StartMode.APPLICATION:
        for decision in case.records_of("administrative_decision"):
            if not referring(case, "performance_record", "decision", decision):
                yield Missing(
                    f"record:{decision.pk}",
                    f"{title(decision)}：应记录当事人履行情况",
                    "performance_record",
                )
    for order in case.records_of("correction_order"):
        if not referring(case, "correction_check_record", "order", order):
            yield Missing(
                f"record:{order.pk}",
                f"{title(order)}：应按期复查改正情况并记录",
                "correction_check_record",
            )


@deadline(
    "R27",
    article="第二十七条",
    title="责令改正复查",
    unit=Unit.DATE_ON_RECORD,
    follows=("correction_order",),
)
def correction_checked_on_time(case: CaseView) -> Iterator[Deadline]:
    for order in case.records_of("correction_order"):
        due = parse_date(order.fields.get("due_date") or "")
        if due:
            yield Deadline(
                case.case,
                f"责令改正复查（#{order.pk}）",
                "第二十七条：依法应当责令改正的，应按期对改正情况进行核查并记录",
                due,
                done=bool(referring(case, "correction_check_record", "order", order)),
            )


@rule(
    "R28",
    article="第二十八条",
    kind=Kind.BLOCK,
    title="强制执行决定前已送达催告书，陈述申辩已复核",
    gates=CLOSE,
)
def demand_before_enforcement(case: CaseView) -> Iterator[Missing]:
    for decision in case.records_of("enforcement_decision"):
        notice_id = ref(decision, "demand_notice")
        notice = next((r for r in case.records_of("demand_notice") if r.pk == notice_id), None)
        # Only service that took effect counts (a returned letter is not service).
        served = effective_services_of(case, notice) if notice else []
        decided = parse_datetime(decision.fields.get("decided_at", ""))
        if not served or (
            decided
            and all(
                (
                    parse_datetime(s.fields.get("served_at") or s.fields.get("published_at") or "")
                    or s.created_at
                )
                > decided
                for s in served
            )
        ):
            yield Missing(
                f"record:{decision.pk}",
                f"{title(decision)}：作出强制执行决定前应送达催告书",
                "service_receipt",
            )
    for statement in case.records_of("demand_statement_record"):
        if not referring(case, "statement_review_opinion", "statement", statement):
            yield Missing(
                f"record:{statement.pk}",
                f"{title(statement)}：应对陈述申辩进行复核并记录",
                "statement_review_opinion",
            )


@rule("R29", article="第二十九条", kind=Kind.BLOCK, title="申请法院强制执行全过程记录", gates=CLOSE)
def court_enforcement_recorded(case: CaseView) -> Iterator[Missing]:
    for r in case.records_of("court_enforcement_record"):
        if not case.has("demand_notice"):
            yield Missing(
                f"record:{r.pk}",
                f"{title(r)}：申请法院强制执行前应经催告（行政强制法第五十四条）",
                "demand_notice",
            )
        if r.fields.get("ruling") in (None, "", "pending") or not r.fields.get("execution_result"):
            yield Missing(f"record:{r.pk}", f"{title(r)}：应记录法院的裁定及执行结果")


@deadline(
    "QZ54",
    article="行政强制法第五十四条",
    title="催告期满，可申请法院强制执行",
    unit=Unit.WORKING_DAYS,  # 行政强制法第六十九条: periods of ten days or less are working days
    follows=("demand_notice",),
)
def demand_period_ends(case: CaseView) -> Iterator[Deadline]:
    for notice in case.records_of("demand_notice"):
        effective = served_on(case, notice)
        if effective:
            yield Deadline(
                case.case,
                "催告期满，可申请法院强制执行",
                "行政强制法第五十四条：催告书送达十日（工作日，第六十九条）后当事人仍未履行义务的，"
                "可以申请人民法院强制执行",
                calendar().add_workdays(effective, 10),
                info=True,
            )


@rule("R29w", article="第二十九条", kind=Kind.WARN, title="催告书送达十日后方可申请法院强制执行")
def court_application_after_the_demand_period(case: CaseView) -> Iterator[Missing]:
    for r in case.records_of("court_enforcement_record"):
        notice = next(
            (n for n in case.records_of("demand_notice") if n.pk == ref(r, "demand_notice")), None
        )
        applied = parse_date(r.fields.get("applied_on") or "")
        served = served_on(case, notice) if notice else None
        if applied and served and applied < calendar().add_workdays(served, 10).day:
            yield Missing(
                f"record:{r.pk}",
                f"{title(r)}：申请日期距催告书送达不足十个工作日（行政强制法第五十四条、第六十九条）",
            )


# --- 第六章 管理 ---------------------------------------------------------------------------------


@deadline(
    "R30a",
    article="第三十条",
    title="立卷归档",
    unit=Unit.CALENDAR_DAYS,  # 民法典第二百零三条: a last day off moves to the next working day
    follows=("case",),
)
def archived_within_thirty_days(case: CaseView) -> Iterator[Deadline]:
    c = case.case
    if c.closed_at and c.start_status == StartStatus.APPROVED:
        yield Deadline(
            c,
            "立卷归档",
            "第三十条：行政执法行为终结之日起30日内形成案卷归档",
            calendar().period_end(timezone.localdate(c.closed_at), 30),
            done=c.stage == Stage.ARCHIVED,
        )
