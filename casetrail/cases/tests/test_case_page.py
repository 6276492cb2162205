"""The case page in sections (概览 · 待办事项 · 文书 · 音像 · 审批 · 期限 · 全过程记录), each at its own
URL and as an htmx fragment; the overview at a glance; the stage bar telling past, current, skipped
and future apart; the printable full record; the confirmation before a stage change."""

from __future__ import annotations

from django.utils import timezone

from casetrail.cases.models import Case, Stage
from casetrail.cases.selectors import stage_bar
from casetrail.conftest import client_for
from casetrail.ledger.models import LedgerEntry

SECTIONS = ("todo", "documents", "media", "approvals", "deadlines", "timeline")


def test_it_shows_each_section_at_its_own_url(open_case, personas):
    zhang = client_for("zhang")
    r = zhang.get(f"/cases/{open_case.pk}/")
    assert r.status_code == 200
    page = r.content.decode()
    for key in SECTIONS:
        assert f'href="/cases/{open_case.pk}/section/{key}/"' in page
    # The overview at a glance: what the stage still needs, leading to 待办事项.
    assert "本阶段还需" in page and 'aria-current="page">概览' in page
    todo = zhang.get(f"/cases/{open_case.pk}/section/todo/").content.decode()
    assert "可办理的事项" in todo and "进入下一阶段" in todo and "本阶段还需" in todo
    timeline = zhang.get(f"/cases/{open_case.pk}/section/timeline/").content.decode()
    assert "全过程记录" in timeline and "打印版" in timeline
    assert zhang.get(f"/cases/{open_case.pk}/section/nothing/").status_code == 404


def test_it_answers_htmx_with_the_section_alone(open_case, personas):
    r = client_for("zhang").get(
        f"/cases/{open_case.pk}/section/timeline/",
        headers={"HX-Request": "true", "HX-Target": "case-section"},
    )
    assert r.status_code == 200
    fragment = r.content.decode()
    assert "<html" not in fragment and 'class="tabs"' in fragment and "全过程记录" in fragment


def test_it_prints_the_full_record(open_case, personas):
    r = client_for("sun").get(f"/cases/{open_case.pk}/print/timeline/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "全过程记录" in page and "打印时间" in page and "程序启动" in page


def test_it_tells_past_current_and_future_stages_apart(open_case, personas):
    marks = {m.value: m for m in stage_bar(open_case)}
    assert marks["start"].state == "past" and marks["start"].entered == open_case.created_at
    assert marks["investigation"].state == "current" and marks["investigation"].entered
    assert [marks[s].state for s in ("decision", "service", "closed", "archived")] == ["future"] * 4
    page = client_for("zhang").get(f"/cases/{open_case.pk}/").content.decode()
    assert 'class="stage-current" aria-current="step"' in page
    assert timezone.localtime(open_case.created_at).strftime("%Y-%m-%d") in page


def test_it_marks_the_stages_a_case_never_went_through_as_skipped(personas):
    from casetrail.start.tests.test_start_on_the_spot import page_data

    r = client_for("zhang").post("/cases/new/on-the-spot/", page_data(personas))
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.get(start_mode="on_the_spot")
    assert case.stage == Stage.SERVICE
    states = [m.state for m in stage_bar(case)]
    # Decided on the spot: no 调查取证 stage, the decision made and served at once.
    assert states == ["past", "skipped", "past", "current", "future", "future"]
    page = client_for("zhang").get(f"/cases/{case.pk}/").content.decode()
    assert page.count('class="stage-skipped"') == 1 and "未经过" in page


def test_it_asks_to_confirm_a_stage_change_stating_what_happens(open_case, personas):
    zhang = client_for("zhang")
    url = f"/cases/{open_case.pk}/advance/"
    entries = LedgerEntry.objects.count()
    r = zhang.post(url, {"reason": "调查终结"})
    page = r.content.decode()
    # The rules of the next stage are not met yet: said on the page, nothing to confirm.
    assert r.status_code == 400 and "以下规则尚未满足" in page and 'name="confirmed"' not in page
    assert "“调查取证”进入“审查决定”" in page and "不能撤销" in page
    open_case.refresh_from_db()
    assert open_case.stage == Stage.INVESTIGATION and LedgerEntry.objects.count() == entries
    # 返回修改 gives the form back with what was typed.
    back = zhang.post(url, {"reason": "调查终结", "back": "1"})
    assert back.status_code == 200 and "调查终结" in back.content.decode()


def test_it_moves_the_stage_only_once_confirmed(open_case, personas, evidence_store):
    from casetrail.compliance.tests.builders import investigated

    investigated(open_case, personas)
    zhang = client_for("zhang")
    url = f"/cases/{open_case.pk}/advance/"
    entries = LedgerEntry.objects.count()
    r = zhang.post(url, {"reason": "调查终结"})
    page = r.content.decode()
    assert r.status_code == 200 and 'name="confirmed" value="1"' in page
    assert "本阶段规则均已满足" in page and 'name="reason" value="调查终结"' in page
    open_case.refresh_from_db()
    assert open_case.stage == Stage.INVESTIGATION and LedgerEntry.objects.count() == entries
    r = zhang.post(url, {"reason": "调查终结", "confirmed": "1"})
    assert r.status_code == 302
    open_case.refresh_from_db()
    assert open_case.stage == Stage.DECISION
    assert LedgerEntry.objects.filter(action="case.advance").count() == 1


def test_it_asks_to_confirm_the_approval_that_takes_effect(new_case, personas):
    from casetrail.approvals.models import ChainStatus

    chain = new_case.chains.get()
    url = f"/approvals/{chain.pk}/"
    ok = {"outcome": "approve", "opinion": "同意"}
    assert client_for("wang").post(url, ok).status_code == 302  # a review: no confirmation
    zhao = client_for("zhao")
    r = zhao.post(url, {**ok, "opinion": "同意立案"})
    page = r.content.decode()
    assert r.status_code == 200 and "请确认：批准程序启动审批" in page
    assert "即生效" in page and "不能撤销" in page and 'name="confirmed" value="1"' in page
    chain.refresh_from_db()
    assert chain.status == ChainStatus.PENDING_DECISION
    back = zhao.post(url, {**ok, "opinion": "同意立案", "back": "1"})
    assert back.status_code == 200 and "同意立案" in back.content.decode()
    assert zhao.post(url, {**ok, "opinion": "同意立案", "confirmed": "1"}).status_code == 302
    chain.refresh_from_db()
    assert chain.status == ChainStatus.APPROVED
