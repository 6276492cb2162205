"""Errors are the site's own: Chinese pages in the UI, {"code","message"} JSON under /api/, a
request id in both, never Django's English defaults."""

from __future__ import annotations

from django.test import Client

from casetrail.conftest import client_for


def test_it_shows_a_chinese_404_page_with_a_request_id(personas):
    response = client_for("zhang").get("/cases/999999/")
    body = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in body
    assert response["X-Request-ID"] in body and "Not Found" not in body


def test_it_shows_a_chinese_403_page(personas):
    response = client_for("sun").get("/cases/new/ex-officio/")
    body = response.content.decode()
    assert response.status_code == 403 and "没有权限" in body and "只有承办人可以登记案件" in body
    assert "Forbidden" not in body


def test_it_answers_an_unknown_api_address_with_json(personas):
    response = client_for("zhang").get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found" and response.json()["request_id"]


def test_it_answers_a_server_error_under_the_api_with_json(personas, monkeypatch):
    from casetrail.cases import api

    def broken(**kwargs):
        raise RuntimeError("数据库不可用")

    monkeypatch.setattr(api, "case_list", broken)
    response = client_for("zhang").get("/api/cases/")
    data = response.json()
    assert response.status_code == 500 and data["code"] == "server_error"
    assert data["request_id"] == response["X-Request-ID"] and data["request_id"] in data["message"]
    assert "数据库不可用" not in data["message"]  # no internals leak to the client


def test_it_shows_a_chinese_500_page_in_the_ui(personas, monkeypatch):
    from casetrail.cases import views

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "case_list", broken)
    client = client_for("zhang")
    client.raise_request_exception = False
    response = client.get("/cases/")
    body = response.content.decode()
    assert response.status_code == 500 and "服务器内部错误" in body
    assert response["X-Request-ID"] in body and "Server Error" not in body


def test_it_says_a_bad_json_body_in_chinese(personas):
    response = client_for("zhang").post(
        "/api/cases/ex-officio/", data="{not json", content_type="application/json"
    )
    data = response.json()
    assert response.status_code == 400 and data["code"] == "parse_error"
    assert "请求体格式无效" in data["message"] and "parse error" not in data["message"]


def test_it_shows_a_chinese_page_when_the_form_expired(personas):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="zhang", password="casetrail-demo")
    response = client.post("/cases/new/ex-officio/", {"title": "x"})
    assert response.status_code == 403 and "CSRF" in response.content.decode()
    assert "页面已过期" in response.content.decode()
