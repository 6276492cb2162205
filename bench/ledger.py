"""Ledger benchmark: append rate (through a real action and raw), `verify` throughput against the
raw hash rate of the same bytes, and inclusion-proof latency at 10^5 and 10^6 entries.

    .venv/bin/python bench/ledger.py            # full run (10^6 entries: a few minutes)
    .venv/bin/python bench/ledger.py --quick    # 10^4 / 10^5, for a smoke run

Runs on a throw-away SQLite database under a temporary folder (DATABASE_URL=postgresql://… to
measure PostgreSQL instead; the database is created and dropped by Django's test runner helpers).
Figures are printed as a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(tmp: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["CASETRAIL_VAR_DIR"] = str(tmp)
    os.environ["CASETRAIL_TASKS"] = "immediate"
    os.environ["CASETRAIL_CHECKPOINT_EVERY"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "casetrail.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


PAYLOAD_TEXT = "现场检查情况：" + "检查记录内容" * 40  # ~500 bytes of UTF-8, like a short record


def raw_appends(agency, n: int) -> float:  # type: ignore[no-untyped-def]
    from django.db import transaction

    from casetrail.ledger.log import ledger_append

    def run() -> None:
        for i in range(n):
            with transaction.atomic():
                ledger_append(
                    agency=agency,
                    actor=None,
                    action="bench.raw",
                    subject=f"bench:{i}",
                    payload={"i": i, "text": PAYLOAD_TEXT},
                )

    seconds, _ = timed(run)
    return n / seconds


def action_appends(officers, n: int) -> float:  # type: ignore[no-untyped-def]
    """Through a real action: each writes a record row and its ledger entry in one transaction."""
    from django.utils import timezone

    from casetrail.cases.writes import CaseInput, PartyInput
    from casetrail.start import actions

    zhang, li = officers["zhang"], officers["li"]
    case = actions.case_register_application(
        officer=zhang,
        data=CaseInput(
            unit=zhang.unit, title="基准测试申请", category="other", officers=[zhang, li]
        ),
        applicant=PartyInput(kind="person", name="基准"),
        received_at=timezone.now(),
        matter="基准",
        materials=["申请书"],
    )

    def run() -> None:
        for i in range(n):
            actions.application_supplement_received(
                case=case,
                officer=zhang,
                fields={"received_at": timezone.now(), "items": [f"补正材料 {i}", PAYLOAD_TEXT]},
            )

    seconds, _ = timed(run)
    return n / seconds


def bulk_fill(ledger, target: int) -> None:  # type: ignore[no-untyped-def]
    """Grow the log to ``target`` entries with the same hashing as ledger_append, in batches
    (only to reach 10^6 entries in minutes; appends one by one are measured separately)."""
    from django.db import transaction
    from django.utils import timezone

    from casetrail.ledger.log import iso
    from casetrail.ledger.models import Ledger, LedgerEntry, LedgerNode
    from casetrail.lib import merkle
    from casetrail.lib.canonical_json import canonicalize

    ledger.refresh_from_db()
    size = ledger.size
    cache: dict[tuple[int, int], bytes] = {}
    if size:
        for lv, ix, h in LedgerNode.objects.filter(ledger=ledger).values_list(
            "level", "index", "hash"
        ):
            cache[(lv, ix)] = bytes(h)
    while size < target:
        batch = min(20_000, target - size)
        entries, nodes = [], []
        now = timezone.now()
        for seq in range(size, size + batch):
            canonical = canonicalize(
                {
                    "action": "bench.fill",
                    "actor": {"id": None, "name": "system"},
                    "payload": {"i": seq, "text": PAYLOAD_TEXT},
                    "seq": seq,
                    "subject": f"bench:{seq}",
                    "time": iso(now),
                }
            )
            entries.append(
                LedgerEntry(
                    ledger=ledger,
                    seq=seq,
                    time=now,
                    action="bench.fill",
                    subject=f"bench:{seq}",
                    canonical=canonical.decode(),
                )
            )
            leaf = merkle.leaf_hash(ledger.hash_name, canonical)
            for lv, ix, h in merkle.nodes_for_append(
                ledger.hash_name, lambda a, b, c=cache: c[(a, b)], seq, leaf
            ):
                cache[(lv, ix)] = h
                nodes.append(LedgerNode(ledger=ledger, level=lv, index=ix, hash=h))
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(entries, batch_size=2000)
            LedgerNode.objects.bulk_create(nodes, batch_size=2000)
            Ledger.objects.filter(pk=ledger.pk).update(size=size + batch)
        size += batch
        # Keep only what later appends can need: the rightmost node of each level.
        cache = {k: v for k, v in cache.items() if ((k[1] + 1) << k[0]) > size - (1 << k[0]) * 2}
        print(f"  filled {size:,}", file=sys.stderr)


def hash_rate(ledger) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Entries per second for just hashing the stored entries' bytes (the floor verify can reach)."""
    from casetrail.ledger.models import LedgerEntry
    from casetrail.lib import merkle

    datas = [
        c.encode()
        for c in LedgerEntry.objects.filter(ledger=ledger)
        .values_list("canonical", flat=True)
        .iterator(chunk_size=5000)
    ]
    seconds, _ = timed(lambda: [merkle.leaf_hash(ledger.hash_name, d) for d in datas])
    return len(datas) / seconds, sum(map(len, datas))


