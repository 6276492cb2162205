"""The finding kinds the oversight app detects, each from what another app already records
(read through its models and selectors, never written). Registered on import (``apps.ready``).

Each detector takes a ``Look`` (``kinds``: the agency, and the changed cases or what is new since
the last pass, by the scope it declares) and yields ``Raised`` for every subject within it that is
a breach now; the refresh (``actions.findings_raise``) records only those not raised before, so a
finding stays raised — and in the supervisor's hands — after its cause was put right.

A case-scoped detector relies on what the stored deadlines rely on (``compliance.stored``): every
action that changes a case's facts names the case in its ledger entry (``case_ref``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from casetrail.access.models import CopyPackage
from casetrail.approvals.models import ChainStatus, Step
from casetrail.archive.models import FixityCheck
from casetrail.cases.models import STAGE_ORDER, Case, MarkedRead, ReadReason, StageChange
from casetrail.compliance.engine import DEADLINES, RULES, CaseView, Kind, evaluate
from casetrail.compliance.models import CaseDeadline, Exemption
from casetrail.compliance.service import (
    SERVICE_DOCS,
    effective_service_date,
    services_of,
    why_not_served,
)
from casetrail.compliance.stored import refresh_marked
from casetrail.evidence.actions import EvidenceAction
from casetrail.evidence.models import Item
from casetrail.ledger.models import Ledger, VerificationRun
from casetrail.ledger.witnesses import oldest_unwitnessed
from casetrail.org.actions import OrgAction
from casetrail.org.models import Officer, Role
from casetrail.oversight.kinds import Look, Raised, Scope, finding_kind

# Rules that read the state of the procedure rather than a record (an approval chain still open,
# R6) say nothing about a record missing once the stage was entered.
NOT_ABOUT_RECORDS = {"R6"}


def _id_of(subject: str) -> int:
    """The id in a log entry's subject (``evidence:12`` → 12; 0 when there is none)."""
    tail = subject.partition(":")[2]
    return int(tail) if tail.isdigit() else 0


def _of_case(case: Case, *, officer_id: int | None = None, **what: Any) -> Raised:
    """A finding about ``case``: its unit, and the officer named (default: who registered it)."""
    return Raised(
        case_id=case.pk,
        unit_id=case.unit_id,
        officer_id=officer_id or case.created_by_id,
        **what,
    )


@finding_kind(
    "exemption",
    title="规则要求经批准豁免，未按规定制作记录",
    article="第五条、第十三条",
    item="一",
    scope=Scope.CASES,
)
def exempted_rules(look: Look) -> Iterator[Raised]:
    """Every approved exemption (and those recorded before exemptions were decisions): a record
    the rule asks for was not made, by leave. The supervisor reviews the leave (第三十四条)."""
    rows = Exemption.objects.filter(case__agency_id=look.agency_id, case_id__in=look.cases or ())
    rows = rows.select_related("case")
    for e in rows:
        rule = RULES.get(e.rule)
        chain = f"，审批 #{e.chain_id}" if e.chain_id else "（豁免改为审批前记录）"
        yield _of_case(
            e.case,
            officer_id=e.officer_id,
            subject=f"exemption:{e.pk}",
            details=f"{e.case.label}：{e.rule}（{e.subject}）经批准豁免{chain}。理由：{e.reason}",
            article=rule.article if rule else "",
            facts={"exemption": e.pk, "rule": e.rule, "chain": e.chain_id},
        )


@finding_kind(
    "deadline_overdue",
    title="法定期限已逾期未办",
    article="第二十七、三十条",
    item="五",
    scope=Scope.CASES,
)
def overdue_deadlines(look: Look) -> Iterator[Raised]:
    """Every deadline of the changed cases, not archived, that is past due and not done (the
    deadline registry of compliance: R9b, CF56, CF60, CF61, CF67, R21b, R27, R30a …). Keyed by the
    deadline and its due day, so a deadline moved by an approved extension and missed again is a
    new finding. The deadlines of the cases that did not change but fell due since the last pass:
    ``fallen_due``."""
    # The stored deadlines (kept by compliance after every action): an index range, not every
    # case's calendar computed again.
    refresh_marked()
    rows = CaseDeadline.objects.filter(
        agency_id=look.agency_id, watched=True, due_at__lt=look.now, case_id__in=look.cases or ()
    )
    yield from _overdue(rows)


