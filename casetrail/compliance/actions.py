"""Writes of compliance: a reasoned exemption, where the rule allows one."""

from __future__ import annotations

from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.cases.writes import locked, require_assigned
from casetrail.compliance.engine import RULES, CaseView
from casetrail.compliance.holidays import ScheduleInput, forget_calendar
from casetrail.compliance.models import Exemption, HolidaySchedule
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.lib.text import clean_name, clean_text
from casetrail.org.models import Officer, Role


class ComplianceAction(ActionName):
    EXEMPTION = "compliance.exemption"
    HOLIDAY_SCHEDULE = "compliance.holiday_schedule"


@action(ComplianceAction.EXEMPTION)
def exemption_record(
    act: Act, /, *, case: Case, officer: Officer, rule_id: str, subject: str, reason: str
) -> Exemption:
    """Record why a rule cannot be met for this case (e.g. recording was impossible). Only for a
    rule that allows it and an item it currently reports; supervisors see every exemption."""
    rule = RULES.get(rule_id)
    if rule is None:
        raise ActionError("unknown_rule", f"没有规则 {rule_id}", field="rule")
    if not rule.exemptible:
        raise ActionError(
            "not_exemptible", f"{rule.id}（{rule.article}）不允许豁免，必须补齐", field="rule"
        )
    reason = clean_text(reason, where="理由", field="reason")
    subject = clean_name(subject, where="对象", field="subject", limit=60)
    if not reason:
        raise ActionError("exemption_reason_required", "豁免必须说明理由", field="reason")
    case = locked(case)
    try:
        require_assigned(case, officer)
    except ActionError:
        raise ActionError("not_assigned", "只有本案承办人员可以记录豁免", status=403) from None
    open_subjects = {m.subject for m in rule.check(CaseView(case))}
    if subject not in open_subjects:
        raise ActionError(
            "nothing_to_exempt", f"{rule.id} 对“{subject}”没有未满足的要求", field="subject"
        )
    exemption = Exemption.objects.create(
        case=case,
        rule=rule.id,
        subject=subject,
        reason=reason,
        officer=officer,
        created_at=timezone.now(),
    )
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"exemption:{exemption.pk}",
        rows=[exemption],
        case=case.pk,
    )
    return exemption


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
    return row
