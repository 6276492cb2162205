"""The 评议考核 indicators (第三十四条), as data: each a code, a title, the article it measures,
the default weight (the agency gives its own when it issues a report; weights sum to 100) and how
its 0–100 score is read from the year's numbers. An indicator with nothing to measure (no
inspection in the year) is 不适用: left out, the other weights scaled to 100."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    article: str
    weight: int
    # (numbers of the year) → (shown value, score 0–100), or None when not applicable
    measure: Callable[[dict[str, Any]], tuple[str, float] | None]


def _ratio(hit: int, of: int) -> tuple[str, float] | None:
    return (f"{hit}/{of}", round(100 * hit / of, 1)) if of else None


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "av_inspections",
        "现场检查、抽样取证同步音像记录率",
        "第十三条",
        20,
        lambda n: _ratio(n["inspections_filmed"], n["inspections"]),
    ),
    Indicator(
        "av_major",
        "重大复杂案件音像记录覆盖率",
        "第五条",
        15,
        lambda n: _ratio(n["major_filmed"], n["major"]),
    ),
    Indicator(
        "uploads_on_time",
        "音像记录24小时内存储率",
        "第三十条",
        15,
        lambda n: _ratio(n["uploads"] - n["late_uploads"], n["uploads"]),
    ),
    Indicator(
        "findings_settled",
        "监督发现整改办结率",
        "第三十五条",
        20,
        lambda n: _ratio(n["findings_settled"], n["findings"]),
    ),
    Indicator(
        "samples_ok",
        "案卷抽查评查项符合率",
        "第三十四条",
        20,
        lambda n: _ratio(n["sample_ok"], n["sample_items"]),
    ),
    Indicator(
        "published_on_time",
        "行政处罚决定按时公示率",
        "国办发〔2018〕118号",
        10,
        lambda n: _ratio(n["published_on_time"], n["decisions"]),
    ),
)
DEFAULT_WEIGHTS = {i.code: i.weight for i in INDICATORS}