@finding_kind(
    "deadline_overdue",
    title="法定期限已逾期未办",
    article="第二十七、三十条",
    item="五",
    scope=Scope.SINCE,
)
def fallen_due(look: Look) -> Iterator[Raised]:
    """The stored deadlines that fell due in [since, now): time alone made them a breach (an
    index range of ``deadline_watched_due``). Nothing on a full pass, which looks at every case."""
    if look.since is None:
        return
    refresh_marked()
    rows = CaseDeadline.objects.filter(
        agency_id=look.agency_id, watched=True, due_at__gte=look.since, due_at__lt=look.now
    )
    yield from _overdue(rows)


def _overdue(rows: QuerySet[CaseDeadline]) -> Iterator[Raised]:
    for row in rows.select_related("case", "case__agency", "case__unit").order_by("due_at", "id"):
        case = row.case
        due = timezone.localtime(row.due_at).date().isoformat()
        rule = DEADLINES.get(row.rule)
        yield _of_case(
            case,
            subject=f"case:{case.pk}:{row.rule}:{due}",
            details=f"{case.label}：{row.title}，应于 {due} 前完成（{row.basis}）",
            article=rule.article if rule else "",
            facts={"deadline": row.rule, "due": due},
        )


@finding_kind(
    "late_upload", title="音像记录超过24小时上传", article="第三十条", item="一", scope=Scope.SINCE
)
def late_uploads(look: Look) -> Iterator[Raised]:
    """Every audio/video item uploaded later than the 24 hours of 第三十条 after it ended (its
    lateness is fixed at upload): on a full pass all of the agency's (a partial index), else those
    uploaded by the log entries new since the last pass."""
    items = Item.objects.filter(agency_id=look.agency_id, late=True)
    if not look.full:
        uploads = look.entries().filter(action=EvidenceAction.RECORD_CREATE)
        items = items.filter(pk__in=[_id_of(s) for s in uploads.values_list("subject", flat=True)])
    items = items.select_related("link__case")
    for i in items:
        link = getattr(i, "link", None)
        case = link.case if link is not None else None
        hours = (i.uploaded_at - i.recorded_end).total_seconds() / 3600
        where = f"{case.label}：" if case is not None else ""
        reason = f"，理由：{i.late_reason}" if i.late_reason else "，未说明理由"
        yield Raised(
            subject=f"item:{i.pk}",
            details=f"{where}音像记录 #{i.pk} 结束后 {hours:.0f} 小时才上传{reason}",
            case_id=case.pk if case is not None else None,
            unit_id=case.unit_id if case is not None else None,
            officer_id=i.officer_id,
            facts={"item": i.pk, "hours": f"{hours:.1f}"},
        )


@finding_kind(
    "record_missing",
    title="已进入的阶段缺少应有的记录",
    article="第四至三十条",
    item="一",
    scope=Scope.CASES,
)
def records_missing(look: Look) -> Iterator[Raised]:
    """A BLOCK rule of a stage the case has entered (by a recorded stage change) that is unmet
    and not exempted now: the record it asks for is missing although the stage was entered (a
    record corrected afterwards, a case entered before the rule was in force)."""
    entered: dict[int, set[str]] = {}
    changes = StageChange.objects.filter(
        case__agency_id=look.agency_id, case_id__in=look.cases or ()
    )
    for case_id, stage in changes.values_list("case_id", "to_stage"):
        entered.setdefault(case_id, set()).add(stage)
    rules = [r for r in RULES.values() if r.kind == Kind.BLOCK and r.id not in NOT_ABOUT_RECORDS]
    cases = Case.objects.filter(pk__in=list(entered)).select_related("agency", "unit")
    for case in cases:
        stages = entered[case.pk]
        guarding = [r for r in rules if stages & set(r.gates)]
        for f in evaluate(CaseView(case), guarding):
            if f.exempted:
                continue
            yield _of_case(
                case,
                subject=f"case:{case.pk}:{f.rule.id}:{f.missing.subject}",
                details=f"{case.label}：{f.line()}",
                article=f.rule.article,
                facts={"rule": f.rule.id, "about": f.missing.subject},
            )


