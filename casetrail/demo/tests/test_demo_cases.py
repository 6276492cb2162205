"""The three demo cases of `casetrail demo`: built through the actions, closed with every rule met,
served by every method, intact in the ledger, and loaded only once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from casetrail.cases.models import STAGE_ORDER, Case, Stage
from casetrail.compliance.engine import RULES, CaseView, refs
from casetrail.compliance.service import SERVICE_RECORDS
from casetrail.demo.stories import (
    MAJOR_TITLE,
    ORDINARY_TITLE,
    SUMMARY_TITLE,
    load_demo_cases,
    summary,
)
from casetrail.evidence.models import Blob, Item
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import verify
from casetrail.records.models import Record


@pytest.fixture
def demo(personas, evidence_store):
    cases = load_demo_cases(personas)
    return {c.title: Case.objects.get(title=c.title) for c in cases}


def kinds(case: Case) -> set[str]:
    return {r.kind for r in CaseView(case).records}


def steps(chain) -> list[tuple[str, str]]:
    return [(s.role, s.officer.user.username) for s in chain.steps.order_by("id")]


def test_it_builds_three_closed_cases_through_every_stage(demo):
    assert set(demo) == {SUMMARY_TITLE, ORDINARY_TITLE, MAJOR_TITLE}
    for title, case in demo.items():
        assert case.stage == Stage.CLOSED and case.number
        moves = list(case.stage_changes.order_by("at", "id").values_list("to_stage", flat=True))
        if title == SUMMARY_TITLE:  # decided and handed over on the spot: no investigation stage
            assert moves == STAGE_ORDER[2:5]  # 审查决定 → 送达执行 → 结案
        else:
            assert moves == STAGE_ORDER[1:5]  # 调查取证 → 审查决定 → 送达执行 → 结案
        view = CaseView(case)
        # Every rule met. The demo compresses weeks into minutes, so the one warning it cannot
        # avoid is R29w (the court asked within ten days of the served demand).
        unmet = [(r.id, m) for r in RULES.values() for m in r.check(view)]
        assert [rid for rid, _ in unmet if rid != "R29w"] == []
    summary_case = demo[SUMMARY_TITLE]
    assert (summary_case.procedure, summary_case.start_mode) == ("summary", "on_the_spot")
    # Decided on the spot, no start approval; closed, like every case, through 结案审批 (第六条).
    assert list(summary_case.chains.values_list("kind", flat=True)) == ["case_closing"]
    summary_record = Record.objects.get(case=summary_case, kind="summary_procedure_record")
    assert summary_record.attachments.filter(kind="photo").exists()
    assert summary_record.attachments.filter(kind="av").exists()
    assert {"summary_filing_record", "service_receipt", "administrative_decision"} <= kinds(
        summary_case
    )
    assert "penalty_notice_reply" in kinds(demo[MAJOR_TITLE])  # the party waived in writing
    ordinary = kinds(demo[ORDINARY_TITLE])
    assert {
        "inspection_record",
        "sampling_notice",
        "item_list",
        "interview_record",
        "evidence_request_notice",
        "evidence_register",
        "service_receipt",
        "rights_notice",
        "statement_record",
        "penalty_notice_reply",
        "hearing_notice",
        "hearing_record",
        "hearing_report",
        "statement_review",
        "investigation_final_report",
        "decision_approval_form",
        "administrative_decision",
    } <= ordinary
    # The opinions are the chain's steps, each by its own person (第六条), none typed by a handler.
    assert (
        not {"legal_review_opinion", "collective_discussion_record", "leader_approval"} & ordinary
    )
    decision = demo[ORDINARY_TITLE].chains.get(kind="case_decision")
    assert decision.status == "approved" and decision.record.kind == "decision_approval_form"
    assert steps(decision) == [
        ("propose", "zhang"),
        ("review", "wang"),
        ("legal", "chen"),  # 经过听证 (行政处罚法第五十八条第一款第二项)
        ("decide", "zhao"),
    ]
    legal = decision.steps.get(role="legal")
    assert len(legal.findings) == 9 and {f["finding"] for f in legal.findings} == {"ok"}
    paid = Record.objects.get(case=demo[ORDINARY_TITLE], kind="performance_record")
    decision = Record.objects.get(case=demo[ORDINARY_TITLE], kind="administrative_decision")
    assert paid.fields["status"] == "full"
    assert paid.fields["amount_paid"] == decision.fields["penalty_amount"] == "8600.00"


def people(chain):
    return [(s.role, s.officer.user.username) for s in chain.steps.order_by("id")]


def test_it_takes_the_internal_decisions_through_their_chains(demo):
    """第六条: each case closes through an approved 结案审批; the 先行登记保存 of case 2 and the
    enforcement decision and court application of case 3 are decided by wang, chen and zhao in
    their own names, and the documents that follow name the approval."""
    for case in demo.values():
        closing = case.chains.get(kind="case_closing")
        assert closing.status == "approved"
        assert people(closing) == [("propose", "zhang"), ("review", "wang"), ("decide", "zhao")]
        assert case.stage_changes.get(to_stage=Stage.CLOSED).by.user.username == "zhao"
    hold = demo[ORDINARY_TITLE].chains.get(kind="evidence_preservation")
    assert hold.status == "approved" and hold.record.fields["form"] == "register_hold"
    (register,) = CaseView(demo[ORDINARY_TITLE]).records_of("evidence_register")
    assert register.fields["preservation_decision"]["id"] == hold.record_id
    major = demo[MAJOR_TITLE]
    view = CaseView(major)
    for kind, document in (
        ("enforcement_decision", "enforcement_decision"),
        ("court_enforcement", "court_enforcement_record"),
    ):
        chain = major.chains.get(kind=kind)
        assert chain.status == "approved"
        assert people(chain) == [
            ("propose", "zhang"),
            ("review", "wang"),
            ("legal", "chen"),  # a 重大 case: the 法制机构 reviews item by item
            ("decide", "zhao"),
        ]
        assert all(f["finding"] == "ok" for f in chain.steps.get(role="legal").findings)
        (record,) = view.records_of(document)
        assert record.fields["approval"]["id"] == chain.record_id


def test_it_films_inspection_and_sampling_at_the_time_they_happen(demo):
    case = demo[ORDINARY_TITLE]
    view = CaseView(case)
    for record in view.records_of("inspection_record", "sampling_notice"):
        clips = {a.item_id for a in record.attachments.filter(kind="av")}
        assert clips
        assert clips & {i.pk for i in view.av_items}
    assert list(RULES["R13"].check(view)) == []
    kinds_recorded = set(Item.objects.filter(link__case__in=demo.values()).values_list("kind"))
    assert kinds_recorded == {("video",), ("audio",), ("photo",)}
    for item in Item.objects.filter(link__case__in=demo.values()):
        assert item.blob.size < 20_000  # generated, small, each its own blob
        assert not item.late and item.informed == "told"
        assert item.time_source == "media"  # every demo file carries its own time


def test_it_serves_documents_by_every_method(demo):
    used = set(
        Record.objects.filter(case__in=demo.values(), kind__in=SERVICE_RECORDS).values_list(
            "kind", flat=True
        )
    )
    assert used == set(SERVICE_RECORDS)  # every method of 第二十二至二十六条
    receipts = Record.objects.filter(case__in=demo.values(), kind="service_receipt")
    assert {r.fields["method"] for r in receipts} == {"direct", "left", "entrusted", "transfer"}
    mail = Record.objects.filter(case__in=demo.values(), kind="mail_service_record")
    assert {m.fields["outcome"] for m in mail} == {"delivered", "returned"}
    for m in mail:
        assert {a.kind for a in m.attachments.all()} == {"document", "signed_scan"}


def test_it_carries_the_major_case_through_public_notice_to_court_enforcement(demo):
    case = demo[MAJOR_TITLE]
    assert case.is_major
    start = case.chains.get(kind="case_start")
    assert steps(start) == [
        ("propose", "zhang"),
        ("review", "wang"),
        ("legal", "chen"),
        ("decide", "zhao"),
    ]
    view = CaseView(case)
    # 法制审核 and 集体讨论 (第十六、十八条) are steps of the decision's chain, by their own people.
    decision = case.chains.get(kind="case_decision")
    assert steps(decision) == [
        ("propose", "zhang"),
        ("review", "wang"),
        ("legal", "chen"),
        ("collective", "zheng"),
        ("decide", "zhao"),
    ]
    discussion = decision.steps.get(role="collective")
    assert [p["name"] for p in discussion.participants] == ["赵局长", "郑副局长", "冯副局长"]
    assert not {"legal_review_opinion", "collective_discussion_record"} & kinds(case)
    assert "penalty_notice_reply" in kinds(case)  # the 事先告知 waived in writing
    # 第五条: audio/video in every stage of a major case, 程序启动 included, each clip's time read
    # from its file on the body camera's clock (北京时间 written where MP4 means UTC).
    for stage in (Stage.START, Stage.INVESTIGATION, Stage.DECISION, Stage.SERVICE):
        assert any(i.time_trusted for i in view.av_overlapping(*view.stage_spans[stage])), stage
    assert {(i.time_source, i.clock) for i in view.av_items} == {("media", "Asia/Shanghai")}
    # 第二十五条: public notice after a failed attempt, with the notice kept and the posting filmed.
    (notice,) = view.records_of("public_notice_service_record")
    (mail,) = view.records_of("mail_service_record")
    assert refs(notice, "earlier_attempts") == [mail.pk] and mail.fields["outcome"] == "returned"
    assert {a.kind for a in notice.attachments.all()} >= {"document", "av"}
    (left,) = view.records_of("left_service_record")
    assert left.attachments.filter(kind="av").exists()
    # 第二十八、二十九条: demand served, statement reviewed, enforcement decided, court ruled.
    assert {
        "demand_notice",
        "demand_statement_record",
        "statement_review_opinion",
        "enforcement_decision",
    } <= kinds(case)
    (court,) = view.records_of("court_enforcement_record")
    assert court.replaces_id is not None  # the application, then its outcome, as versions
    assert court.fields["ruling"] == "enforce" and court.fields["execution_result"]
    assert view.records_of("performance_record")[-1].fields["status"] == "full"


def test_it_shows_the_interviewees_identity_only_to_those_who_may_see_it(demo):
    from casetrail.conftest import client_for

    case = demo[ORDINARY_TITLE]
    (interview,) = CaseView(case).records_of("interview_record")
    assert interview.fields["interviewee"]["id_number"] == "140524197806153016"
    # 刘档案 reads closed cases, masked; the handler sees them whole.
    masked = client_for("liu").get(f"/cases/{case.pk}/section/timeline/").content.decode()
    assert "140524197806153016" not in masked and "1405**********3016" in masked
    assert "〔个人信息，已隐去〕" in masked and "13903561234" not in masked
    assert (
        "140524197806153016"
        in client_for("zhang").get(f"/cases/{case.pk}/section/timeline/").content.decode()
    )


def test_it_leaves_the_ledger_and_the_blobs_intact(demo):
    report = verify()
    assert report.findings == []
    assert report.intact


def test_it_loads_the_cases_only_once(personas, evidence_store):
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "新增 3 件" in out.getvalue()
    counts = (
        Case.objects.count(),
        Record.objects.count(),
        Item.objects.count(),
        Blob.objects.count(),
        LedgerEntry.objects.count(),
    )
    again = load_demo_cases(personas)
    assert [c.created for c in again] == [False, False, False]
    assert "新增 0 件，共 3 件" in summary(again)
    assert counts == (
        Case.objects.count(),
        Record.objects.count(),
        Item.objects.count(),
        Blob.objects.count(),
        LedgerEntry.objects.count(),
    )
    # Issue 12: the demo archives cases 1 and 2; case 3 waits on 刘档案's worklist.
    assert [c.stage for c in again] == [Stage.ARCHIVED, Stage.ARCHIVED, Stage.CLOSED]
    assert "立卷归档" in out.getvalue()


def test_it_issues_every_served_document_of_the_demo_with_its_number(demo, personas):
    from casetrail.demo.documents import issue_demo_documents, served_documents
    from casetrail.documents.models import IssuedDocument

    cases = list(demo.values())
    issued, refused = issue_demo_documents(personas, cases)
    assert refused == []
    served = [r for case in cases for r in served_documents(case)]
    assert issued == len(served) > 0
    decisions = IssuedDocument.objects.filter(record__kind="administrative_decision")
    # Drawn from the register, but the on-the-spot decision keeps its pre-printed form's number.
    numbers = sorted(d.doc_no or "" for d in decisions)
    assert len(numbers) == 3 and [n[:5] for n in numbers] == [
        "陵民当罚〔",
        "陵民罚决〔",
        "陵民罚决〔",
    ]
    spot = decisions.get(doc_no__startswith="陵民当罚〔")
    assert spot.number_seq is None and spot.doc_no == spot.record.fields["spot_form_no"]
    # Loading again issues nothing new.
    assert issue_demo_documents(personas, cases) == (issued, [])
    assert IssuedDocument.objects.count() == issued


def test_it_shows_marked_material_and_who_read_it(demo):
    """第三十三条 in the demo: the home's accounts (商业秘密) withheld until a reason is given,
    the 国家秘密 notice only where it is kept, 张承办's read in the read log."""
    from casetrail.cases.models import Mark
    from casetrail.conftest import client_for

    case = demo[MAJOR_TITLE]
    (accounts,) = Mark.objects.filter(case=case, kind="commercial_secret")
    item_id = int(accounts.target.partition(":")[2])
    overview = client_for("sun").get(f"/cases/{case.pk}/").content.decode()
    assert "陵川县民政局机要室保密柜" in overview  # the supervisor may know where it is
    assert "查阅记录" in overview and "张承办" in overview and "办案" in overview
    media = client_for("sun").get(f"/cases/{case.pk}/section/media/").content.decode()
    assert "〔商业秘密，已隐去〕" in media and "请选择查阅事由" in media
    assert client_for("sun").get(f"/evidence/{item_id}/media").status_code == 403
    api = client_for("sun").get(f"/api/evidence/{item_id}/", headers={"X-Read-Reason": "监督"})
    assert api.json()["description"] == "养老院财务账册（营业收入明细）"
