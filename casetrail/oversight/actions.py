"""Writes of oversight: findings raised by the system, and what the supervisor does about each
(第三十五条: 责令改正 or 通报批评). Each is one ledgered action."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.documents.fonts import FontMissing
from casetrail.documents.seal import SealError
from casetrail.documents.writes import store_pdf
from casetrail.evidence.storage import upload_before
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.lib.text import clean_text
from casetrail.org.models import Agency, Officer, Role, Unit
from casetrail.oversight.checklists import CHECKLIST, RESULTS
from casetrail.oversight.kinds import KINDS, Raised
from casetrail.oversight.models import (
    EvaluationReport,
    Finding,
    FindingState,
    FindingStep,
    NamePolicy,
    Publication,
    PublicationPolicy,
    PublicationState,
    PublicationStep,
    Sample,
    SampleReview,
)
from casetrail.oversight.publishing import DECISION, decided_on, draft, policy_of, require_clean
from casetrail.oversight.reports import check_weights, evaluate, numbers, report_pdf
from casetrail.oversight.sampling import draw, period_bounds
from casetrail.records.models import Record


class OversightAction(ActionName):
    FINDINGS_RAISE = "oversight.findings_raise"
    FINDING_ORDER = "oversight.finding_order"
    FINDING_CORRECTED = "oversight.finding_corrected"
    FINDING_CLOSE = "oversight.finding_close"
    FINDING_CRITICISE = "oversight.finding_criticise"
    PUBLICATION_PREPARE = "oversight.publication_prepare"
    PUBLICATION_APPROVE = "oversight.publication_approve"
    PUBLICATION_WITHDRAW = "oversight.publication_withdraw"
    PUBLICATION_POLICY = "oversight.publication_policy"
    SAMPLE_DRAW = "oversight.sample_draw"
    SAMPLE_REVIEW = "oversight.sample_review"
    REPORT_ISSUE = "oversight.report_issue"


# At most this many findings in one ledger entry (one action): a first pass over an agency of
# 10^5 cases finds tens of thousands, and one entry holding them all would be one transaction
# holding the log's lock and a payload of tens of MB (a finding's row is about 1 KB of JSON).
FINDINGS_PER_ENTRY = 200


@action(OversightAction.FINDINGS_RAISE)
def findings_raise(
    act: Act, /, *, agency: Agency, found: list[tuple[str, Raised]]
) -> list[Finding]:
    """Record the findings ``found`` (kind code, what was raised; at most FINDINGS_PER_ENTRY)
    that the agency does not have yet, in one ledger entry of the system (no officer acts: the
    refresh found them), the rows inserted in one statement. Already raised ones (same kind and
    subject) are skipped, so a refresh is idempotent. The caller passes only new ones
    (``refresh.raise_new``); nothing new is refused rather than ledgered."""
    if len(found) > FINDINGS_PER_ENTRY:
        raise ActionError(
            "too_many_findings", f"一次最多记录 {FINDINGS_PER_ENTRY} 项监督发现", status=400
        )
    now = timezone.now()
    have: set[tuple[str, str]] = set()
    for code in {code for code, _ in found}:
        subjects = [r.subject for c, r in found if c == code]
        raised = Finding.objects.filter(agency=agency, kind=code, subject__in=subjects)
        have.update((code, s) for s in raised.values_list("subject", flat=True))
    new = []
    for code, r in found:
        kind = KINDS[code]
        if (code, r.subject) in have:
            continue
        have.add((code, r.subject))
        new.append(
            Finding(
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
    if not new:
        raise ActionError("nothing_to_raise", "没有新的监督发现")
    rows = Finding.objects.bulk_create(new)
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
    finding = Finding.objects.select_for_update(no_key=True).get(pk=finding.pk)
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


# --- 公示 (国办发〔2018〕118号; 行政处罚法第四十八条) ------------------------------------------------


def _publication_step(
    act: Act, publication: Publication, officer: Officer, state: str, text: str = ""
) -> PublicationStep:
    step = PublicationStep.objects.create(
        publication=publication, state=state, text=text, officer=officer, at=timezone.now()
    )
    act.record(
        agency=publication.agency_id,
        actor=officer,
        subject=f"publication:{publication.pk}",
        rows=[publication, step],
        case=publication.case_id,
    )
    return step


@action(OversightAction.PUBLICATION_PREPARE)
def publication_prepare(
    act: Act, /, *, case: Case, decision: Record, officer: Officer, text: str = ""
) -> Publication:
    """Prepare the 公示 of a 行政处罚 decision: the public text generated from the 行政执法决定书
    with personal data removed by rule (ID numbers, addresses and phones never; names per the
    agency's policy), or ``text`` as edited — refused while it still holds an ID number or a phone.
    A handler of the case or a supervisor; once per decision (a corrected decision is a new one)."""
    if officer.agency_id != case.agency_id:
        raise ActionError("not_found", "案件不存在", status=404)
    assigned = case.assignments.filter(officer=officer).exists()
    if not (assigned or officer.has_role(Role.SUPERVISOR)):
        raise ActionError("not_assigned", "只有本案承办人员或监督人员可以拟写公示内容", status=403)
    if decision.case_id != case.pk or decision.kind != DECISION:
        raise ActionError("not_a_decision", "只能公示本案的行政执法决定书", field="decision")
    if Record.objects.filter(replaces_id=decision.pk).exists():
        raise ActionError(
            "decision_superseded", "该决定书已被更正，请公示更正后的决定书", field="decision"
        )
    if Publication.objects.filter(decision=decision).exists():
        raise ActionError("already_prepared", "该决定书已拟写公示内容")
    if not decision.doc_no:
        # The public text names the 文号, drawn from the register when the decision is issued.
        raise ActionError(
            "not_issued", "该决定书尚未签发，还没有文号：请先签发（打印）决定书，再拟写公示内容"
        )
    name, generated = draft(case, decision, policy_of(case.agency_id))
    text = clean_text(text, where="公示内容", field="text") or generated
    require_clean(text)
    now = timezone.now()
    publication = Publication.objects.create(
        agency_id=case.agency_id,
        case=case,
        decision=decision,
        doc_no=decision.doc_no[:100],
        party=name[:200],
        text=text,
        decided_on=decided_on(decision),
        state=PublicationState.DRAFT,
        changed_at=now,
    )
    _publication_step(act, publication, officer, PublicationState.DRAFT)
    return publication


@action(OversightAction.PUBLICATION_APPROVE)
def publication_approve(act: Act, /, *, publication: Publication, officer: Officer) -> Publication:
    """The 负责人 approves the text and so publishes it (国办发〔2018〕118号: the agency reviews what
    it publishes); it is shown until ``take_down_on`` (the policy's years for a person or an
    organisation). Nobody approves a text they prepared."""
    if officer.agency_id != publication.agency_id or not officer.has_role(Role.APPROVER):
        raise ActionError("not_an_approver", "只有本机关负责人可以批准公示", status=403)
    publication = Publication.objects.select_for_update(no_key=True).get(pk=publication.pk)
    if publication.state != PublicationState.DRAFT:
        raise ActionError("publication_state", "该公示不在待审批状态")
    if publication.steps.filter(officer=officer).exists():
        raise ActionError("own_draft", "不能批准自己拟写的公示内容", status=403)
    if Record.objects.filter(replaces_id=publication.decision_id).exists():
        raise ActionError("decision_superseded", "该决定书已被更正，请公示更正后的决定书")
    require_clean(publication.text)
    policy = policy_of(publication.agency_id)
    person = publication.case.parties.filter(kind="person").exists()
    years = policy.years_person if person else policy.years_organisation
    now = timezone.now()
    today = timezone.localdate(now)
    try:
        until = today.replace(year=today.year + years)
    except ValueError:  # 29 February
        until = today.replace(year=today.year + years, day=28)
    publication.state = PublicationState.PUBLISHED
    publication.published_at = now
    publication.take_down_on = until
    publication.changed_at = now
    publication.save(update_fields=["state", "published_at", "take_down_on", "changed_at"])
    _publication_step(act, publication, officer, PublicationState.PUBLISHED)
    return publication


@action(OversightAction.PUBLICATION_WITHDRAW)
def publication_withdraw(
    act: Act, /, *, publication: Publication, officer: Officer, reason: str
) -> Publication:
    """Withdraw a published decision (行政处罚法第四十八条第二款: revoked, changed or declared void
    — within 3 working days), with the reason. The 负责人 or a supervisor."""
    if officer.agency_id != publication.agency_id or not (
        officer.has_role(Role.APPROVER) or officer.has_role(Role.SUPERVISOR)
    ):
        raise ActionError("not_an_approver", "只有本机关负责人或监督人员可以撤回公示", status=403)
    reason = clean_text(reason, where="撤回理由", field="reason")
    if not reason:
        raise ActionError(
            "reason_required", "请写明撤回理由（如：决定已被撤销、变更）", field="reason"
        )
    publication = Publication.objects.select_for_update(no_key=True).get(pk=publication.pk)
    if publication.state != PublicationState.PUBLISHED:
        raise ActionError("publication_state", "只有已公示的决定可以撤回")
    now = timezone.now()
    publication.state = PublicationState.WITHDRAWN
    publication.withdrawn_at = now
    publication.changed_at = now
    publication.save(update_fields=["state", "withdrawn_at", "changed_at"])
    _publication_step(act, publication, officer, PublicationState.WITHDRAWN, reason)
    return publication


@action(OversightAction.PUBLICATION_POLICY)
def publication_policy_set(
    act: Act,
    /,
    *,
    officer: Officer,
    person_names: str,
    years_person: int,
    years_organisation: int,
) -> PublicationPolicy:
    """The agency's 公示 policy: how a natural person is named, how many years a decision stays
    published (1–20) for a person and for an organisation. Administrators; a new row each time."""
    if not officer.has_role(Role.ADMIN):
        raise ActionError("not_an_admin", "只有系统管理员可以设置公示规则", status=403)
    if person_names not in NamePolicy.values:
        raise ActionError("invalid_choice", "自然人姓名的公开方式无效", field="person_names")
    for field, years in [
        ("years_person", years_person),
        ("years_organisation", years_organisation),
    ]:
        if not 1 <= years <= 20:
            raise ActionError("number_out_of_range", "公示期限应为 1 至 20 年", field=field)
    row = PublicationPolicy.objects.create(
        agency_id=officer.agency_id,
        person_names=person_names,
        years_person=years_person,
        years_organisation=years_organisation,
        set_by=officer,
        set_at=timezone.now(),
    )
    act.record(agency=officer.agency_id, actor=officer, subject="publication-policy", rows=[row])
    return row


# --- 抽查 (第三十四条) ------------------------------------------------------------------------------


def _require_agency_supervisor(officer: Officer) -> None:
    if not officer.has_role(Role.SUPERVISOR):
        raise ActionError("not_a_supervisor", "只有监督人员可以抽查案卷", status=403)


@action(OversightAction.SAMPLE_DRAW)
def sample_draw(act: Act, /, *, officer: Officer, period: str, size: int) -> Sample:
    """Draw ``size`` of the cases closed in ``period`` at random, with a fresh seed recorded so
    the draw can be repeated and checked (``sampling.draw``). A period is drawn once: a second
    draw is refused (``already_drawn``), never made silently."""
    _require_agency_supervisor(officer)
    start, end = period_bounds(period)
    if not 1 <= size <= 500:
        raise ActionError("number_out_of_range", "抽取数量应为 1 至 500", field="size")
    if Sample.objects.filter(agency_id=officer.agency_id, period=period).exists():
        raise ActionError("already_drawn", f"{period} 已抽取过，不能重新抽取", status=409)
    population = sorted(
        Case.objects.filter(
            agency_id=officer.agency_id, closed_at__gte=start, closed_at__lt=end
        ).values_list("pk", flat=True)
    )
    if not population:
        raise ActionError("nothing_to_draw", f"{period} 没有结案的案件")
    seed = secrets.token_hex(16)
    sample = Sample.objects.create(
        agency_id=officer.agency_id,
        period=period,
        seed=seed,
        size=min(size, len(population)),
        population=population,
        drawn=draw(seed, population, size),
        drawn_by=officer,
        drawn_at=timezone.now(),
    )
    act.record(
        agency=officer.agency_id, actor=officer, subject=f"sample:{sample.pk}", rows=[sample]
    )
    return sample


@action(OversightAction.SAMPLE_REVIEW)
def sample_review(
    act: Act,
    /,
    *,
    sample: Sample,
    case: Case,
    officer: Officer,
    results: list[dict[str, str]],
    conclusion: str,
) -> SampleReview:
    """Review one drawn case against the checklist: every item answered (``ok`` / ``issue`` with a
    note / ``na``) and a conclusion. A supervisor of the agency; only a case the draw chose."""
    _require_agency_supervisor(officer)
    if officer.agency_id != sample.agency_id or case.pk not in sample.drawn:
        raise ActionError("not_drawn", "该案件不在本次抽查范围内", field="case")
    answers: dict[str, dict[str, str]] = {}
    for r in results:
        item, result = str(r.get("item", "")), str(r.get("result", ""))
        note = clean_text(r.get("note", ""), where=f"{item}·说明", field="results")
        if item not in {c.code for c in CHECKLIST} or result not in RESULTS:
            raise ActionError(
                "invalid_result", f"评查项“{item}”或结果“{result}”无效", field="results"
            )
        if result == "issue" and not note:
            raise ActionError("note_required", f"评查项“{item}”存在问题，请写明", field="results")
        answers[item] = {"item": item, "result": result, "note": note}
    missing = [c.code for c in CHECKLIST if c.code not in answers]
    if missing:
        raise ActionError(
            "items_missing", f"还有评查项未填写：{'、'.join(missing)}", field="results"
        )
    conclusion = clean_text(conclusion, where="评查结论", field="conclusion")
    if not conclusion:
        raise ActionError("conclusion_required", "请写明评查结论", field="conclusion")
    review = SampleReview.objects.create(
        sample=sample,
        case=case,
        results=[answers[c.code] for c in CHECKLIST],
        conclusion=conclusion,
        reviewer=officer,
        at=timezone.now(),
    )
    act.record(
        agency=sample.agency_id,
        actor=officer,
        subject=f"sample:{sample.pk}",
        rows=[review],
        case=case.pk,
    )
    return review


# --- 评议考核 (第三十四条) ---------------------------------------------------------------------------


def _report_made(**kwargs: Any) -> dict[str, Any]:
    """Before the report's transaction: the checks, the numbers (read in one short read-only
    transaction, a consistent snapshot), then — with no transaction open — the PDF sealed (its
    TSA asked, when configured) and uploaded. Refusals are raised here; nothing is written."""
    officer: Officer = kwargs["officer"]
    period: str = kwargs["period"]
    unit: Unit | None = kwargs.get("unit")
    if not officer.has_role(Role.SUPERVISOR):
        raise ActionError("not_a_supervisor", "只有监督人员可以出具评议考核报告", status=403)
    start, _ = period_bounds(period, what="考核期间")
    if not 2000 <= start.year or start > timezone.now():
        raise ActionError("invalid_period", "考核期间尚未开始或无效", field="period")
    if unit is not None and unit.agency_id != officer.agency_id:
        raise ActionError("invalid_unit", "股室不属于本机关", field="unit")
    chosen = check_weights(kwargs.get("weights"))
    with transaction.atomic():
        counted = numbers(
            agency_id=officer.agency_id,
            period=period,
            unit_id=unit.pk if unit is not None else None,
        )
    rows, total = evaluate(counted, chosen)
    try:
        sealed = report_pdf(
            agency=officer.agency, unit=unit, period=period, indicators=rows, total=total
        )
    except (FontMissing, SealError) as exc:
        raise ActionError("report_not_rendered", f"报告 PDF 无法生成：{exc}", status=503) from None
    return {
        **upload_before(sealed),
        "report": {"numbers": counted, "indicators": rows, "total": total, "pdf": sealed},
    }


@action(OversightAction.REPORT_ISSUE, before=_report_made)
def report_issue(
    act: Act,
    /,
    *,
    officer: Officer,
    period: str,
    unit: Unit | None = None,
    weights: dict[str, Any] | None = None,
) -> EvaluationReport:
    """Issue the 评议考核 report of ``period`` — a year (2026), a quarter (2026-Q3) or a month
    (2026-07), begun by now — for the agency (or one unit) with the agency's weights (the
    defaults of ``indicators.py`` when none are given): the numbers and scores are computed now
    and kept as they were issued. A supervisor. The numbers and the sealed PDF are made before
    the transaction (``_report_made``): the seal may ask a TSA, the PDF is uploaded."""
    made = act.prepared["report"]
    counted, rows, total = made["numbers"], made["indicators"], made["total"]
    blob, _ = store_pdf(agency_id=officer.agency_id, data=made["pdf"])
    report = EvaluationReport.objects.create(
        agency_id=officer.agency_id,
        unit=unit,
        period=period,
        numbers=counted,
        indicators=rows,
        total=total,
        issued_by=officer,
        issued_at=timezone.now(),
        pdf=blob,
    )
    act.record(
        agency=officer.agency_id,
        actor=officer,
        subject=f"report:{report.pk}",
        rows=[report, blob],
    )
    return report
