"""Writes of the archive (第三十、三十一条; 行政处罚法第四十七条). Every public function is a
ledgered action (``casetrail.lib.ledgered``): 立卷 (a new 案卷 version), a 附件 added with its
reason, a 四性检测 report stored, the 归档 proposal (a chain: custodian → the handling unit's head),
the archive package recorded, the 移交, and the agency's archive settings.

The heavy work — hashing every byte for the 四性检测, writing the package — runs before the action
(``casetrail.archive.service``), so an action's transaction stays short; the action checks again
what may have changed and writes the rows with their one ledger entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db.models import Model
from django.utils import timezone

from casetrail.approvals.models import Chain, StepRole
from casetrail.approvals.writes import open_chain
from casetrail.archive.assembly import Proposed
from casetrail.archive.checks import Result
from casetrail.archive.guards import (
    ADDITION_KIND,
    ADDITION_PROPOSAL,
    CHAIN_KIND,
    DESTRUCTION_KIND,
    DESTRUCTION_PROPOSAL,
    PROPOSAL,
    attachment_of,
    check_assemblable,
    check_destroyable,
    current_file,
    failures_of,
    latest_report,
    locked_file,
    require_custodian,
    require_hold_keeper,
)
from casetrail.archive.models import (
    Addition,
    ArchiveSettings,
    CaseFile,
    CheckReport,
    CheckResult,
    FileStatus,
    FixityCheck,
    HoldKind,
    HoldRelease,
    ItemKind,
    LegalHold,
    Package,
    Retention,
    Transfer,
    Use,
    UseKind,
    UseReturn,
)
from casetrail.archive.policy import GROUPS, Policy
from casetrail.archive.render import file_page_count
from casetrail.archive.writes import foreseen, render_before, store_file, write_version
from casetrail.cases.models import Case
from casetrail.cases.writes import locked
from casetrail.evidence.models import Blob
from casetrail.evidence.storage import upload_path_before, uploaded_path
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action, current_action, step
from casetrail.lib.text import clean_text
from casetrail.org.models import Officer, Role
from casetrail.records.writes import add_record


class ArchiveAction(ActionName):
    ASSEMBLE = "archive.assemble"
    ATTACH = "archive.attach"
    CHECK = "archive.check"
    SUBMIT = "archive.submit"
    PACKAGE = "archive.package"
    TRANSFER = "archive.transfer"
    SETTINGS = "archive.settings"
    FIXITY = "archive.fixity"
    USE = "archive.use"
    USE_RETURN = "archive.use_return"
    ADDITION = "archive.addition"
    HOLD = "archive.hold"
    HOLD_RELEASE = "archive.hold_release"
    DESTRUCTION = "archive.destruction"


def _ledger(act: Act, case_file: CaseFile, actor: Officer | None, *rows: Model) -> None:
    """The action's entry about a 案卷: its rows, under the case."""
    act.record(
        agency=case_file.agency_id,
        actor=actor,
        subject=f"case_file:{case_file.pk}",
        rows=list(rows),
        case=case_file.case_id,
    )


@step
def _proposal(
    *,
    case: Case,
    officer: Officer,
    kind: str,
    chain_kind: str,
    fields: dict[str, Any],
    opinion: str,
    plan: list[str],
    now: dt.datetime,
) -> tuple[Chain, list[Model]]:
    """The proposal's record and its chain (第六条): returns the chain and the rows to ledger."""
    record = add_record(case=case, kind=kind, officer=officer, fields=fields, now=now)
    chain, first = open_chain(
        case=case,
        kind=chain_kind,
        record=record,
        proposer=officer,
        opinion=opinion,
        requires_legal=False,
        plan=plan,
        now=now,
    )
    return chain, [record, chain, first]


def _pdf_upload(**kwargs: Any) -> dict[str, Any]:
    """Before the transaction (``lib.outside``): an uploaded PDF's pages counted from the local
    file (``{"pdf_pages": {path: count or None}}``: read from the store inside the transaction,
    that would be a download on S3), then the file moved into the blob store."""
    path = Path(kwargs["path"])
    with path.open("rb") as fh:
        if fh.read(5) != b"%PDF-":
            return {}  # not a PDF, not stored: refused by the action (not_a_pdf)
    pages = file_page_count(path)
    return {**upload_path_before(path), "pdf_pages": {str(path): pages}}


