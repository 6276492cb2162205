"""Eight processes append to one agency's log at once (issue 18: speed never costs integrity): no
seq twice, none skipped, every node right — on the database the suite runs on (SQLite: a fresh
file; PostgreSQL: a fresh database on the same server). Processes are started fresh, not forked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import psycopg
import pytest
from django.db import connection

# Other processes (a server, workers) keep the real clock: so does this test process.
pytestmark = pytest.mark.real_clock

PROCESSES, EACH = 8, 40


@pytest.fixture
def database_url(tmp_path):
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'concurrent.sqlite3'}"
        return
    params = connection.settings_dict
    name = f"ct_concurrent_{uuid.uuid4().hex[:8]}"
    host, port, user = params["HOST"] or "127.0.0.1", params["PORT"] or 5432, params["USER"]
    admin = psycopg.connect(
        host=host, port=port, user=user, password=params["PASSWORD"], dbname="postgres"
    )
    admin.autocommit = True
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = f"{user}:{params['PASSWORD']}@" if params["PASSWORD"] else f"{user}@"
        yield f"postgresql://{auth}{host}:{port}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _run(env, *args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-m", "casetrail.ledger.tests.append_worker", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_it_never_forks_the_log_when_eight_processes_append_at_once(database_url, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CASETRAIL_VAR_DIR": str(tmp_path / "var"),
        "CASETRAIL_KEY_DIR": str(tmp_path / "keys"),
        "CASETRAIL_CHECKPOINT_EVERY": "0",
        "CASETRAIL_TESTING": "1",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    setup = _run(env, "setup")
    out, err = setup.communicate(timeout=300)
    assert setup.returncode == 0, err
    agency_id = out.split()[-1]
    start = time.time() + 8  # every process imported Django and waits for this moment
    workers = [_run(env, "append", agency_id, str(EACH), str(start)) for _ in range(PROCESSES)]
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    result = _check(env)
    assert result["subjects"] == PROCESSES * EACH
    assert result["seqs"] == list(range(result["size"]))  # no seq twice, none skipped
    assert result["findings"] == result["findings_2_jobs"] == result["findings_2_spawned"] == []
    # verify --jobs 2 (processes forked, or spawned inside a transaction; the log cut into spans,
    # the rows and the blobs into ranges) finds what one process finds, in the same order.
    tamper = _run(env, "tamper")
    assert tamper.wait(timeout=300) == 0, tamper.stderr.read() if tamper.stderr else ""
    result = _check(env)
    assert result["findings"] == result["findings_2_jobs"] == result["findings_2_spawned"]
    found = "\n".join(result["findings"])
    assert "node (3, 5): hash differs from its children" in found
    assert "seq 200: entry does not hash to stored leaf" in found
    # The row comparison and the blob check are cut into ranges for the jobs too.
    assert 'org_unit 1: field "name" differs from ledger seq' in found
    assert "sha256 of stored bytes differs" in found and "sm3 of stored bytes differs" in found


def _check(env):
    check = _run(env, "check", "2")
    out, err = check.communicate(timeout=300)
    assert check.returncode == 0, err
    return json.loads(out.splitlines()[-1])
