"""Lock the fingerprint of every new entry version of the document catalogue (catalogue.lock):
``python -m casetrail.records.lock`` after adding an entry or a version; commit the lock with it.

A locked version never changes: a changed entry whose version was not bumped is refused with what
to do, and a locked version that vanished from both files is refused too (its records must stay
readable). Runs without Django settings, so it works while start-up refuses the catalogue."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from casetrail.records.catalogue import (
    CATALOGUE_FILE,
    HISTORY_FILE,
    LOCK_FILE,
    check_lock,
    parse_files,
    read_lock,
)

HEADER = """\
# Fingerprints of every version of every catalogue entry: code, version, SHA-256 of the entry's
# RFC 8785 canonical JSON. Checked at start-up (casetrail/records/catalogue.py): a locked version
# may never change, so records made with it are read as they were made. Written by
# `python -m casetrail.records.lock`, which adds new versions and refuses changed or vanished ones.
"""


def update_lock(
    catalogue: Path = CATALOGUE_FILE,
    history: Path = HISTORY_FILE,
    lock_path: Path = LOCK_FILE,
    *,
    write: bool = True,
) -> list[tuple[str, int]]:
    """Add the new entry versions to the lock (unless ``write`` is false); return them. Raises
    ImproperlyConfigured, and writes nothing, when a locked version changed or vanished."""
    loaded = parse_files(catalogue, history)
    lock = read_lock(lock_path) if lock_path.exists() else {}
    check_lock(loaded, lock, lock_path, allow_new=True)
    if write:
        lines = [f"{c} {v} {d}" for (c, v), d in sorted(loaded.fingerprints.items())]
        lock_path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return sorted(set(loaded.fingerprints) - set(lock))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m casetrail.records.lock",
        description="把文书目录中新增的条目版本的指纹写入 catalogue.lock；"
        "未升版本而改动的条目、消失的已锁定版本会被拒绝。",
    )
    parser.add_argument(
        "--check", action="store_true", help="只检查，不写入（有未锁定的版本时返回 1）"
    )
    args = parser.parse_args(argv)
    if args.check:
        try:
            pending = update_lock(write=False)
        except ImproperlyConfigured as exc:
            print(f"catalogue.lock 与文书目录不一致：{exc}", file=sys.stderr)
            return 1
        for code, version in pending:
            print(f"not locked: {code} version {version}")
        return 1 if pending else 0
    try:
        added = update_lock()
    except ImproperlyConfigured as exc:
        print(f"catalogue.lock 未更新：{exc}", file=sys.stderr)
        return 1
    for code, version in added:
        print(f"locked {code} version {version}")
    print(f"{len(added)} new entry versions locked")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