def _package_upload(**kwargs: Any) -> dict[str, Any]:
    """Before the transaction: the finished archive package moved into the blob store."""
    return upload_path_before(kwargs["path"], digests=kwargs.get("digests"))


@step
def _stored_pdf(*, agency_id: int, path: Any, what: str) -> tuple[Blob, int]:
    """An uploaded PDF (附件, 附卷 material) put in the blob store: (blob, page count). The hook
    (``_pdf_upload``) stored it and counted its pages before the transaction."""
    if uploaded_path(path) is None:  # else checked by the hook, which moved it into the store
        with open(path, "rb") as fh:
            if fh.read(5) != b"%PDF-":
                raise ActionError("not_a_pdf", f"{what}应为 PDF 文件", field="file")
    blob = store_file(agency_id=agency_id, path=path, media_type="application/pdf")
    act = current_action()
    pages = None if act is None else act.prepared.get("pdf_pages", {}).get(str(Path(path)))
    if pages is None:
        raise ActionError("not_a_pdf", f"{what}不是可读取的 PDF 文件", field="file")
    return blob, pages


def _new_version(
    act: Act,
    *,
    case: Case,
    officer: Officer,
    attachments: list[Proposed],
    reason: str,
    extra_rows: Sequence[Model] = (),
) -> CaseFile:
    previous = current_file(case)
    if previous is not None and previous.status != FileStatus.DRAFT:
        raise ActionError(
            "file_not_draft",
            f"本案案卷已{previous.get_status_display()}，不能重新立卷",
        )
    made = foreseen()
    now = made.now if made is not None else timezone.now()
    superseded: list[Model] = []
    if previous is not None:
        previous = locked_file(previous)
        previous.status = FileStatus.SUPERSEDED
        previous.save(update_fields=["status"])
        superseded.append(previous)
    case_file, items, counter = write_version(
        case=case,
        officer=officer,
        now=now,
        previous=previous,
        attachments=attachments,
        reason=reason,
    )
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"case_file:{case_file.pk}",
        rows=[
            *extra_rows,
            case_file.pdf,  # type: ignore[list-item]
            case_file,
            *items,
            *superseded,
            *([counter] if counter is not None else []),
        ],
        case=case.pk,
    )
    return case_file


def _assembly(case: Case, officer: Officer, reason: str) -> tuple[list[Proposed], str]:
    """What 立卷 puts in the new version besides the proposal: the 附件 carried over from the
    previous draft, and the reason. Refuses what ``archive_assemble`` refuses."""
    require_custodian(officer, case)
    check_assemblable(case)
    reason = clean_text(reason, where="立卷说明", field="reason", limit=300)
    previous = current_file(case)
    carried = (
        [attachment_of(i) for i in previous.items.filter(kind=ItemKind.ATTACHMENT)]
        if previous
        else []
    )
    return carried, reason or ("重新立卷" if previous else "")


def _assembled_before(**kwargs: Any) -> dict[str, Any]:
    """Before the transaction (``lib.outside``, #18): the new version's PDF rendered and stored
    as 立卷 will most likely write it (``render_before``); nothing when the action will refuse."""
    case = Case.objects.select_related("agency").get(pk=kwargs["case"].pk)
    officer: Officer = kwargs["officer"]
    try:
        carried, reason = _assembly(case, officer, kwargs.get("reason", ""))
    except ActionError:
        return {}  # refused by the action, with its own message
    previous = current_file(case)
    if previous is not None and previous.status != FileStatus.DRAFT:
        return {}
    return render_before(
        case=case, officer=officer, previous=previous, attachments=carried, reason=reason
    )


