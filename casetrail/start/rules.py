"""The start's own rules (第八、九条), registered into the compliance catalogue: an application is
recorded at every step, an ex officio start has its approved 程序启动审批表, a complaint not taken up
is answered in writing. The R9b deadline (an emergency start approved afterwards) is with them.

The summary procedure (第二十一条), opened and decided on the spot by the start, has its rules here
too: R21 (the 简易程序记录, the fine within 第五十一条's limits, on-the-spot collection only as
第六十八至七十条 allow), R21w (contested summary actions filmed) and R21b (filed with the agency:
a deadline of the configured working days, and a block at closing)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import timezone

from casetrail.approvals.models import ChainStatus
from casetrail.cases.models import Case, Procedure, Stage, StartMode, StartStatus
from casetrail.compliance.engine import (
    CaseView,
    Deadline,
    Kind,
    Missing,
    Unit,
    deadline,
    ref,
    rule,
    title,
)
from casetrail.compliance.service import moment
from casetrail.start.kinds import StartChain
from casetrail.start.summary import collection_refusal, filing_due, fine_refusal

LATER_STAGES = (Stage.DECISION, Stage.SERVICE, Stage.CLOSED)


@rule(
    "R8",
    article="第八条",
    kind=Kind.BLOCK,
    title="依申请启动的各环节均有记录",
    gates=(Stage.INVESTIGATION,),
)
def application_is_recorded(case: CaseView) -> Iterator[Missing]:
    if case.case.start_mode != StartMode.APPLICATION:
        return
    if not case.has("application_registration"):
        yield Missing("case", "缺少申请登记", "application_registration")
    registration = case.records_of("application_registration")
    if (
        registration
        and registration[0].fields.get("oral")
        and not case.has("oral_application_record")
    ):
        yield Missing("case", "口头申请应制作申请人签名确认的笔录", "oral_application_record")
    if not case.has("application_receipt"):
        yield Missing("case", "应出具申请材料接收凭证（回执）", "application_receipt")
    decided = [
        r for r in case.records_of("application_decision") if r.fields.get("decision") == "accept"
    ]
    if not decided:
        yield Missing("case", "缺少经审批的受理决定及理由", "application_decision")


@rule(
    "R9a",
    article="第九条",
    kind=Kind.BLOCK,
    title="依职权启动有经批准的程序启动审批表",
    gates=(Stage.INVESTIGATION, *LATER_STAGES),
)
def ex_officio_start_is_approved(case: CaseView) -> Iterator[Missing]:
    c = case.case
    # An application is accepted (R8); a summary case is decided on the spot without a start
    # approval (行政处罚法第五十一、五十二条; R21).
    if c.start_mode in (StartMode.APPLICATION, StartMode.ON_THE_SPOT) or c.start_status in (
        StartStatus.NOT_TAKEN_UP,
        StartStatus.NOT_ACCEPTED,
        StartStatus.REFUSED,
    ):
        return
    approved = [
        ch
        for ch in c.chains.all()
        if ch.kind == StartChain.CASE_START and ch.status == ChainStatus.APPROVED
    ]
    if not approved:
        yield Missing("case", "程序启动审批表尚未经局长批准", "start_approval_form")
        return
    steps = list(approved[-1].steps.all())
    if c.is_major and not any(s.role == "legal" for s in steps):
        yield Missing("case", "重大行政执法行为的程序启动审批表应载明法制机构合法性审查意见")


@rule(
    "R9c",
    article="第九条",
    kind=Kind.BLOCK,
    title="不予启动的投诉举报已书面告知",
    gates=(Stage.CLOSED,),
)
def complaint_notice_given(case: CaseView) -> Iterator[Missing]:
    if case.case.start_status == StartStatus.NOT_TAKEN_UP and not case.has("complaint_notice"):
        yield Missing("case", "应书面告知投诉举报人不予启动的决定", "complaint_notice")


@deadline(
    "R9b",
    article="第九条",
    title="紧急启动事后补报审批",
    unit=Unit.HOURS,  # CASETRAIL_EMERGENCY_APPROVAL_HOURS, cf. 行政强制法第十九条
    follows=("start_approval_form",),
)
def emergency_start_approved_afterwards(case: CaseView) -> Iterator[Deadline]:
    c = case.case
    if c.emergency and c.approval_due_at:
        yield Deadline(
            c,
            "紧急启动事后补报审批",
            f"第九条：情况紧急的，可以事后补报（{settings.CASETRAIL_EMERGENCY_APPROVAL_HOURS}小时，"
            "参照行政强制法第十九条）",
            c.approval_due_at,
            done=c.start_status != StartStatus.PENDING,
        )


def started(case: Case, to_stage: str) -> list[str]:
    """The start's gate on every later stage (第八、九条): a case whose start was not approved
    has no number and cannot proceed (registered with cases.hooks.GATES)."""
    if case.start_status != StartStatus.APPROVED:
        return ["程序启动尚未批准（第八条、第九条），案件未取得编号"]
    return []


# --- 简易程序 (第二十一条) ------------------------------------------------------------------------


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _party_kind(case: CaseView, record: Any) -> str:
    pk = ref(record, "party")
    return next((p.kind for p in case.case.parties.all() if p.pk == pk), "")


def _over_limit(case: CaseView, record: Any, name: str) -> Iterator[Missing]:
    amount = _amount(record.fields.get(name))
    refusal = fine_refusal(_party_kind(case, record), amount) if amount else None
    if refusal:
        yield Missing(f"record:{record.pk}", f"{title(record)}：{refusal.message}")


def _collection(record: Any, amount: Any, ground: str, details: str, requested: Any) -> Any:
    return collection_refusal(
        amount=_amount(amount) or Decimal(0),
        ground=record.fields.get(ground) or "",
        details=record.fields.get(details) or "",
        receipt_no=record.fields.get("receipt_no") or "",
        party_requested=requested,
    )


@rule(
    "R21",
    article="第二十一条；行政处罚法第五十一、六十八至七十条",
    kind=Kind.BLOCK,
    title="简易程序记录七项内容，罚款及当场收缴在法定范围内",
    gates=(Stage.SERVICE, Stage.CLOSED),
)
def summary_procedure_recorded(case: CaseView) -> Iterator[Missing]:
    """The on-the-spot start refuses these before writing; the rule reads the same limits on
    records made otherwise (summary cases started before it, and their later documents)."""
    if case.case.procedure != Procedure.SUMMARY:
        return
    records = case.records_of("summary_procedure_record")
    if not records:
        yield Missing("case", "适用简易程序的，应制作简易程序记录", "summary_procedure_record")
    for r in records:
        yield from _over_limit(case, r, "penalty_amount")
        if not r.fields.get("collected_on_spot"):
            continue
        if r.version == 1:  # version 1 kept the collection in a record of its own
            if not case.has("on_the_spot_fine_record"):
                yield Missing(
                    f"record:{r.pk}",
                    f"{title(r)}：当场收缴罚款的，应制作当场收缴罚款记录",
                    "on_the_spot_fine_record",
                )
            continue
        refusal = _collection(
            r,
            r.fields.get("penalty_amount"),
            "collection_ground",
            "collection_ground_details",
            bool(r.fields.get("party_requested")),
        )
        if refusal:
            yield Missing(f"record:{r.pk}", f"{title(r)}：{refusal.message}")
    for r in case.records_of("on_the_spot_fine_record"):
        refusal = _collection(r, r.fields.get("amount"), "ground", "ground_details", None)
        if refusal:
            yield Missing(f"record:{r.pk}", f"{title(r)}：{refusal.message}")
    for decision in case.records_of("administrative_decision"):
        yield from _over_limit(case, decision, "penalty_amount")


@rule("R21w", article="第二十一条", kind=Kind.WARN, title="易引起争议的简易程序宜音像记录")
def contentious_summary_filmed(case: CaseView) -> Iterator[Missing]:
    for r in case.records_of("summary_procedure_record"):
        if (
            r.fields.get("contentious")
            and not r.attachments.filter(kind="av").exists()
            and not case.av_items
        ):
            yield Missing(
                f"record:{r.pk}",
                f"{title(r)}：容易引起争议的简易程序执法行为应当采用适当方式进行音像记录",
            )


def _decided_at(case: CaseView) -> dt.datetime | None:
    """When the summary decision was made: the decision's time, else the 简易程序记录's."""
    decisions = case.records_of("administrative_decision")
    if decisions:
        return moment(decisions[0], "decided_at")
    records = case.records_of("summary_procedure_record")
    return moment(records[0], "made_at") if records else None


def _filed(case: CaseView) -> bool:
    # Version 1 of the 简易程序记录 recorded the filing in its own fields (item 五).
    return case.has("summary_filing_record") or any(
        r.version == 1 and r.fields.get("filed_on")
        for r in case.records_of("summary_procedure_record")
    )


FILING_BASIS = (
    "第二十一条（五）、行政处罚法第五十二条第三款：执法人员当场作出的行政处罚决定，"
    "应当报所属行政机关备案"
)


@rule(
    "R21b",
    article="第二十一条；行政处罚法第五十二条",
    kind=Kind.BLOCK,
    title="当场作出的行政处罚决定已报所属行政机关备案",
    gates=(Stage.CLOSED,),
)
def summary_decision_filed(case: CaseView) -> Iterator[Missing]:
    decided = _decided_at(case) if case.case.procedure == Procedure.SUMMARY else None
    if decided is None:
        return
    if not _filed(case):
        yield Missing("case", f"{FILING_BASIS}，尚未备案", "summary_filing_record")
    # The filing step refuses a late filing without its reason; a record made otherwise is held
    # to the same.
    due = filing_due(decided).day
    for r in case.records_of("summary_filing_record"):
        filed = moment(r, "filed_at")
        if filed and timezone.localdate(filed) > due and not r.fields.get("late_reason"):
            yield Missing(
                f"record:{r.pk}",
                f"{title(r)}：备案期限已于{due:%Y年%m月%d日}届满，逾期备案应说明原因",
            )


@deadline(
    "R21b",
    article="第二十一条；行政处罚法第五十二条",
    title="简易程序备案",
    unit=Unit.WORKING_DAYS,  # 行政处罚法第八十五条: 二日 counts working days
    follows=("administrative_decision", "summary_procedure_record"),
)
def summary_filed_in_time(case: CaseView) -> Iterator[Deadline]:
    decided = _decided_at(case) if case.case.procedure == Procedure.SUMMARY else None
    if decided:
        yield Deadline(
            case.case,
            "报所属行政机关备案（简易程序）",
            f"{FILING_BASIS}（{settings.CASETRAIL_SUMMARY_FILING_DAYS}个工作日，"
            "行政处罚法第八十五条）",
            filing_due(decided),
            done=_filed(case),
        )
