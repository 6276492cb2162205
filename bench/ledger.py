"""Ledger benchmark: append rate (through a real action and raw), `verify` throughput against the
raw hash rate of the same bytes, and inclusion-proof latency at 10^5 and 10^6 entries.

    .venv/bin/python bench/ledger.py            # full run (10^6 entries: a few minutes)
    .venv/bin/python bench/ledger.py --quick    # 10^4 / 10^5, for a smoke run
    .venv/bin/python bench/ledger.py --verify-only --keep /tmp/ct-ledger-1e6   # verify at 10^6 only

``--keep DIR`` puts the SQLite database in DIR and leaves it there: a later run with the same DIR
reuses the filled log (building 10^6 entries takes many minutes; verify's before/after wants the
same log). ``--verify-only`` skips the appends, checkpoints and proofs: the minimal verifier and
`casetrail verify --jobs 1` / ``--jobs 2`` at the larger size only.

With a real witness process on 127.0.0.1 it also times a checkpoint signed alone and with the
witness's round trip (issue 14), and `verify` with the witness checks against the raw hash rate.

Runs on a throw-away SQLite database under a temporary folder (DATABASE_URL=postgresql://… to
measure PostgreSQL instead: a fresh database on that server, dropped at the end). The temporary
folder is removed at the end. Figures are printed as a Markdown table for the README.

Every rate is measured in ``--rounds`` (3) interleaved rounds together with its same-run reference
and reported as min / median / max, with the ratio of medians (issue 18):

* appends: a minimal append with the standard library's sqlite3 (WAL, synchronous=FULL, one
  transaction per append: insert ~1 KB of canonical JSON, SM3 leaf hash, two node inserts) or, on
  PostgreSQL, the same three statements through psycopg; beside each rate, this process's CPU an
  append (``time.process_time``) and the rest of the wall time — the commit's wait, which no
  Python shortens: the ratio a faster append path can reach is bounded by the two;
* inclusion proof: the same proof's nodes read from the same tables with one raw SQL query;
* verify: a minimal verifier on the same tables (stream entries with their leaves, hash, parse;
  stream nodes with their children, hash), and `casetrail verify` as a separate process (its peak
  RSS read from the OS), with ``--jobs 1`` and ``--jobs 2``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


PG_NAME = f"casetrail_bench_{os.getpid()}"


def setup(tmp: Path) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        # A fresh database on the server named by DATABASE_URL, dropped at the end.
        import psycopg

        base, _, _ = url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{PG_NAME}"')
        os.environ["DATABASE_URL"] = f"{base}/{PG_NAME}"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["CASETRAIL_VAR_DIR"] = str(tmp)
    os.environ["CASETRAIL_DEMO"] = "1"  # the demo personas (a throw-away database)
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
    if size >= target:
        return  # a kept log (--keep) already this large
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
    from django.db import connection

    if connection.vendor == "postgresql":
        # Planner statistics after a bulk load (autovacuum would get there later), so the queries
        # of verify and of the references are planned on what the tables hold.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE ledger_ledgerentry, ledger_ledgernode")


def hash_rate(ledger) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Entries per second for just hashing the stored entries' bytes (the floor verify can reach)."""
    from casetrail.ledger.models import LedgerEntry
    from casetrail.lib import merkle

    rows = LedgerEntry.objects.filter(ledger=ledger).values_list("canonical", flat=True)
    seconds = 0.0
    count = size = 0
    chunk: list[bytes] = []
    for canonical in rows.iterator(chunk_size=5000):
        chunk.append(canonical.encode())
        if len(chunk) == 5000:
            took, _ = timed(lambda c=chunk: [merkle.leaf_hash(ledger.hash_name, d) for d in c])
            seconds, count, size = seconds + took, count + len(chunk), size + sum(map(len, chunk))
            chunk = []
    if chunk:
        took, _ = timed(lambda: [merkle.leaf_hash(ledger.hash_name, d) for d in chunk])
        seconds, count, size = seconds + took, count + len(chunk), size + sum(map(len, chunk))
    return count / seconds, size


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
    return process, f"{url} {vkey}"


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


# --- same-run references (standard library / the bare driver) ----------------------------------


