"""The worklist under writes, in-process (issue 18 item 6): what a reader pays for the marks other
people's actions left on its cases. Every ledgered action marks its case; the next worklist of an
officer on that case recomputes the marked cases' deadlines (``compliance.stored.refresh_marked``)
before reading the stored rows.

    .venv/bin/python bench/worklist.py --var /tmp/ct-5k                       # a generated folder
    .venv/bin/python bench/worklist.py --var /tmp/ct-5k --code /tmp/before    # before/after pair
    .venv/bin/python bench/worklist.py --var /tmp/ct-5k --rounds 3 --marked 5

For 张承办 (zhang): ``--marked`` of his cases are marked (``mark_case``, as an action's hook does;
outside the timing), then his worklist (``/``) is asked, timed with ``time.process_time`` (this
process's CPU: the machine's other work does not inflate it); ``--requests`` times, after which
the worklist without marks is timed the same way, and 孙监督's (sun) without marks. Then one
case's recomputation alone, for the case of zhang's with the most records and for a median one:
through ``refresh_marked(cases=…)`` on a single marked case (the custodian's and the deciders'
refresh), then through ``refresh_marked(officer=zhang)`` (his worklist's); CPU and queries. ``--code DIR`` runs the same in another checkout's
``casetrail`` (its own virtualenv if it has one) in a child process, rounds interleaved, so a
before/after pair reads one database. The folder is written to (marks, the refreshed rows, the
login's session): use a copy, never a real agency's folder.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# The same environment and personas as the in-process page bench (one copy of each).
from request_cpu import DEMO_PASSWORD, ROOT, env_for


def measure(requests: int, marked: int) -> dict[str, dict[str, float]]:
    """In this process (its environment from ``env_for``)."""
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from casetrail.cases.models import Case
    from casetrail.compliance import stored
    from casetrail.org.models import Officer
    from casetrail.wsgi import freeze_loaded_objects

    zhang = Officer.objects.get(user__username="zhang")
    stored.refresh_marked()  # start from no marks
    # His cases that have deadlines to watch: those a worklist shows and writers write to.
    mine = list(
        Case.objects.filter(assignments__officer=zhang)
        .exclude(stage="archived")
        .annotate(n=Count("records"))
        .order_by("-n", "pk")
        .values_list("pk", "n")
    )
    assert len(mine) >= marked, "fewer cases of zhang's than --marked"
    freeze_loaded_objects()
    client = Client(HTTP_HOST="127.0.0.1")
    assert (
        client.post("/login/", {"username": "zhang", "password": DEMO_PASSWORD}).status_code == 302
    )
    client.get("/")  # warm

    def timed(mark: list[int]) -> tuple[float, int]:
        for pk in mark:
            stored.mark_case(pk)
        with CaptureQueriesContext(connection) as queries:
            started = time.process_time()
            assert client.get("/").status_code == 200
            spent = (time.process_time() - started) * 1000
        return spent, len(queries)

    results: dict[str, dict[str, float]] = {}
    # A median case of his, in number of records, and his case with the most.
    step = max(1, len(mine) // max(1, marked))
    spread = [pk for pk, _ in mine[::step][:marked]]
    for label, mark in ((f"worklist, {marked} marked", spread), ("worklist, none marked", [])):
        runs = [timed(mark) for _ in range(requests)]
        times = [t for t, _ in runs]
        results[label] = {
            "cpu_ms": statistics.median(times),
            "min": min(times),
            "max": max(times),
            "queries": runs[-1][1],
        }
    # 孙监督's worklist (the agency's deadlines, the findings), nothing marked.
    sun = Client(HTTP_HOST="127.0.0.1")
    assert sun.post("/login/", {"username": "sun", "password": DEMO_PASSWORD}).status_code == 302
    sun.get("/")  # warm
    runs = []
    for _ in range(requests):
        with CaptureQueriesContext(connection) as queries:
            started = time.process_time()
            assert sun.get("/").status_code == 200
            runs.append(((time.process_time() - started) * 1000, len(queries)))
    times = [t for t, _ in runs]
    results["sun's worklist, none marked"] = {
        "cpu_ms": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "queries": runs[-1][1],
    }
    median_case = mine[len(mine) // 2]
    cases = (("one case, most records", mine[0]), ("one case, median", median_case))
    # Each case alone through ``cases=`` (the custodian's and the deciders' refresh), then as
    # zhang's worklist refreshes it (``officer=``: the marks bearing on his cases).
    for how, refresh in (
        ("", lambda pk: stored.refresh_marked(cases=Case.objects.filter(pk=pk))),
        (", his worklist's refresh", lambda pk: stored.refresh_marked(officer=zhang)),
    ):
        for label, (pk, n) in cases:
            times, counted = [], 0
            for _ in range(requests):
                stored.mark_case(pk)
                with CaptureQueriesContext(connection) as queries:
                    started = time.process_time()
                    assert refresh(pk) == 1
                    times.append((time.process_time() - started) * 1000)
                counted = len(queries)
            results[f"{label} ({n} records){how}"] = {
                "cpu_ms": statistics.median(times),
                "min": min(times),
                "max": max(times),
                "queries": counted,
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var", type=Path, required=True, help="a copy of a generated folder")
    parser.add_argument("--code", type=Path, action="append", default=[], help="another checkout")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--requests", type=int, default=10, help="timed requests per measure")
    parser.add_argument("--marked", type=int, default=5, help="cases marked before a worklist")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        os.environ.update(env_for(args.var))
        print(json.dumps(measure(args.requests, args.marked)))
        return
    checkouts = [ROOT, *args.code]
    runs: dict[str, list[dict[str, Any]]] = {str(c): [] for c in checkouts}
    loads = []
    for r in range(args.rounds):
        for code in checkouts:
            venv = code / ".venv" / "bin" / "python"
            python = str(venv) if venv.exists() else sys.executable
            argv = [python, str(Path(__file__).resolve()), "--var", str(args.var), "--child"]
            argv += ["--requests", str(args.requests), "--marked", str(args.marked)]
            env = {**env_for(args.var), "PYTHONPATH": str(code), "BENCH_CODE": str(code)}
            loads.append(os.getloadavg()[0])
            out = subprocess.run(
                argv, env=env, cwd=code, check=True, capture_output=True, text=True
            )
            runs[str(code)].append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"round {r + 1}: {code} done (load {loads[-1]:.1f})", file=sys.stderr)
    print(
        f"\n### The worklist under writes, CPU ms min / median / max of the rounds' medians "
        f"({args.requests} requests a measure, {args.rounds} rounds, load "
        f"{min(loads):.1f}–{max(loads):.1f})\n"
    )
    print("| measure | " + " | ".join(f"{c} ms (queries)" for c in checkouts) + " |")
    print("|---|" + "---|" * len(checkouts))
    for label in runs[str(ROOT)][0]:
        cells = []
        for code in checkouts:
            per = [run[label] for run in runs[str(code)]]  # the same cases: one database
            cpu = sorted(p["cpu_ms"] for p in per)
            cells.append(
                f"{cpu[0]:.1f} / {statistics.median(cpu):.1f} / {cpu[-1]:.1f} ({int(per[0]['queries'])})"
            )
        print(f"| {label} | {' | '.join(cells)} |")


if __name__ == "__main__":
    # A child measures the checkout it was started for, not the one this file lives in.
    sys.path.insert(0, os.environ.get("BENCH_CODE", str(ROOT)))
    main()
