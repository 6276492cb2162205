"""The supervisor's dashboard and the 评议考核 report at a county bureau's yearly scale (issue 16):
a database of ``--cases`` cases made by `casetrail generate` (default 2,000), the app started the
way `casetrail run` starts it, 孙监督's `/oversight/` (the year, by month; by quarter) measured as
p50/p95 of sequential requests against a Django hello-world under the same gunicorn settings in
the same run, then the year's report issued (numbers, scores, the sealed PDF/A) and exported as
XLSX, timed in a process of its own. Each figure is min / median / max over ``--rounds``.

    .venv/bin/python bench/oversight.py                          # generate 2,000 cases, measure
    .venv/bin/python bench/oversight.py --keep /tmp/ct-2k        # … and keep the database
    .venv/bin/python bench/oversight.py --var /tmp/ct-2k         # measure again

Goals: dashboard p95 < 300 ms on SQLite; the year's report in < 10 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import (  # the pages benchmark's server, login and timing helpers
    DEMO_PASSWORD,
    PY,
    ROOT,
    Server,
    env_for,
    free_port,
    generate,
    hello_server,
    latency,
    login,
    spread,
)

REPORT = """
import time, django; django.setup()
from django.utils import timezone
from casetrail.oversight.actions import report_issue
from casetrail.oversight.reports import report_xlsx
from casetrail.org.models import Officer
from casetrail.records.models import Record
sun = Officer.objects.get(user__username="sun")
year = str(timezone.localdate().year)
t = time.perf_counter(); report = report_issue(officer=sun, period=year); issued = time.perf_counter() - t
t = time.perf_counter(); xlsx = report_xlsx(report); exported = time.perf_counter() - t
print(issued, exported, len(xlsx), Record.objects.count())
"""


def report_times(var: Path) -> tuple[float, float, int]:
    out = subprocess.run(
        [PY, "-c", REPORT], env=env_for(var), cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), float(out[1]), int(out[3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var", type=Path, help="a folder `casetrail generate` filled already")
    parser.add_argument("--cases", type=int, default=2_000, help="cases to generate (no --var)")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20, help="sequential requests per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (both servers)")
    args = parser.parse_args()

    temporary = None
    if args.var:
        var = args.var
    else:
        var = args.keep or Path(tempfile.mkdtemp(prefix="ct-oversight-"))
        temporary = None if args.keep else var
        var.mkdir(parents=True, exist_ok=True)
        generate(var, args.cases, 1)
    app_port, hello_port = free_port(), free_port()
    env = env_for(var)
    env["CASETRAIL_BIND"] = f"127.0.0.1:{app_port}"
    env["CASETRAIL_WEB_WORKERS"] = str(args.workers)
    hello_dir = Path(tempfile.mkdtemp(prefix="ct-hello-"))
    app = hello = None
    try:
        app = Server([PY, "-m", "casetrail.cli", "run"], env, app_port, ROOT, "/login/")
        hello = hello_server(hello_dir, hello_port, args.workers)
        sun = login(app_port, "sun", DEMO_PASSWORD)
        pages = {
            "dashboard (months)": "/oversight/",
            "dashboard (quarters)": "/oversight/?period=quarter",
        }
        lat: dict[str, list[tuple[float, float]]] = {name: [] for name in [*pages, "hello-world"]}
        issued: list[float] = []
        exported: list[float] = []
        records = 0
        for _ in range(args.rounds):
            for name, path in pages.items():
                lat[name].append(latency(app_port, path, sun, args.requests))
            lat["hello-world"].append(latency(hello_port, "/", "", args.requests))
            i, e, records = report_times(var)
            issued.append(i)
            exported.append(e)
        print(
            f"cases {args.cases if not args.var else '(given)'}, records {records}, load {os.getloadavg()[0]:.1f}"
        )
        print("page                     p50 ms (min/med/max)      p95 ms (min/med/max)")
        for name, values in lat.items():
            print(f"{name:24} {spread([v[0] for v in values]):25} {spread([v[1] for v in values])}")
        print(f"report issued (numbers, scores, sealed PDF/A): {spread(issued)} s")
        print(
            f"report exported as XLSX:                       {spread([e * 1000 for e in exported])} ms"
        )
        print(f"peak RSS of the app's processes: {app.peak_rss_mib():.0f} MiB")
    finally:
        for server in (app, hello):
            if server is not None:
                server.stop()
        shutil.rmtree(hello_dir, ignore_errors=True)
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


if __name__ == "__main__":
    main()
