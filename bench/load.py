"""Load (issue 18 item 6): 100 concurrent users for 60 s against gunicorn started as `casetrail run`
starts it, on a generated database, with a same-run Django hello-world under the same server
options as the reference; Locust (``bench/load_users.py``), headless and bounded.

    .venv/bin/python bench/load.py --cases 2000 --keep /tmp/ct-load      # generate + measure
    .venv/bin/python bench/load.py --var /tmp/ct-load --seconds 20       # again, shorter
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ct_load .venv/bin/python bench/load.py \\
        --cases 2000                                                     # on PostgreSQL

The users: three in four read in a browser session (worklist, case list — default, by stage,
searched by a party's name — and case pages, as 张承办, 李承办 and 孙监督 in turn, each starting
with a session made before the run; one request in twelve is the login form again, as a new
browser), one in four writes through the API with a token (询问笔录 on cases in 调查取证
that 张承办 and 李承办 handle, and small photos over tus: create + one PATCH), each waiting 1–3 s
between requests. Reported per request kind and in all: requests, requests/s, p50, p95, max,
failures (any answer but the expected one, by status and error code); from the server's log the
5xx answers and the lines "database is locked" and "deadlock detected"; the hello-world's
requests/s and p50/p95 under the same users, the app's peak RSS, the load average before and
after. Each round runs the reference, then the app. Folders it made are removed unless ``--keep``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import PY, ROOT, SETTLED, Server, env_for, free_port, generate, hello_server, login

USERS_FILE = Path(__file__).resolve().parent / "load_users.py"
TARGETS = """
import json, sys
import django; django.setup()
from casetrail.cases.models import Case, CaseOfficer, Party
from casetrail.org.models import Officer
writers = [Officer.objects.select_related("user").get(user__username=u) for u in ("zhang", "li")]
cases = []
for case in Case.objects.filter(stage="investigation", assignments__officer=writers[0]).order_by(
    "-id"
)[: int(sys.argv[1])]:
    party = Party.objects.filter(case=case).order_by("id").first()
    officers = list(CaseOfficer.objects.filter(case=case).values_list("officer_id", flat=True))
    if party is not None and {w.pk for w in writers} <= set(officers):
        cases.append({"id": case.pk, "party": party.pk, "officers": officers,
                      "created_at": case.created_at.isoformat()})
name = Party.objects.filter(case_id=cases[0]["id"]).first().name if cases else ""
print(json.dumps({"cases": cases, "party_name": name,
                  "writers": [{"user": w.user.username, "officer": w.pk, "name": w.name}
                              for w in writers]}))