@finding_kind(
    "service_failed",
    title="文书送达未生效且未另行送达",
    article="第二十二至二十六条",
    item="五",
    scope=Scope.CASES,
)
def failed_services(look: Look) -> Iterator[Raised]:
    """A document to be served whose every recorded service did not take effect (a returned
    letter, an e-mail or fax not confirmed): the party was not served."""
    cases = Case.objects.filter(
        agency_id=look.agency_id,
        pk__in=look.cases or (),
        stage__in=STAGE_ORDER[STAGE_ORDER.index("service") :],
    ).select_related("agency", "unit")
    for case in cases:
        view = CaseView(case)
        for doc in view.records_of(*SERVICE_DOCS):
            services = services_of(view, doc)
            if not services or any(effective_service_date(s) for s in services):
                continue
            why = "；".join(why_not_served(s) for s in services)
            yield _of_case(
                case,
                subject=f"record:{doc.pk}",
                details=f"{case.label}：文书 #{doc.pk} 的 {len(services)} 次送达均未生效（{why}）",
                facts={"record": doc.pk, "services": [s.pk for s in services]},
            )


@finding_kind(
    "verify_failed",
    title="核验发现记录被删除、篡改或灭失",
    article="第三十五条",
    item="三",
    scope=Scope.SINCE,
)
def failed_verifications(look: Look) -> Iterator[Raised]:
    """Every finished verification report (`casetrail verify` requested by a supervisor: the log,
    every recorded row, and the blobs' fixity) that found a difference. All of them each pass:
    a run is requested by a supervisor (a handful a year) and finishes outside any action."""
    runs = VerificationRun.objects.filter(
        agency_id=look.agency_id, status=VerificationRun.Status.DONE
    )
    for run in runs.exclude(findings=[]):
        first = run.findings[0] if run.findings else ""
        yield Raised(
            subject=f"verification:{run.pk}",
            details=f"核验报告 #{run.pk}：{len(run.findings)} 处不一致，例如：{first}",
            facts={"verification": run.pk, "findings": len(run.findings)},
        )


@finding_kind(
    "lockout_burst",
    title="短时间内多次登录失败被锁定",
    article="第三十三条",
    item="二",
    scope=Scope.SINCE,
)
def lockouts(look: Look) -> Iterator[Raised]:
    """Every lockout (``org.lockout`` in the agency's log: django-axes locked a login after
    CASETRAIL_LOGIN_FAILURES wrong passwords): someone may be guessing an officer's password to
    reach the records (等保 2.0 安全审计)."""
    rows = list(look.entries().filter(action=OrgAction.LOCKOUT).order_by("seq"))
    ids = {int(e.subject.partition(":")[2]) for e in rows if e.subject.startswith("officer:")}
    officers = Officer.objects.in_bulk(ids)
    for e in rows:
        officer = officers.get(int(e.subject.partition(":")[2] or 0))
        payload = e.entry["payload"]
        name = officer.name if officer is not None else e.subject
        yield Raised(
            subject=f"lockout:{e.seq}",
            details=(
                f"{name} 的账号于 {timezone.localtime(e.time):%Y-%m-%d %H:%M} 因多次登录失败被锁定"
                f" {payload.get('minutes', '')} 分钟（来自 {payload.get('address') or '未知地址'}）"
            ),
            unit_id=officer.unit_id if officer is not None else None,
            officer_id=officer.pk if officer is not None else None,
            facts={"ledger_seq": e.seq, "address": payload.get("address", "")},
        )


@finding_kind(
    "checkpoint_unwitnessed",
    title="日志检查点长期未经见证",
    article="第三十五条",
    item="三",
    scope=Scope.SINCE,
)
def unwitnessed_checkpoints(look: Look) -> Iterator[Raised]:
    """The agency's log has a checkpoint no quorum of witnesses cosigned for
    CASETRAIL_UNWITNESSED_HOURS: for that long nobody outside can tell a rollback or a rewrite
    (issue 14). One finding per outage, keyed by its first unwitnessed checkpoint."""
    ledger = Ledger.objects.filter(agency_id=look.agency_id).first()
    pending = oldest_unwitnessed(ledger) if ledger is not None else None
    if pending is None:
        return
    hours = (look.now - pending.created_at).total_seconds() / 3600
    if hours >= settings.CASETRAIL_UNWITNESSED_HOURS:
        yield Raised(
            subject=f"checkpoint:{pending.size}",
            details=f"日志检查点（第 {pending.size} 条）已 {hours:.0f} 小时未获见证方联署",
            facts={"size": pending.size, "since": pending.created_at.isoformat()},
        )


