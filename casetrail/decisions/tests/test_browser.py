"""Browser test: the decision on a case through the real server (gunicorn on a throw-away SQLite
file) and Debian's Chromium. 张承办 proposes the decision from the case page; 王审核 reviews it from
待办 and asks for 法制审核 (涉及多个法律关系); 陈法制 reviews legality item by item on the checklist;
赵局长 approves; 张承办 makes the 行政执法决定书 with the agency's seal drawn on screen and moves the
case to 送达执行. Skipped where Chromium is not installed.

The case is brought to 审查决定 beforehand through the actions (started, approved, 事先告知 served
and waived, investigation report), by a script run against the server's database."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from typing import Any

import pytest

from casetrail.cases.tests.test_browser import (  # noqa: F401  (fixtures: the server, the browser)
    REPO_ROOT,
    _log_in,
    _log_out,
    browser,
    server,
)

# Other processes (a server, workers) keep the real clock: so does this test process.
pytestmark = pytest.mark.real_clock

TITLE = "某养老机构未备案擅自开展服务案（浏览器）"
SETUP = f"""
from casetrail.approvals.actions import approval_decide
from casetrail.cases.writes import CaseInput, PartyInput
from casetrail.compliance.tests.builders import advance, make
from casetrail.decisions.tests.builders import notify
from casetrail.demo.personas import load_demo
from casetrail.start.actions import case_start_ex_officio


