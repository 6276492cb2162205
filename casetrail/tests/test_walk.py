"""The walk: one case driven through the UI by every role, at desk and phone widths, in Debian's
Chromium against the real server (the fixtures of ``casetrail/cases/tests/test_browser.py``).

张承办 starts the case; 王审核 and 赵局长 approve it from 待办; 张承办 reads every tab of the case page
(htmx swaps them), asks to move the case on and is shown the confirmation with the rules still
unmet; 李承办, 陈法制, 刘档案, 孙监督 and the administrator read what their roles read, the
finished demo cases, a recording and a ledger entry among them. Every page is screenshotted at both
widths into ``var/ci-artifacts/walk/`` (``CASETRAIL_ARTIFACTS`` overrides; gitignored, kept by CI).

The walk fails on any script error, any request to another host than the server, any page wider
than a phone's screen, and any of Django's English error pages. Skipped where Chromium is not
installed (``.ci/run`` installs it)."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from casetrail.cases.tests.test_browser import (  # noqa: F401  (fixtures: the server, the browser)
    REPO_ROOT,
    _log_in,
    _log_out,
    browser,
    fill_ex_officio,
    server,
)

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(os.environ.get("CASETRAIL_ARTIFACTS", REPO_ROOT / "var" / "ci-artifacts")) / "walk"
# What Django's own (English) error and debug pages say; the site's pages are in Chinese.
ENGLISH_ERRORS = (
    "Page not found",
    "Server Error (500)",
    "403 Forbidden",
    "Forbidden (403)",
    "Bad Request (400)",
    "CSRF verification failed",
    "Traceback",
    "Using the URLconf",
)
TITLE = "某养老机构未按规定备案擅自开展服务（全程走查）"


class Walk:
    """One browser context (desk or phone) with the checks attached to every page it opens."""

    def __init__(self, chromium: Any, base: str, width: str) -> None:
        self.base = base
        self.width = width
        self.problems: list[str] = []
        self.expect_error = False  # a deliberate 4xx (another role's case): its console line
        self.shots = 0
        viewport = DESK if width == "desk" else PHONE
        self.context = chromium.new_context(viewport=viewport, is_mobile=width == "phone")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda err: self.problems.append(f"脚本错误 {err} @ {self.url}"))
        self.page.on("request", self._request)

    @property
    def url(self) -> str:
        return str(self.page.url)

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        if self.expect_error and message.text.startswith("Failed to load resource"):
            return
        self.problems.append(f"控制台错误 {message.text} @ {self.url}")

    def _request(self, request: Any) -> None:
        parsed = urlparse(request.url)
        if parsed.scheme in ("data", "blob", "about"):
            return
        if parsed.hostname != "127.0.0.1":
            self.problems.append(f"请求了其他主机 {request.url} @ {self.url}")

    def check(self, name: str) -> None:
        """The page as it stands: no English error page, no overflow on a phone, a screenshot."""
        page = self.page
        page.wait_for_load_state("load")
        text = page.locator("body").inner_text()
        for phrase in ENGLISH_ERRORS:
            if phrase in text:
                self.problems.append(f"英文错误页（{phrase}）@ {self.url}")
        if self.width == "phone":
            wide = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if wide[0] > wide[1] + 1:
                culprits = page.evaluate(
                    """() => Array.from(document.querySelectorAll('body *'))
                      .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                      .slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"""
                )
                self.problems.append(f"手机宽度横向溢出 {wide} {culprits} @ {self.url}")
        self.shots += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"{self.shots:02d}-{name}-{self.width}.png"
        page.screenshot(path=str(shot), full_page=True)

    def visit(self, path: str, name: str, *, status: int = 200) -> None:
        self.expect_error = status >= 400
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == status, (path, response.status)
        self.check(name)
        self.expect_error = False

    def log_in(self, username: str) -> None:
        _log_in(self.page, self.base, username)
        self.check(f"{username}-worklist")

    def log_out(self) -> None:
        _log_out(self.page)

    def close(self) -> None:
        self.context.close()


def _demo_ids(db: Path) -> dict[str, Any]:
    """The finished demo cases, a recording of 3号 and one of its ledger entries."""
    with sqlite3.connect(db) as conn:
        cases = dict(conn.execute("SELECT number, id FROM cases_case WHERE number LIKE '%号'"))
        third = next(pk for number, pk in cases.items() if number.endswith("〕3号"))
        (item,) = conn.execute(
            "SELECT item_id FROM evidence_itemlink WHERE case_id = ? ORDER BY item_id LIMIT 1",
            [third],
        ).fetchone()
        (code,) = conn.execute(
            "SELECT a.credit_code FROM org_agency a JOIN cases_case c ON c.agency_id = a.id"
            " WHERE c.id = ?",
            [third],
        ).fetchone()
        (seq,) = conn.execute(
            "SELECT seq FROM ledger_ledgerentry WHERE case_ref = ? ORDER BY seq LIMIT 1", [third]
        ).fetchone()
    conn.close()
    return {"cases": sorted(cases.values()), "third": third, "item": item, "entry": (code, seq)}


SECTIONS = ("todo", "documents", "media", "approvals", "deadlines", "timeline")


def _start_and_approve(walk: Walk) -> str:
    """张承办 fills the 程序启动审批表; 王审核 and 赵局长 approve it from 待办. The case's URL."""
    from playwright.sync_api import expect

    page = walk.page
    walk.log_in("zhang")
    page.get_by_role("link", name="依职权启动").click()
    walk.check("zhang-start-form")
    fill_ex_officio(page, TITLE)
    expect(page.get_by_role("heading", level=1)).to_contain_text("（未编号）")
    walk.check("zhang-case-started")
    case_path = urlparse(walk.url).path
    walk.log_out()
    for username, opinion, after in (
        ("wang", "事实清楚，同意立案", "待批准"),
        ("zhao", "同意立案调查", "已批准"),
    ):
        walk.log_in(username)
        page.get_by_role("link", name="程序启动审批").click()
        walk.check(f"{username}-chain")
        page.get_by_label("同意", exact=True).check()
        page.get_by_label("意见和理由").fill(opinion)
        page.get_by_role("button", name="提交审批意见").click()
        if after == "已批准":  # the last step takes effect: confirmed on a page of its own
            expect(page.get_by_role("heading", level=1)).to_contain_text("请确认")
            walk.check(f"{username}-confirm")
            page.get_by_role("button", name=re.compile("^确认批准")).click()
        expect(page.get_by_role("heading", name="程序启动审批")).to_contain_text(after)
        walk.log_out()
    return case_path


