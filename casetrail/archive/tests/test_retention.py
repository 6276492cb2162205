"""Retention: the disposal date follows 保管期限; destruction only once it has passed, after two
people approve (the unit head, then the 负责人), refused while a legal hold stands — both ways; the
销毁清册 and its ledger entries stay."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from casetrail.approvals.actions import approval_decide
from casetrail.archive import actions
from casetrail.archive.models import Destruction, FileStatus
from casetrail.archive.tests.builders import archived_case
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError

pytestmark = pytest.mark.django_db


def _after(f) -> dt.datetime:
    assert f.dispose_after is not None
    return timezone.make_aware(
        dt.datetime.combine(f.dispose_after, dt.time(10)) + dt.timedelta(days=2)
    )


def test_it_sets_the_disposal_date_from_the_retention_period(personas, evidence_store):
    f = archived_case(personas)  # 简易程序: 10年
    assert f.retention == "D10"
    assert f.dispose_after == dt.date(timezone.localdate(f.archived_at).year + 10, 12, 31)


def test_it_destroys_an_expired_file_after_two_approvals(personas, evidence_store):
    f = archived_case(personas)
    liu = personas["liu"]
    with pytest.raises(ActionError) as err:
        actions.archive_destruction_propose(
            case_file=f, officer=liu, appraisal="保管期满，无保存价值"
        )
    assert err.value.code == "retention_not_expired"
    with time_machine.travel(_after(f), tick=False):
        chain = actions.archive_destruction_propose(
            case_file=f, officer=liu, appraisal="保管期满，经鉴定无继续保存价值"
        )
        approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="同意")
        f.refresh_from_db()
        assert f.status == FileStatus.ARCHIVED  # one approval is not enough
        approval_decide(
            chain=chain, officer=personas["zhao"], outcome="approve", opinion="同意销毁"
        )
    f.refresh_from_db()
    assert f.status == FileStatus.DESTROYED
    entry = Destruction.objects.get(case_file=f)
    assert (
        entry.approved_by == personas["zhao"]
        and entry.files
        and entry.archive_code == f.archive_code
    )
    assert LedgerEntry.objects.filter(canonical__contains='"archive.Destruction"').exists()
    from casetrail.ledger.verify import verify

    assert verify().intact  # every row as its last ledger entry says


def test_it_refuses_destruction_during_a_legal_hold_both_ways(personas, evidence_store):
    f = archived_case(personas)
    liu, sun = personas["liu"], personas["sun"]
    hold = actions.archive_hold_place(
        case=f.case, officer=sun, kind="review", reason="当事人申请行政复议"
    )
    with time_machine.travel(_after(f), tick=False):
        with pytest.raises(ActionError) as err:
            actions.archive_destruction_propose(case_file=f, officer=liu, appraisal="保管期满")
        assert err.value.code == "legal_hold" and "行政复议" in err.value.message
        actions.archive_hold_release(hold=hold, officer=sun, reason="复议决定维持，已生效")
        chain = actions.archive_destruction_propose(case_file=f, officer=liu, appraisal="保管期满")
        approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="同意")
        # A hold placed while the chain runs refuses the last approval; nothing is destroyed.
        actions.archive_hold_place(case=f.case, officer=liu, kind="litigation", reason="当事人起诉")
        with pytest.raises(ActionError) as err:
            approval_decide(
                chain=chain, officer=personas["zhao"], outcome="approve", opinion="同意"
            )
        assert err.value.code == "legal_hold"
    f.refresh_from_db()
    assert f.status == FileStatus.ARCHIVED and not Destruction.objects.exists()
    with pytest.raises(ActionError) as err:
        actions.archive_hold_place(
            case=f.case, officer=personas["zhang"], kind="review", reason="x"
        )
    assert err.value.status == 403


def test_it_places_and_lifts_holds_on_the_archive_page(personas, evidence_store):
    from casetrail.conftest import client_for

    f = archived_case(personas)
    url = f"/cases/{f.case_id}/archive/"
    r = client_for("sun").post(url + "holds/", {"kind": "litigation", "reason": "当事人起诉"})
    assert r.status_code == 302
    r = client_for("zhang").post(url + "holds/", {"kind": "litigation", "reason": "x"})
    assert r.status_code == 403
    page = client_for("liu").get(url).content.decode()
    assert "当事人起诉" in page and "解除" in page
    hold = f.case.legal_holds.get()
    r = client_for("liu").post(url + f"holds/{hold.pk}/release/", {"reason": "判决生效"})
    assert r.status_code == 302 and f.case.legal_holds.filter(released__isnull=False).exists()
    with time_machine.travel(_after(f), tick=False):
        assert "保管期满待鉴定" in client_for("liu").get("/").content.decode()
        r = client_for("liu").post(url + "destruction/", {"appraisal": "保管期满，无保存价值"})
        assert r.status_code == 302
    assert f.case.chains.filter(kind="archive_destruction", status="pending_review").exists()
