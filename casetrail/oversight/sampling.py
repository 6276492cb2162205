"""抽查 draws that anyone can check: the population (every case closed in the period, ids
ascending) ranked by SHA-256 of ``seed ‖ ":" ‖ case id`` (hex), the ``size`` smallest drawn —
no generator whose sequence may change between Python versions, only a hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.utils import timezone

from casetrail.lib.errors import ActionError

PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|0[1-9]|1[0-2]))?$")


def draw(seed: str, population: list[int], size: int) -> list[int]:
    """The drawn case ids, in drawing order."""
    ranked = sorted(population, key=lambda pk: hashlib.sha256(f"{seed}:{pk}".encode()).hexdigest())
    return ranked[:size]


def period_bounds(period: str, *, what: str = "抽查期间") -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a period written 2026, 2026-Q3 or 2026-07, in the agency's time."""
    m = PERIOD.match(period or "")
    if not m:
        raise ActionError(
            "invalid_period", f"{what}应写作 2026、2026-Q3 或 2026-07", field="period"
        )
    year, part = int(m.group(1)), m.group(2)
    if part is None:
        first, months = 1, 12
    elif part.startswith("Q"):
        first, months = (int(part[1]) - 1) * 3 + 1, 3
    else:
        first, months = int(part), 1
    start = dt.datetime(year, first, 1)
    last = first + months
    end = dt.datetime(year + (last - 1) // 12, (last - 1) % 12 + 1, 1)
    return timezone.make_aware(start), timezone.make_aware(end)


def period_kind(period: str) -> str:
    """ "year", "quarter" or "month" for a period written 2026, 2026-Q3 or 2026-07."""
    return "year" if len(period) == 4 else "quarter" if "-Q" in period else "month"


def period_label(period: str) -> str:
    """2026年度, 2026年第三季度 or 2026年7月."""
    kind = period_kind(period)
    if kind == "year":
        return f"{period}年度"
    if kind == "quarter":
        return f"{period[:4]}年第{'一二三四'[int(period[-1]) - 1]}季度"
    return f"{period[:4]}年{int(period[5:])}月"
