"""`casetrail checkpoint`: sign a checkpoint of every ledger that grew (on demand)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from casetrail.ledger.checkpoints import checkpoint_all
from casetrail.ledger.keys import KeyError_, public_key
from casetrail.ledger.witnesses import configured_witnesses, is_witnessed
from casetrail.lib.errors import ActionError


class Command(BaseCommand):
    help = "为每个有新条目的记录日志签发检查点（签名前先证明与上一检查点一致）"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            made = checkpoint_all()
        except (KeyError_, ActionError) as exc:
            self.stderr.write(str(exc))
            sys.exit(1)
        for cp in made:
            if not configured_witnesses():
                witnessed = "未配置见证方"
            else:
                witnessed = "已见证" if is_witnessed(cp) else "未见证（将自动重试）"
            self.stdout.write(f"{cp.ledger.origin}: 检查点 大小 {cp.size}，{witnessed}")
            self.stdout.write(f"验证公钥：{public_key(cp.ledger)}")
        if not made:
            self.stdout.write("没有新的日志条目，无需签发检查点")
