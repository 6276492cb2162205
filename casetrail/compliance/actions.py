"""Writes of compliance: the proposal of a reasoned exemption, where the rule allows one (it is
decided through its approval chain, ``effects.exemption_ended``); the holiday schedules."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from casetrail.approvals.models import Chain, StepRole
from casetrail.approvals.writes import open_chain
from casetrail.cases.models import Case
from casetrail.cases.writes import locked, require_assigned, require_handler
from casetrail.compliance.effects import EXEMPTION_REQUEST
from casetrail.compliance.engine import RULES, CaseView
from casetrail.compliance.holidays import ScheduleInput, forget_calendar
from casetrail.compliance.kinds import ComplianceChain
from casetrail.compliance.models import HolidaySchedule
from casetrail.compliance.tasks import refresh_deadlines
from casetrail.evidence.models import Item
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.lib.text import clean_name, clean_text
from casetrail.org.models import Officer, Role
from casetrail.records.writes import add_record, attach_file


class ComplianceAction(ActionName):
    EXEMPTION_PROPOSE = "compliance.exemption_propose"
    HOLIDAY_SCHEDULE = "compliance.holiday_schedule"


@action(ComplianceAction.EXEMPTION_PROPOSE)
def exemption_propose(
    act: Act,
    /,
    *,
    case: Case,
    officer: Officer,
    rule: str,
    subject: str,
    reason: str,
    facts: str = "",
    item: int | None = None,
    blob_sha256: str = "",
) -> Chain:
    """Propose an exemption from a rule that allows one (第六条: an exemption is a decision, not
    self-service): a handler of the case, for an item the rule reports now, with the reason and
    the evidence that it could not be met — a described fact, an audio/video or photo of the case,
    or an uploaded document. The unit reviewer approves (and the 负责人 too for 第五条 on a 重大
    case); until then the block stays. A refused proposal stays recorded and exempts nothing."""
    found = RULES.get(rule)
    if found is None:
        raise ActionError("unknown_rule", f"没有规则 {rule}", field="rule")
    if not found.exemptible:
        raise ActionError(
            "not_exemptible", f"{found.id}（{found.article}）不允许豁免，必须补齐", field="rule"
        )
    reason = clean_text(reason, where="理由", field="reason")
    facts = clean_text(facts, where="事实及证据说明", field="facts")
    subject = clean_name(subject, where="对象", field="subject", limit=60)
    if not reason:
        raise ActionError("exemption_reason_required", "豁免必须说明理由", field="reason")
    if not facts.strip() and not item and not blob_sha256:
        raise ActionError(
            "exemption_evidence_required",
            "请提供无法满足的证据：说明相关事实，或附上音像记录、照片、证明材料",
            field="facts",
        )
    case = locked(case)
    require_handler(officer, timezone.localdate())
    try:
        require_assigned(case, officer)
    except ActionError:
        raise ActionError("not_assigned", "只有本案承办人员可以提请豁免", status=403) from None
    if not case.is_open:
        raise ActionError("case_closed", "案件已结案，不能再提请豁免")
    open_subjects = {m.subject for m in found.check(CaseView(case))}
    if subject not in open_subjects:
        raise ActionError(
            "nothing_to_exempt", f"{found.id} 对“{subject}”没有未满足的要求", field="subject"
        )
    if case.exemptions.filter(rule=found.id, subject=subject).exists():
        raise ActionError("already_exempted", f"{found.id} 对“{subject}”已批准豁免")
    now = timezone.now()
    record = add_record(
        case=case,
        kind=EXEMPTION_REQUEST,
        officer=officer,
        fields={"rule": found.id, "subject": subject, "reason": reason, "facts": facts},
        now=now,
    )
    rows: list[Any] = [record]
    if item:
        found_item = Item.objects.filter(pk=item, link__case=case).first()
        slot = "photo" if found_item is not None and found_item.kind == "photo" else "av"
        rows.append(attach_file(record=record, officer=officer, slot=slot, item_id=item, now=now))
    if blob_sha256:
        rows.append(
            attach_file(
                record=record, officer=officer, slot="document", blob_sha256=blob_sha256, now=now
            )
        )
    # 第六条: the unit reviewer decides; the 负责人 too where 第五条 is lifted for a 重大 case.
    director = found.id == "R5" and case.is_major
    chain, first = open_chain(
        case=case,
        kind=ComplianceChain.EXEMPTION,
        record=record,
        proposer=officer,
        opinion=reason,
        requires_legal=False,
        plan=[StepRole.REVIEW, *([StepRole.DECIDE] if director else [])],
        now=now,
    )
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"chain:{chain.pk}",
        rows=[*rows, chain, first],
        case=case.pk,
    )
    return chain


@action(ComplianceAction.HOLIDAY_SCHEDULE)
def holiday_schedule_import(
    act: Act, /, *, officer: Officer, schedule: ScheduleInput
) -> HolidaySchedule:
    """Load the State Council's holiday schedule of a year the calendar data does not cover, so
    legal periods (行政处罚法第八十五条, 行政强制法第六十九条, 民法典第二百零三条) are counted on it
    instead of being estimated. Only an administrator; a year may be loaded again to correct it
    (the latest schedule counts, the earlier one stays recorded)."""
    if not officer.has_role(Role.ADMIN):
        raise ActionError("not_an_admin", "只有系统管理员可以导入节假日安排", status=403)
    if not 2000 <= schedule.year <= 2100:
        raise ActionError("invalid_schedule", "年度应在 2000 至 2100 之间", field="year")
    if not schedule.source:
        raise ActionError("source_required", "请填写依据（国务院办公厅通知的文号）", field="source")
    dates = [*schedule.holidays, *schedule.workdays]
    if not schedule.holidays:
        raise ActionError("invalid_schedule", "放假日期不能为空", field="holidays")
    stray = sorted({d for d in dates if d.year != schedule.year})
    if stray:
        raise ActionError(
            "invalid_schedule",
            f"日期不在 {schedule.year} 年内：{stray[0].isoformat()}",
            field="file",
        )
    both = sorted(set(schedule.holidays) & set(schedule.workdays))
    if both:
        raise ActionError(
            "invalid_schedule", f"{both[0].isoformat()} 不能既放假又调休上班", field="workdays"
        )
    weekday = [d for d in schedule.workdays if d.weekday() < 5]
    if weekday:
        raise ActionError(
            "invalid_schedule",
            f"调休上班日应为周末：{weekday[0].isoformat()} 本是工作日",
            field="workdays",
        )
    row = HolidaySchedule.objects.create(
        year=schedule.year,
        holidays=sorted(d.isoformat() for d in set(schedule.holidays)),
        workdays=sorted(d.isoformat() for d in set(schedule.workdays)),
        source=schedule.source,
        agency_id=officer.agency_id,
        imported_by=officer,
        imported_at=timezone.now(),
    )
    act.record(agency=officer.agency_id, actor=officer, subject=f"holidays:{row.year}", rows=[row])
    act.on_commit(forget_calendar)
    # Every case's working-day periods may move: the stored deadlines follow, in the background.
    act.on_commit(refresh_deadlines.enqueue)
    return row
