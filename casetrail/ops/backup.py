"""Backup and restore (issue 15): a consistent copy of a running CaseTrail, and its way back.

``backup(target)``, in this order, into ``<target>.partial`` renamed to ``target`` only at the end
(a copy cut short by a full disk, an unwritable folder or a crash is never named like a finished
one, and is removed when possible):

1. the database — SQLite: the online backup API (a consistent snapshot while the app writes);
   PostgreSQL: ``pg_dump --format=custom`` (one transaction snapshot);
2. the evidence blobs the snapshot references (``evidence_blob``), re-hashed while copied — a blob
   is in the store before its row is committed, so every referenced blob exists (file backend;
   with S3 the bucket's own versioning/replication keeps the blobs and the manifest lists them);
3. the keys folder (``CASETRAIL_KEY_DIR``: ledger signing keys), encrypted with a passphrase
   (``casetrail.ops.keyfile``);
4. ``manifest.json``: every file with its SHA-256 and size, and per agency the ledger's size and
   latest signed checkpoint in the snapshot; then the copy is checked against the manifest (and
   SQLite's ``PRAGMA integrity_check``) before it is renamed.

``restore(source)`` checks the copy against its manifest, refuses a target that is not empty (a
database with tables, a blob or key folder with files), puts everything in place and runs
``verify``. Rollback detection against witnesses is the trust issue's (issue 14); here a restore
can be compared with a checkpoint kept elsewhere (``newer_checkpoints``).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from casetrail.evidence.destroyed import is_destroyed
from casetrail.evidence.models import Blob, DestroyedBlob
from casetrail.evidence.storage import blob_key, blob_store
from casetrail.ledger.models import Checkpoint, Ledger
from casetrail.ops.keyfile import open_into, seal_folder

FORMAT = "casetrail-backup/1"
DB_SQLITE = "database.sqlite3"
DB_PG = "database.pgdump"
KEYS = "keys.enc"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that could not be made; the message is for the operator (zh-Hans)."""


@dataclass
class Manifest:
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        return dict(self.data["files"])