@action(ArchiveAction.ASSEMBLE, before=_assembled_before)
def archive_assemble(act: Act, /, *, case: Case, officer: Officer, reason: str = "") -> CaseFile:
    """立卷: the 案卷 as the system proposes it from the case's issued documents and its media,
    with the 附件 of the previous draft carried over; a new version replaces a draft. The PDF is
    rendered and stored before the transaction (``_assembled_before``) unless the case or the
    件号 foreseen changed meanwhile."""
    case = locked(case)
    carried, reason = _assembly(case, officer, reason)
    return _new_version(act, case=case, officer=officer, attachments=carried, reason=reason)


def _attachment_text(
    case: Case, officer: Officer, *, title: str, responsible: str, reason: str
) -> tuple[str, str, str]:
    """The 附件's 题名, 责任者 and reason as they will be kept. Refuses what ``archive_attach``
    refuses before it stores the file."""
    require_custodian(officer, case)
    check_assemblable(case)
    reason = clean_text(reason, where="附件理由", field="reason", limit=300)
    if not reason:
        raise ActionError("reason_required", "添加附件须说明理由", field="reason")
    title = clean_text(title, where="题名", field="title", limit=300)
    if not title:
        raise ActionError("title_required", "请填写附件题名", field="title")
    responsible = clean_text(responsible, where="责任者", field="responsible", limit=100)
    return title, responsible or case.agency.name, reason


def _with_attachment(
    case: Case, *, blob: Blob, pages: int, title: str, responsible: str, date: dt.date, reason: str
) -> tuple[list[Proposed], str]:
    """The new version's 附件 (the previous draft's, then this one) and the version's reason."""
    previous = current_file(case)
    carried = (
        [attachment_of(i) for i in previous.items.filter(kind=ItemKind.ATTACHMENT)]
        if previous
        else []
    )
    new = Proposed(
        kind=ItemKind.ATTACHMENT,
        group="other",
        blob=blob,
        title=title,
        responsible=responsible,
        date=date,
        pages=pages,
        reason=reason,
        note="附件",
    )
    return [*carried, new], f"添加附件“{title}”：{reason}"


def _attached_before(**kwargs: Any) -> dict[str, Any]:
    """Before the transaction (``lib.outside``, #18): the uploaded PDF moved into the blob store,
    then the new version's PDF rendered and stored as ``archive_attach`` will most likely write it
    (``render_before``); only the first when the action will refuse."""
    prepared = _pdf_upload(**kwargs)
    digests = prepared.get("paths", {}).get(str(Path(kwargs["path"])))
    if digests is None:
        return prepared  # not a PDF: refused by the action
    case = Case.objects.select_related("agency").get(pk=kwargs["case"].pk)
    officer: Officer = kwargs["officer"]
    try:
        title, responsible, reason = _attachment_text(
            case,
            officer,
            title=kwargs["title"],
            responsible=kwargs["responsible"],
            reason=kwargs["reason"],
        )
    except ActionError:
        return prepared  # refused by the action, with its own message
    previous = current_file(case)
    if previous is not None and previous.status != FileStatus.DRAFT:
        return prepared
    pages = prepared["pdf_pages"][str(Path(kwargs["path"]))]
    if pages is None:
        return prepared  # an unreadable PDF: refused by the action (not_a_pdf)
    blob = Blob(
        sha256=digests["sha256"],
        sm3=digests["sm3"],
        size=int(digests["size"]),
        media_type="application/pdf",
    )
    attachments, why = _with_attachment(
        case,
        blob=blob,
        pages=pages,
        title=title,
        responsible=responsible,
        date=kwargs["date"],
        reason=reason,
    )
    return {
        **prepared,
        **render_before(
            case=case, officer=officer, previous=previous, attachments=attachments, reason=why
        ),
    }


