"""恢复登记 (issue 15 item 5): a restore older than what the witness cosigned stays a rollback
finding of `verify` until the administrator records the recovery and the 负责人 approves it; then
`verify` notes the acknowledged checkpoint instead, and the witness, having set the old checkpoint
aside, cosigns the log's new history again. Played against a real witness process."""

from __future__ import annotations

import pytest

from casetrail.conftest import client_for
from casetrail.ledger.checkpoints import checkpoint_create
from casetrail.ledger.models import Ledger, LedgerEntry
from casetrail.ledger.tests.test_rollback import delete_checkpoints, truncate, witnessed  # noqa: F401
from casetrail.ledger.tests.test_witness import witness  # noqa: F401 (fixture)
from casetrail.ledger.verify import verify
from casetrail.ledger.witness_server import forget_log
from casetrail.ledger.witnesses import is_witnessed
from casetrail.lib.errors import ActionError
from casetrail.ops.actions import recovery_propose
from casetrail.ops.models import Recovery
from casetrail.ops.recovery import behind_of
from casetrail.org.actions import token_issue

pytestmark = pytest.mark.behind_the_application


def restore_older(witnessed: dict) -> Ledger:  # noqa: F811
    """What restoring the backup taken at the first checkpoint looks like: the log, its rows and
    its checkpoints as they were then; the witness still holds the second."""
    ledger = witnessed["ledger"]
    truncate(ledger, witnessed["first"].size, rows=True)
    delete_checkpoints(ledger, above=witnessed["first"].size)
    return Ledger.objects.get(pk=ledger.pk)


def test_it_keeps_a_rollback_a_finding_until_an_approved_recovery_acknowledges_it(
    witnessed,  # noqa: F811 (fixture)
    witness,  # noqa: F811 (fixture)
    personas,
):
    ledger = restore_older(witnessed)
    second = witnessed["second"]
    assert any("restored from an older backup" in f for f in verify().findings)

    # Who may read and propose: the administrator proposes; the director decides; the
    # supervisor reads; a handler or the reviewer may not look.
    for who, status in [("zhang", 403), ("wang", 403), ("sun", 200), ("zhao", 200)]:
        assert client_for(who).get("/ops/recovery/").status_code == status, who
    assert client_for("zhao").post("/ops/recovery/", {"reason": "x"}).status_code == 403
    assert client_for("admin").post("/ops/recovery/", {"reason": ""}).status_code == 400
    assert not Recovery.objects.exists()
    r = client_for("admin").post(
        "/ops/recovery/", {"reason": "11月30日服务器磁盘损坏，恢复前一日备份；其后记录已重新录入"}
    )
    assert r.status_code == 302
    recovery = Recovery.objects.get()
    assert recovery.behind == [
        {"who": "witness witness.test/w1", "size": second.size, "root": second.root.hex()}
    ]
    entry = LedgerEntry.objects.filter(action="ops.recovery_propose").get()
    assert entry.subject == f"recovery:{recovery.pk}"
    # Proposed is not approved: still a finding.
    # (The proposal's own entry made the log as long as the witness's tree: another root now.)
    findings = verify().findings
    assert any("differ from the checkpoint witness" in f for f in findings), findings

    page = f"/ops/recovery/{recovery.pk}/"
    decide = {"approve": "1", "opinion": "经核实，同意登记"}
    assert client_for("admin").post(page, decide).status_code == 403  # not the proposer
    assert client_for("sun").post(page, decide).status_code == 403
    assert client_for("zhao").post(page, {"approve": "1", "opinion": ""}).status_code == 400
    assert client_for("zhao").post(page, decide).status_code == 302
    recovery.refresh_from_db()
    assert recovery.status == "approved" and recovery.decided_by == personas["zhao"]

    report = verify()
    assert report.intact, report.findings
    assert any(f"acknowledged by recovery #{recovery.pk}" in n for n in report.notes), report.notes

    # The witness refuses the new history until its operator sets the old checkpoint aside.
    more = lambda: token_issue(by=personas["zhang"], officer=personas["zhang"])  # noqa: E731
    more(), more()
    refused = checkpoint_create(ledger=Ledger.objects.get(pk=ledger.pk))
    assert not is_witnessed(refused)
    assert forget_log(witness.state, ledger.origin) is not None
    more()
    accepted = checkpoint_create(ledger=Ledger.objects.get(pk=ledger.pk))
    assert is_witnessed(accepted)


def test_it_refuses_a_recovery_when_nothing_was_lost(witnessed, personas):  # noqa: F811
    before = (Recovery.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(ActionError) as err:
        recovery_propose(
            by=personas["admin"], reason="演练", behind=behind_of(personas["admin"].agency_id)
        )
    assert err.value.code == "no_rollback"
    with pytest.raises(ActionError) as err:
        recovery_propose(by=personas["zhang"], reason="演练", behind=[])
    assert err.value.code == "not_admin"
    with pytest.raises(ActionError) as err:
        recovery_propose(by=personas["admin"], reason="演练", behind=[{"who": "w", "size": 3}])
    assert err.value.code == "invalid_behind"
    assert (Recovery.objects.count(), LedgerEntry.objects.count()) == before
