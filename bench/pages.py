"""Pages at scale (issue 18 item 5): the app started the way `casetrail run` starts it, on a database
made by `casetrail generate`, against a Django hello-world served by the same gunicorn settings in
the same run.

    # generate into a folder once (minutes), then measure (several rounds, interleaved):
    .venv/bin/python bench/pages.py --cases 10000 --keep /tmp/ct-10k      # generate + measure
    .venv/bin/python bench/pages.py --var /tmp/ct-10k                     # measure again
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ct_pages .venv/bin/python bench/pages.py \
        --cases 10000                                                     # on PostgreSQL

For 张承办 (zhang, a handler) and 孙监督 (sun, the supervisor) it measures the worklist (the page after
login), the case list (default, filtered by stage, searched by a party's name) and a case's page:
p50 and p95 of sequential requests, and the throughput of the case list and of hello-world with
concurrent clients. Each figure is given as min / median / max over the rounds. The peak RSS of
each server process is read from /proc at the end. A temporary folder is removed afterwards unless
``--keep`` names it.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable

DEMO_PASSWORD = "casetrail-demo"  # casetrail.demo.personas: the personas `generate` makes
HELLO = """
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False, ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"], SECRET_KEY="bench-hello", MIDDLEWARE=[]
)
urlpatterns = [path("", lambda request: HttpResponse("hello"))]
application = get_wsgi_application()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for(var: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{var / 'db.sqlite3'}")
    env["CASETRAIL_VAR_DIR"] = str(var)
    env["CASETRAIL_DEMO"] = "1"  # generated data carries the demo personas and password
    env["CASETRAIL_LOCAL_WITNESS"] = "0"  # no fixed port shared with other runs on the machine
    env["DJANGO_SETTINGS_MODULE"] = "casetrail.settings"
    return env


def generate(var: Path, cases: int, agencies: int) -> None:
    env = env_for(var)
    subprocess.run([PY, "-m", "casetrail.cli", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    started = time.monotonic()
    subprocess.run(
        [PY, "-m", "casetrail.cli", "generate", "--cases", str(cases), "--agencies", str(agencies)],
        env=env,
        check=True,
        cwd=ROOT,
    )
    print(f"generated {cases:,} cases in {time.monotonic() - started:.0f} s", file=sys.stderr)


def targets(var: Path) -> dict[str, str]:
    """The case and the party name each persona's pages ask for, read from the database."""
    code = """
import django; django.setup()
from casetrail.cases.models import Case, Party
from casetrail.org.models import Officer
zhang = Officer.objects.get(user__username="zhang")
case = (Case.objects.filter(assignments__officer=zhang, stage="service").order_by("-id").first()
        or Case.objects.filter(assignments__officer=zhang).order_by("-id").first())
party = Party.objects.filter(case=case).first()
print(case.pk); print(party.name); print(Case.objects.count())
"""
    out = subprocess.run(
        [PY, "-c", code], env=env_for(var), cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split("\n")
    return {"case": out[0], "party": out[1], "cases": out[2]}


class Server:
    def __init__(
        self,
        argv: list[str],
        env: dict[str, str],
        port: int,
        cwd: Path,
        probe: str = "/",
        log: Path | None = None,
    ) -> None:
        """Start ``argv`` in its own process group and wait until ``probe`` answers; its output
        goes to ``log`` (access log and errors, for the load bench to read) or nowhere."""
        self.port = port
        out = open(log, "wb") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                status, _, _ = request(port, "GET", probe)
                if status < 500:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"server on {port} did not start")

    def peak_rss_mib(self) -> float:
        """The largest VmHWM among the server's processes (gunicorn master and workers, the
        task worker, the scheduler)."""
        peak = 0
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if not re.search(rf"^NSpgid:\s+{self.proc.pid}$", text, re.M) and not re.search(
                rf"^Pid:\s+{self.proc.pid}$", text, re.M
            ):
                continue
            found = re.search(r"^VmHWM:\s+(\d+) kB", text, re.M)
            if found:
                peak = max(peak, int(found[1]))
        return peak / 1024

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own process group only
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)


def hello_server(
    folder: Path, port: int, workers: int, threads: int | None = None, log: Path | None = None
) -> Server:
    """The same-run reference: a Django hello-world (``HELLO``, written into ``folder``) under
    gunicorn with the options `casetrail run` serves with (worker class, keep-alive, access log)
    and the app's worker and thread counts."""
    from casetrail.cli import gunicorn_options

    (folder / "hello.py").write_text(HELLO)
    options = gunicorn_options(bind=f"127.0.0.1:{port}", workers=workers, threads=threads)
    return Server(
        [PY, "-m", "gunicorn", "hello:application", *options],
        {**os.environ, "PYTHONPATH": str(folder)},
        port,
        folder,
        log=log,
    )


def request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: str = ""
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        cookies = {}
        for key, value in resp.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookies[name] = rest.split(";", 1)[0]
        return resp.status, cookies, data
    finally:
        conn.close()


def login(port: int, username: str, password: str) -> str:
    _, cookies, page = request(port, "GET", "/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token[1].decode()}
    )
    status, got, _ = request(
        port,
        "POST",
        "/login/",
        {
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body,
    )
    assert status == 302 and "sessionid" in got, f"login of {username} failed ({status})"
    return f"sessionid={got['sessionid']}; csrftoken={cookies['csrftoken']}"


def latency(port: int, path: str, cookie: str, n: int) -> tuple[float, float]:
    """p50 and p95 in ms of ``n`` sequential requests (after one warm-up)."""
    headers = {"Cookie": cookie} if cookie else {}
    status, _, _ = request(port, "GET", path, headers)
    assert status == 200, f"{path}: {status}"
    times = []
    for _ in range(n):
        t = time.perf_counter()
        status, _, _ = request(port, "GET", path, headers)
        times.append((time.perf_counter() - t) * 1000)
        assert status == 200, f"{path}: {status}"
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def throughput(port: int, path: str, cookie: str, clients: int, each: int) -> float:
    """Requests per second of ``clients`` concurrent clients making ``each`` requests."""
    headers = {"Cookie": cookie} if cookie else {}
    errors: list[str] = []

    def run() -> None:
        for _ in range(each):
            status, _, _ = request(port, "GET", path, headers)
            if status != 200:
                errors.append(f"{path}: {status}")

    threads = [threading.Thread(target=run) for _ in range(clients)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors[:3]
    return clients * each / (time.perf_counter() - t)


def spread(values: list[float]) -> str:
    return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var", type=Path, help="a folder `casetrail generate` filled already")
    parser.add_argument("--cases", type=int, default=10_000, help="cases to generate (no --var)")
    parser.add_argument("--agencies", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=40, help="sequential requests per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (both servers)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (throughput)")
    args = parser.parse_args()

    temporary = None
    if args.var:
        var = args.var
    else:
        var = args.keep or Path(tempfile.mkdtemp(prefix="ct-pages-"))
        temporary = None if args.keep else var
        var.mkdir(parents=True, exist_ok=True)
        generate(var, args.cases, args.agencies)
    app_port, hello_port = free_port(), free_port()
    env = env_for(var)
    env["CASETRAIL_BIND"] = f"127.0.0.1:{app_port}"
    env["CASETRAIL_WEB_WORKERS"] = str(args.workers)
    hello_dir = Path(tempfile.mkdtemp(prefix="ct-hello-"))
    app = hello = None
    try:
        where = targets(var)
        app = Server([PY, "-m", "casetrail.cli", "run"], env, app_port, ROOT, "/login/")
        hello = hello_server(hello_dir, hello_port, args.workers)
        cookies = {who: login(app_port, who, DEMO_PASSWORD) for who in ("zhang", "sun")}
        q = urllib.parse.quote(where["party"])
        pages = {
            "worklist": "/",
            "case list": "/cases/",
            "by stage": "/cases/?stage=investigation",
            "by party name": f"/cases/?q={q}",
            "case page": f"/cases/{where['case']}/",
        }
        lat: dict[str, list[tuple[float, float]]] = {}
        rps: dict[str, list[float]] = {}
        for r in range(args.rounds):
            lat.setdefault("hello-world", []).append(latency(hello_port, "/", "", args.requests))
            for who, cookie in cookies.items():
                for name, path in pages.items():
                    lat.setdefault(f"{who} {name}", []).append(
                        latency(app_port, path, cookie, args.requests)
                    )
            rps.setdefault("hello-world", []).append(
                throughput(hello_port, "/", "", args.clients, args.requests)
            )
            for who in ("zhang", "sun"):
                rps.setdefault(f"{who} case list", []).append(
                    throughput(app_port, "/cases/", cookies[who], args.clients, args.requests // 2)
                )
            print(f"round {r + 1} done", file=sys.stderr)
        print(
            f"\n### Pages at {int(where['cases']):,} cases "
            f"({os.environ.get('DATABASE_URL', 'sqlite').split(':')[0]}, {args.workers} workers, "
            f"{args.rounds} rounds; min / median / max)\n"
        )
        print("| page | p50 ms | p95 ms |")
        print("|---|---|---|")
        for name, values in lat.items():
            print(
                f"| {name} | {spread([v[0] for v in values])} | {spread([v[1] for v in values])} |"
            )
        print("\n| throughput | requests/s | share of hello-world (median) |")
        print("|---|---|---|")
        hello_median = statistics.median(rps["hello-world"])
        for name, values in rps.items():
            share = statistics.median(values) / hello_median
            print(f"| {name} | {spread(values)} | {share:.3f} |")
        print(
            f"\npeak RSS: app {app.peak_rss_mib():.0f} MiB, hello-world {hello.peak_rss_mib():.0f} MiB"
        )
    finally:
        for server in (app, hello):
            if server is not None:
                server.stop()
        shutil.rmtree(hello_dir, ignore_errors=True)
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.settings")
    main()
