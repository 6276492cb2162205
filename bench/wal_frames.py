"""WAL frames (pages) written per transaction on SQLite, and which table or index each page
belongs to: the minimal reference append, a raw ``ledger_append`` and an action (issue 18 §2).
With DATABASE_URL=postgresql://… instead: statements (round trips) and WAL bytes per transaction.

    .venv/bin/python bench/wal_frames.py [--count 200]

On a throw-away database under a temporary folder (removed at the end). The WAL is emptied
(``wal_checkpoint(TRUNCATE)``) and automatic checkpoints are off while each kind of transaction
runs ``--count`` times (after as many to warm the tables up), so every frame it wrote is still in
the WAL: frames are counted from the WAL's frame headers and each page is named with the
``dbstat`` virtual table. Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import os
import shutil
import sqlite3
import struct
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def wal_frames(path: Path) -> list[tuple[int, int]]:
    """(page number, commit size) of every frame in the WAL file at ``path``."""
    data = Path(f"{path}-wal").read_bytes()
    if len(data) < 32:
        return []
    page_size = struct.unpack(">I", data[8:12])[0]
    frames = []
    offset = 32
    while offset + 24 + page_size <= len(data):
        page, commit = struct.unpack(">II", data[offset : offset + 8])
        frames.append((page, commit))
        offset += 24 + page_size
    return frames


def owners(path: Path) -> dict[int, str]:
    conn = sqlite3.connect(path)
    try:
        return {page: name for name, page in conn.execute("SELECT name, pageno FROM dbstat")}
    finally:
        conn.close()


def measure(
    path: Path, run: Callable[[], None], count: int, django_conn: bool
) -> tuple[float, collections.Counter[str]]:
    """Frames per transaction of ``run`` (which commits ``count`` transactions) and the pages by
    owner over all of them."""
    if django_conn:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    run()
    frames = wal_frames(path)
    commits = sum(1 for _, c in frames if c)
    names = owners(path)
    by_owner: collections.Counter[str] = collections.Counter(
        names.get(page, "page 1 / free" if page == 1 else f"page {page}") for page, _ in frames
    )
    return len(frames) / max(commits, 1), by_owner


def postgresql(bench, n: int) -> None:  # type: ignore[no-untyped-def]
    """Statements sent and WAL bytes written per transaction on PostgreSQL. The WAL position is
    the server's, so other sessions' writes count too: the least of three runs is reported (an
    upper bound on a shared server)."""
    import psycopg
    from django.db import connection

    from casetrail.demo.personas import load_demo
    from casetrail.lib.canonical_json import canonicalize

    officers = load_demo()
    agency = officers["zhang"].agency
    conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=False)
    conn.execute("CREATE TABLE ref_e (seq bigint PRIMARY KEY, canonical text)")
    conn.execute("CREATE TABLE ref_n (level int, idx bigint, hash bytea, PRIMARY KEY (level, idx))")
    conn.commit()
    entry = {"action": "ref", "payload": {"text": bench.PAYLOAD_TEXT * 2}, "seq": 0}
    state = {"seq": 0}

    def reference() -> None:
        for _ in range(n):
            seq = state["seq"]
            state["seq"] += 1
            data = canonicalize({**entry, "seq": seq})
            leaf = hashlib.new("sm3", b"\x00" + data).digest()
            with conn.transaction():
                conn.execute("INSERT INTO ref_e VALUES (%s, %s)", [seq, data.decode()])
                conn.execute("INSERT INTO ref_n VALUES (0, %s, %s)", [seq, leaf])
                conn.execute("INSERT INTO ref_n VALUES (1, %s, %s)", [seq, leaf])

    def lsn() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
            return int(cursor.fetchone()[0])

    statements = {"count": 0}

    def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements["count"] += 1
        return execute(sql, params, many, context)

    kinds: dict[str, tuple[Callable[[], None], int]] = {
        "reference": (reference, 3 + 2),  # three statements, BEGIN and COMMIT
        "raw `ledger_append`": (lambda: bench.raw_appends(agency, n), 0),
        "action (record row + entry)": (lambda: bench.action_appends(officers, n), 0),
    }
    print(
        "| transaction | statements per transaction (with BEGIN, COMMIT) | WAL bytes per commit |"
    )
    print("|---|---|---|")
    for label, (run, fixed) in kinds.items():
        run()  # warm-up
        walled = []
        for _ in range(3):
            statements["count"] = 0
            start = lsn()
            with connection.execute_wrapper(counting):
                run()
            walled.append((lsn() - start) / n)
        per = fixed or statements["count"] / n + 2
        print(f"| {label} | {per:.1f} | {min(walled):,.0f} |")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    n = args.count
    tmp = Path(tempfile.mkdtemp(prefix="casetrail-frames-"))
    import ledger as bench

    try:
        bench.setup(tmp)
        if os.environ["DATABASE_URL"].startswith("postgres"):
            postgresql(bench, n)
            return
        from django.db import connection

        from casetrail.demo.personas import load_demo
        from casetrail.lib.canonical_json import canonicalize

        officers = load_demo()
        agency = officers["zhang"].agency
        db = Path(connection.settings_dict["NAME"])

        ref = tmp / "reference.sqlite3"
        rconn = sqlite3.connect(ref, isolation_level=None)
        rconn.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=0;"
            "CREATE TABLE ref_e (seq INTEGER PRIMARY KEY, canonical TEXT);"
            "CREATE TABLE ref_n (level INTEGER, idx INTEGER, hash BLOB, PRIMARY KEY (level, idx));"
        )
        entry = {"action": "ref", "payload": {"text": bench.PAYLOAD_TEXT * 2}, "seq": 0}
        state = {"seq": 0}

        def reference() -> None:
            for _ in range(n):
                seq = state["seq"]
                state["seq"] += 1
                data = canonicalize({**entry, "seq": seq})
                leaf = hashlib.new("sm3", b"\x00" + data).digest()
                rconn.execute("BEGIN IMMEDIATE")
                rconn.execute("INSERT INTO ref_e VALUES (?, ?)", [seq, data.decode()])
                rconn.execute("INSERT INTO ref_n VALUES (0, ?, ?)", [seq, leaf])
                rconn.execute("INSERT INTO ref_n VALUES (1, ?, ?)", [seq, leaf])
                rconn.execute("COMMIT")

        kinds: dict[str, tuple[Path, Callable[[], None], bool]] = {
            "reference": (ref, reference, False),
            "raw `ledger_append`": (db, lambda: bench.raw_appends(agency, n), True),
            "action (record row + entry)": (
                db,
                lambda: bench.action_appends(officers, n),
                True,
            ),
        }
        print("| transaction | WAL frames per commit | pages by table or index (all commits) |")
        print("|---|---|---|")
        for label, (path, run, django_conn) in kinds.items():
            run()  # warm-up: the tables hold some rows, the first pages are allocated
            per, by_owner = measure(path, run, n, django_conn)
            parts = ", ".join(f"{name} {count / n:.2f}" for name, count in by_owner.most_common())
            print(f"| {label} | {per:.1f} | {parts} |")
        rconn.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        url = os.environ.get("DATABASE_URL", "")
        if url.endswith(f"/{bench.PG_NAME}"):  # the bench's own database, never another
            import psycopg
            from django.db import connections

            connections.close_all()
            with psycopg.connect(url.rpartition("/")[0] + "/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{bench.PG_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    os.environ.setdefault("CASETRAIL_LOG_LEVEL", "WARNING")
    main()