@action(ArchiveAction.ATTACH, before=_attached_before)
def archive_attach(
    act: Act,
    /,
    *,
    case: Case,
    officer: Officer,
    path: Any,
    title: str,
    responsible: str,
    date: dt.date,
    reason: str,
) -> CaseFile:
    """A 附件 the custodian adds (a PDF, e.g. a scanned paper document), with the reason it belongs
    in the file: a new draft version holding it after the documents. The file and the new
    version's PDF are stored before the transaction (``_attached_before``)."""
    case = locked(case)
    title, responsible, reason = _attachment_text(
        case, officer, title=title, responsible=responsible, reason=reason
    )
    blob, pages = _stored_pdf(agency_id=case.agency_id, path=path, what="附件")
    attachments, why = _with_attachment(
        case,
        blob=blob,
        pages=pages,
        title=title,
        responsible=responsible,
        date=date,
        reason=reason,
    )
    return _new_version(
        act, case=case, officer=officer, attachments=attachments, reason=why, extra_rows=[blob]
    )


@action(ArchiveAction.CHECK)
def archive_check_record(
    act: Act, /, *, case_file: CaseFile, officer: Officer, results: list[Result]
) -> CheckReport:
    """Store a 四性检测 report (run by ``service.check``): one row per result."""
    case_file = locked_file(case_file)
    require_custodian(officer, case_file.case)
    report = CheckReport.objects.create(
        case_file=case_file,
        passed=all(r.passed for r in results),
        by=officer,
        at=timezone.now(),
    )
    rows = CheckResult.objects.bulk_create(
        [
            CheckResult(
                report=report,
                aspect=r.aspect,
                code=r.code,
                title=r.title,
                target=r.target[:300],
                passed=r.passed,
                detail=r.detail[:500],
            )
            for r in results
        ]
    )
    _ledger(act, case_file, officer, report, *rows)
    return report


@action(ArchiveAction.SUBMIT)
def archive_submit(act: Act, /, *, case_file: CaseFile, officer: Officer, opinion: str) -> Chain:
    """归档审批 (第六条、第三十条): the custodian submits the checked 案卷; the handling unit's head
    confirms it is complete; the case then enters 已归档. Refused while the latest 四性检测 of this
    version did not pass (the failures named), or when the case is not closed or has open chains."""
    case = locked(case_file.case)
    case_file = locked_file(case_file)
    require_custodian(officer, case)
    check_assemblable(case)
    if case_file.status != FileStatus.DRAFT:
        raise ActionError("file_not_draft", f"该案卷{case_file.get_status_display()}，不能提交归档")
    failures = failures_of(latest_report(case_file))
    if failures:
        raise ActionError(
            "checks_failed",
            "四性检测未通过，不能归档：" + "；".join(failures[:10]),
            details=failures,
        )
    opinion = clean_text(opinion, where="立卷意见", field="opinion")
    now = timezone.now()
    chain, rows = _proposal(
        case=case,
        officer=officer,
        kind=PROPOSAL,
        chain_kind=CHAIN_KIND,
        fields={
            "archive_code": case_file.archive_code,
            "retention": case_file.get_retention_display(),
            "pieces": case_file.piece_count,
            "pages": case_file.pages,
            "media": case_file.media_count,
            "note": opinion,
        },
        opinion=opinion or "案卷已立卷并通过四性检测，提请归档",
        plan=[StepRole.REVIEW],
        now=now,
    )
    case_file.status, case_file.chain = FileStatus.SUBMITTED, chain
    case_file.save(update_fields=["status", "chain"])
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"chain:{chain.pk}",
        rows=[*rows, case_file],
        case=case.pk,
    )
    return chain


@action(ArchiveAction.PACKAGE, before=_package_upload)
def archive_package_record(
    act: Act,
    /,
    *,
    case_file: CaseFile,
    officer: Officer,
    path: Any,
    files: int,
    payload_bytes: int,
    digests: dict[str, str] | None = None,
) -> Package:
    """Record the archive package built by ``service.package`` (a finished tar of the bag at
    ``path``): moved into the blob store, its digests in this entry."""
    case_file = locked_file(case_file)
    require_custodian(officer, case_file.case)
    if case_file.status != FileStatus.ARCHIVED:
        raise ActionError("file_not_archived", "案卷归档后才能生成归档信息包")
    blob: Blob = store_file(
        agency_id=case_file.agency_id, path=path, media_type="application/x-tar"
    )
    package = Package.objects.create(
        case_file=case_file,
        blob=blob,
        files=files,
        payload_bytes=payload_bytes,
        by=officer,
        at=timezone.now(),
    )
    act.record(
        agency=case_file.agency_id,
        actor=officer,
        subject=f"package:{package.pk}",
        rows=[blob, package],
        case=case_file.case_id,
        package={"sha256": blob.sha256, "sm3": blob.sm3, "size": blob.size},
    )
    return package


