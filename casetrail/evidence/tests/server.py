"""Start the real server (gunicorn) on 127.0.0.1 with its own SQLite file and var/ folder; shared
by the kill-and-resume test and bench/ingest.py."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(var: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
        "CASETRAIL_VAR_DIR": str(var),
        "CASETRAIL_TASKS": "immediate",
        "CASETRAIL_STORAGE": "file",
        "CASETRAIL_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "casetrail.settings",
        # The demo's server: its password and the embedded SECRET_KEY are allowed (issue 15).
        "CASETRAIL_DEMO": "1",
        **extra,
    }


def prepare(var: Path, env: dict[str, str]) -> str:
    """migrate + demo; returns zhang's API token."""
    cli = [sys.executable, "-m", "casetrail.cli"]
    for args in (["migrate", "--noinput"], ["demo"]):
        subprocess.run([*cli, *args], cwd=REPO_ROOT, env=env, check=True, capture_output=True)
    out = subprocess.run(
        [*cli, "token", "zhang"], cwd=REPO_ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().split()[-1]


class Server:
    def __init__(self, var: Path, env: dict[str, str], port: int, workers: int = 1) -> None:
        self.var, self.env, self.port, self.workers = var, env, port, workers
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        log = (self.var / "gunicorn.log").open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "casetrail.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "600",
            ],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() reaches master and workers
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                pass
            try:
                self.proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
            else:
                raise RuntimeError((self.var / "gunicorn.log").read_text())
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer")

    def kill(self) -> None:
        """SIGKILL the whole server, as a power cut or OOM kill would."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        import psutil

        return [self.proc.pid] + [c.pid for c in psutil.Process(self.proc.pid).children()]

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
