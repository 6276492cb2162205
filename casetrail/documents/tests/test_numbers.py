"""The 文号 register: gapless per agency, family and year, under parallel issuing too; a refused
issue gives its number back; a pattern is set only by the agency's administrator; a missing font
refuses loudly and issues nothing."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
from django.db import connection, connections

from casetrail.compliance.tests.builders import make
from casetrail.documents import actions
from casetrail.documents.actions import document_pattern_set
from casetrail.documents.fonts import faces
from casetrail.documents.issuing import issue
from casetrail.documents.models import IssuedDocument, NumberCounter
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError


def notices(case: Any, personas: dict[str, Any], n: int) -> list[Any]:
    """``n`` 权利告知书 of the case in 调查取证: documents of the numbered 告知书 family."""
    return [make(case, personas, "rights_notice", proposed_fine="500.00") for _ in range(n)]


def test_it_numbers_gaplessly_and_gives_a_refused_number_back(
    open_case, personas, evidence_store, patterns, quick, monkeypatch
):
    first, second, third = notices(open_case, personas, 3)
    issue(record=first, officer=personas["zhang"])

    def broken(pdf: bytes, **kw: Any) -> Any:
        raise actions.SealError("密钥不可读")

    monkeypatch.setattr(actions, "apply_seal", broken)
    with pytest.raises(ActionError) as err:
        issue(record=second, officer=personas["zhang"])
    assert err.value.code == "seal_failed"
    monkeypatch.setattr(actions, "apply_seal", lambda pdf, **kw: (pdf, False))
    issue(record=third, officer=personas["zhang"])
    issue(record=second, officer=personas["zhang"])
    numbers = list(
        IssuedDocument.objects.order_by("number_seq").values_list("number_seq", "doc_no")
    )
    year = IssuedDocument.objects.first().number_year
    assert numbers == [(n, f"陵民罚告〔{year}〕{n}号") for n in (1, 2, 3)]
    assert NumberCounter.objects.get(family="notice").last == 3


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite: one writer at a time, by the IMMEDIATE lock"
)
def test_it_draws_numbers_under_sqlites_immediate_write_lock(settings):
    # Two issuing transactions cannot interleave on SQLite: BEGIN IMMEDIATE takes the database's
    # write lock before the counter is read, so the second waits and reads the first's number.
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


# Threads need committed rows, and a committed insert-only table cannot be flushed afterwards
# (its triggers refuse TRUNCATE, 第三十五条): this runs against a throw-away PostgreSQL database
# when CASETRAIL_TEST_PARALLEL=1, e.g. `DATABASE_URL=postgresql://…/ct_x CASETRAIL_TEST_PARALLEL=1
# pytest casetrail/documents/tests/test_numbers.py` (the flush at teardown then reports an error).
@pytest.mark.skipif(
    connection.vendor != "postgresql" or os.environ.get("CASETRAIL_TEST_PARALLEL") != "1",
    reason="threads need a throw-away PostgreSQL database",
)
@pytest.mark.django_db(transaction=True)
def test_it_numbers_gaplessly_when_issued_in_parallel(
    open_case, personas, evidence_store, patterns, quick
):
    records = notices(open_case, personas, 6)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(records))

    def run(record: Any) -> None:
        try:
            barrier.wait()
            issue(record=record, officer=personas["zhang"])
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(r,)) for r in records]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seqs = sorted(IssuedDocument.objects.values_list("number_seq", flat=True))
    assert seqs == list(range(1, len(records) + 1))


def test_it_lets_only_the_administrator_set_a_pattern(personas):
    with pytest.raises(ActionError) as err:
        document_pattern_set(
            officer=personas["zhang"], family="decision", pattern="X〔{year}〕{n}号"
        )
    assert err.value.status == 403
    for bad in ("陵民罚决〔2026〕{n}号", "{year}{n}{x}", ""):
        with pytest.raises(ActionError) as err:
            document_pattern_set(officer=personas["admin"], family="decision", pattern=bad)
        assert err.value.code == "invalid_pattern"
    with pytest.raises(ActionError) as err:
        document_pattern_set(officer=personas["admin"], family="minutes", pattern="{year}{n}")
    assert err.value.code == "invalid_family"


def test_it_refuses_loudly_without_the_font_and_issues_nothing(start_form, personas, settings):
    settings.CASETRAIL_DOCUMENT_FONT = "No Such Font SC"
    faces.cache_clear()
    entries = LedgerEntry.objects.count()
    try:
        with pytest.raises(ActionError) as err:
            issue(record=start_form, officer=personas["zhang"])
    finally:
        faces.cache_clear()
    assert err.value.code == "font_missing" and "fonts-noto-cjk" in err.value.message
    assert not IssuedDocument.objects.exists() and LedgerEntry.objects.count() == entries