@action(ArchiveAction.TRANSFER)
def archive_transfer(
    act: Act,
    /,
    *,
    package: Package,
    officer: Officer,
    receiver: str,
    receiver_person: str,
    note: str = "",
) -> Transfer:
    """移交: the package handed to the 档案馆, with who received it."""
    case_file = package.case_file
    require_custodian(officer, case_file.case)
    receiver = clean_text(receiver, where="接收单位", field="receiver", limit=100)
    receiver_person = clean_text(receiver_person, where="接收人", field="receiver_person", limit=50)
    if not receiver or not receiver_person:
        raise ActionError("receiver_required", "请填写接收单位和接收人", field="receiver")
    row = Transfer.objects.create(
        package=package,
        receiver=receiver,
        receiver_person=receiver_person,
        note=clean_text(note, where="备注", field="note", limit=300),
        by=officer,
        at=timezone.now(),
    )
    act.record(
        agency=case_file.agency_id,
        actor=officer,
        subject=f"package:{package.pk}",
        rows=[row],
        case=case_file.case_id,
        package={"sha256": package.blob.sha256},
    )
    return row


@action(ArchiveAction.SETTINGS)
def archive_settings_set(act: Act, /, *, officer: Officer, policy: Policy) -> ArchiveSettings:
    """The agency's archive settings (档号 parts, formats, order, 保管期限 rules): 系统管理员 or
    档案管理员; every change ledgered, the older settings kept."""
    if not (officer.has_role(Role.ADMIN) or officer.has_role(Role.CUSTODIAN)):
        raise ActionError("not_allowed", "只有系统管理员或档案管理员可以修改档案设置", status=403)
    for name in ("fonds_code", "category_code", "org_code"):
        value = getattr(policy, name)
        if not value or not str(value).replace("_", "").isalnum() or not str(value).isascii():
            raise ActionError("invalid_code", f"{name} 应为字母或数字", field=name)
    unknown = [g for g in policy.order if g not in GROUPS]
    if unknown:
        raise ActionError("invalid_order", f"未知的排列类别：{'、'.join(unknown)}", field="order")
    for rule in policy.retention_rules:
        if rule.get("period") not in Retention.values:
            raise ActionError(
                "invalid_retention", "保管期限应为 Y、D30 或 D10", field="retention_rules"
            )
    row = ArchiveSettings.objects.create(
        agency_id=officer.agency_id,
        fonds_code=policy.fonds_code,
        fonds_name=policy.fonds_name,
        category_code=policy.category_code,
        category_name=policy.category_name,
        org_code=policy.org_code,
        formats=policy.formats,
        order=policy.order,
        retention_rules=policy.retention_rules,
        set_by=officer,
        set_at=timezone.now(),
    )
    act.record(
        agency=officer.agency_id, actor=officer, subject=f"agency:{officer.agency_id}", rows=[row]
    )
    return row


@action(ArchiveAction.FIXITY)
def archive_fixity_record(
    act: Act, /, *, case_file: CaseFile, findings: list[str], blobs: int, bytes_read: int
) -> FixityCheck:
    """Record a scheduled fixity run over an archived 案卷 (the system acts: no officer)."""
    row = FixityCheck.objects.create(
        case_file=case_file,
        passed=not findings,
        blobs=blobs,
        bytes_read=bytes_read,
        findings=findings,
        at=timezone.now(),
    )
    _ledger(act, case_file, None, row)
    return row


def _archived(case_file: CaseFile) -> None:
    if case_file.status != FileStatus.ARCHIVED:
        raise ActionError("file_not_archived", "只有已归档的案卷可以登记利用")