@finding_kind(
    "archive_fixity",
    title="归档案卷定期检测发现文件缺失或被改动",
    article="第三十一条、第三十五条",
    item="三",
    scope=Scope.CASES,
)
def archive_fixity_failures(look: Look) -> Iterator[Raised]:
    """Every scheduled fixity run of an archived 案卷 that found a file missing or changed
    (``casetrail.archive.fixity``); the custodian keeps the files (第三十一条)."""
    runs = FixityCheck.objects.filter(
        case_file__agency_id=look.agency_id, case_file__case_id__in=look.cases or (), passed=False
    )
    for run in runs.select_related("case_file__case"):
        case = run.case_file.case
        first = run.findings[0] if run.findings else ""
        yield _of_case(
            case,
            officer_id=run.case_file.assembled_by_id,
            subject=f"fixity:{run.pk}",
            details=f"{case.label}：案卷 {run.case_file.archive_code} 定期检测发现 "
            f"{len(run.findings)} 处异常，例如：{first}",
            facts={"fixity": run.pk, "case_file": run.case_file_id},
        )


@finding_kind(
    "marked_read",
    title="无合理理由反复查阅标记材料",
    article="第三十三条",
    item="二",
    scope=Scope.CASES,
)
def repeated_marked_reads(look: Look) -> Iterator[Raised]:
    """Someone not on the case — not assigned to it, not a step of any of its chains — who read
    its marked material (国家秘密 papers' register, 商业秘密, 个人隐私, a 涉密 case) in more than
    CASETRAIL_MARKED_READ_LIMIT sessions. A supervisor reading for 监督 is their duty and not
    counted. One finding per reader and case."""
    limit = settings.CASETRAIL_MARKED_READ_LIMIT
    reads = (
        MarkedRead.objects.filter(case__agency_id=look.agency_id, case_id__in=look.cases or ())
        .exclude(reason=ReadReason.SUPERVISION, officer__roles__role=Role.SUPERVISOR)
        .values("case_id", "officer_id")
        .annotate(n=Count("session", distinct=True))
        .filter(n__gt=limit)
    )
    for row in reads:
        case = Case.objects.get(pk=row["case_id"])
        officer_id = row["officer_id"]
        if (
            case.assignments.filter(officer_id=officer_id).exists()
            or Step.objects.filter(chain__case=case, officer_id=officer_id).exists()
        ):
            continue
        name = Officer.objects.get(pk=officer_id).name
        yield _of_case(
            case,
            officer_id=officer_id,
            subject=f"marked_read:{case.pk}:{officer_id}",
            details=f"{name} 并非{case.label}的办案或审批人员，已在 {row['n']} 次登录中查阅其标记材料",
            facts={"case": case.pk, "officer": officer_id, "sessions": row["n"]},
        )


@finding_kind(
    "copy_without_form",
    title="无有效调用单复制记录",
    article="第三十二条",
    item="二",
    scope=Scope.CASES,
)
def copies_without_form(look: Look) -> Iterator[Raised]:
    """A copy package (a download link or a folder written) whose 调用单 was not approved by the
    局长 when it was made — impossible through the actions, checked anyway (rows written behind
    the application)."""
    packages = CopyPackage.objects.filter(
        request__agency_id=look.agency_id, request__case_id__in=look.cases or ()
    ).select_related("request__chain", "request__case")
    for p in packages:
        chain = p.request.chain
        decided = chain.decided_at
        if chain.status == ChainStatus.APPROVED and decided is not None and decided <= p.made_at:
            continue
        yield _of_case(
            p.request.case,
            officer_id=p.made_by_id,
            subject=f"package:{p.pk}",
            details=f"调用单 {p.request.number} 未经局长批准即向 {p.recipient} 制作了复制件包",
            facts={"package": p.pk, "request": p.request_id},
        )
