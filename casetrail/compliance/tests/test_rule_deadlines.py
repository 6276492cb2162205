"""One rule's deadline for many cases read from the stored rows (the chains waiting for an
approver, the cases waiting for the custodian) is the deadline computing the rule gives — for a
case whose rows are current and for one marked for recomputation since its last action."""

from __future__ import annotations

from typing import Any

from casetrail.compliance import stored
from casetrail.compliance.engine import DEADLINES, CaseView
from casetrail.compliance.models import CaseDeadline, CaseDeadlineDirty
from casetrail.conftest import approve_start, start_ex_officio


def shown(d: Any) -> Any:
    return None if d is None else (d.rule, d.title, d.basis, d.due_at, d.done, d.overdue)


def test_it_reads_the_stored_deadline_the_rule_computes(open_case: Any) -> None:
    stored.refresh_marked()
    live = next(DEADLINES["CF60"].compute(CaseView(open_case)), None)
    assert live is not None  # an ordinary procedure, approved: 行政处罚法第六十条
    found = stored.rule_deadlines([open_case], "CF60")
    assert shown(found[open_case.pk]) == shown(live)
    assert found[open_case.pk].case is open_case
    # A rule giving this case nothing (it is not closed: no 立卷归档 deadline).
    assert stored.rule_deadlines([open_case], "R30a") == {open_case.pk: None}
    assert stored.rule_deadlines([], "CF60") == {}


def test_it_computes_a_marked_case_live(open_case: Any) -> None:
    stored.refresh_marked()
    stored.mark_case(open_case.pk)
    # The stored row says otherwise (as if an action had changed the case since).
    CaseDeadline.objects.filter(case=open_case, rule="CF60").update(title="旧的")
    found = stored.rule_deadlines([open_case], "CF60")
    live = next(DEADLINES["CF60"].compute(CaseView(open_case)), None)
    assert shown(found[open_case.pk]) == shown(live)
    assert CaseDeadlineDirty.objects.filter(pk=open_case.pk).exists()  # read, not refreshed


def test_it_reads_many_cases_in_chunks(personas: Any, monkeypatch: Any) -> None:
    cases = [approve_start(start_ex_officio(personas), personas) for _ in range(3)]
    stored.refresh_marked()
    stored.mark_case(cases[1].pk)
    monkeypatch.setattr(stored, "_CHUNK", 2)  # the custodian's thousands, in small
    found = stored.rule_deadlines(cases, "CF60")
    assert list(found) == [c.pk for c in cases]
    for case in cases:
        live = next(DEADLINES["CF60"].compute(CaseView(case)), None)
        assert shown(found[case.pk]) == shown(live)