def _handler_reads_and_asks_to_move_on(walk: Walk, case_path: str) -> None:
    from playwright.sync_api import expect

    page = walk.page
    walk.log_in("zhang")
    walk.visit(case_path, "zhang-case-overview")
    expect(page.locator("ol.stages li.stage-current")).to_contain_text("调查取证")
    tabs = page.get_by_role("navigation", name="案件内容")
    for title in ("待办事项", "文书", "音像", "审批", "期限", "全过程记录", "概览"):
        tabs.get_by_role("link", name=title, exact=True).click()  # htmx swaps the section
        expect(tabs.locator("a.current")).to_have_text(title)
        walk.check(f"zhang-tab-{title}")
    page.get_by_role("link", name="进入下一阶段").first.click()
    page.get_by_label("理由").fill("调查终结")
    walk.expect_error = True  # the rules of 审查决定 are not met yet: the page says so (400)
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("请确认")
    expect(page.locator(".confirm")).to_contain_text("以下规则尚未满足")
    walk.check("zhang-confirm-advance")
    walk.expect_error = False
    page.get_by_role("button", name="返回修改").click()
    expect(page.get_by_label("理由")).to_have_value("调查终结")
    walk.visit("/cases/?mine=1&status=closed", "zhang-closed-cases")
    walk.log_out()


def _every_role_reads(walk: Walk, case_path: str, demo: dict[str, Any]) -> None:
    third = f"/cases/{demo['third']}/"
    code, seq = demo["entry"]
    for username, paths in (
        ("li", [case_path, case_path + "section/timeline/"]),
        ("chen", ["/cases/"]),
        # Issue 12: the closed case waits on the custodian's worklist; its 案卷 page.
        (
            "liu",
            [
                third + "section/documents/",
                third + "section/media/",
                "/archive/",
                third + "archive/",
            ],
        ),
        (
            "sun",
            [
                case_path,
                third,
                *[f"{third}section/{key}/" for key in SECTIONS],
                f"{third}print/timeline/",
                f"/evidence/{demo['item']}/",
                f"/ledger/{code}/entries/{seq}/",
                "/compliance/exemptions/",
                "/verification/",
            ],
        ),
        ("admin", ["/org/officers/"]),
    ):
        walk.log_in(username)
        for i, path in enumerate(paths):
            walk.visit(path, f"{username}-{i:02d}")
        if username == "liu":  # an open case is not the custodian's: the site's Chinese 404
            walk.visit(case_path, "liu-not-found", status=404)
            assert "页面不存在" in walk.page.locator("h1").inner_text()
        walk.log_out()


def test_every_role_walks_one_case_at_desk_and_phone_widths(
    server: dict[str, Any],  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    base = server["url"]
    demo = _demo_ids(server["db"])
    desk = Walk(browser, base, "desk")
    case_path = _start_and_approve(desk)
    _handler_reads_and_asks_to_move_on(desk, case_path)
    _every_role_reads(desk, case_path, demo)
    desk.close()
    phone = Walk(browser, base, "phone")
    _handler_reads_and_asks_to_move_on(phone, case_path)
    _every_role_reads(phone, case_path, demo)
    for username in ("wang", "zhao"):
        phone.log_in(username)
        phone.log_out()
    phone.close()
    problems = desk.problems + phone.problems
    assert not problems, "\n".join(problems)
    assert desk.shots > 20 and phone.shots > 20
