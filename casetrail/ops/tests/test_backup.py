"""Backup and restore (issue 15): a consistent copy while the app writes, restored into an empty
var/ and verified clean — ten times in a row; a full disk or an unwritable folder leaves no
backup that looks complete; a non-empty target, a wrong passphrase, an altered copy and an older
backup than a known checkpoint are refused.

A backup copies committed data, which the suite's per-test transaction never has: the backups
are made by the commands on a real var/ prepared once (``scenario.py prepare``)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from casetrail.ops import backup as ops
from casetrail.ops.backup import BackupError, backup

# Other processes (a server, workers) keep the real clock: so does this test process.
pytestmark = pytest.mark.real_clock

PASSPHRASE = "a passphrase for the test"
SCENARIO = Path(__file__).with_name("scenario.py")


def env(var: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casetrail.settings",
        "CASETRAIL_VAR_DIR": str(var),
        # The commands run on their own SQLite var/, also when the suite runs on PostgreSQL.
        "DATABASE_URL": f"sqlite:///{var / 'casetrail.sqlite3'}",
        "CASETRAIL_KEY_DIR": str(var / "keys"),
        "CASETRAIL_BLOB_DIR": str(var / "blobs"),
        "CASETRAIL_UPLOAD_DIR": str(var / "uploads"),
        "CASETRAIL_TESTING": "1",
        "CASETRAIL_TASKS": "immediate",
        "CASETRAIL_BACKUP_PASSPHRASE": PASSPHRASE,
        **extra,
    }


def run(args: list[str], var: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env(var, **extra), capture_output=True, text=True, timeout=900
    )


def casetrail(*args: str, var: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return run(["-m", "casetrail.cli", *args], var, **extra)


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Path:
    """A var/ with the demo personas and one evidence blob, and a backup of it (module-wide)."""
    root = tmp_path_factory.mktemp("live")
    r = run([str(SCENARIO), "prepare"], root / "var")
    assert r.returncode == 0, r.stderr[-3000:]
    r = casetrail("backup", str(root / "b"), var=root / "var")
    assert r.returncode == 0, r.stdout + r.stderr
    return root


def test_it_backs_up_and_restores_into_an_empty_var_and_verifies(live, tmp_path):
    data = json.loads((live / "b" / "manifest.json").read_text())
    assert not (live / "b.partial").exists()
    assert data["blobs"] == 1 and data["keys"] is True and data["database"] == "sqlite"
    assert all(len(m["sha256"]) == 64 for m in data["files"].values())
    (origin,) = data["ledgers"]
    assert data["ledgers"][origin]["size"] > 0
    # The keys are not in the backup in clear.
    keys = {p.name: p.read_bytes() for p in (live / "var" / "keys").rglob("*") if p.is_file()}
    sealed = (live / "b" / "keys.enc").read_bytes()
    assert keys and not any(k in sealed for k in keys.values())

    restored = tmp_path / "restored"
    r = casetrail("restore", str(live / "b"), var=restored)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "verify: 0 findings" in r.stdout and "已恢复" in r.stdout
    assert {p.name for p in (restored / "keys").iterdir()} == set(keys)
    # Into a var/ that is no longer empty: refused, nothing changed.
    before = (restored / "casetrail.sqlite3").stat().st_mtime_ns
    r = casetrail("restore", str(live / "b"), var=restored)
    assert r.returncode != 0 and "已存在" in r.stderr
    assert (restored / "casetrail.sqlite3").stat().st_mtime_ns == before


def test_it_refuses_a_wrong_passphrase_and_writes_nothing(live, tmp_path):
    restored = tmp_path / "restored"
    r = casetrail(
        "restore",
        str(live / "b"),
        var=restored,
        CASETRAIL_BACKUP_PASSPHRASE="not the passphrase at all",
    )
    assert r.returncode != 0 and "口令不正确" in r.stderr
    db = restored / "casetrail.sqlite3"
    assert not db.exists() or not db.stat().st_size


def test_it_backs_up_while_the_app_writes_ten_times_in_a_row(live, tmp_path):
    var = tmp_path / "var"
    shutil.copytree(live / "var", var)
    r = run([str(SCENARIO), "loop", str(tmp_path / "backups")], var)
    assert r.returncode == 0, r.stderr[-3000:]
    lines = [line.split(" ", 2) for line in r.stdout.strip().splitlines()]
    assert [n for n, _, _ in lines] == [str(n) for n in range(10)]
    assert all(state == "intact" for _, _, state in lines), lines
    sizes = [int(size) for _, size, _ in lines]
    assert sizes == sorted(sizes) and sizes[-1] > sizes[0]  # taken while the ledger grew
    # The last one goes all the way: restored into an empty var/ and verified by the command.
    r = casetrail("restore", str(tmp_path / "backups" / "b9"), var=tmp_path / "restored")
    assert r.returncode == 0, r.stdout + r.stderr


def test_it_leaves_no_complete_looking_backup_when_the_disk_is_full(tmp_path, monkeypatch):
    def full(target: Path) -> None:
        target.write_bytes(b"half a database")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ops, "_snapshot_sqlite", full)
    monkeypatch.setattr(ops, "_snapshot_pg", full)  # the same full disk on PostgreSQL
    with pytest.raises(BackupError, match="磁盘空间不足"):
        backup(tmp_path / "b", passphrase=PASSPHRASE)
    assert not (tmp_path / "b").exists() and not (tmp_path / "b.partial").exists()


def test_it_refuses_to_back_up_inside_a_transaction(db, tmp_path):
    with pytest.raises(BackupError, match="事务"):
        backup(tmp_path / "b", passphrase=None)
    assert not (tmp_path / "b").exists() and not (tmp_path / "b.partial").exists()


def test_it_fails_cleanly_on_a_folder_it_cannot_write(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(CommandError, match="无法写入备份目录"):
        call_command("backup", str(blocker / "b"), "--no-keys")
    assert not (blocker.parent / "b").exists()


def test_it_refuses_an_existing_target_and_an_unfinished_backup(tmp_path):
    (tmp_path / "b").mkdir()
    with pytest.raises(BackupError, match="已存在"):
        backup(tmp_path / "b", passphrase=None)
    (tmp_path / "c.partial").mkdir()
    with pytest.raises(BackupError, match="未完成"):
        ops.read_manifest(tmp_path / "c")


def test_it_finds_a_backup_that_was_altered(live, tmp_path):
    copy = tmp_path / "b"
    shutil.copytree(live / "b", copy)
    db = copy / "database.sqlite3"
    data = bytearray(db.read_bytes())
    data[-100] ^= 0xFF
    db.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="摘要与清单不符"):
        ops.check(copy, ops.read_manifest(copy))
    r = casetrail("restore", str(copy), var=tmp_path / "restored")
    assert r.returncode != 0 and "摘要与清单不符" in r.stderr


def test_it_reports_an_older_backup_than_a_known_checkpoint_as_a_rollback(live, tmp_path):
    manifest = ops.read_manifest(live / "b")
    ((origin, ledger),) = manifest.data["ledgers"].items()
    note = tmp_path / "checkpoint"
    note.write_text(f"{origin}\n{ledger['size'] + 5}\nroot\n\n— key sig\n")
    restored = tmp_path / "restored"
    r = casetrail("restore", str(live / "b"), "--checkpoint", str(note), var=restored)
    assert r.returncode != 0 and "回滚" in r.stderr
    assert not (restored / "casetrail.sqlite3").exists()


def _pg_server() -> str | None:
    """The local PostgreSQL server's URL (the suite's own, or 127.0.0.1), or None."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        user = db.get("USER") or "postgres"
    else:
        host, port, user = "127.0.0.1", 5432, "postgres"
    if shutil.which("pg_dump") is None or shutil.which("psql") is None:
        return None
    probe = subprocess.run(
        ["pg_isready", "-h", str(host), "-p", str(port), "-q"], capture_output=True, check=False
    )
    return f"postgresql://{user}@{host}:{port}" if probe.returncode == 0 else None


