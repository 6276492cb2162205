"""公示 of 行政处罚 decisions (国办发〔2018〕118号; 行政处罚法第四十八条; issue 16 item 5): the public
text with personal data removed by rule, refused while an ID number or a phone remains, approved
by the 负责人 and so published within the 7 working days on the worklists, withdrawn within 3
working days of the decision being changed, taken down after its period; the public pages and
feed need no login and show nothing else."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.tests.builders import sigs
from casetrail.conftest import VALID_ID, client_for
from casetrail.documents.issuing import issue
from casetrail.documents.tests.builders import stand_in_pages
from casetrail.ledger.models import LedgerEntry
from casetrail.oversight.actions import publication_policy_set
from casetrail.oversight.models import Finding, Publication
from casetrail.oversight.refresh import refresh
from casetrail.oversight.tests.builders import post
from casetrail.records.actions import record_correct

FACTS = "周某（电话13912345678，住山西省晋城市陵川县崇文镇某街12号）未经备案开展养老服务"


@pytest.fixture
def unissued(serving: Any) -> Any:
    """The 行政执法决定书 of a case in 送达执行, corrected so its facts name the party's phone and
    address (as a careless draft might); not issued yet, so without a 文号."""
    original = serving.records.get(kind="administrative_decision")
    return record_correct(
        record=original,
        officer=serving.assignments.first().officer,
        fields={"facts": FACTS},
        reason="补充违法事实",
        signatures=sigs("administrative_decision"),
    )


@pytest.fixture
def decision(unissued: Any, monkeypatch: Any) -> Any:
    """That decision issued: its 文号 drawn from the register (the pages stood in for)."""
    stand_in_pages(monkeypatch)
    issue(record=unissued, officer=unissued.case.assignments.first().officer)
    return unissued


def test_it_refuses_to_publish_a_decision_not_issued_yet(unissued: Any) -> None:
    entries = LedgerEntry.objects.count()
    r = prepare(unissued)
    assert r.status_code == 400 and r.json()["code"] == "not_issued"
    assert LedgerEntry.objects.count() == entries and not Publication.objects.exists()


def prepare(decision: Any, who: str = "zhang", **body: Any) -> Any:
    return post(who, "/api/publications/", {"decision": decision.pk, **body})


def gs(case: Any, rule: str) -> list[Any]:
    return [d for d in deadlines_of(case) if d.rule == rule]


def test_it_generates_the_public_text_without_personal_data(decision: Any) -> None:
    r = prepare(decision)
    assert r.status_code == 201, r.content
    text = r.json()["text"]
    assert "周某" in text and "未经备案开展养老服务" in text
    for secret in ("13912345678", "崇文镇某街12号", VALID_ID):
        assert secret not in text
    assert r.json()["state"] == "draft"
    assert LedgerEntry.objects.order_by("-pk").first().action == "oversight.publication_prepare"


@pytest.mark.parametrize(
    "edited, left",
    [("当事人电话 13912345678", "电话号码"), (f"当事人身份证 {VALID_ID}", "身份证件号码")],
)
def test_it_refuses_a_text_that_still_holds_an_id_number_or_a_phone(
    decision: Any, edited: str, left: str
) -> None:
    entries = LedgerEntry.objects.count()
    r = prepare(decision, text=edited)
    assert r.status_code == 400 and r.json()["code"] == "personal_data_in_text"
    assert left in r.json()["message"]
    assert LedgerEntry.objects.count() == entries and not Publication.objects.exists()


def test_it_publishes_on_the_directors_approval_within_seven_working_days(
    decision: Any, personas: Any
) -> None:
    case = decision.case
    (due,) = gs(case, "GS7")
    assert not due.done and due.due > timezone.localdate()
    pid = prepare(decision).json()["id"]
    anon = client_for(None)
    assert "周某" not in anon.get("/public/decisions/").content.decode()  # a draft is not public
    assert anon.get(f"/public/decisions/{pid}/").status_code == 404
    assert post("zhang", f"/api/publications/{pid}/approve/").status_code == 403
    assert post("sun", f"/api/publications/{pid}/approve/").status_code == 403
    r = post("zhao", f"/api/publications/{pid}/approve/")
    assert r.status_code == 200 and r.json()["state"] == "published"
    # A person: the agency's default period is two years.
    today = timezone.localdate()
    assert r.json()["take_down_on"] == today.replace(year=today.year + 2).isoformat()
    (due,) = gs(case, "GS7")
    assert due.done
    page = anon.get("/public/decisions/")
    assert "doc_no" not in decision.fields and "〔" in decision.doc_no
    assert page.status_code == 200 and decision.doc_no in page.content.decode()
    assert Publication.objects.get(pk=pid).doc_no == decision.doc_no
    assert "未经备案开展养老服务" in anon.get(f"/public/decisions/{pid}/").content.decode()
    feed = anon.get("/public/decisions.json").json()
    assert feed["count"] == 1 and feed["results"][0]["party"] == "周某"
    rows = list(
        csv.DictReader(io.StringIO(anon.get("/public/decisions.csv").content.decode("utf-8-sig")))
    )
    assert [r["id"] for r in rows] == [str(pid)] and "13912345678" not in rows[0]["text"]


def test_it_raises_a_finding_when_the_seven_days_pass_unpublished(
    decision: Any, personas: Any, time_machine: Any
) -> None:
    time_machine.move_to(timezone.now() + dt.timedelta(days=15))
    refresh(agency=personas["sun"].agency)
    kinds = {
        (f.kind, f.subject.split(":")[2]) for f in Finding.objects.filter(kind="deadline_overdue")
    }
    assert ("deadline_overdue", "GS7") in kinds


def test_it_asks_for_withdrawal_when_the_decision_changes_and_withdraws(
    decision: Any, personas: Any
) -> None:
    pid = prepare(decision).json()["id"]
    post("zhao", f"/api/publications/{pid}/approve/")
    assert gs(decision.case, "GS3") == []
    record_correct(
        record=decision,
        officer=personas["zhang"],
        fields={"decision": "罚款人民币300元。"},
        reason="复议机关变更罚款数额",
        signatures=sigs("administrative_decision"),
    )
    (due,) = gs(decision.case, "GS3")
    assert not due.done and due.due > timezone.localdate()
    r = post("zhao", f"/api/publications/{pid}/withdraw/", {"reason": ""})
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    assert post("zhang", f"/api/publications/{pid}/withdraw/", {"reason": "x"}).status_code == 403
    r = post("sun", f"/api/publications/{pid}/withdraw/", {"reason": "复议决定变更罚款数额"})
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    (due,) = gs(decision.case, "GS3")
    assert due.done
    assert client_for(None).get("/public/decisions.json").json()["count"] == 0
    assert client_for(None).get(f"/public/decisions/{pid}/").status_code == 404


def test_it_takes_a_decision_down_after_its_period(
    decision: Any, personas: Any, time_machine: Any
) -> None:
    pid = prepare(decision).json()["id"]
    post("zhao", f"/api/publications/{pid}/approve/")
    time_machine.move_to(timezone.now() + dt.timedelta(days=2 * 366 + 1))
    assert client_for(None).get("/public/decisions.json").json()["count"] == 0


def test_it_names_persons_as_the_agency_decided(decision: Any, personas: Any) -> None:
    publication_policy_set(
        officer=personas["admin"], person_names="none", years_person=1, years_organisation=5
    )
    r = prepare(decision)
    assert "被处罚当事人：当事人" in r.json()["text"] and r.json()["party"] == "当事人"


@pytest.mark.parametrize(
    "who, status", [("sun", 200), ("zhao", 200), ("zhang", 403), ("liu", 403), ("admin", 403)]
)
def test_it_lists_publications_for_overseers_only(decision: Any, who: str, status: int) -> None:
    prepare(decision)
    c = client_for(who)
    assert c.get("/oversight/publications/").status_code == status
    assert c.get("/api/publications/").status_code == status


def test_it_keeps_another_agency_out(decision: Any, other_agency: Any) -> None:
    pid = prepare(decision).json()["id"]
    assert post("zhu", f"/api/publications/{pid}/approve/").status_code == 404
    assert client_for("gou").get("/api/publications/").json() == []
    assert prepare(decision, who="ma").status_code == 404
    assert prepare(decision, who="li").status_code == 400  # already prepared by 张承办


def test_it_prepares_and_approves_through_the_pages(decision: Any) -> None:
    sun = client_for("sun")
    page = sun.get("/oversight/publications/").content.decode()
    assert f"/oversight/publications/new/{decision.pk}/" in page
    form = sun.get(f"/oversight/publications/new/{decision.pk}/").content.decode()
    assert "13912345678" not in form and "〔已隐去〕" in form
    r = sun.post(f"/oversight/publications/new/{decision.pk}/", {"text": "电话13912345678"})
    assert r.status_code == 400 and "电话号码" in r.content.decode()
    r = sun.post(f"/oversight/publications/new/{decision.pk}/", {"text": "行政处罚决定公示"})
    assert r.status_code == 302
    p = Publication.objects.get()
    assert client_for("zhao").post(f"/oversight/publications/{p.pk}/approve/").status_code == 302
    p.refresh_from_db()
    assert p.state == "published"


def test_it_offers_the_publication_beside_the_decision_on_the_case_page(decision: Any) -> None:
    case = decision.case
    docs = f"/cases/{case.pk}/section/documents/"
    new = f"/oversight/publications/new/{decision.pk}/"
    assert new in client_for("zhang").get(docs).content.decode()  # a handler of the case
    assert new in client_for("sun").get(docs).content.decode()  # a supervisor
    assert new not in client_for("liu").get(docs).content.decode()  # the custodian reads only
    publication = Publication.objects.get(pk=prepare(decision).json()["id"])
    assert new not in client_for("zhang").get(docs).content.decode()  # waiting for the 负责人
    assert post("zhao", f"/api/publications/{publication.pk}/approve/", {}).status_code == 200
    page = client_for("zhang").get(docs).content.decode()
    assert f"/public/decisions/{publication.pk}/" in page and "公示（已公示）" in page


@pytest.mark.parametrize(
    "who, reads, sets",
    [("admin", 200, 201), ("sun", 200, 403), ("zhao", 200, 403), ("zhang", 403, 403)],
)
def test_it_shows_the_policy_and_lets_the_administrator_set_it(
    personas: Any, who: str, reads: int, sets: int
) -> None:
    assert client_for(who).get("/oversight/publications/policy/").status_code == reads
    r = client_for(who).get("/api/publications/policy/")
    assert r.status_code == reads
    if reads == 200:
        assert r.json()["person_names"] == "surname" and r.json()["set_by"] is None
    entries = LedgerEntry.objects.count()
    body = {"person_names": "none", "years_person": 3, "years_organisation": 6}
    r = post(who, "/api/publications/policy/", body)
    assert r.status_code == sets
    if sets == 201:
        assert client_for("sun").get("/api/publications/policy/").json()["years_person"] == 3
        page = client_for("sun").get("/oversight/publications/policy/").content.decode()
        assert "不公开" in page and "3 年" in page
        assert LedgerEntry.objects.count() == entries + 1
        r = post(who, "/api/publications/policy/", {**body, "years_person": 0})
        assert r.status_code == 400
        page = client_for("admin").post(
            "/oversight/publications/policy/",
            {"person_names": "full", "years_person": "2", "years_organisation": "5"},
        )
        assert page.status_code == 302
    else:
        assert LedgerEntry.objects.count() == entries


def test_it_finds_the_publications_of_a_decision_kept_under_a_retired_code(
    decision: Any, monkeypatch: Any
) -> None:
    # A decision's publications are read only when the case holds a decision: one kept under a
    # code the catalogue has since retired (``aliases``) still counts, or GS3 and GS7 would lose
    # a published decision when the document is renamed.
    from casetrail.compliance.engine import CaseView
    from casetrail.oversight import publishing

    pid = prepare(decision).json()["id"]
    assert post("zhao", f"/api/publications/{pid}/approve/").status_code == 200
    monkeypatch.setattr(publishing, "DECISION", "administrative_decision_renamed")
    monkeypatch.setattr(publishing, "aliases", lambda code: (code, "administrative_decision"))
    assert [p.pk for p in publishing.published(CaseView(decision.case))] == [pid]
