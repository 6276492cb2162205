"""Writes of oversight: findings raised by the system, and what the supervisor does about each
(第三十五条: 责令改正 or 通报批评). Each is one ledgered action."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.lib.text import clean_text
from casetrail.org.models import Agency, Officer, Role
from casetrail.oversight.kinds import KINDS, Raised
from casetrail.oversight.models import Finding, FindingState, FindingStep


class OversightAction(ActionName):
    FINDINGS_RAISE = "oversight.findings_raise"
    FINDING_ORDER = "oversight.finding_order"
    FINDING_CORRECTED = "oversight.finding_corrected"
    FINDING_CLOSE = "oversight.finding_close"
    FINDING_CRITICISE = "oversight.finding_criticise"


@action(OversightAction.FINDINGS_RAISE)
def findings_raise(
    act: Act, /, *, agency: Agency, found: list[tuple[str, Raised]]
) -> list[Finding]:
    """Record the findings ``found`` (kind code, what was raised) that the agency does not have
    yet, in one ledger entry of the system (no officer acts: the refresh found them). Already
    raised ones (same kind and subject) are skipped, so a refresh is idempotent. The caller
    passes only new ones (``service.refresh``); an empty list is refused rather than ledgered."""
    now = timezone.now()
    have = set(Finding.objects.filter(agency=agency).values_list("kind", "subject"))
    rows = []
    for code, r in found:
        kind = KINDS[code]
        if (code, r.subject) in have:
            continue
        have.add((code, r.subject))
        rows.append(
            Finding.objects.create(
                agency=agency,
                kind=code,
                subject=r.subject,
                case_id=r.case_id,
                unit_id=r.unit_id,
                officer_id=r.officer_id,
                title=kind.title,
                article=r.article or kind.article,
                item=kind.item,
                details=r.details[:2000],
                facts=r.facts,
                raised_at=now,
                state=FindingState.OPEN,
                changed_at=now,
            )
        )
    if not rows:
        raise ActionError("nothing_to_raise", "没有新的监督发现")
    act.record(agency=agency.pk, actor=None, subject=f"findings:{len(rows)}", rows=rows)
    return rows


def _require_supervisor(finding: Finding, officer: Officer) -> None:
    # 第三十四、三十五条: the supervision acts; the director reads (another agency never sees it).
    if officer.agency_id != finding.agency_id or not officer.has_role(Role.SUPERVISOR):
        raise ActionError("not_a_supervisor", "只有本机关监督人员可以处理监督发现", status=403)


# Which states each change may start from (open → ordered → corrected → closed; 通报批评 while not
# settled). A finding is never closed without its correction recorded.
FROM = {
    FindingState.ORDERED: {FindingState.OPEN},
    FindingState.CORRECTED: {FindingState.ORDERED},
    FindingState.CLOSED: {FindingState.CORRECTED},
    FindingState.CRITICISED: {FindingState.OPEN, FindingState.ORDERED},
}


def _move(
    act: Act,
    finding: Finding,
    officer: Officer,
    to: FindingState,
    text: str,
    deadline: dt.date | None = None,
) -> FindingStep:
    _require_supervisor(finding, officer)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.state not in FROM[to]:
        if to == FindingState.CLOSED:
            raise ActionError(
                "correction_not_recorded", "尚未记录改正情况，不能办结（第三十五条：责令改正）"
            )
        raise ActionError(
            "finding_state",
            f"该发现当前为“{FindingState(finding.state).label}”，不能改为“{to.label}”",
        )
    now = timezone.now()
    step = FindingStep.objects.create(
        finding=finding, state=to, text=text, deadline=deadline, officer=officer, at=now
    )
    finding.state = to
    finding.changed_at = now
    finding.save(update_fields=["state", "changed_at"])
    act.record(
        agency=finding.agency_id,
        actor=officer,
        subject=f"finding:{finding.pk}",
        rows=[finding, step],
        case=finding.case_id,
    )
    return step


def _text(value: str, *, where: str, code: str, message: str) -> str:
    value = clean_text(value, where=where, field="text")
    if not value.strip():
        raise ActionError(code, message, field="text")
    return value


@action(OversightAction.FINDING_ORDER)
def finding_order(
    act: Act, /, *, finding: Finding, officer: Officer, text: str, deadline: dt.date
) -> FindingStep:
    """责令改正 (第三十五条): the order's text and the day by which the correction is due (today
    or later, in the agency's time)."""
    text = _text(
        text, where="责令改正内容", code="order_text_required", message="请写明责令改正的内容"
    )
    if deadline < timezone.localdate():
        raise ActionError("deadline_past", "改正期限不能早于今天", field="deadline")
    return _move(act, finding, officer, FindingState.ORDERED, text, deadline)


@action(OversightAction.FINDING_CORRECTED)
def finding_correct(act: Act, /, *, finding: Finding, officer: Officer, text: str) -> FindingStep:
    """Record how the breach ordered corrected was corrected (what was done, by whom, where the
    record of it is)."""
    text = _text(text, where="改正情况", code="correction_text_required", message="请写明改正情况")
    return _move(act, finding, officer, FindingState.CORRECTED, text)


@action(OversightAction.FINDING_CLOSE)
def finding_close(act: Act, /, *, finding: Finding, officer: Officer, text: str) -> FindingStep:
    """办结: only once the correction is recorded; ``text`` is the supervisor's conclusion."""
    text = _text(text, where="办结意见", code="conclusion_required", message="请写明办结意见")
    return _move(act, finding, officer, FindingState.CLOSED, text)


@action(OversightAction.FINDING_CRITICISE)
def finding_criticise(act: Act, /, *, finding: Finding, officer: Officer, text: str) -> FindingStep:
    """通报批评 (第三十五条): the text of the criticism, for a finding not yet corrected."""
    text = _text(
        text, where="通报批评内容", code="criticism_text_required", message="请写明通报批评的内容"
    )
    return _move(act, finding, officer, FindingState.CRITICISED, text)
