"""#18: ``require_no_transaction`` refuses a remote call inside a transaction the application
opened, not inside the test's own (pytest-django's ``db``); a block marked known passes."""

from __future__ import annotations

import pytest
from django.db import transaction

from casetrail.lib.outside import (
    InsideTransaction,
    known_inside_transaction,
    open_transactions,
    require_no_transaction,
)


def test_it_lets_a_remote_call_through_in_the_tests_own_transaction(db):
    assert open_transactions() == []
    require_no_transaction("the test's call")


def test_it_refuses_a_remote_call_inside_a_transaction_saying_which(db):
    with transaction.atomic():
        assert open_transactions() == ["default"]
        with pytest.raises(InsideTransaction) as err:
            require_no_transaction("the TSA request")
    assert "the TSA request must not run inside a database transaction" in str(err.value)
    with transaction.atomic(), transaction.atomic():  # nested: a savepoint, still inside
        with pytest.raises(InsideTransaction):
            require_no_transaction("the witness request")
    require_no_transaction("after the transaction")


def test_it_lets_a_block_marked_known_through_and_only_that_block(db):
    with transaction.atomic():
        with known_inside_transaction("a place listed in the README"):
            require_no_transaction("the upload")
        with pytest.raises(InsideTransaction):
            require_no_transaction("the upload")
