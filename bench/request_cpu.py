"""CPU per request, in-process (issue 18 item 5, "less Python per page"): the pages `bench/pages.py`
serves under gunicorn, called through the whole middleware stack with Django's test client on a
generated database, each request timed with ``time.process_time`` (this process's CPU: the
machine's other work does not inflate it, as it inflates wall times on a shared machine).

    .venv/bin/python bench/request_cpu.py --var /tmp/ct-2k                 # a generated folder
    .venv/bin/python bench/request_cpu.py --var /tmp/ct-2k --code ../main  # another checkout, same db
    .venv/bin/python bench/request_cpu.py --var /tmp/ct-2k --profile "zhang case list"

For 张承办 (zhang) and 孙监督 (sun): the case list (default, by stage, by party name) and a case's
page. Per page: the median, min and max CPU ms of ``--requests`` requests after ``--warm`` warm-up
ones, the queries of one request (session and login included) and the HTML's size; ``--profile
PAGE`` prints cProfile's 30 heaviest functions (cumulative) of that page instead. ``--code DIR``
runs the same measurement with another checkout's ``casetrail`` (its own virtualenv if it has one)
in a child process, so a before/after pair reads one database. The database is only read (a login
writes its session and its ledger entry: the folder is the bench's, not a real agency's).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "casetrail-demo"  # casetrail.demo.personas: the personas `generate` makes


def env_for(var: Path) -> dict[str, str]:
    """The environment `bench/pages.py` serves the folder with (``DEBUG`` off, as in production)."""
    env = dict(os.environ)
    env["CASETRAIL_VAR_DIR"] = str(var)
    env["CASETRAIL_DEMO"] = "1"
    env["CASETRAIL_LOCAL_WITNESS"] = "0"
    env["DJANGO_SETTINGS_MODULE"] = "casetrail.settings"
    env.pop("CASETRAIL_DEBUG", None)
    return env


def show_profile(run: Callable[[], object]) -> None:
    """Profile ``run``: pyinstrument's sampled call tree when it is installed (a sampling profiler
    leaves the proportions as they are; ``pip install pyinstrument`` in the virtualenv, no project
    dependency), else cProfile's 40 heaviest functions (cumulative; its per-call cost inflates
    small functions)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        profiler = cProfile.Profile()
        profiler.enable()
        run()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return
    sampler = Profiler(interval=0.0002)
    sampler.start()
    run()
    sampler.stop()
    print(sampler.output_text(unicode=True, show_all=False))


def get_many(client: Any, path: str, n: int) -> None:
    for _ in range(n):
        client.get(path)


def measure(requests: int, warm: int, profile: str | None) -> dict[str, dict[str, float]]:
    """In this process (its environment from ``env_for``): each page's CPU ms and queries."""
    import django

    django.setup()
    import gc

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from casetrail.cases.models import Case, Party
    from casetrail.org.models import Officer

    zhang = Officer.objects.get(user__username="zhang")
    case = (
        Case.objects.filter(assignments__officer=zhang, stage="service").order_by("-id").first()
        or Case.objects.filter(assignments__officer=zhang).order_by("-id").first()
    )
    assert case is not None, "no case of zhang's in this database"
    party = Party.objects.filter(case=case).first()
    assert party is not None
    pages = {
        "case list": "/cases/",
        "by stage": "/cases/?stage=investigation",
        "by party name": f"/cases/?q={urllib.parse.quote(party.name)}",
        "case page": f"/cases/{case.pk}/",
    }
    # The project loaded and frozen as the gunicorn worker has it (casetrail.wsgi).
    from casetrail.wsgi import freeze_loaded_objects

    freeze_loaded_objects()
    results: dict[str, dict[str, float]] = {}
    for who in ("zhang", "sun"):
        client = Client(HTTP_HOST="127.0.0.1")
        answer = client.post("/login/", {"username": who, "password": DEMO_PASSWORD})
        assert answer.status_code == 302, f"login of {who}: {answer.status_code}"
        for name, path in pages.items():
            label = f"{who} {name}"
            if profile is not None and profile != label:
                continue
            for _ in range(warm):
                assert client.get(path).status_code == 200, path
            with CaptureQueriesContext(connection) as queries:
                body = client.get(path).content
            queried = len(queries)
            if profile == label:
                show_profile(partial(get_many, client, path, requests))
                continue
            times = []
            for _ in range(requests):
                started = time.process_time()
                client.get(path)
                times.append((time.process_time() - started) * 1000)
            gc.collect()
            results[label] = {
                "cpu_ms": statistics.median(times),
                "min": min(times),
                "max": max(times),
                "queries": queried,
                "bytes": len(body),
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--var", type=Path, required=True, help="a folder `casetrail generate` filled"
    )
    parser.add_argument("--code", type=Path, action="append", default=[], help="another checkout")
    parser.add_argument(
        "--rounds", type=int, default=1, help="interleaved rounds over the checkouts"
    )
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--profile", help='one page to profile, e.g. "zhang case list"')
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child or args.profile:
        os.environ.update(env_for(args.var))
        results = measure(args.requests, args.warm, args.profile)
        if args.child:
            print(json.dumps(results))
        return
    checkouts = [ROOT, *args.code]
    runs: dict[str, list[dict[str, dict[str, float]]]] = {str(c): [] for c in checkouts}
    for r in range(args.rounds):
        for code in checkouts:
            venv = code / ".venv" / "bin" / "python"
            python = str(venv) if venv.exists() else sys.executable
            argv = [python, str(Path(__file__).resolve()), "--var", str(args.var), "--child"]
            argv += ["--requests", str(args.requests), "--warm", str(args.warm)]
            env = {**env_for(args.var), "PYTHONPATH": str(code), "BENCH_CODE": str(code)}
            load = os.getloadavg()[0]
            out = subprocess.run(
                argv, env=env, cwd=code, check=True, capture_output=True, text=True
            )
            runs[str(code)].append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"round {r + 1}: {code} done (load {load:.1f})", file=sys.stderr)
    print(
        f"\n### CPU per request, in-process ({args.requests} requests a page, {args.rounds} rounds)\n"
    )
    header = " | ".join(f"{c.name or c} ms (queries)" for c in checkouts)
    print(f"| page | {header} |")
    print("|---|" + "---|" * len(checkouts))
    for page in runs[str(ROOT)][0]:
        cells = []
        for code in checkouts:
            per_round = [run[page] for run in runs[str(code)]]
            cpu = statistics.median(p["cpu_ms"] for p in per_round)
            cells.append(f"{cpu:.1f} ({int(per_round[0]['queries'])})")
        print(f"| {page} | {' | '.join(cells)} |")


if __name__ == "__main__":
    # A child measures the checkout it was started for, not the one this file lives in.
    sys.path.insert(0, os.environ.get("BENCH_CODE", str(ROOT)))
    main()
