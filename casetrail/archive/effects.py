"""What happens when an archive chain ends (registered with ``approvals.kinds`` from
``ArchiveConfig.ready()``): 归档审批 archives the 案卷 and moves the case to 已归档; 附卷审批 makes
a new archived version; 档案销毁审批 writes the 销毁清册 entry. Each runs inside the deciding
action (``approval_decide``), whose ledger entry carries the rows it returns. The 附卷 version's
案卷 PDF is rendered and stored before that transaction (``addition_prepare``, registered with
``approvals.kinds.register_prepare``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model
from django.utils import timezone

from casetrail.approvals.models import Chain
from casetrail.archive.assembly import Proposed
from casetrail.archive.disposal import blobs_to_destroy
from casetrail.archive.guards import (
    attachment_of,
    check_destroyable,
    current_file,
    dispose_after,
    locked_file,
)
from casetrail.archive.models import Addition, CaseFile, Destruction, FileStatus, ItemKind
from casetrail.archive.writes import render_before, write_version
from casetrail.cases.models import Stage
from casetrail.cases.writes import locked, move_stage
from casetrail.evidence.writes import destroy_blobs
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import step
from casetrail.org.models import Officer


@step
def archiving_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    """Effect of the 归档审批: approved, the 案卷 is archived (检查人: who confirmed it) and the case
    enters 已归档; refused, the 案卷 returns to 立卷中 for the custodian to fix and resubmit."""
    case_file = locked_file(CaseFile.objects.get(chain=chain))
    if not approved:
        case_file.status = FileStatus.DRAFT
        case_file.save(update_fields=["status"])
        return [case_file]
    case = locked(chain.case)
    if case.stage != Stage.CLOSED:
        raise ActionError("case_not_closed", "案件不在结案阶段，不能归档")
    chain.save(update_fields=["status", "decided_at"])  # decided, not pending
    case_file.status = FileStatus.ARCHIVED
    case_file.checked_by = officer
    case_file.archived_at = now
    case_file.dispose_after = dispose_after(case_file.retention, now)
    case_file.save(update_fields=["status", "checked_by", "archived_at", "dispose_after"])
    change = move_stage(
        case=case,
        officer=officer,
        to_stage=Stage.ARCHIVED,
        reason="归档审批经承办机构负责人确认",
        now=now,
    )
    case.save()
    return [case_file, change, case]


def archiving_consequence(chain: Chain) -> tuple[str, list[str]]:
    return "案卷归档，案件进入“已归档”阶段，此后只能经审批附卷（第三十条）", []


def _addition(addition: Addition, officer: Officer) -> tuple[list[Proposed], str]:
    """The new version's 附件 (the archived version's, then the approved material) and its reason,
    as the approval by ``officer`` makes them (``addition_ended`` and ``addition_prepare`` alike)."""
    previous = addition.case_file
    carried = [attachment_of(i) for i in previous.items.filter(kind=ItemKind.ATTACHMENT)]
    added = Proposed(
        kind=ItemKind.ATTACHMENT,
        group="other",
        blob=addition.blob,
        title=addition.title,
        responsible=addition.responsible,
        date=addition.date,
        pages=addition.pages,
        reason=addition.reason,
        note="附卷",
    )
    return [*carried, added], f"附卷“{addition.title}”经{officer.name}批准（{addition.reason}）"


def _still_current(case_file: CaseFile) -> bool:
    """Whether ``case_file`` is still its case's archived 案卷 (no newer version since the 附卷
    was proposed): what the effect requires, and what its preparation checks first."""
    current = current_file(case_file.case)
    return (
        current is not None
        and current.pk == case_file.pk
        and case_file.status == FileStatus.ARCHIVED
    )


def addition_prepare(*, chain: Chain, officer: Officer) -> dict[str, Any]:
    """Before the deciding transaction of the 附卷审批's last approval (``lib.outside``, issue
    18): the new version's 案卷 PDF rendered and stored as ``addition_ended`` will most likely
    write it (``archive.writes.render_before``); nothing when the file changed (the effect then
    refuses). ``write_version`` compares what it prints under the locks and renders again inside
    only if that changed."""
    addition = Addition.objects.select_related("case_file", "case_file__case", "blob").get(
        chain=chain
    )
    previous = addition.case_file
    if not _still_current(previous):
        return {}
    attachments, reason = _addition(addition, officer)
    return render_before(
        case=previous.case,
        officer=previous.assembled_by,
        previous=previous,
        attachments=attachments,
        reason=reason,
    )


@step
def addition_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    """Effect of the 附卷审批: approved, a new archived version of the 案卷 holds the material
    after the earlier 附件, its 备考表 says so; the old version stays (superseded). Refused:
    nothing is added. Its PDF was stored before the transaction (``addition_prepare``) unless
    what it prints changed meanwhile."""
    if not approved:
        return []
    addition = Addition.objects.select_related("case_file", "blob").get(chain=chain)
    previous = locked_file(addition.case_file)
    addition.case_file = previous
    if not _still_current(previous):
        raise ActionError("file_changed", "该案卷已有更新的版本，请在最新版本上附卷")
    chain.save(update_fields=["status", "decided_at"])  # decided, not pending
    attachments, reason = _addition(addition, officer)
    previous.status = FileStatus.SUPERSEDED
    previous.save(update_fields=["status"])
    case_file, items, counter = write_version(
        case=previous.case,
        officer=previous.assembled_by,
        now=now,
        previous=previous,
        attachments=attachments,
        reason=reason,
    )
    case_file.status = FileStatus.ARCHIVED
    case_file.checked_by = officer
    case_file.archived_at = now
    case_file.dispose_after = previous.dispose_after
    case_file.save(update_fields=["status", "checked_by", "archived_at", "dispose_after"])
    rows: list[Model] = [previous, case_file.pdf, case_file, *items]  # type: ignore[list-item]
    return rows + ([counter] if counter is not None else [])


def addition_consequence(chain: Chain) -> tuple[str, list[str]]:
    return "附卷材料列入案卷，案卷生成新版本（备考表注明），原版本保留（第三十条）", []


@step
def destruction_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    """Effect of the 销毁审批: approved (by the second person), checked again — a legal hold
    placed meanwhile refuses it — then the 销毁清册 entry, the file marked destroyed and the bytes
    of the material only this case holds recorded as destroyed (``DestroyedBlob``) and deleted
    from the store once the deciding action has committed (a blob another case, record, document
    or package still names is kept)."""
    if not approved:
        return []
    case_file = current_file(chain.case)
    if case_file is None:
        raise ActionError("file_not_archived", "该案件没有可销毁的案卷")
    case_file = locked_file(case_file)
    check_destroyable(case_file, timezone.localdate(now))
    chain.save(update_fields=["status", "decided_at"])
    files = [
        {
            "seq": i.seq,
            "title": i.title,
            "sha256": i.blob.sha256,
            "sm3": i.blob.sm3,
            "size": i.blob.size,
        }
        for i in case_file.items.select_related("blob").order_by("seq")
    ]
    row = Destruction.objects.create(
        case_file=case_file,
        chain=chain,
        archive_code=case_file.archive_code,
        title=case_file.title,
        retention=case_file.retention,
        appraisal=str(chain.record.fields.get("appraisal", "")),
        files=files,
        proposed_by=chain.proposer,
        approved_by=officer,
        at=now,
    )
    case_file.status = FileStatus.DESTROYED
    case_file.save(update_fields=["status"])
    gone = destroy_blobs(
        blobs=blobs_to_destroy(case_file.case),
        agency_id=case_file.agency_id,
        destroyed_by=f"archive.destruction:{row.pk}",
        now=now,
    )
    return [row, case_file, *gone]


def destruction_consequence(chain: Chain) -> tuple[str, list[str]]:
    f = current_file(chain.case)
    try:
        if f is not None:
            check_destroyable(f, timezone.localdate())
        rules: list[str] = []
    except ActionError as err:
        rules = [err.message]
    return "案卷销毁，列入销毁清册（清册及其日志条目永久保存）", rules
