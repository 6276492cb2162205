"""Browser test: the real server (gunicorn on a throw-away SQLite file) driven by Debian's Chromium.

张承办 starts a case ex officio through the web form, 王审核 and 赵局长 approve it from their
worklists, and the case page then shows its number and the 调查取证 stage. Skipped where Chromium is
not installed; `.ci/run` installs it. No pytest-django database: the server owns its own file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

# Other processes (a server, workers) keep the real clock: so does this test process.
pytestmark = pytest.mark.real_clock

REPO_ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "casetrail-demo"
ID_NUMBER = "110101199003074514"  # valid GB 11643 check digit
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
    if not path:
        pytest.skip("Chromium not installed")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """migrate + demo into a fresh SQLite file, then gunicorn on a free port until teardown."""
    _chromium()  # skip before paying for the server when there is no browser
    tmp = tmp_path_factory.mktemp("browser")
    db = tmp / "db.sqlite3"
    env = {
        **os.environ,
        # Explicit: the PostgreSQL leg of CI sets DATABASE_URL; this test keeps its own file.
        "DATABASE_URL": f"sqlite:///{db}",
        "CASETRAIL_VAR_DIR": str(tmp),
        "CASETRAIL_TASKS": "immediate",
        "CASETRAIL_ALLOWED_HOSTS": "127.0.0.1",
        "CASETRAIL_TIME_ZONE": "Asia/Shanghai",
        "CASETRAIL_SECURE_COOKIES": "false",
        "CASETRAIL_DEMO_DOCUMENTS": "0",  # `casetrail demo` without issuing its 文书 (slow)
        "DJANGO_SETTINGS_MODULE": "casetrail.settings",
        "CASETRAIL_DEMO": "1",  # the demo's server (issue 15: demo password, embedded key)
    }
    cli = [sys.executable, "-m", "casetrail.cli"]
    for args in (["migrate", "--noinput"], ["demo"]):
        subprocess.run(
            [*cli, *args], cwd=REPO_ROOT, env=env, check=True, capture_output=True, timeout=120
        )
    port = _free_port()
    log = (tmp / "gunicorn.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "casetrail.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                pass
            try:  # waiting on the process doubles as the poll interval and notices an early exit
                proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
            else:
                pytest.fail(f"gunicorn exited: {(tmp / 'gunicorn.log').read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer: {(tmp / 'gunicorn.log').read_text()}")
        yield {"url": f"http://127.0.0.1:{port}", "db": db, "tmp": tmp}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _log_in(page: Any, base: str, username: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="待办", exact=True)).to_be_visible()


def fill_ex_officio(page: Any, title: str) -> None:
    """张承办's 程序启动审批表 (open in ``page``): 李承办 beside him, 周某 the party; submitted."""
    from playwright.sync_api import expect

    page.get_by_label("案由 / 事项").fill(title)
    page.get_by_label("事项类别").select_option(label="养老服务")
    page.get_by_role("checkbox", name=re.compile("^李承办")).check()
    expect(page.get_by_role("checkbox", name=re.compile("^张承办"))).to_be_checked()
    page.get_by_label("当事人类型").select_option(label="自然人")
    page.get_by_label("当事人姓名 / 名称").fill("周某")
    page.get_by_label("身份证件号码（自然人）").fill(ID_NUMBER)
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label("住址 / 住所").fill("山西省晋城市陵川县崇文镇某街12号")
    page.get_by_label("启动原因").fill("群众举报，经初步核实存在违法嫌疑")
    page.get_by_label("当事人基本情况").fill("周某，个体经营者")
    page.get_by_label("承办人意见（初审意见和理由）").fill("建议立案调查")
    page.get_by_role("button", name="提交", exact=True).click()


def _log_out(page: Any) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()


def _approve_from_worklist(page: Any, base: str, username: str, opinion: str, after: str) -> None:
    from playwright.sync_api import expect

    _log_in(page, base, username)
    page.get_by_role("link", name="程序启动审批").click()
    page.get_by_label("同意", exact=True).check()
    page.get_by_label("意见和理由").fill(opinion)
    page.get_by_role("button", name="提交审批意见").click()
    if after == "已批准":  # the last step takes effect: a confirmation page says what follows
        expect(page.get_by_role("heading", level=1)).to_contain_text("请确认")
        page.get_by_role("button", name=re.compile("^确认批准")).click()
    expect(page.get_by_role("heading", name="程序启动审批")).to_contain_text(after)
    expect(page.get_by_role("cell", name=opinion)).to_be_visible()
    _log_out(page)


