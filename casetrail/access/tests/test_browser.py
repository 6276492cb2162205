"""Browser test of the 调用单 (第三十二条): the real server with the demo loaded, Debian's Chromium.

张承办 registers 钱某's agent's request on the ordinary demo case (the 询问笔录 to be redacted, a
video given) with the 授权委托书 scan, 王审核 approves on the chain's page, 赵局长 decides item by
item on the 调用单's page and approves, 张承办 makes the redacted 笔录 and the package, and the
link downloads a zip without a login. Skipped where Chromium is not installed."""

from __future__ import annotations

import io
import re
import sqlite3
from typing import Any

from casetrail.cases.tests.test_browser import (  # noqa: F401  (module-scoped fixtures)
    _log_in,
    _log_out,
    browser,
    server,
)


def _approve_on_chain_page(page: Any, opinion: str, *, last: bool) -> None:
    from playwright.sync_api import expect

    page.get_by_role("link", name=re.compile("^行政执法全过程记录调用审批")).click()
    page.get_by_label("同意", exact=True).check()
    page.get_by_label("意见和理由").fill(opinion)
    page.get_by_role("button", name="提交审批意见").click()
    if last:
        expect(page.get_by_role("heading", level=1)).to_contain_text("请确认")
        page.get_by_role("button", name=re.compile("^确认批准")).click()
    expect(page.get_by_role("cell", name=opinion)).to_be_visible()


def _letter() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (200, 280), (240, 240, 240)).save(out, "PDF")
    return out.getvalue()


def test_it_fulfils_a_copy_request_in_the_browser(server: dict[str, Any], browser: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    base = server["url"]
    with sqlite3.connect(server["db"]) as conn:
        (case_id,) = conn.execute(
            "SELECT id FROM cases_case WHERE title = ?", ["钱某销售封建迷信殡葬用品案"]
        ).fetchone()
        (interview,) = conn.execute(
            "SELECT id FROM records_record WHERE case_id = ? AND kind = 'interview_record'"
            " ORDER BY id LIMIT 1",
            [case_id],
        ).fetchone()
        (video,) = conn.execute(
            "SELECT i.id FROM evidence_item i JOIN evidence_itemlink l ON l.item_id = i.id"
            " WHERE l.case_id = ? AND i.kind = 'video' ORDER BY i.id LIMIT 1",
            [case_id],
        ).fetchone()
    conn.close()
    context = browser.new_context(accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()

    _log_in(page, base, "zhang")
    page.goto(f"{base}/cases/{case_id}/copy-requests/new/")
    page.locator("select[name=requester_kind]").select_option(label="当事人的代理人")
    page.locator("input[name=requester]").fill("王律师")
    page.locator("input[name=authority]").fill("钱某签署的授权委托书")
    page.locator("[name=purpose]").fill("申请行政复议")
    page.locator("input[name=authority_file]").set_input_files(
        {"name": "授权委托书.pdf", "mimeType": "application/pdf", "buffer": _letter()}
    )
    page.locator(f"select[name=item_record_{interview}]").select_option("redacted")
    page.locator(f"select[name=item_media_{video}]").select_option("given")
    page.locator("[name=opinion]").fill("附授权委托书，笔录隐去个人信息后提供")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("调用〔")
    copy_url = page.url
    expect(page.get_by_role("cell", name=re.compile("个人信息：被询问人"))).to_be_visible()
    _log_out(page)

    _log_in(page, base, "wang")
    page.goto(copy_url)
    _approve_on_chain_page(page, "同意，笔录隐去个人信息", last=False)
    _log_out(page)

    _log_in(page, base, "zhao")
    page.goto(copy_url)
    for select in page.locator("select[name^=d_]").all():
        name = select.get_attribute("name")
        select.select_option("redacted" if select.input_value() == "redacted" else "given")
        page.locator(f"input[name=r_{name[2:]}]").fill("被询问人的身份证号、电话属个人隐私")
    page.get_by_role("button", name="保存决定").click()
    page.goto(copy_url)
    _approve_on_chain_page(page, "同意复制", last=True)
    _log_out(page)

    _log_in(page, base, "zhang")
    page.goto(copy_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("已批准")
    page.locator("input[name=reason]").first.fill("第三十三条：个人隐私")
    page.get_by_role("button", name="制作删除处理件").click()
    expect(page.get_by_role("link", name="记录中个人信息隐去后重新生成")).to_be_visible()
    page.get_by_role("button", name="制作复制件包并生成下载链接").click()
    link = page.locator("#copy-link").inner_text()
    assert "/copies/d/" in link
    context.close()

    stranger = browser.new_context()
    response = stranger.request.get(link)
    assert response.status == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.body()[:2] == b"PK"
    stranger.close()
