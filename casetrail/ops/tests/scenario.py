"""Run as a script by test_backup, on a real file database under a temporary var/ (a backup
copies committed data, which the test suite's per-test transaction never has):

- ``prepare``: migrate, load the demo personas, store one evidence blob;
- ``loop OUT``: an officer's ledgered writes run in a thread while ten backups are taken into
  OUT; each copy is then verified on its own. Prints "<n> <ledger size> intact|<findings>"."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from casetrail.demo.personas import load_demo  # noqa: E402
from casetrail.ledger.models import Ledger  # noqa: E402
from casetrail.ledger.verify import verify  # noqa: E402
from casetrail.ops.backup import backup  # noqa: E402
from casetrail.org.actions import token_issue, token_revoke  # noqa: E402

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def prepare() -> None:
    from casetrail.evidence.ingest import store_bytes

    call_command("migrate", verbosity=0)  # the log's key is made by its first checkpoint
    zhang = load_demo()["zhang"]
    store_bytes(officer=zhang, data=PNG, media_type="image/png")
    call_command("checkpoint", verbosity=0)


def loop(out: Path) -> None:
    zhang = load_demo()["zhang"]
    stop = threading.Event()
    written = [0]

    def write() -> None:
        while not stop.is_set():
            issued = token_issue(by=zhang, officer=zhang, name="写入循环")
            token_revoke(by=zhang, token=issued.token)
            written[0] += 2
        connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for n in range(10):
            while written[0] < 4 * (n + 1):  # some writes land between two backups
                stop.wait(0.01)
            backup(out / f"b{n}", passphrase="a passphrase for the test")
    finally:
        stop.set()
        writer.join()
    for n in range(10):
        connections.close_all()
        connections["default"].settings_dict["NAME"] = str(out / f"b{n}" / "database.sqlite3")
        report = verify()
        size = sum(Ledger.objects.values_list("size", flat=True))
        print(n, size, "intact" if report.intact else report.findings, flush=True)
    connections.close_all()


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare()
    else:
        loop(Path(sys.argv[2]))
