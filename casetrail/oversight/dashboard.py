"""The dashboard's parameters and presentation: which year, period, unit and officer the
supervisor asked for (read strictly: anything else falls back to the default), and the chart bars
and drill-down links built from ``stats.Dashboard``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from casetrail.cases.models import Procedure, StartMode
from casetrail.lib.numbers import id_or_none
from casetrail.oversight.charts import Bar, bar_chart
from casetrail.oversight.kinds import ITEMS
from casetrail.oversight.stats import PERIODS, Dashboard


@dataclass(frozen=True)
class Scope:
    year: int
    period: str
    unit_id: int | None
    officer_id: int | None

    @classmethod
    def read(cls, query: Any) -> Scope:
        this_year = timezone.localdate().year
        raw = query.get("year", "")
        year = (
            int(raw) if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100 else this_year
        )
        period = query.get("period", "month")
        return cls(
            year=year,
            period=period if period in PERIODS else "month",
            unit_id=id_or_none(query.get("unit")) if query.get("unit") else None,
            officer_id=id_or_none(query.get("officer")) if query.get("officer") else None,
        )

    def query(self, **extra: str) -> str:
        params = {"year": str(self.year), "period": self.period, **extra}
        if self.unit_id:
            params["unit"] = str(self.unit_id)
        if self.officer_id:
            params["officer"] = str(self.officer_id)
        return urlencode(params)

    def drill(self, metric: str, key: str = "") -> str:
        return f"{reverse('oversight-cases')}?{self.query(metric=metric, key=key)}"


@dataclass(frozen=True)
class Row:
    label: str
    values: list[tuple[Any, str]]  # (shown value, drill-down link or "")


@dataclass(frozen=True)
class Section:
    title: str
    chart: str
    head: list[str]
    rows: list[Row]
    note: str = ""


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def sections(d: Dashboard, scope: Scope) -> list[Section]:
    """The dashboard's sections, each a chart with the table of the same numbers."""
    out = []
    trend = [
        Row(
            b,
            [
                (d.started[b].n, scope.drill("started", b)),
                (d.closed[b].n, scope.drill("closed", b)),
            ],
        )
        for b in d.buckets
    ]
    out.append(
        Section(
            f"立案与结案（按{PERIODS[d.period]}）",
            bar_chart(
                "立案数", [Bar(b, d.started[b].n, scope.drill("started", b)) for b in d.buckets]
            ),
            ["期间", "立案", "结案"],
            trend,
        )
    )
    modes = dict(StartMode.choices)
    procedures = dict(Procedure.choices)
    by_mode = [Row(modes[k], [(c.n, scope.drill("mode", k))]) for k, c in d.by_mode.items()] + [
        Row(procedures[k], [(c.n, scope.drill("procedure", k))]) for k, c in d.by_procedure.items()
    ]
    out.append(
        Section(
            "立案方式与程序",
            bar_chart(
                "立案方式",
                [Bar(modes[k], c.n, scope.drill("mode", k)) for k, c in d.by_mode.items()],
            ),
            ["方式 / 程序", "案件数"],
            by_mode,
        )
    )
    out.append(
        Section(
            "各阶段用时（天）",
            bar_chart(
                "平均用时",
                [
                    Bar(s.label, s.average or 0, scope.drill("stage", s.stage))
                    for s in d.stage_times
                ],
            ),
            ["阶段", "平均", "90% 分位", "案件数"],
            [
                Row(
                    s.label,
                    [
                        (s.average if s.average is not None else "—", ""),
                        (s.p90 if s.p90 is not None else "—", ""),
                        (len(s.cases), scope.drill("stage", s.stage)),
                    ],
                )
                for s in d.stage_times
            ],
            note="从进入该阶段到进入下一阶段；统计期内离开该阶段的案件。",
        )
    )
    ins, major = d.inspections_filmed, d.major_filmed
    out.append(
        Section(
            "音像记录",
            bar_chart(
                "音像记录覆盖率",
                [
                    Bar("现场检查、抽样", ins.percent or 0, scope.drill("inspections_unfilmed")),
                    Bar("重大复杂案件", major.percent or 0, scope.drill("major_unfilmed")),
                ],
                unit="%",
            ),
            ["项目", "覆盖率", "已覆盖 / 应覆盖", "未覆盖的案件"],
            [
                Row(
                    "现场检查、抽样取证同步录像（第十三条）",
                    [
                        (_pct(ins.percent), ""),
                        (f"{len(ins.hit)} / {len(ins.of)}", ""),
                        (len(ins.cases), scope.drill("inspections_unfilmed")),
                    ],
                ),
                Row(
                    "重大复杂案件有音像记录（第五条）",
                    [
                        (_pct(major.percent), ""),
                        (f"{len(major.hit)} / {len(major.of)}", ""),
                        (len(major.cases), scope.drill("major_unfilmed")),
                    ],
                ),
                Row(
                    "超过24小时上传（第三十条）",
                    [(d.late_uploads.n, scope.drill("late")), ("", ""), ("", "")],
                ),
                Row("规则豁免", [(d.exemptions.n, scope.drill("exemptions")), ("", ""), ("", "")]),
            ],
        )
    )
    met = d.deadlines_on_time
    out.append(
        Section(
            "法定期限",
            bar_chart(
                "期限按时办结率",
                [Bar("按时办结", met.percent or 0, scope.drill("deadlines_late"))],
                unit="%",
            ),
            ["项目", "按时率", "按时 / 办结", "逾期办结的案件"],
            [
                Row(
                    "统计期内办结的法定期限（第二十七、三十条等）",
                    [
                        (_pct(met.percent), ""),
                        (f"{len(met.hit)} / {len(met.of)}", ""),
                        (len(met.cases), scope.drill("deadlines_late")),
                    ],
                )
            ],
            note="办结时间为办结该事项的动作时间；期限记录保存之前办结的不计。",
        )
    )
    out.append(
        Section(
            "监督发现（第三十五条）",
            bar_chart(
                "监督发现",
                [
                    Bar(f"（{k}）", c.n, scope.drill("findings", k))
                    for k, c in d.findings_by_item.items()
                ],
            ),
            ["情形", "发现数"],
            [
                Row(ITEMS[k], [(c.n, scope.drill("findings", k))])
                for k, c in d.findings_by_item.items()
            ],
        )
    )
    for title, table, metric in [
        ("按股室", d.by_unit, "unit"),
        ("按承办人员", d.by_officer, "officer"),
    ]:
        out.append(
            Section(
                title,
                bar_chart(
                    f"{title}立案数",
                    [
                        Bar(name, cols["started"].n if "started" in cols else 0)
                        for name, cols in sorted(table.items())
                    ],
                ),
                [title[1:], "立案", "结案"],
                [
                    Row(
                        name,
                        [
                            (
                                cols[c].n if c in cols else 0,
                                scope.drill(metric, f"{name}:{c}") if c in cols else "",
                            )
                            for c in ("started", "closed")
                        ],
                    )
                    for name, cols in sorted(table.items())
                ],
            )
        )
    return out
