"""A search for a character no case text may hold (NUL, a control character) finds nothing, on
the case list page and in the API, on both databases — PostgreSQL refuses a NUL in a query
parameter, which answered 500 (found by ``test_api_schema``)."""

from __future__ import annotations

from typing import Any

import pytest

from casetrail.conftest import approve_start, client_for, start_ex_officio


@pytest.mark.parametrize("q", ["\x00", "张\x00三", "\x1b"])
def test_it_finds_nothing_for_a_character_no_case_holds(personas: Any, q: str) -> None:
    approve_start(start_ex_officio(personas), personas)
    client = client_for("sun")
    api = client.get("/api/cases/", {"q": q})
    assert api.status_code == 200
    assert api.json()["count"] == 0
    page = client.get("/cases/", {"q": q})
    assert page.status_code == 200
    assert client.get("/api/cases/").json()["count"] == 1  # the case is there to be found