def reference_appends(tmp: Path, n: int) -> float:
    """Appends/s of a minimal append: ~1 KB canonical JSON inserted, its SM3 leaf, two node rows,
    one transaction each — sqlite3 in WAL with synchronous=FULL, or psycopg on PostgreSQL."""
    from casetrail.lib.canonical_json import canonicalize

    url = os.environ["DATABASE_URL"]
    entry = {"action": "ref", "payload": {"text": PAYLOAD_TEXT * 2}, "seq": 0}
    if url.startswith("postgres"):
        import psycopg

        conn = psycopg.connect(url)
        conn.execute("CREATE TABLE IF NOT EXISTS ref_e (seq bigint PRIMARY KEY, canonical text)")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS ref_n (level int, idx bigint, hash bytea, PRIMARY KEY (level, idx))"
        )
        conn.execute("TRUNCATE ref_e, ref_n")
        conn.commit()
        start = time.perf_counter()
        for seq in range(n):
            data = canonicalize({**entry, "seq": seq})
            leaf = hashlib.new("sm3", b"\x00" + data).digest()
            with conn.transaction():
                conn.execute("INSERT INTO ref_e VALUES (%s, %s)", [seq, data.decode()])
                conn.execute("INSERT INTO ref_n VALUES (0, %s, %s)", [seq, leaf])
                conn.execute("INSERT INTO ref_n VALUES (1, %s, %s)", [seq, leaf])
        seconds = time.perf_counter() - start
        conn.execute("DROP TABLE ref_e, ref_n")
        conn.commit()
        conn.close()
        return n / seconds
    path = tmp / "reference.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
        "CREATE TABLE ref_e (seq INTEGER PRIMARY KEY, canonical TEXT);"
        "CREATE TABLE ref_n (level INTEGER, idx INTEGER, hash BLOB, PRIMARY KEY (level, idx));"
    )
    start = time.perf_counter()
    for seq in range(n):
        data = canonicalize({**entry, "seq": seq})
        leaf = hashlib.new("sm3", b"\x00" + data).digest()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO ref_e VALUES (?, ?)", [seq, data.decode()])
        conn.execute("INSERT INTO ref_n VALUES (0, ?, ?)", [seq, leaf])
        conn.execute("INSERT INTO ref_n VALUES (1, ?, ?)", [seq, leaf])
        conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return n / seconds


def raw_proof_latency(ledger, samples: int = 200) -> float:  # type: ignore[no-untyped-def]
    """Median ms to read one inclusion proof's nodes (and the root's) with one raw SQL query."""
    from django.db import connection

    from casetrail.lib import merkle

    ledger.refresh_from_db()
    times = []
    for _ in range(samples):
        index = random.randrange(ledger.size)
        start = time.perf_counter()
        refs = [*merkle.inclusion_proof_nodes(index, ledger.size), merkle.NodeRef(0, ledger.size)]
        pairs = sorted({pn for ref in refs for pn in ref.perfect_nodes()})
        # The plainest form: one equality term per node (SQLite's multi-index OR).
        terms = " OR ".join(['(ledger_id = %s AND level = %s AND "index" = %s)'] * len(pairs))
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT level, "index", hash FROM ledger_ledgernode WHERE {terms}',
                [v for p in pairs for v in (ledger.pk, *p)],
            )
            cursor.fetchall()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def reference_verify(ledger) -> float:  # type: ignore[no-untyped-def]
    """Seconds for a minimal verifier doing the same work on the same tables: every entry with its
    stored leaf (hash, compare, parse), every node with its children (hash, compare)."""
    from django.db import connection

    from casetrail.lib import merkle

    h = ledger.hash_name
    start = time.perf_counter()
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            "SELECT e.seq, e.canonical, n.hash FROM ledger_ledgerentry e LEFT JOIN ledger_ledgernode n"
            ' ON n.ledger_id = e.ledger_id AND n.level = 0 AND n."index" = e.seq'
            " WHERE e.ledger_id = %s ORDER BY e.seq",
            [ledger.pk],
        )
        bad = 0
        while batch := cursor.fetchmany(5000):
            for _seq, canonical, leaf in batch:
                data = canonical.encode()
                bad += merkle.leaf_hash(h, data) != bytes(leaf)
                json.loads(data)
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            "SELECT p.hash, l.hash, r.hash FROM ledger_ledgernode p JOIN ledger_ledgernode l ON"
            ' l.ledger_id = p.ledger_id AND l.level = p.level - 1 AND l."index" = 2 * p."index"'
            " JOIN ledger_ledgernode r ON r.ledger_id = p.ledger_id AND r.level = p.level - 1"
            ' AND r."index" = 2 * p."index" + 1 WHERE p.ledger_id = %s AND p.level > 0'
            ' ORDER BY p.level, p."index"',
            [ledger.pk],
        )
        while batch := cursor.fetchmany(5000):
            for value, left, right in batch:
                bad += merkle.node_hash(h, bytes(left), bytes(right)) != bytes(value)
    assert bad == 0
    return time.perf_counter() - start


