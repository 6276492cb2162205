"""kill -9 during packaging (issue 12, 安全性): a real packaging process, stopped by SIGKILL once
the first payload file is in its temporary tar, leaves no package — no row, no blob under a
digest — and the next attempt succeeds cleanly and sweeps the leftover; a sweep while a packager
is alive leaves its temporary file alone (it holds a lock on it). On the database the suite runs
on (SQLite: a fresh file; PostgreSQL: a fresh database on the same server); processes are started
fresh, never forked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

# A fresh database on the suite's own engine (SQLite file / PostgreSQL database), shared fixture.
from casetrail.ledger.tests.test_concurrent_append import database_url  # noqa: F401

# The worker processes run on the real clock; so does this test process.
pytestmark = pytest.mark.real_clock


def _start(env, *args):
    return subprocess.Popen(
        [sys.executable, "-m", "casetrail.archive.tests.package_worker", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run(env, *args) -> str:
    proc = _start(env, *args)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    return out.strip().splitlines()[-1]


def test_it_leaves_no_package_when_the_packager_is_killed(database_url, tmp_path):  # noqa: F811
    var = tmp_path / "var"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CASETRAIL_VAR_DIR": str(var),
        "CASETRAIL_BLOB_DIR": str(var / "blobs"),
        "CASETRAIL_KEY_DIR": str(tmp_path / "keys"),
        "CASETRAIL_TESTING": "1",
        "CASETRAIL_DEMO": "1",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    file_id = _run(env, "setup")

    packager = _start(env, "package", file_id, "pause")
    try:
        # Blocks until the worker has its first payload file in the tar (no sleep, no polling).
        line = packager.stdout.readline()
        assert line.startswith("paused "), packager.stderr.read()[-3000:]
        (temp,) = [Path(p) for p in line.split()[1:]]
        assert temp.exists() and temp.parent.name == "tmp-packages"
        # A sweep while the packager lives leaves its file alone.
        assert json.loads(_run(env, "sweep")) == []
        assert temp.exists()
    finally:
        os.kill(packager.pid, signal.SIGKILL)
        packager.communicate(timeout=60)
    assert packager.returncode == -signal.SIGKILL

    state = json.loads(_run(env, "state", file_id))
    assert state["packages"] == 0  # no row
    assert state["unrecorded"] == []  # no blob under a digest without its row
    assert state["temp"] == [temp.name]  # only the temporary file, never under a blob's name

    done = json.loads(_run(env, "package", file_id))
    assert done["package"]
    state = json.loads(_run(env, "state", file_id))
    assert state == {"packages": 1, "temp": [], "unrecorded": []}
    assert not temp.exists()
    blob = var / "blobs" / done["sha256"][:2] / done["sha256"][2:4] / done["sha256"]
    assert blob.exists() and blob.stat().st_size > 0