def proof_latency(ledger, samples: int = 200) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    from casetrail.ledger import selectors

    ledger.refresh_from_db()
    times = []
    for _ in range(samples):
        index = random.randrange(ledger.size)
        seconds, _ = timed(selectors.inclusion, ledger=ledger, index=index, size=ledger.size)
        times.append(seconds * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * len(times)) - 1]


def start_witness(tmp: Path, ledger):  # type: ignore[no-untyped-def]
    """A real `casetrail witness` process on a free port of 127.0.0.1 that knows the log's key."""
    import subprocess

    from django.conf import settings

    from casetrail.ledger.keys import get_signer
    from casetrail.ledger.witness_server import add_log_key

    state = tmp / "witness"
    add_log_key(state, get_signer(ledger.origin).vkey())  # type: ignore[attr-defined]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "casetrail.ledger.witness_server",
            "--state",
            str(state),
            "--name",
            "bench.witness",
            "--listen",
            "127.0.0.1:0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().split()[-1]
    vkey = process.stdout.readline().split()[-1]
    settings.CASETRAIL_WITNESSES = [f"{url} {vkey}"]
    return process


def checkpoint_latency(ledger, agency, samples: int = 30) -> float:  # type: ignore[no-untyped-def]
    """Median ms to sign a checkpoint of a few new entries (with the witness round trip when one
    is configured): the consistency proof, the signatures, the HTTP add-checkpoint, the store."""
    from django.db import transaction

    from casetrail.ledger.checkpoints import checkpoint_create
    from casetrail.ledger.log import ledger_append

    times = []
    for i in range(samples):
        for j in range(5):
            with transaction.atomic():
                ledger_append(
                    agency=agency,
                    actor=None,
                    action="bench.raw",
                    subject=f"cp:{i}:{j}",
                    payload={"i": i},
                )
        seconds, _ = timed(checkpoint_create, ledger=ledger)
        times.append(seconds * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    small, big = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    tmp = Path(tempfile.mkdtemp(prefix="casetrail-bench-"))
    setup(tmp)
    from casetrail.demo.personas import load_demo
    from casetrail.ledger.models import Ledger
    from casetrail.ledger.verify import verify

    officers = load_demo()
    agency = officers["zhang"].agency
    ledger = Ledger.objects.get(agency=agency)
    from django.db import connection

    rows = [
        ("machine", machine()),
        ("database", connection.vendor),
        ("ledger hash", ledger.hash_name),
    ]
    rows.append(
        (
            "appends/s through an action (record row + entry, one transaction each)",
            f"{action_appends(officers, 2000):,.0f}",
        )
    )
    rows.append(
        (
            "appends/s raw `ledger_append` (one transaction each)",
            f"{raw_appends(agency, 5000):,.0f}",
        )
    )
    bulk_fill(ledger, small)
    rate, size = hash_rate(ledger)
    seconds, report = timed(verify, agency_code=agency.credit_code)
    ledger.refresh_from_db()
    verify_rate = ledger.size / seconds
    rows.append(
        (
            f"verify at {ledger.size:,} entries",
            f"{seconds:.1f} s, {verify_rate:,.0f} entries/s, {len(report.findings)} findings",
        )
    )
    rows.append(
        ("raw leaf-hash rate of the same bytes", f"{rate:,.0f} entries/s ({size / 2**20:.0f} MiB)")
    )
    rows.append(("verify / raw hash", f"{verify_rate / rate:.2f}"))
    median, p95 = proof_latency(ledger)
    rows.append(
        (f"inclusion proof at {ledger.size:,} entries", f"median {median:.2f} ms, p95 {p95:.2f} ms")
    )
    bulk_fill(ledger, big)
    median, p95 = proof_latency(ledger)
    rows.append(
        (f"inclusion proof at {big:,} entries", f"median {median:.2f} ms, p95 {p95:.2f} ms")
    )
    # Witnesses (issue 14): a checkpoint's cost without and with a real witness round trip, then
    # verify with its witness checks, against the same run's raw hash rate.
    alone = checkpoint_latency(ledger, agency)
    witness = start_witness(tmp, ledger)
    try:
        witnessed = checkpoint_latency(ledger, agency)
        rows.append(("checkpoint without a witness", f"median {alone:.1f} ms"))
        rows.append(
            (
                "checkpoint with the witness round trip (add-checkpoint + proof + cosignature)",
                f"median {witnessed:.1f} ms ({witnessed / alone:.1f}× without; "
                f"{witnessed - alone:.1f} ms round trip)",
            )
        )
        seconds, report = timed(verify, agency_code=agency.credit_code)
        ledger.refresh_from_db()
        rows.append(
            (
                f"verify at {ledger.size:,} entries with witness checks",
                f"{seconds:.1f} s, {ledger.size / seconds:,.0f} entries/s, "
                f"{len(report.findings)} findings, {len(report.notes)} notes",
            )
        )
        rows.append(
            ("verify with witness checks / raw hash", f"{ledger.size / seconds / rate:.2f}")
        )
    finally:
        witness.terminate()
        witness.wait()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak memory of the benchmark process", f"{peak:,.0f} MiB"))
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