@action(ArchiveAction.USE)
def archive_use_record(
    act: Act,
    /,
    *,
    case_file: CaseFile,
    officer: Officer,
    kind: str,
    user_name: str,
    purpose: str,
    approved_by: str,
    user_org: str = "",
    due_back: dt.date | None = None,
    source: str = "",
) -> Use:
    """登记一次利用 (第三十一条): 查阅, 借阅 (with the date due back) or 复制 — who, why, approved by
    whom. The custodian registers it; the copies app (第三十二条) calls it for the copies it makes
    of an archived file (``source`` names its own record)."""
    if officer.agency_id != case_file.agency_id:
        raise ActionError("not_allowed", "不是本机关人员", status=403)
    if not (officer.has_role(Role.CUSTODIAN) or source):
        raise ActionError("not_custodian", "档案利用由档案管理员登记", status=403)
    _archived(case_file)
    if kind not in UseKind.values:
        raise ActionError("invalid_use_kind", "利用方式应为查阅、借阅或复制", field="kind")
    user_name = clean_text(user_name, where="利用人", field="user_name", limit=60)
    purpose = clean_text(purpose, where="利用目的", field="purpose", limit=300)
    approved_by = clean_text(approved_by, where="批准人", field="approved_by", limit=60)
    missing = [
        label
        for label, value in (("利用人", user_name), ("利用目的", purpose), ("批准人", approved_by))
        if not value
    ]
    if missing:
        raise ActionError("use_incomplete", "请填写" + "、".join(missing), field="user_name")
    if kind == UseKind.BORROW and due_back is None:
        raise ActionError("due_back_required", "借阅须填写应归还日期", field="due_back")
    if due_back is not None and due_back < timezone.localdate():
        raise ActionError("due_back_past", "应归还日期不能早于今天", field="due_back")
    row = Use.objects.create(
        case_file=case_file,
        kind=kind,
        user_name=user_name,
        user_org=clean_text(user_org, where="利用人单位", field="user_org", limit=100),
        purpose=purpose,
        approved_by=approved_by,
        due_back=due_back if kind == UseKind.BORROW else None,
        source=source[:40],
        by=officer,
        at=timezone.now(),
    )
    _ledger(act, case_file, officer, row)
    return row


@action(ArchiveAction.USE_RETURN)
def archive_use_return(act: Act, /, *, use: Use, officer: Officer, note: str = "") -> UseReturn:
    """A borrowed file returned; refused for a use that is not a 借阅 or already returned."""
    require_custodian(officer, use.case_file.case)
    if use.kind != UseKind.BORROW:
        raise ActionError("not_borrowed", "只有借阅需要登记归还")
    if UseReturn.objects.filter(use=use).exists():
        raise ActionError("already_returned", "该借阅已登记归还")
    row = UseReturn.objects.create(
        use=use,
        by=officer,
        at=timezone.now(),
        note=clean_text(note, where="备注", field="note", limit=300),
    )
    _ledger(act, use.case_file, officer, row)
    return row


@action(ArchiveAction.ADDITION, before=_pdf_upload)
def archive_addition_propose(
    act: Act,
    /,
    *,
    case_file: CaseFile,
    officer: Officer,
    path: Any,
    title: str,
    responsible: str,
    date: dt.date,
    reason: str,
) -> Chain:
    """附卷 (第三十条): material found after archiving (a PDF), proposed by the custodian with its
    reason; the handling unit's head approves it (附卷审批) and the 案卷 gets a new version holding
    it, with a 备考表 note. Nothing is added before the approval."""
    case_file = locked_file(case_file)
    case = locked(case_file.case)
    require_custodian(officer, case)
    if case_file.status != FileStatus.ARCHIVED:
        raise ActionError("file_not_archived", "只有已归档的案卷可以附卷")
    reason = clean_text(reason, where="附卷理由", field="reason", limit=300)
    title = clean_text(title, where="题名", field="title", limit=300)
    if not reason or not title:
        raise ActionError("reason_required", "附卷须填写材料题名和附卷理由", field="reason")
    blob, pages = _stored_pdf(agency_id=case.agency_id, path=path, what="附卷材料")
    now = timezone.now()
    chain, rows = _proposal(
        case=case,
        officer=officer,
        kind=ADDITION_PROPOSAL,
        chain_kind=ADDITION_KIND,
        fields={"archive_code": case_file.archive_code, "title": title, "reason": reason},
        opinion=f"提请附卷：{title}。理由：{reason}",
        plan=[StepRole.REVIEW],
        now=now,
    )
    addition = Addition.objects.create(
        case_file=case_file,
        chain=chain,
        blob=blob,
        title=title,
        responsible=clean_text(responsible, where="责任者", field="responsible", limit=100)
        or case.agency.name,
        date=date,
        pages=pages,
        reason=reason,
        by=officer,
        at=now,
    )
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"chain:{chain.pk}",
        rows=[blob, *rows, addition],
        case=case.pk,
    )
    return chain