def test_it_backs_up_and_restores_postgresql_with_pg_dump(tmp_path):
    """The PostgreSQL path end to end: pg_dump of a live database, pg_restore into an empty one,
    verify clean; a target database that already has tables is refused."""
    server = _pg_server()
    if server is None:
        pytest.skip("no PostgreSQL server and client tools on 127.0.0.1")
    names = [f"ct_backup_{os.getpid()}_{n}" for n in ("live", "restored")]

    def psql(sql: str) -> None:
        subprocess.run(["psql", f"{server}/postgres", "-qc", sql], check=True, capture_output=True)

    for name in names:
        psql(f"DROP DATABASE IF EXISTS {name}")
        psql(f"CREATE DATABASE {name}")
    try:
        live_db, restored_db = (f"{server}/{name}" for name in names)
        var = tmp_path / "var"
        r = run([str(SCENARIO), "prepare"], var, DATABASE_URL=live_db)
        assert r.returncode == 0, r.stderr[-3000:]
        r = casetrail("backup", str(tmp_path / "b"), var=var, DATABASE_URL=live_db)
        assert r.returncode == 0, r.stdout + r.stderr
        data = json.loads((tmp_path / "b" / "manifest.json").read_text())
        assert data["database"] == "postgresql" and (tmp_path / "b" / "database.pgdump").exists()
        target = tmp_path / "restored"
        r = casetrail("restore", str(tmp_path / "b"), var=target, DATABASE_URL=restored_db)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "verify: 0 findings" in r.stdout
        r = casetrail("restore", str(tmp_path / "b"), var=tmp_path / "again", DATABASE_URL=live_db)
        assert r.returncode != 0  # the live database has tables: refused
    finally:
        for name in names:
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
