"""A process of the concurrent-append test (test_concurrent_append.py), started with subprocess (a
fresh interpreter, never a fork of the test process): ``setup`` migrates the database named by
DATABASE_URL and registers an agency, ``append AGENCY N START`` appends N entries one transaction
each from the moment START (time.time()), ``check`` prints the log's size and verify's
findings as JSON. Setup also stores one blob (张承办's recording), which ``tamper`` alters with a row."""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from casetrail.ledger.log import ledger_append
    from casetrail.ledger.models import Ledger, LedgerEntry
    from casetrail.ledger.verify import verify
    from casetrail.org.actions import agency_create

    mode = sys.argv[1]
    if mode == "setup":
        call_command("migrate", verbosity=0, interactive=False)
        agency = agency_create(
            name="并发测试局",
            credit_code="11140524MB1234567J",
            case_number_pattern="并〔{year}〕{n}号",
        )
        _store_a_blob(agency)
        print(agency.pk)
    elif mode == "append":
        agency_id, count, start = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
        time.sleep(max(0.0, start - time.time()))  # all processes begin together
        for i in range(count):
            with transaction.atomic():
                ledger_append(
                    agency=agency_id,
                    actor=None,
                    action="test.concurrent",
                    subject=f"p{os.getpid()}:{i}",
                    payload={"pid": os.getpid(), "i": i},
                )
    elif mode == "tamper":
        # As an intruder would: a node and an entry changed behind the triggers.
        from casetrail.ledger.tests.test_tamper import sql

        with transaction.atomic():  # SET LOCAL (PostgreSQL) lasts for this transaction
            ledger = Ledger.objects.get()
            sql(
                'UPDATE ledger_ledgernode SET hash = %s WHERE ledger_id = %s AND level = 3 AND "index" = 5',
                [b"\x00" * 32, ledger.pk],
                table="ledger_ledgernode",
            )
            sql(
                "UPDATE ledger_ledgerentry SET canonical = replace(canonical, '\"pid\":', '\"pid\":9')"
                " WHERE ledger_id = %s AND seq = 200",
                [ledger.pk],
                table="ledger_ledgerentry",
            )
            # A recorded row edited, and the blob's bytes replaced.
            sql(
                "UPDATE org_unit SET name = %s WHERE agency_id = %s",
                ["改名股", ledger.agency_id],
                table="org_unit",
            )
        from casetrail.evidence.models import Blob
        from casetrail.evidence.storage import blob_store

        path = blob_store().path(Blob.objects.get().sha256)
        path.chmod(0o644)
        path.write_bytes(path.read_bytes()[:-1] + b"!")
        path.chmod(0o444)
    elif mode == "check":
        import casetrail.ledger.verify as verifying
        from casetrail.evidence import fixity

        verifying.CHUNK = 64  # several spans even for a small log, so jobs really split it
        verifying.ROW_CHUNK = 1  # a range a row, and a range a blob
        fixity.RANGE = 1
        ledger = Ledger.objects.get()
        seqs = list(LedgerEntry.objects.filter(ledger=ledger).values_list("seq", flat=True))
        print(
            json.dumps(
                {
                    "size": ledger.size,
                    "seqs": sorted(seqs),
                    "subjects": LedgerEntry.objects.filter(action="test.concurrent").count(),
                    "findings": verify().findings,
                    "findings_2_jobs": verify(jobs=int(sys.argv[2])).findings,
                    "findings_2_spawned": spawned_verify(int(sys.argv[2])),
                }
            )
        )


def _store_a_blob(agency) -> None:  # type: ignore[no-untyped-def]
    from casetrail.evidence.actions import blob_ingest
    from casetrail.evidence.storage import blob_store, put_bytes
    from casetrail.org.actions import officer_create, unit_create
    from casetrail.org.models import Role, Unit

    unit = unit_create(agency=agency, name="执法股", kind=Unit.Kind.ORDINARY)
    zhang = officer_create(
        unit=unit, username="zhang", name="张承办", password="casetrail-demo", roles=[Role.ADMIN]
    )
    data = "张承办的录音".encode() * 100
    digests = put_bytes(data)
    blob_ingest(
        officer=zhang,
        sha256=digests["sha256"],
        sm3=digests["sm3"],
        size=len(data),
        media_type="audio/mpeg",
        storage=blob_store().name,
    )


def spawned_verify(jobs: int) -> list[str]:
    """verify with jobs from inside a transaction, where its workers are spawned, not forked."""
    from django.db import transaction

    from casetrail.ledger.verify import verify

    with transaction.atomic():
        return verify(jobs=jobs).findings


if __name__ == "__main__":
    main()
