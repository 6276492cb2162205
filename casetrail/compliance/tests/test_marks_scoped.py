"""A worklist refreshes only the deadline marks bearing on what it reads (issue 18, pages): a
handler's, the cases assigned to them; a supervisor's, their agency's. Whatever other agencies and
other handlers did since the scheduler's last pass is not computed on their page view."""

from __future__ import annotations

from typing import Any

from casetrail.compliance import stored
from casetrail.compliance.models import CaseDeadlineDirty
from casetrail.conftest import case_input, client_for, start_ex_officio
from casetrail.start.actions import case_start_ex_officio


def _other_agency_case(personas: Any, other_agency: Any) -> Any:
    ma = other_agency["ma"]
    return case_start_ex_officio(
        officer=ma,
        data=case_input(personas, unit=ma.unit, officers=[ma, other_agency["niu"]]),
        reason="群众举报，经初步核实存在违法嫌疑",
        party_facts="周某，个体经营者",
        opinion="建议立案调查",
    )


def marked() -> set[int]:
    return set(CaseDeadlineDirty.objects.values_list("case_id", flat=True))


def test_it_refreshes_a_handlers_own_cases_on_their_worklist(
    personas: Any, other_agency: Any
) -> None:
    theirs = start_ex_officio(personas)  # 张承办 and 李承办's
    elsewhere = _other_agency_case(personas, other_agency)
    assert marked() == {theirs.pk, elsewhere.pk}
    assert client_for("zhang").get("/").status_code == 200
    assert marked() == {elsewhere.pk}  # another agency's case waits for the minute job


def test_it_leaves_other_handlers_cases_to_their_readers(personas: Any, other_agency: Any) -> None:
    elsewhere = _other_agency_case(personas, other_agency)
    stored.refresh_marked()
    stored.mark_case(elsewhere.pk)
    assert stored.refresh_marked(officer=personas["zhang"]) == 0
    assert stored.refresh_marked(officer=other_agency["ma"]) == 1
    assert marked() == set()


def test_it_refreshes_the_agencys_cases_on_the_supervisors_worklist(
    personas: Any, other_agency: Any
) -> None:
    ours = start_ex_officio(personas)
    elsewhere = _other_agency_case(personas, other_agency)
    assert client_for("sun").get("/").status_code == 200
    assert marked() == {elsewhere.pk}
    assert stored.refresh_marked() == 1  # the scheduler's pass takes every mark
    assert marked() == set()
    assert not CaseDeadlineDirty.objects.filter(case=ours).exists()