def _sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy(source: Path, target: Path) -> str:
    """Copy, fsync, and return the SHA-256 of the bytes copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    with source.open("rb") as src, target.open("wb") as out:
        while block := src.read(CHUNK):
            h.update(block)
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    return h.hexdigest()


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


# --- backup -----------------------------------------------------------------------------------


def _snapshot_sqlite(target: Path) -> None:
    """SQLite's online backup API from the app's own database: pages copied under a read
    transaction, so the copy is one consistent state however many writers run."""
    connection.ensure_connection()
    source = connection.connection
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        dest.close()
    _fsync(target)


def _pg_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth}{db.get('HOST') or ''}{port}/{connection.settings_dict['NAME']}"


def _snapshot_pg(target: Path) -> None:
    try:
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _pg_url()],
            check=True,
            capture_output=True,
        )
    except FileNotFoundError:
        raise BackupError("未找到 pg_dump：请安装与数据库版本一致的 PostgreSQL 客户端") from None
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"pg_dump 失败：{exc.stderr.decode(errors='replace')[-500:]}") from None
    _fsync(target)


def _snapshot_facts(db_copy: Path | None) -> tuple[list[tuple[str, int]], dict[str, Any]]:
    """The blobs referenced and each ledger's size and latest checkpoint, read from the SQLite
    copy itself (exactly the snapshot) or, for PostgreSQL, from the live database right after the
    dump (blob rows are never deleted, so this lists at least the dump's). Blobs whose bytes a
    destruction deleted (``evidence_destroyedblob``) are recorded, not copied."""
    ledgers: dict[str, Any] = {}
    if db_copy is not None:
        con = sqlite3.connect(f"file:{db_copy}?mode=ro", uri=True)
        try:
            blobs = con.execute(
                f"SELECT sha256, size FROM {Blob._meta.db_table} WHERE sha256 NOT IN "
                f"(SELECT sha256 FROM {DestroyedBlob._meta.db_table})"
            ).fetchall()
            for origin, size, note in con.execute(
                f"SELECT l.origin, l.size, (SELECT c.note FROM {Checkpoint._meta.db_table} c "
                f"WHERE c.ledger_id = l.id ORDER BY c.size DESC LIMIT 1) "
                f"FROM {Ledger._meta.db_table} l ORDER BY l.id"
            ):
                ledgers[origin] = {"size": size, "checkpoint": note}
        finally:
            con.close()
        return [(str(s), int(n)) for s, n in blobs], ledgers
    for ledger in Ledger.objects.order_by("pk"):
        latest = ledger.checkpoints.order_by("-size").first()
        ledgers[ledger.origin] = {"size": ledger.size, "checkpoint": latest and latest.note}
    destroyed = DestroyedBlob.objects.values("sha256")
    return list(Blob.objects.exclude(sha256__in=destroyed).values_list("sha256", "size")), ledgers


def _copy_blobs(blobs: list[tuple[str, int]], folder: Path) -> dict[str, dict[str, Any]]:
    store = blob_store()
    files: dict[str, dict[str, Any]] = {}
    if not store.is_file:
        return files
    for sha256, size in blobs:
        if not store.exists(sha256) and is_destroyed(sha256):
            continue  # destroyed after the snapshot was taken: recorded, not missing
        name = f"blobs/{blob_key(sha256)}"
        digest = _copy(store.path(sha256), folder / name)
        if digest != sha256:
            raise BackupError(f"证据文件 {sha256} 的内容与其摘要不符，请先运行 casetrail verify")
        files[name] = {"sha256": digest, "size": size}
    return files


def backup(target: Path, *, passphrase: str | None) -> Manifest:
    """Make a backup in ``target`` (which must not exist); ``passphrase`` None leaves the keys
    out (kept elsewhere, e.g. an HSM). Raises BackupError, leaving no ``target``."""
    target = Path(target).absolute()
    if target.exists():
        raise BackupError(f"{target} 已存在：请指定一个新的备份目录")
    partial = target.with_name(target.name + ".partial")
    try:
        if partial.exists():  # an earlier attempt that did not finish
            shutil.rmtree(partial)
        partial.mkdir(parents=True)
    except OSError as exc:
        raise BackupError(f"无法写入备份目录 {target.parent}：{exc.strerror}") from None
    try:
        manifest = _fill(partial, passphrase=passphrase)
        check(partial, manifest)
        _fsync(partial)
        os.rename(partial, target)
        _fsync(target.parent)
    except BaseException as exc:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(exc, OSError):
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise BackupError("备份失败：磁盘空间不足，未留下不完整的备份") from None
            raise BackupError(f"备份失败：{exc.strerror or exc}，未留下不完整的备份") from None
        raise
    return manifest


def _fill(folder: Path, *, passphrase: str | None) -> Manifest:
    if connection.in_atomic_block:
        # A backup runs on its own: SQLite's copy would wait for this very transaction, and on
        # PostgreSQL the facts read after pg_dump would include rows the dump cannot see.
        raise BackupError("不能在事务中备份")
    files: dict[str, dict[str, Any]] = {}
    started = timezone.now()
    if _is_sqlite():
        db_copy: Path | None = folder / DB_SQLITE
        _snapshot_sqlite(folder / DB_SQLITE)
        files[DB_SQLITE] = {}
    else:
        db_copy = None
        _snapshot_pg(folder / DB_PG)
        files[DB_PG] = {}
    blobs, ledgers = _snapshot_facts(db_copy)
    files.update(_copy_blobs(blobs, folder))
    if passphrase is not None:
        (folder / KEYS).write_bytes(seal_folder(settings.CASETRAIL_KEY_DIR, passphrase))
        _fsync(folder / KEYS)
        files[KEYS] = {}
    for name, meta in files.items():
        if not meta:  # database and keys: hashed as written
            path = folder / name
            meta.update({"sha256": _sha256_of(path), "size": path.stat().st_size})
    data = {
        "format": FORMAT,
        "created_at": started.astimezone(dt.UTC).isoformat(),
        "database": "sqlite" if _is_sqlite() else "postgresql",
        "blob_storage": "file" if blob_store().is_file else "s3 (not copied)",
        "blobs": len(blobs),
        "keys": passphrase is not None,
        "ledgers": ledgers,
        "files": files,
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")
    _fsync(path)
    return Manifest(data)


def read_manifest(folder: Path) -> Manifest:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        if Path(str(folder) + ".partial").exists() or str(folder).endswith(".partial"):
            raise BackupError(f"{folder} 是未完成的备份，不能使用")
        raise BackupError(f"{folder} 不是 CaseTrail 备份（缺少 {MANIFEST}）")
    try:
        data = json.loads(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{path} 已损坏") from None
    if data.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式：{data.get('format')!r}")
    return Manifest(data)


def check(folder: Path, manifest: Manifest) -> None:
    """Every file of the manifest is there with its digest; the SQLite copy passes
    ``PRAGMA integrity_check``. Raises BackupError naming the first difference."""
    for name, meta in manifest.files.items():
        path = Path(folder) / name
        if not path.is_file():
            raise BackupError(f"备份缺少文件 {name}")
        if _sha256_of(path) != meta["sha256"]:
            raise BackupError(f"备份文件 {name} 的摘要与清单不符")
    if DB_SQLITE in manifest.files:
        con = sqlite3.connect(f"file:{Path(folder) / DB_SQLITE}?mode=ro", uri=True)
        try:
            result = con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()
        if result != "ok":
            raise BackupError(f"数据库副本未通过完整性检查：{result}")


# --- restore ----------------------------------------------------------------------------------


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))


def refuse_non_empty() -> None:
    """Restore only into an empty place: no database with tables, no blob, no key."""
    if _is_sqlite():
        path = _sqlite_path()
        if path.exists() and path.stat().st_size > 0:
            raise BackupError(f"目标数据库 {path} 已存在：只能恢复到空的 var/（或空数据库）")
    elif connection.introspection.table_names():
        raise BackupError("目标数据库不是空的：只能恢复到新建的空数据库")
    if blob_store().is_file and _has_files(settings.CASETRAIL_BLOB_DIR):
        raise BackupError(f"证据目录 {settings.CASETRAIL_BLOB_DIR} 不是空的")
    if _has_files(settings.CASETRAIL_KEY_DIR):
        raise BackupError(f"密钥目录 {settings.CASETRAIL_KEY_DIR} 不是空的")


def restore(source: Path, *, passphrase: str | None) -> Manifest:
    """Put a backup in place (then the caller runs ``verify``). Raises BackupError."""
    source = Path(source).absolute()
    manifest = read_manifest(source)
    check(source, manifest)
    if manifest.data.get("keys") and passphrase is None:
        raise BackupError(
            "该备份含加密的密钥：请提供口令（--passphrase-file 或 CASETRAIL_BACKUP_PASSPHRASE）"
        )
    connections.close_all()
    refuse_non_empty()
    connections.close_all()
    if manifest.data.get("keys"):
        from casetrail.ops.keyfile import WrongPassphrase

        try:
            open_into((source / KEYS).read_bytes(), passphrase or "", settings.CASETRAIL_KEY_DIR)
        except WrongPassphrase:
            raise BackupError("口令不正确，无法解密备份中的密钥") from None
    store = blob_store()
    for name in manifest.files:
        if name.startswith("blobs/") and store.is_file:
            sha256 = name.rsplit("/", 1)[1]
            store.put_file(sha256, source / name, move=False)
    if DB_SQLITE in manifest.files:
        target = _sqlite_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".restoring")
        _copy(source / DB_SQLITE, tmp)
        for suffix in ("-wal", "-shm"):  # of an empty database opened before: not ours
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(tmp, target)
        _fsync(target.parent)
    else:
        try:
            subprocess.run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--exit-on-error",
                    f"--dbname={_pg_url()}",
                    str(source / DB_PG),
                ],
                check=True,
                capture_output=True,
            )
        except FileNotFoundError:
            raise BackupError("未找到 pg_restore：请安装 PostgreSQL 客户端") from None
        except subprocess.CalledProcessError as exc:
            raise BackupError(
                f"pg_restore 失败：{exc.stderr.decode(errors='replace')[-500:]}"
            ) from None
    connections.close_all()
    return manifest


def newer_checkpoints(manifest: Manifest, notes: dict[str, int]) -> list[str]:
    """Rollback check against checkpoints kept elsewhere (published, or a later backup's):
    ``notes`` maps a ledger origin to a size it is known to have reached; each ledger the backup
    holds fewer entries of is reported."""
    out = []
    for origin, size in notes.items():
        have = manifest.data["ledgers"].get(origin, {}).get("size", 0)
        if have < size:
            out.append(f"{origin}: 备份中的日志只有 {have} 条，已知的检查点为 {size} 条（回滚）")
    return out
