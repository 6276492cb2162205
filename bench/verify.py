"""`casetrail verify` at scale (issue 18 item 3): wall, CPU and peak RSS of each phase, with 1 and
more jobs, interleaved, on a database made by `casetrail generate` (``--var``, as `generate` left it).

    .venv/bin/python bench/verify.py --var /tmp/ct-10k --jobs 1 2 --rounds 3
    .venv/bin/python bench/verify.py --var /tmp/ct-10k --before /tmp/main-checkout   # before/after

Each run is a fresh process (Django's start-up excluded from the figures). The phases are timed and
the process's peak RSS read at their ends (``ru_maxrss``, which only grows: a phase that did not
raise it shows the previous figure): ``logs`` (entries, nodes, checkpoints; the facts file),
``rows`` (every row against its last fact), then each extra check (``blobs``). ``workers`` is the
peak RSS of the largest worker (``RUSAGE_CHILDREN``, read after the pool is joined); Linux counts
in a forked worker the pages it shares with the parent, so it is an upper bound. CPU is user +
system of the process and its workers. ``--before DIR`` runs a checkout of another commit (its
code, this bench's measuring) in the same rounds, interleaved, so the ratios share the machine's
load. Prints min / median / max over the rounds, and the load average at the start and the end.
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

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable


def child(jobs: int) -> None:
    """One verify in this process, phases instrumented; prints one JSON line."""
    import resource

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.settings")
    import django

    django.setup()
    import casetrail.ledger.verify as verifying

    marks: list[tuple[str, float, float]] = []
    started = time.monotonic()

    def mark(phase: str) -> None:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        marks.append((phase, time.monotonic() - started, rss))

    def wrap(phase: str, fn):  # type: ignore[no-untyped-def]
        def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            result = fn(*args, **kwargs)
            mark(phase)
            return result

        return wrapped

    compare = verifying._compare_rows

    def compare_marked(*args, **kwargs):  # type: ignore[no-untyped-def]
        mark("logs")
        compare(*args, **kwargs)
        mark("rows")

    verifying._compare_rows = compare_marked  # type: ignore[assignment]
    verifying.EXTRA_CHECKS[:] = [
        wrap("blobs" if "fixity" in check.__module__ else check.__name__, check)
        for check in verifying.EXTRA_CHECKS
    ]
    cpu0 = os.times()
    report = verifying.verify(jobs=jobs)
    wall = time.monotonic() - started
    cpu1 = os.times()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    cpu += (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    print(
        json.dumps(
            {
                "findings": len(report.findings),
                "entries": report.entries,
                "rows": report.rows,
                "blobs": report.blobs,
                "wall": wall,
                "cpu": cpu,
                "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "workers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                "phases": marks,
                "code": verifying.__file__,
            }
        )
    )


def run(source: Path, var: str, jobs: int) -> dict:  # type: ignore[type-arg]
    env = {**os.environ, "CASETRAIL_VAR_DIR": var, "PYTHONPATH": str(source)}
    out = subprocess.run(
        [PY, str(Path(__file__).resolve()), "--child", str(jobs)],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict = json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[type-arg]
    return result


def spread(values: list[float]) -> str:
    return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--var", help="the folder `casetrail generate` filled")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="a checkout of the commit to compare with")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    if not args.var:
        parser.error("--var DIR is needed")
    sources = {"after": ROOT} | ({"before": args.before.resolve()} if args.before else {})
    print(f"load average at the start: {os.getloadavg()}", flush=True)
    results: dict[tuple[str, int], list[dict]] = {}  # type: ignore[type-arg]
    for n in range(args.rounds):
        for jobs in args.jobs:
            for name, source in sources.items():
                result = run(source, args.var, jobs)
                results.setdefault((name, jobs), []).append(result)
                phases = ", ".join(f"{p} {t:.1f} s {r:.0f} MiB" for p, t, r in result["phases"])
                print(
                    f"round {n + 1} {name} --jobs {jobs}: {result['findings']} findings, "
                    f"{result['wall']:.1f} s wall, {result['cpu']:.1f} s CPU, peak RSS "
                    f"{result['rss']:.0f} MiB (workers {result['workers']:.0f}); {phases}; "
                    f"load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    print(f"load average at the end: {os.getloadavg()}")
    first = next(iter(results.values()))[0]
    print(f"{first['entries']:,} entries, {first['rows']:,} rows, {first['blobs']:,} blobs")
    print("min / median / max over the rounds:")
    for (name, jobs), runs in results.items():
        print(
            f"  {name} --jobs {jobs}: wall {spread([r['wall'] for r in runs])} s, CPU "
            f"{spread([r['cpu'] for r in runs])} s, peak RSS {spread([r['rss'] for r in runs])} MiB, "
            f"workers {spread([r['workers'] for r in runs])} MiB"
        )
    for name in sources:
        one, two = results.get((name, args.jobs[0])), results.get((name, args.jobs[-1]))
        if one and two and one is not two:
            ratios = [a["wall"] / b["wall"] for a, b in zip(one, two, strict=True)]
            print(
                f"  {name}: --jobs {args.jobs[-1]} speed-up over --jobs {args.jobs[0]} {spread(ratios)}"
            )


if __name__ == "__main__":
    main()
