"""Writes of operations: the 恢复登记 (issue 15 item 5). Proposed by a 系统管理员, decided by the
负责人 (批准人) — two people, as every decision of the agency (第六条) — each a ledgered action."""

from __future__ import annotations

from django.utils import timezone

from casetrail.ledger.models import Ledger
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.lib.text import clean_text
from casetrail.ops.models import Recovery, RecoveryStatus
from casetrail.org.models import Officer, Role


class OpsAction(ActionName):
    RECOVERY_PROPOSE = "ops.recovery_propose"
    RECOVERY_DECIDE = "ops.recovery_decide"


def _text(value: str, *, where: str, field: str) -> str:
    value = clean_text(value, where=where, field=field, limit=2000)
    if not value:
        raise ActionError(f"{field}_required", f"请填写{where}", field=field)
    return value


def _checked_behind(behind: list[dict[str, object]]) -> list[dict[str, object]]:
    """The checkpoints the log fell behind of, as ``ops.recovery.behind_outside`` reads them."""
    out = []
    for item in behind:
        try:
            bytes.fromhex(str(item["root"]))
            out.append(
                {"who": str(item["who"]), "size": int(str(item["size"])), "root": item["root"]}
            )
        except (KeyError, TypeError, ValueError):
            raise ActionError("invalid_behind", "落后检查点的记录无效") from None
    return out


@action(OpsAction.RECOVERY_PROPOSE)
def recovery_propose(
    act: Act, /, *, by: Officer, reason: str, behind: list[dict[str, object]]
) -> Recovery:
    """登记恢复: after restoring a backup older than what the witnesses hold, a 系统管理员
    records why (the incident, the backup restored, what was re-entered) and which checkpoints the
    log fell behind of: ``behind``, read from the witnesses and the publication folder by
    ``ops.recovery.behind_outside`` *before* this transaction (a witness may take its timeout to
    answer; no write lock is held meanwhile)."""
    if not by.has_role(Role.ADMIN):
        raise ActionError("not_admin", "只有系统管理员可以提请恢复登记", status=403)
    reason = _text(reason, where="恢复经过", field="reason")
    ledger = Ledger.objects.filter(agency_id=by.agency_id).first()
    if ledger is None:
        raise ActionError("no_ledger", "本机关尚无记录日志")
    if Recovery.objects.filter(agency_id=by.agency_id, status=RecoveryStatus.PROPOSED).exists():
        raise ActionError("recovery_pending", "已有待批准的恢复登记，请先由负责人批准或不予批准")
    if not behind:
        raise ActionError(
            "no_rollback", "日志与见证方、公布的检查点一致（或无法连接见证方），无需登记恢复"
        )
    recovery = Recovery.objects.create(
        agency_id=by.agency_id,
        size=ledger.size,
        behind=_checked_behind(behind),
        reason=reason,
        proposed_by=by,
        proposed_at=timezone.now(),
    )
    act.record(agency=by.agency_id, actor=by, subject=f"recovery:{recovery.pk}", rows=[recovery])
    return recovery


@action(OpsAction.RECOVERY_DECIDE)
def recovery_decide(
    act: Act, /, *, by: Officer, recovery: Recovery, approve: bool, opinion: str
) -> Recovery:
    """The 负责人 approves the recovery (verify then notes the checkpoints it names instead of
    reporting a rollback) or refuses it (the rollback stays a finding). Not by its proposer."""
    if not by.has_role(Role.APPROVER) or by.agency_id != recovery.agency_id:
        raise ActionError("not_approver", "恢复登记须由本机关负责人（批准人）批准", status=403)
    if by.pk == recovery.proposed_by_id:
        raise ActionError("own_proposal", "不能批准本人提请的恢复登记（第六条）", status=403)
    opinion = _text(opinion, where="意见", field="opinion")
    row = Recovery.objects.select_for_update(no_key=True).get(pk=recovery.pk)
    if row.status != RecoveryStatus.PROPOSED:
        raise ActionError("recovery_decided", f"该恢复登记已{row.get_status_display()}")
    row.status = RecoveryStatus.APPROVED if approve else RecoveryStatus.REFUSED
    row.decided_by, row.decided_at, row.opinion = by, timezone.now(), opinion
    row.save(update_fields=["status", "decided_by", "decided_at", "opinion"])
    act.record(agency=row.agency_id, actor=by, subject=f"recovery:{row.pk}", rows=[row])
    return row
