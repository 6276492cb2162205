"""Where the backup passphrase comes from: a file, the environment, or the terminal."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from django.core.management.base import CommandError

ENV = "CASETRAIL_BACKUP_PASSPHRASE"


def passphrase(path: str | None, *, confirm: bool) -> str:
    if path:
        text = Path(path).read_text("utf-8").strip()
    elif os.environ.get(ENV):
        text = os.environ[ENV]
    elif sys.stdin.isatty():
        text = getpass.getpass("备份口令：")
        if confirm and getpass.getpass("再次输入备份口令：") != text:
            raise CommandError("两次输入的口令不一致")
    else:
        raise CommandError(f"请用 --passphrase-file 或环境变量 {ENV} 提供备份口令（或 --no-keys）")
    if len(text) < 12:
        raise CommandError("备份口令至少 12 个字符")
    return text