p = load_demo()
case = case_start_ex_officio(
    officer=p["zhang"],
    data=CaseInput(unit=p["zhang"].unit, title="{TITLE}", category="elderly",
                   officers=[p["zhang"], p["li"]], parties=[PartyInput(kind="person", name="周某")]),
    reason="群众举报", party_facts="周某，个体经营者", opinion="建议立案调查",
)
chain = case.chains.get()
approval_decide(chain=chain, officer=p["wang"], outcome="approve", opinion="同意")
approval_decide(chain=chain, officer=p["zhao"], outcome="approve", opinion="同意立案")
case.refresh_from_db()
notify(case, p)
advance(case, p, "decision")
make(case, p, "investigation_final_report")
print(case.pk)
"""


def _case_in_decision(served: dict[str, Any]) -> int:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{served['db']}",
        "CASETRAIL_VAR_DIR": str(served["tmp"]),
        "CASETRAIL_TASKS": "immediate",
        "CASETRAIL_TIME_ZONE": "Asia/Shanghai",
        "DJANGO_SETTINGS_MODULE": "casetrail.settings",
        "CASETRAIL_DEMO": "1",  # the demo's server (issue 15: demo password, embedded key)
    }
    done = subprocess.run(
        [sys.executable, "-m", "casetrail.cli", "shell", "-c", SETUP],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return int(done.stdout.strip().splitlines()[-1])


def _open_the_chain(page: Any, base: str, username: str) -> None:
    from playwright.sync_api import expect

    _log_in(page, base, username)
    page.get_by_role("link", name="处理决定审批").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("处理决定审批")


def _submit_step(page: Any, opinion: str, after: str) -> None:
    from playwright.sync_api import expect

    page.get_by_label("同意", exact=True).check()
    page.get_by_label("意见和理由").fill(opinion)
    page.get_by_role("button", name="提交审批意见").click()
    if after == "已批准":  # the last step takes effect: a confirmation page says what follows
        expect(page.get_by_role("heading", level=1)).to_contain_text("请确认")
        page.get_by_role("button", name=re.compile("^确认批准")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(after)
    expect(page.get_by_text(opinion)).to_be_visible()


def test_it_takes_the_decision_through_its_chain_to_service(
    server: dict[str, Any],  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    base = server["url"]
    case_id = _case_in_decision(server)
    case_url = f"{base}/cases/{case_id}/"
    context = browser.new_context()
    context.set_default_timeout(15_000)
    page = context.new_page()

    # 张承办 proposes the decision with the 处理决定审批表.
    _log_in(page, base, "zhang")
    page.goto(case_url)
    page.get_by_role("link", name="提出处理决定（处理决定审批表）").click()
    page.locator("[name=party]").select_option(index=1)
    page.locator("[name=facts]").fill("当事人未按规定备案擅自开展养老服务。")
    page.locator("[name=evidence]").fill("现场检查笔录\n询问笔录")
    page.locator("[name=legal_basis]").fill("《养老机构管理办法》第四十六条")
    page.locator("[name=considerations]").fill("初次违法，主动整改，按裁量基准下限。")
    page.locator("[name=decision_kind]").select_option("penalty")
    page.locator("[name=proposal]").fill("罚款人民币500元。")
    page.locator("[name=proposed_fine]").fill("500")
    page.get_by_label("承办人初审意见和理由").fill("事实清楚，证据确凿，建议罚款500元。")
    page.get_by_role("button", name="提交", exact=True).click()
    page.get_by_role("navigation", name="案件内容").get_by_role("link", name="审批").click()
    expect(page.get_by_role("heading", name=re.compile("^处理决定"))).to_contain_text("审批中")
    _log_out(page)

    # 王审核 reviews from 待办 and asks for 法制审核.
    _open_the_chain(page, base, "wang")
    page.get_by_label("涉及多个法律关系").check()
    _submit_step(page, "同意。涉及多个法律关系，提请法制审核。", after="待法制审核")
    _log_out(page)

    # 陈法制 reviews legality item by item on the checklist.
    _open_the_chain(page, base, "chen")
    for code in (
        "subject",
        "officers",
        "jurisdiction",
        "procedure",
        "facts",
        "law",
        "discretion",
        "documents",
        "crime",
    ):
        page.locator(f"input[name=finding_{code}][value=ok]").check()
    page.locator("[name=note_discretion]").fill("按裁量基准下限，适当。")
    _submit_step(page, "执法主体适格，程序合法，事实清楚，适用依据正确。", after="待批准")
    _log_out(page)

    # 赵局长 approves.
    _open_the_chain(page, base, "zhao")
    _submit_step(page, "同意，按处理决定审批表作出决定。", after="已批准")
    _log_out(page)

    # 张承办 makes the 行政执法决定书, sealed on screen, and moves the case to 送达执行.
    _log_in(page, base, "zhang")
    page.goto(f"{case_url}records/new/")
    page.get_by_role("link", name="行政执法决定书").click()
    page.locator("[name=party]").select_option(index=1)
    for name, value in [
        ("facts", "当事人未按规定备案擅自开展养老服务。"),
        ("evidence", "现场检查笔录"),
        ("legal_basis", "《养老机构管理办法》第四十六条"),
        ("reasons", "事实清楚，证据确凿，初次违法，按下限处罚。"),
        ("decision", "罚款人民币500元。"),
        ("penalty_amount", "500"),
        ("review_body", "陵川县人民政府"),
        ("review_period", "自收到本决定书之日起六十日内"),
        ("litigation_court", "陵川县人民法院"),
        ("litigation_period", "自收到本决定书之日起六个月内"),
    ]:
        page.locator(f"[name={name}]").fill(value)
    page.locator("#sig_other_name").fill("陵川县民政局")
    canvas = page.locator(".signature canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 60, steps=5)
    page.mouse.up()
    page.get_by_role("button", name="保存文书").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    page.get_by_role("link", name="进入下一阶段").click()
    page.get_by_label("理由").fill("处理决定经审批通过，行政执法决定书已作出")
    page.get_by_role("button", name="提交", exact=True).click()
    # The stage change cannot be undone: a confirmation page says so first.
    expect(page.get_by_role("heading", level=1)).to_contain_text("请确认")
    page.get_by_role("button", name=re.compile("^确认进入下一阶段")).click()
    stages = page.get_by_role("list", name="阶段").get_by_role("listitem")
    expect(stages.filter(has_text="送达执行")).to_have_class(re.compile(r"\bstage-current\b"))
    page.get_by_role("navigation", name="案件内容").get_by_role("link", name="审批").click()
    section = page.locator("h2", has_text="处理决定")
    expect(section).to_contain_text("已批准")
    context.close()

    with sqlite3.connect(server["db"]) as conn:
        (stage,) = conn.execute("SELECT stage FROM cases_case WHERE id = ?", [case_id]).fetchone()
        steps = conn.execute(
            "SELECT s.role, u.username FROM approvals_step s"
            " JOIN approvals_chain c ON s.chain_id = c.id"
            " JOIN org_officer o ON s.officer_id = o.id JOIN auth_user u ON o.user_id = u.id"
            " WHERE c.case_id = ? AND c.kind = 'case_decision' ORDER BY s.id",
            [case_id],
        ).fetchall()
    conn.close()
    assert stage == "service"
    assert steps == [
        ("propose", "zhang"),
        ("review", "wang"),
        ("legal", "chen"),
        ("decide", "zhao"),
    ]
