"""No personal part of any field leaks (issue 13, 第三十三条): a person's ID number or phone number
typed into free text (a 询问笔录's place, a recording's description, a correction's reason) is
found by its pattern and masked, like the catalogue's personal fields, in every place a viewer who
may not see it reads the case — the case page's sections, the case, record and evidence APIs, the
ledger entry pages — and the exact entry bytes are not served to them at all. Viewers who may
not: the reviewer who is not assigned (王审核), the custodian of the closed case (刘档案), the
supervisor of a 涉密 case (孙监督), another agency's officer. The assigned handler sees it all."""

from __future__ import annotations

from typing import Any

import pytest

from casetrail.cases.hooks import SECTIONS
from casetrail.cases.models import Case
from casetrail.compliance.tests.builders import sigs
from casetrail.conftest import VALID_ID, client_for, film
from casetrail.ledger.models import LedgerEntry
from casetrail.records.actions import record_correct
from casetrail.records.tests.conftest import interview, to_closed, to_service

PHONE = "13912345678"
LANDLINE = "0356-6201234"
FREE_TEXT = f"周某家中（身份证号{VALID_ID}，电话{PHONE}，座机{LANDLINE}）"
SECRETS = (VALID_ID, PHONE, LANDLINE, "6201234")


@pytest.fixture
def leaky(open_case: Case, personas: dict[str, Any], evidence_store: Any) -> Case:
    """A case whose free text holds personal numbers in fields the catalogue does not call
    personal: the interview's place, a recording's description, a correction's reason."""
    record = interview(open_case, personas, place=FREE_TEXT)
    record.case = open_case
    record_correct(
        record=record,
        officer=personas["zhang"],
        fields={**record.fields, "read_back": True},
        reason=f"补记被询问人联系电话{PHONE}",
        signatures=sigs("interview_record"),
    )
    film(open_case, personas["zhang"], description=f"拍摄周某身份证{VALID_ID}及手机{PHONE}")
    return open_case


def test_it_masks_any_free_text_of_the_case_page(open_case: Case, personas: dict[str, Any]) -> None:
    """A text no panel knows to mask (a stage change's reason) is masked on the page, its print
    and the case API all the same."""
    from casetrail.cases.actions import case_advance
    from casetrail.decisions.tests.builders import notify

    notify(open_case, personas)
    reason = f"已电话{PHONE}通知当事人周某（身份证{VALID_ID}）"
    case_advance(case=open_case, officer=personas["zhang"], to_stage="decision", reason=reason)
    urls = [
        f"/cases/{open_case.pk}/section/timeline/",
        f"/cases/{open_case.pk}/print/timeline/",
        f"/api/cases/{open_case.pk}/",
    ]
    for who, sees in (("wang", False), ("zhang", True)):
        for url in urls:
            r = client_for(who).get(url)
            assert r.status_code == 200, url
            assert (PHONE in r.content.decode()) is sees, (who, url)
            assert (VALID_ID in r.content.decode()) is sees, (who, url)


def everything_shown(who: str, case: Case) -> list[tuple[str, int, str]]:
    """(url, status, body) of every place ``who`` may read the case from."""
    client = client_for(who)
    code = case.agency.credit_code
    urls = [f"/cases/{case.pk}/", f"/api/cases/{case.pk}/"]
    urls += [f"/cases/{case.pk}/section/{key}/" for key in SECTIONS]
    urls += [f"/api/records/{pk}/" for pk in case.records.values_list("pk", flat=True)]
    for item_id in case.evidence_links.values_list("item_id", flat=True):
        urls += [f"/evidence/{item_id}/", f"/api/evidence/{item_id}/"]
    for seq in LedgerEntry.objects.filter(case_ref=case.pk).values_list("seq", flat=True):
        urls += [f"/ledger/{code}/entries/{seq}/", f"/api/ledgers/{code}/entries/{seq}"]
    out = []
    for url in urls:
        r = client.get(url)
        out.append((url, r.status_code, r.content.decode()))
    return out


def assert_nothing_leaks(who: str, case: Case) -> None:
    shown = everything_shown(who, case)
    assert any(status == 200 for _, status, _ in shown), who  # they do read the case
    leaks = [(url, secret) for url, _, body in shown for secret in SECRETS if secret in body]
    assert not leaks, f"{who}: {leaks}"
    assert {status for _, status, _ in shown} <= {200, 404}, who


def assert_sees_it(who: str, case: Case) -> None:
    bodies = "".join(body for _, status, body in everything_shown(who, case) if status == 200)
    for secret in SECRETS:
        assert secret in bodies, (who, secret)


def test_it_masks_free_text_for_the_reviewer_not_assigned(leaky: Case) -> None:
    assert_nothing_leaks("wang", leaky)
    assert_sees_it("zhang", leaky)


def test_it_masks_free_text_for_the_custodian(leaky: Case, personas: dict[str, Any]) -> None:
    to_closed(to_service(leaky, personas), personas)
    assert_nothing_leaks("liu", leaky)
    assert_sees_it("li", leaky)


@pytest.mark.behind_the_application
def test_it_masks_free_text_for_the_supervisor_of_a_secret_case(leaky: Case) -> None:
    assert_sees_it("sun", leaky)  # an ordinary case: the supervisor reads it all
    Case.objects.filter(pk=leaky.pk).update(confidentiality="secret")
    assert_nothing_leaks("sun", leaky)


def test_it_shows_another_agency_nothing(leaky: Case, other_agency: dict[str, Any]) -> None:
    for _, status, body in everything_shown("ma", leaky):
        assert status == 404
        assert all(secret not in body for secret in SECRETS)


@pytest.fixture
def proposed(open_case: Case, personas: dict[str, Any], evidence_store: Any) -> Case:
    """A case in 审查决定 whose decision proposal states facts with a phone number in them, and
    whose reviewer noted the number he called."""
    from casetrail.approvals.actions import approval_decide
    from casetrail.compliance.tests.builders import advance, make
    from casetrail.decisions.tests.builders import notify, propose

    notify(open_case, personas)
    advance(open_case, personas, "decision")
    make(open_case, personas, "investigation_final_report")
    chain = propose(open_case, personas, facts=f"当事人周某（电话{PHONE}）未按规定备案。")
    approval_decide(
        chain=chain,
        officer=personas["wang"],
        outcome="approve",
        opinion=f"同意。已致电当事人{PHONE}及{LANDLINE}核实。",
    )
    return open_case


def chain_urls(case: Case) -> list[str]:
    chain_ids = case.chains.values_list("pk", flat=True)
    return [u for pk in chain_ids for u in (f"/approvals/{pk}/", f"/api/approvals/{pk}/")]


def test_it_masks_decision_proposals_and_opinions(proposed: Case) -> None:
    # 赵局长 decides the chain but is not assigned: he reads it with the numbers masked.
    for who in ("zhao",):
        shown = [(u, client_for(who).get(u)) for u in chain_urls(proposed)]
        assert all(r.status_code == 200 for _, r in shown), who
        leaks = [(u, s) for u, r in shown for s in SECRETS if s in r.content.decode()]
        assert not leaks, f"{who}: {leaks}"
    assert_nothing_leaks("zhao", proposed)
    assert_sees_it("zhang", proposed)
    for who in ("zhang", "sun"):
        bodies = "".join(client_for(who).get(u).content.decode() for u in chain_urls(proposed))
        assert PHONE in bodies and LANDLINE in bodies, who
