"""The start's own rules (第八、九条), registered into the compliance catalogue: an application is
recorded at every step, an ex officio start has its approved 程序启动审批表, a complaint not taken up
is answered in writing. The R9b deadline (an emergency start approved afterwards) is with them."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings

from casetrail.approvals.models import ChainKind, ChainStatus
from casetrail.cases.models import Case, Stage, StartMode, StartStatus
from casetrail.compliance.engine import CaseView, Deadline, Kind, Missing, Unit, deadline, rule

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
    if c.start_mode == StartMode.APPLICATION or c.start_status in (
        StartStatus.NOT_TAKEN_UP,
        StartStatus.NOT_ACCEPTED,
        StartStatus.REFUSED,
    ):
        return
    approved = [
        ch
        for ch in c.chains.all()
        if ch.kind == ChainKind.CASE_START and ch.status == ChainStatus.APPROVED
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
