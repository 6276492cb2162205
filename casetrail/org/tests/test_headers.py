"""Headers and start-up settings (issue 15): CSP without inline scripts, nosniff, referrer policy,
frame denial; the embedded SECRET_KEY refused outside debug and the demo; the API schema and its
docs behind a login outside debug."""

from __future__ import annotations

import re
from pathlib import Path

import casetrail
from casetrail.conftest import client_for
from casetrail.org.checks import check_secret_key, embedded_key_refused


def test_it_sends_a_strict_content_security_policy_and_the_other_headers(personas):
    r = client_for("zhang").get("/")
    r = client_for("zhang").get(r["Location"]) if r.status_code == 302 else r
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Frame-Options"] == "DENY"


def test_it_keeps_inline_scripts_out_of_every_template():
    root = Path(casetrail.__file__).parent
    inline = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                inline.append(f"{template.relative_to(root)}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text):
            inline.append(f"{template.relative_to(root)}: an on…= handler")
    assert not inline, inline


def test_it_refuses_the_embedded_secret_key_outside_debug_and_the_demo(settings):
    settings.SECRET_KEY = settings.EMBEDDED_SECRET_KEY
    settings.TESTING = settings.DEBUG = settings.DEMO = False
    assert "CASETRAIL_SECRET_KEY" in (embedded_key_refused() or "")
    assert [m.id for m in check_secret_key()] == ["casetrail.E010"]
    settings.DEMO = True
    assert embedded_key_refused() is None
    settings.DEMO, settings.DEBUG = False, True
    assert embedded_key_refused() is None
    settings.SECRET_KEY = "a-real-key-" + "x" * 50
    settings.DEBUG = False
    assert embedded_key_refused() is None and check_secret_key() == []


def test_it_keeps_the_api_schema_and_docs_behind_a_login(personas):
    from django.test import Client

    assert Client().get("/api/schema/").status_code == 401
    r = Client().get("/api/docs/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert client_for("zhang").get("/api/schema/").status_code == 200
    docs = client_for("zhang").get("/api/docs/")
    assert docs.status_code == 200 and b"<script>" not in docs.content