@action(ArchiveAction.HOLD)
def archive_hold_place(
    act: Act, /, *, case: Case, officer: Officer, kind: str, reason: str
) -> LegalHold:
    """诉讼保全 (行政诉讼、行政复议、执法监督): while it stands the case's files are not destroyed."""
    require_hold_keeper(officer, case)
    if kind not in HoldKind.values:
        raise ActionError("invalid_hold_kind", "类别应为行政诉讼、行政复议或执法监督", field="kind")
    reason = clean_text(reason, where="事由", field="reason", limit=300)
    if not reason:
        raise ActionError("reason_required", "请说明事由", field="reason")
    row = LegalHold.objects.create(
        case=case, kind=kind, reason=reason, by=officer, at=timezone.now()
    )
    act.record(
        agency=case.agency_id, actor=officer, subject=f"case:{case.pk}", rows=[row], case=case.pk
    )
    return row


@action(ArchiveAction.HOLD_RELEASE)
def archive_hold_release(
    act: Act, /, *, hold: LegalHold, officer: Officer, reason: str
) -> HoldRelease:
    require_hold_keeper(officer, hold.case)
    if HoldRelease.objects.filter(hold=hold).exists():
        raise ActionError("already_released", "该诉讼保全已解除")
    reason = clean_text(reason, where="解除理由", field="reason", limit=300)
    if not reason:
        raise ActionError("reason_required", "请说明解除理由", field="reason")
    row = HoldRelease.objects.create(hold=hold, reason=reason, by=officer, at=timezone.now())
    act.record(
        agency=hold.case.agency_id,
        actor=officer,
        subject=f"case:{hold.case_id}",
        rows=[row],
        case=hold.case_id,
    )
    return row


@action(ArchiveAction.DESTRUCTION)
def archive_destruction_propose(
    act: Act,
    /,
    *,
    case_file: CaseFile,
    officer: Officer,
    appraisal: str,
    today: dt.date | None = None,
) -> Chain:
    """鉴定 then 销毁: the custodian proposes destroying an expired 案卷 with the appraisal
    (鉴定意见); two people approve — the handling unit's head, then the 负责人."""
    case_file = locked_file(case_file)
    case = locked(case_file.case)
    require_custodian(officer, case)
    check_destroyable(case_file, timezone.localdate())
    appraisal = clean_text(appraisal, where="鉴定意见", field="appraisal")
    if not appraisal:
        raise ActionError("appraisal_required", "请填写鉴定意见", field="appraisal")
    now = timezone.now()
    chain, rows = _proposal(
        case=case,
        officer=officer,
        kind=DESTRUCTION_PROPOSAL,
        chain_kind=DESTRUCTION_KIND,
        fields={
            "archive_code": case_file.archive_code,
            "retention": case_file.get_retention_display(),
            "appraisal": appraisal,
        },
        opinion=f"经鉴定，提请销毁：{appraisal}",
        plan=[StepRole.REVIEW, StepRole.DECIDE],
        now=now,
    )
    act.record(
        agency=case.agency_id, actor=officer, subject=f"chain:{chain.pk}", rows=rows, case=case.pk
    )
    return chain
