"""Exemptions are decisions, not self-service (第六条; issue 9 item 5): a handler proposes with the
reason and the evidence that the requirement could not be met; the unit reviewer approves (and the
director too for 第五条 on a 重大 case); until then the block stays; a refused one stays recorded;
supervisors see every exemption of the agency in one list, with its status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casetrail.approvals.models import Chain
from casetrail.compliance.engine import blockers
from casetrail.compliance.kinds import ComplianceChain
from casetrail.compliance.models import Exemption
from casetrail.compliance.tests.builders import unfilmed_sampling
from casetrail.decisions.tests.other_chains.builders import api, api_decide, snapshot


def ids(findings):
    return sorted({f.rule.id for f in findings})


def propose(case, about, who="zhang", **overrides):
    body = {
        "rule": "R13",
        "subject": about,
        "reason": "执法记录仪故障，无法同步录像",
        "facts": "设备维修单号 2026-118，故障发生于抽样前十分钟",
        **overrides,
    }
    return api(who, f"/api/cases/{case.pk}/exemptions/", body)


def test_an_exemption_lifts_the_block_only_when_the_reviewer_approves(investigating, personas):
    sampling = unfilmed_sampling(investigating, personas)
    assert ids(blockers(investigating, "decision")) == ["R13"]
    r = propose(investigating, f"record:{sampling.pk}")
    assert r.status_code == 201, r.content
    chain = Chain.objects.get(pk=r.json()["id"])
    assert chain.kind == ComplianceChain.EXEMPTION and chain.step_plan() == ["review"]
    assert chain.record.fields["facts"].startswith("设备维修单号")
    # Proposed is not approved: R13 still blocks (and the pending decision, R6).
    assert ids(blockers(investigating, "decision")) == ["R13", "R6"]
    assert not Exemption.objects.exists()
    page = api("zhang", f"/cases/{investigating.pk}/section/todo/").content.decode()
    assert "豁免申请待审核" in page
    assert api_decide("wang", chain).status_code == 201
    (exemption,) = Exemption.objects.all()
    assert (exemption.chain, exemption.officer, exemption.rule) == (chain, personas["zhang"], "R13")
    assert ids(blockers(investigating, "decision")) == []


def test_the_director_approves_too_for_r5_on_a_major_case(major, evidence_store):
    r = propose(major, "stage:investigation", rule="R5", reason="现场无法录像")
    assert r.status_code == 201, r.content
    chain = Chain.objects.get(pk=r.json()["id"])
    assert chain.step_plan() == ["review", "decide"]
    api_decide("wang", chain)
    assert not Exemption.objects.exists()
    assert api_decide("zhao", chain).status_code == 201
    assert Exemption.objects.get().rule == "R5"


def test_an_exemption_approved_by_its_proposer_is_refused(investigating, personas):
    from casetrail.org.actions import officer_roles_change

    officer_roles_change(
        by=personas["admin"], officer=personas["zhang"], add=["reviewer"], reason="兼任股长"
    )
    sampling = unfilmed_sampling(investigating, personas)
    chain = Chain.objects.get(pk=propose(investigating, f"record:{sampling.pk}").json()["id"])
    before = snapshot()
    r = api_decide("zhang", chain)
    assert r.status_code == 403 and r.json()["code"] == "not_allowed_to_decide"
    assert "本人提出" in r.json()["message"] and snapshot() == before


def test_a_refused_exemption_stays_recorded_and_exempts_nothing(investigating, personas):
    sampling = unfilmed_sampling(investigating, personas)
    chain = Chain.objects.get(pk=propose(investigating, f"record:{sampling.pk}").json()["id"])
    assert api_decide("wang", chain, "refuse").status_code == 201
    assert not Exemption.objects.exists()
    assert ids(blockers(investigating, "decision")) == ["R13"]
    rows = api("sun", "/api/exemptions/").json()
    assert [(r["rule"], r["status"], r["status_label"]) for r in rows] == [
        ("R13", "refused", "未批准")
    ]
    # A new proposal may follow (the refused one stays).
    assert propose(investigating, f"record:{sampling.pk}").status_code == 201


def test_it_refuses_bad_exemption_proposals_and_writes_nothing(investigating, personas):
    sampling = unfilmed_sampling(investigating, personas)
    subject = f"record:{sampling.pk}"
    before = snapshot()
    cases = [
        ({"reason": " "}, "exemption_reason_required"),
        ({"facts": ""}, "exemption_evidence_required"),
        ({"rule": "R12"}, "not_exemptible"),
        ({"rule": "R99"}, "unknown_rule"),
        ({"subject": "record:999999"}, "nothing_to_exempt"),
    ]
    for overrides, code in cases:
        r = propose(investigating, subject, **overrides)
        assert r.status_code == 400 and r.json()["code"] == code, (overrides, r.content)
    assert propose(investigating, subject, "wang").status_code == 403
    assert snapshot() == before


@pytest.mark.behind_the_application  # the clip is written as an upload would have stored it
def test_the_evidence_may_be_a_recording_of_the_case(investigating, personas):
    from casetrail.compliance.tests.test_rules import _video

    sampling = unfilmed_sampling(investigating, personas)
    start = timezone.now() - dt.timedelta(hours=6)
    clip = _video(investigating, personas, start, start + dt.timedelta(minutes=1))
    r = propose(investigating, f"record:{sampling.pk}", facts="", item=clip.pk)
    assert r.status_code == 201, r.content
    record = Chain.objects.get(pk=r.json()["id"]).record
    assert [(a.slot, a.item_id) for a in record.attachments.all()] == [("av", clip.pk)]


def test_supervisors_see_every_exemption_of_the_agency(investigating, personas, other_agency):
    sampling = unfilmed_sampling(investigating, personas)
    chain = Chain.objects.get(pk=propose(investigating, f"record:{sampling.pk}").json()["id"])
    rows = api("sun", "/api/exemptions/").json()
    assert [(r["case"], r["status"], r["chain"]) for r in rows] == [
        (investigating.pk, "pending_review", chain.pk)
    ]
    api_decide("wang", chain)
    assert api("sun", "/api/exemptions/").json()[0]["status"] == "approved"
    page = api("sun", "/compliance/exemptions/").content.decode()
    assert "R13" in page and "已批准" in page and "执法记录仪故障" in page
    # Named as people name them: the rule's article and the record's reference, no raw subject.
    sampling.refresh_from_db()
    assert sampling.reference in page and f"record:{sampling.pk}" not in page
    from casetrail.compliance.engine import RULES

    assert f"R13 {RULES['R13'].title}（{RULES['R13'].article}）" in page
    row = api("sun", "/api/exemptions/").json()[0]
    assert row["subject"] == f"record:{sampling.pk}" and row["subject_label"] == sampling.reference
    assert api("gou", "/api/exemptions/").json() == []  # another agency's supervisor
    for who in ("zhang", "wang", "zhao"):
        assert api(who, "/api/exemptions/").status_code == 403
        assert api(who, "/compliance/exemptions/").status_code == 403


def test_the_exemption_form_proposes_and_shows_the_chain(investigating, personas):
    from casetrail.conftest import client_for

    sampling = unfilmed_sampling(investigating, personas)
    url = f"/cases/{investigating.pk}/exemptions/new/?rule=R13&subject=record:{sampling.pk}"
    assert "提请规则豁免" in client_for("zhang").get(url).content.decode()
    r = client_for("zhang").post(
        url,
        {
            "rule": "R13",
            "subject": f"record:{sampling.pk}",
            "reason": "设备故障",
            "facts": "维修单 2026-118",
        },
    )
    chain = Chain.objects.get(kind=ComplianceChain.EXEMPTION)
    assert r.status_code == 302 and r["Location"] == f"/approvals/{chain.pk}/"
    assert client_for("wang").get(f"/approvals/{chain.pk}/").status_code == 200
    assert client_for("sun").get(url).status_code == 403
