"""Helpers other apps' tests use to issue documents cheaply."""

from __future__ import annotations

from typing import Any

from casetrail.documents import actions
from casetrail.documents.render import Rendered


def stand_in_pages(monkeypatch: Any) -> None:
    """Where the 文号 (not the pages) is what a test is about: the PDF and the seal are stood in
    for, so issuing takes milliseconds instead of a rendering."""

    def render(content: Any) -> Rendered:
        return Rendered(b"%PDF-1.7 " + content.sm3.encode(), 1, 0, 1.0, 1.0)

    monkeypatch.setattr(actions, "render", render)
    monkeypatch.setattr(actions, "apply_seal", lambda pdf, **kw: (pdf + b" sealed", False))
