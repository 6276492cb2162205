"""#18: the clamd scan of the 四性检测 is refused inside a transaction (it streams every file to
clamd, up to a minute's timeout each)."""

from __future__ import annotations

import pytest
from django.db import transaction

from casetrail.archive.checks import clamd_scan
from casetrail.evidence.models import Blob
from casetrail.lib.outside import InsideTransaction


def test_it_refuses_the_clamd_scan_inside_a_transaction(db):
    blob = Blob(sha256="0" * 64)
    with pytest.raises(InsideTransaction, match="the clamd scan"):
        with transaction.atomic():
            clamd_scan(blob, "127.0.0.1:9")
    with pytest.raises(OSError):  # outside one it goes to clamd (nothing listens on port 9)
        clamd_scan(blob, "127.0.0.1:9")