"""
LOG_PATTERNS = {
    "5xx answers": re.compile(rb'" 5\d\d '),
    '"database is locked"': re.compile(rb"database is locked"),
    '"deadlock detected"': re.compile(rb"deadlock detected"),
    '"Internal Server Error"': re.compile(rb"Internal Server Error"),
}


def prepare(var: Path, pool: int) -> dict[str, Any]:
    """The cases, writers and their fresh tokens (`casetrail token`, ledgered like any)."""
    env = env_for(var)

    def output(*argv: str) -> str:
        done = subprocess.run(
            [PY, *argv], env=env, cwd=ROOT, check=True, capture_output=True, text=True
        )
        return done.stdout.strip()

    found = json.loads(output("-c", TARGETS, str(pool)))
    if not found["cases"]:
        raise SystemExit("no case in 调查取证 handled by zhang and li: generate more cases")
    for writer in found["writers"]:
        writer["token"] = output(
            "-m", "casetrail.cli", "token", writer["user"], "--name", "load", "--days", "1"
        )
    found["readers"] = ["zhang", "li", "sun"]
    found["password"] = "casetrail-demo"  # casetrail.demo.personas: what `generate` makes
    return found


def locust(
    port: int, classes: list[str], args: argparse.Namespace, targets: Path, out: Path
) -> dict[str, dict[str, str]]:
    """Run Locust headless against the port; its stats rows by request name ('Aggregated' too)
    and its failures as rows named 'failure: <name>: <message>'."""
    prefix = out / f"locust-{port}"
    subprocess.run(
        [
            PY,
            "-m",
            "locust",
            "-f",
            str(USERS_FILE),
            "--headless",
            "--only-summary",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.spawn_rate),
            "--run-time",
            f"{args.seconds}s",
            "--stop-timeout",
            "30",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--loglevel",
            "WARNING",
            *classes,
        ],
        env={
            **os.environ,
            "CASETRAIL_LOAD_TARGETS": str(targets),
            "CASETRAIL_LOAD_THINK_MIN": str(args.think[0]),
            "CASETRAIL_LOAD_THINK_MAX": str(args.think[1]),
        },
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(out / f"locust-{port}.log", "wb"),
        check=False,  # Locust exits 1 when any request failed: the report says which
    )
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = row
    with open(f"{prefix}_failures.csv", newline="") as f:
        for row in csv.DictReader(f):
            rows[f"failure: {row['Name']}: {row['Error']}"] = row
    return rows


def log_counts(log: Path) -> dict[str, int]:
    data = log.read_bytes() if log.exists() else b""
    return {name: len(pattern.findall(data)) for name, pattern in LOG_PATTERNS.items()}


def spread(values: list[float], digits: int = 0) -> str:
    if len(values) == 1:
        return f"{values[0]:,.{digits}f}"
    return " / ".join(
        f"{v:,.{digits}f}" for v in (min(values), statistics.median(values), max(values))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var", type=Path, help="a folder `casetrail generate` filled already")
    parser.add_argument("--cases", type=int, default=2_000, help="cases to generate (no --var)")
    parser.add_argument("--agencies", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--seconds", type=int, default=60, help="length of each run")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"))
    parser.add_argument("--rounds", type=int, default=1, help="reference + app, interleaved")
    parser.add_argument("--pool", type=int, default=40, help="cases in 调查取证 the writers use")
    parser.add_argument("--workers", type=int, help="CASETRAIL_WEB_WORKERS (both servers)")
    parser.add_argument("--threads", type=int, help="CASETRAIL_WEB_THREADS (both servers)")
    args = parser.parse_args()

    temporary = None
    if args.var:
        var = args.var
    else:
        var = args.keep or Path(tempfile.mkdtemp(prefix="ct-load-"))
        temporary = None if args.keep else var
        var.mkdir(parents=True, exist_ok=True)
        generate(var, args.cases, args.agencies)
    from django.conf import settings

    workers = args.workers or settings.CASETRAIL_WEB_WORKERS
    threads = args.threads or settings.CASETRAIL_WEB_THREADS
    out = Path(tempfile.mkdtemp(prefix="ct-load-out-"))
    targets = out / "targets.json"
    found = prepare(var, args.pool)
    targets.write_text(json.dumps({**found, "sessions": {}}))
    database = os.environ.get("DATABASE_URL", "sqlite").split(":")[0]
    results: dict[str, list[dict[str, dict[str, str]]]] = {"hello": [], "app": []}
    logs: list[dict[str, int]] = []
    peak = []
    load_before = os.getloadavg()
    try:
        for r in range(args.rounds):
            hello_port = free_port()
            hello = hello_server(out, hello_port, workers, threads)
            try:
                results["hello"].append(locust(hello_port, ["HelloUser"], args, targets, out))
            finally:
                hello.stop()
            app_port = free_port()
            env = env_for(var)
            env["CASETRAIL_BIND"] = f"127.0.0.1:{app_port}"
            env["CASETRAIL_WEB_WORKERS"] = str(workers)
            env["CASETRAIL_WEB_THREADS"] = str(threads)
            log = out / f"app-{r}.log"
            app = Server([PY, "-m", "casetrail.cli", "run"], env, app_port, ROOT, "/login/", log)
            try:
                subprocess.run([PY, "-c", SETTLED, "300"], env=env, cwd=ROOT, check=True)
                sessions = {u: login(app_port, u, found["password"]) for u in found["readers"]}
                targets.write_text(json.dumps({**found, "sessions": sessions}))
                results["app"].append(locust(app_port, ["Reader", "Writer"], args, targets, out))
                peak.append(app.peak_rss_mib())
            finally:
                app.stop()
            logs.append(log_counts(log))
            print(f"round {r + 1} done", file=sys.stderr)
        load_after = os.getloadavg()
        report(args, database, workers, threads, results, logs, peak, load_before, load_after)
    finally:
        if os.environ.get("CASETRAIL_LOAD_KEEP_OUTPUT"):
            print(f"output kept in {out}", file=sys.stderr)
        else:
            shutil.rmtree(out, ignore_errors=True)
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def report(
    args: argparse.Namespace,
    database: str,
    workers: int,
    threads: int,
    results: dict[str, list[dict[str, dict[str, str]]]],
    logs: list[dict[str, int]],
    peak: list[float],
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    rounds = len(results["app"])
    print(
        f"\n### Load: {args.users} users, {args.seconds} s, {database}, gthread {workers}×{threads}"
        f" ({rounds} round{'s' * (rounds > 1)}{'; min / median / max' * (rounds > 1)}; "
        f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f})\n"
    )
    print("| request | requests | requests/s | p50 ms | p95 ms | max ms | failures |")
    print("|---|---|---|---|---|---|---|")
    names = [n for n in results["app"][0] if not n.startswith("failure:")]
    names = sorted(names, key=lambda n: (n == "Aggregated", n))
    for label, runs, chosen in (("app", results["app"], names), ("hello", results["hello"], [])):
        for name in chosen or ["Aggregated"]:
            rows = [run[name] for run in runs if name in run]
            shown = "hello-world (same users)" if label == "hello" else name
            print(
                f"| {shown} | {spread([float(r['Request Count']) for r in rows])} "
                f"| {spread([float(r['Requests/s']) for r in rows], 1)} "
                f"| {spread([float(r['50%']) for r in rows])} "
                f"| {spread([float(r['95%']) for r in rows])} "
                f"| {spread([float(r['Max Response Time']) for r in rows])} "
                f"| {spread([float(r['Failure Count']) for r in rows])} |"
            )
    app_rps = statistics.median(float(run["Aggregated"]["Requests/s"]) for run in results["app"])
    hello_rps = statistics.median(
        float(run["Aggregated"]["Requests/s"]) for run in results["hello"]
    )
    print(f"\napp / hello-world requests/s (medians): {app_rps / hello_rps:.2f}")
    failures = {
        name: sum(int(run[name]["Occurrences"]) for run in results["app"] if name in run)
        for run in results["app"]
        for name in run
        if name.startswith("failure:")
    }
    for name, count in sorted(failures.items(), key=lambda kv: -kv[1]):
        print(f"- {name[len('failure: ') :]}: {count}")
    totals = {k: sum(log[k] for log in logs) for k in logs[0]} if logs else {}
    print("server log: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    print(f"peak RSS of the app's processes: {spread(peak)} MiB")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.settings")
    main()