def test_it_starts_a_case_ex_officio_and_two_officers_approve_it(
    server: dict[str, Any], browser: Any
) -> None:
    from playwright.sync_api import expect

    base = server["url"]
    year = dt.datetime.now(ZoneInfo("Asia/Shanghai")).year
    # The demo's own cases may have taken the first numbers: ours is the next one.
    with sqlite3.connect(server["db"]) as conn:
        (taken,) = conn.execute(
            "SELECT count(*) FROM cases_case WHERE number_year = ?", [year]
        ).fetchone()
    conn.close()
    number = f"陵民罚〔{year}〕{taken + 1}号"
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()

    # 张承办 fills the 程序启动审批表.
    _log_in(page, base, "zhang")
    page.get_by_role("link", name="依职权启动").click()
    fill_ex_officio(page, "某养老机构未按规定备案擅自开展服务")

    expect(page.get_by_role("heading", level=1)).to_contain_text("（未编号）")
    expect(page.locator("dl.fields").first).to_contain_text("依职权 · 待审批")
    case_url = page.url
    assert re.search(r"/cases/\d+/$", case_url), case_url
    _log_out(page)

    # 王审核 reviews, 赵局长 decides, each from the worklist.
    _approve_from_worklist(page, base, "wang", "事实清楚，同意立案", after="待批准")
    _approve_from_worklist(page, base, "zhao", "同意立案调查", after="已批准")

    # The case is numbered and in 调查取证, with the whole chain on its record.
    _log_in(page, base, "zhang")
    page.goto(case_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    stages = page.get_by_role("list", name="阶段").get_by_role("listitem")
    expect(stages.filter(has_text="程序启动")).to_have_class(re.compile(r"\bstage-past\b"))
    expect(stages.filter(has_text="调查取证")).to_have_class(re.compile(r"\bstage-current\b"))
    expect(stages.filter(has_text="审查决定")).to_have_class(re.compile(r"\bstage-future\b"))
    page.get_by_role("link", name="全过程记录", exact=True).click()
    timeline = page.locator("ul.timeline")
    for role in ("承办人初审", "审核人审核", "批准人决定"):
        expect(timeline).to_contain_text(f"程序启动审批 · {role}")
    context.close()

    # The same page on a phone.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.set_default_timeout(10_000)
    page = phone.new_page()
    _log_in(page, base, "zhao")
    page.goto(case_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    # The stylesheet is served (whitenoise from the finders): the header carries the brand colour.
    expect(page.locator("header.top")).to_have_css("background-color", "rgb(29, 78, 137)")
    shot = server["tmp"] / "case-detail-phone.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.is_file() and shot.stat().st_size > 0
    if os.environ.get("CASETRAIL_KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["CASETRAIL_KEEP_SCREENSHOT"])
    phone.close()

    # And in the server's database.
    with sqlite3.connect(server["db"]) as conn:
        rows = conn.execute(
            "SELECT id, stage FROM cases_case WHERE number = ?", [number]
        ).fetchall()
        assert len(rows) == 1 and rows[0][1] == "investigation", rows
        (steps,) = conn.execute(
            "SELECT count(*) FROM approvals_step s JOIN approvals_chain c ON s.chain_id = c.id"
            " WHERE c.case_id = ?",
            [rows[0][0]],
        ).fetchone()
        assert steps == 3
        (entries,) = conn.execute("SELECT count(*) FROM ledger_ledgerentry").fetchone()
        assert entries > 0
    conn.close()


def test_it_uploads_a_video_with_progress_through_the_browser(
    server: dict[str, Any], browser: Any
) -> None:
    """The tus client in the upload page: choose a file, describe it, upload, see it stored."""
    from playwright.sync_api import expect

    from casetrail.evidence.tests.media_files import make_video

    clip = make_video(
        server["tmp"] / "bodycam.mp4", created=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    )
    context = browser.new_context()
    context.set_default_timeout(20_000)
    page = context.new_page()
    _log_in(page, server["url"], "zhang")
    page.goto(server["url"] + "/evidence/upload/")
    page.set_input_files("#file", str(clip))
    page.get_by_label("类别").select_option("video")
    page.get_by_label("地点").fill("崇文镇某养老院")
    page.get_by_label("记录前是否告知当事人（第十三条）").select_option("told")
    page.get_by_label("告知方式 / 未告知原因").fill("口头告知并出示执法记录仪")
    page.get_by_role("button", name="开始上传").click()
    expect(page.locator("#percent")).to_have_text("100%")
    expect(page.locator("#status")).to_contain_text("查看音像记录")
    context.close()
    with sqlite3.connect(server["db"]) as conn:
        rows = conn.execute(
            "SELECT b.size FROM evidence_item i JOIN evidence_blob b ON b.id = i.blob_id"
            " WHERE i.kind = 'video' AND i.place = ?",
            ["崇文镇某养老院"],
        ).fetchall()
    conn.close()
    assert rows == [(clip.stat().st_size,)]
