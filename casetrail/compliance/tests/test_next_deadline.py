"""The case overview's 下一期限 (issue 18): read from the stored rows when the case is not marked for
recomputation, from the live calendar when it is — the same line either way."""

from __future__ import annotations

from typing import Any

from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.models import CaseDeadlineDirty
from casetrail.compliance.stored import refresh_marked
from casetrail.conftest import approve_start, client_for, start_ex_officio


def expected_line(case: Any) -> str:
    open_ = sorted(
        (d for d in deadlines_of(case) if not d.done and not d.info), key=lambda d: d.due_at
    )
    assert open_, "the case has an open deadline"
    d = open_[0]
    return f"{d.title}：{d.due_at:%Y-%m-%d}{'（已逾期）' if d.overdue else ''}"


def test_it_shows_the_same_next_deadline_from_the_stored_rows_and_the_live_calendar(
    personas: Any,
) -> None:
    case = approve_start(start_ex_officio(personas), personas)
    line = expected_line(case)
    zhang = client_for("zhang")
    assert CaseDeadlineDirty.objects.filter(pk=case.pk).exists()  # just acted on: live
    assert line in zhang.get(f"/cases/{case.pk}/").content.decode()
    refresh_marked()
    assert not CaseDeadlineDirty.objects.filter(pk=case.pk).exists()  # now from the stored rows
    assert line in zhang.get(f"/cases/{case.pk}/").content.decode()
    assert line in client_for("sun").get(f"/cases/{case.pk}/").content.decode()