def verify_process(jobs: int, code_dir: Path = ROOT) -> tuple[float, float, int]:
    """`casetrail verify --jobs N` as its own process: the seconds verify() took in it (Django's
    start-up excluded, worker start-up included), peak RSS (MiB) of the process or of its largest
    worker, and the number of findings. ``code_dir``: the checkout whose `casetrail` it imports
    (``--before``)."""
    env = {**os.environ}
    code = (
        "import resource, sys, django; django.setup();"
        "from casetrail.ledger.verify import verify;"
        f"r = verify(jobs={jobs});"
        "print(r.seconds, len(r.findings), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=code_dir
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    seconds, findings, own, children = done.stdout.split()[-4:]
    return float(seconds), max(int(own), int(children)) / 1024, int(findings)


def rounds(measures: dict[str, Callable[[], float]], count: int) -> dict[str, list[float]]:
    """Run each measure once per round, interleaved, ``count`` rounds."""
    out: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(count):
        for name, fn in measures.items():
            out[name].append(fn())
    return out


def spread(values: list[float], fmt: str = "{:,.0f}") -> str:
    return " / ".join(fmt.format(v) for v in (min(values), statistics.median(values), max(values)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10^4 / 10^5 entries")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--appends", type=int, default=2000, help="appends per round")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="the SQLite database in DIR, kept (a later run reuses the filled log; SQLite only)",
    )
    parser.add_argument(
        "--before",
        type=Path,
        metavar="DIR",
        help="also `casetrail verify --jobs 1` of the checkout in DIR (its code), interleaved",
    )
    parser.add_argument(
        "--verify-only",
        action="store_true",
        help="only the minimal verifier and `casetrail verify` at the larger size",
    )
    parser.add_argument(
        "--appends-only",
        action="store_true",
        help="only the append rates (no checkpoints, proofs or verify): a minute, not many",
    )
    args = parser.parse_args()
    small, big = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="casetrail-bench-"))
    try:
        run_bench(tmp, small, big, args)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        url = os.environ.get("DATABASE_URL", "")
        if url.endswith(PG_NAME):
            import psycopg
            from django.db import connections

            connections.close_all()
            with psycopg.connect(url.rpartition("/")[0] + "/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')


def run_bench(tmp: Path, small: int, big: int, args: argparse.Namespace) -> None:
    setup(tmp)
    from django.db import connection

    from casetrail.demo.personas import load_demo
    from casetrail.ledger.models import Ledger

    officers = load_demo()
    agency = officers["zhang"].agency
    ledger = Ledger.objects.get(agency=agency)
    load = os.getloadavg()
    rows = [
        ("machine", machine()),
        ("load average at start (1/5/15 min)", " / ".join(f"{x:.1f}" for x in load)),
        ("database", connection.vendor),
        ("ledger hash", ledger.hash_name),
        ("rounds (interleaved); figures min / median / max", str(args.rounds)),
    ]
    if args.verify_only:
        bulk_fill(ledger, big)
        ledger.refresh_from_db()
        verify_times(ledger, args, rows)
        print_rows(rows)
        return
    n = args.appends
    cpu: dict[str, list[float]] = {"reference": [], "action": [], "raw": []}

    def with_cpu(name: str, measure: Callable[[], float]) -> Callable[[], float]:
        # This process's CPU an append beside its wall time: what is left is the wait (SQLite's
        # commit fsync; on PostgreSQL the server's work too), the part no Python can shorten.
        def run() -> float:
            started = time.process_time()
            rate = measure()
            cpu[name].append((time.process_time() - started) / n * 1000)
            return rate

        return run

    rates = rounds(
        {
            "reference": with_cpu("reference", lambda: reference_appends(tmp, n)),
            "action": with_cpu("action", lambda: action_appends(officers, n)),
            "raw": with_cpu("raw", lambda: raw_appends(agency, n)),
        },
        args.rounds,
    )
    ref = statistics.median(rates["reference"])
    rows.append(
        ("reference appends/s (minimal insert + SM3 + 2 node inserts)", spread(rates["reference"]))
    )
    for key, label in (
        ("action", "through an action (record row + entry)"),
        ("raw", "raw `ledger_append`"),
    ):
        rows.append(
            (
                f"appends/s {label}, one transaction each",
                f"{spread(rates[key])} — {statistics.median(rates[key]) / ref:.2f} of the reference",
            )
        )
    for key, label in (
        ("reference", "the reference"),
        ("action", "through an action"),
        ("raw", "raw `ledger_append`"),
    ):
        wall = statistics.median(1000 / r for r in rates[key])
        rows.append(
            (
                f"ms an append, {label}: this process's CPU; the rest of the median wall time",
                f"{spread(cpu[key], '{:.3f}')}; {wall - statistics.median(cpu[key]):.3f}",
            )
        )
    if args.appends_only:
        print_rows(rows)
        return
    # Trust (issue 14): a checkpoint signed alone, and with a real witness's round trip
    # (add-checkpoint with the consistency proof, the cosignature checked and stored).
    from django.conf import settings

    witness, configured = start_witness(tmp, ledger)

    def checkpoint_ms(witnessed: bool) -> float:
        settings.CASETRAIL_WITNESSES = [configured] if witnessed else []
        return checkpoint_latency(ledger, agency, samples=10)

    try:
        cps = rounds(
            {"alone": lambda: checkpoint_ms(False), "witnessed": lambda: checkpoint_ms(True)},
            args.rounds,
        )
        alone, witnessed = statistics.median(cps["alone"]), statistics.median(cps["witnessed"])
        rows.append(("checkpoint signed alone, ms", spread(cps["alone"], "{:.1f}")))
        rows.append(
            (
                "checkpoint with one witness's round trip, ms",
                f"{spread(cps['witnessed'], '{:.1f}')} — the witness adds {witnessed - alone:.1f} ms",
            )
        )
        verify_rows(tmp, ledger, small, big, args, rows, configured)
    finally:
        witness.terminate()
        witness.wait()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak memory of the benchmark process", f"{peak:,.0f} MiB"))
    print_rows(rows)


def print_rows(rows: list[tuple[str, str]]) -> None:
    rows.append(
        ("load average at the end (1/5/15 min)", " / ".join(f"{x:.1f}" for x in os.getloadavg()))
    )
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


def verify_times(ledger, args: argparse.Namespace, rows: list) -> None:  # type: ignore[no-untyped-def]
    """The minimal verifier and `casetrail verify --jobs 1` / ``--jobs 2`` (and ``--jobs 1`` of the
    ``--before`` checkout), interleaved rounds."""
    measures = {
        "reference": lambda: reference_verify(ledger),
        "jobs1": lambda: verify_process(1)[0],
        "jobs2": lambda: verify_process(2)[0],
    }
    if args.before:
        measures["before1"] = lambda: verify_process(1, args.before)[0]
    times = rounds(measures, args.rounds)
    _, rss1, findings1 = verify_process(1)
    _, rss2, findings2 = verify_process(2)
    ref_v = statistics.median(times["reference"])
    rows.append(
        (f"minimal verifier at {ledger.size:,} entries, s", spread(times["reference"], "{:.1f}"))
    )
    for key, rss, findings in (("jobs1", rss1, findings1), ("jobs2", rss2, findings2)):
        rows.append(
            (
                f"`casetrail verify --jobs {key[-1]}` at {ledger.size:,} entries, s",
                f"{spread(times[key], '{:.1f}')} — {ref_v / statistics.median(times[key]):.2f} of the "
                f"reference's speed; peak RSS {rss:,.0f} MiB; {findings} findings",
            )
        )
    if args.before:
        rows.append(
            (
                f"`casetrail verify --jobs 1` of {args.before} at {ledger.size:,} entries, s",
                f"{spread(times['before1'], '{:.1f}')} — "
                f"{ref_v / statistics.median(times['before1']):.2f} of the reference's speed",
            )
        )


def verify_rows(  # type: ignore[no-untyped-def]
    tmp: Path, ledger, small: int, big: int, args: argparse.Namespace, rows: list, witness: str
) -> None:
    """Proof latency and verify at each size; at each, verify also with the witness checks, as
    entries/s against the same run's raw hash rate of the same entries."""
    from django.conf import settings

    from casetrail.ledger.checkpoints import checkpoint_create

    for size in (small, big):
        bulk_fill(ledger, size)
        lat = rounds(
            {"api": lambda: proof_latency(ledger)[0], "raw": lambda: raw_proof_latency(ledger)},
            args.rounds,
        )
        rows.append(
            (
                f"inclusion proof at {size:,} entries, median ms",
                f"{spread(lat['api'], '{:.2f}')} (raw SQL {spread(lat['raw'], '{:.2f}')}; "
                f"{statistics.median(lat['api']) / statistics.median(lat['raw']):.1f}× raw)",
            )
        )
        ledger.refresh_from_db()
        verify_times(ledger, args, rows)
        # With the witness checks (the witness holds this size: verify asks it and compares).
        settings.CASETRAIL_WITNESSES = [witness]
        checkpoint_create(ledger=ledger)
        os.environ["CASETRAIL_WITNESSES"] = witness
        try:
            seconds, rss, findings = verify_process(1)
        finally:
            del os.environ["CASETRAIL_WITNESSES"]
        hashed, _ = hash_rate(ledger)
        ledger.refresh_from_db()
        rate = ledger.size / seconds
        rows.append(
            (
                f"`casetrail verify` with the witness checks at {ledger.size:,} entries",
                f"{seconds:.1f} s, {rate:,.0f} entries/s — {rate / hashed:.2f} of the raw hash rate "
                f"({hashed:,.0f} entries/s); peak RSS {rss:,.0f} MiB; {findings} findings",
            )
        )


if __name__ == "__main__":
    main()
