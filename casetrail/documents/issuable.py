"""Whether a record may be issued now: its approval chain (第六条) has passed and it is current."""

from __future__ import annotations

from django.db.models import Q

from casetrail.approvals.models import Chain, ChainStatus
from casetrail.lib.errors import ActionError
from casetrail.records.models import Record


def _versions(record: Record) -> list[int]:
    """The record and every version it corrects (a chain approves the version it was opened on)."""
    ids, current = [record.pk], record
    while current.replaces_id is not None:
        ids.append(current.replaces_id)
        current = Record.objects.only("replaces_id").get(pk=current.replaces_id)
    return ids


def check_issuable(record: Record) -> None:
    """Refuse a record that may not be issued yet: superseded by a correction, or whose approval
    chain (第六条) has not passed — the chain it opened or the chain whose step it is."""
    doc = record.doc
    if doc is None:
        raise ActionError("unknown_document", "该记录的文书类型不在文书目录中，不能印制")
    if record.replaced_by.exists():
        raise ActionError("record_superseded", "该记录已有更正后的版本，请印制最新版本")
    versions = _versions(record)
    chains = list(
        Chain.objects.filter(Q(record_id__in=versions) | Q(steps__record_id__in=versions))
        .distinct()
        .values_list("status", flat=True)
    )
    if doc.made_by != "handler" and not chains:
        raise ActionError("not_approved", f"{doc.title}尚未提交审批，不能签发")
    if chains and ChainStatus.APPROVED not in chains:
        raise ActionError(
            "not_approved", f"{doc.title}的审批尚未通过（第六条），不能签发", status=400
        )
