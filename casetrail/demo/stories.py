"""The three demo cases of 陵川县民政局, built only through the project's actions — one module per
case, each a story of actions stage by stage:

1. ``summary_warning`` — 简易程序警告, served directly (直接送达);
2. ``ordinary_fine`` — 普通程序罚款 with inspection, sampling, interview, evidence request, hearing,
   法制审核, served by registered mail (邮寄送达) and electronically (电子送达), paid in full;
3. ``major_enforcement`` — 重大案件, 公告送达 after a returned letter, 留置送达, 传真送达, 委托送达,
   转交送达, and 申请人民法院强制执行 recorded to its result.

Together they pass through every stage and use every service method of 第二十二至二十六条.

Loading is idempotent: a case whose title already exists in the agency is left alone. Each step is
its own action (one transaction, one ledger entry), so a case that failed half-way keeps the steps
it made; `casetrail demo` reports it with its stage and leaves it as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from casetrail.cases.models import Case, Stage
from casetrail.demo import major_enforcement, ordinary_fine, summary_warning
from casetrail.demo.personas import load_demo
from casetrail.demo.story import DEVICE_SERIAL, DemoCase, Story
from casetrail.evidence.actions import device_register
from casetrail.org.models import Device, Officer

SUMMARY_TITLE = summary_warning.TITLE
ORDINARY_TITLE = ordinary_fine.TITLE
MAJOR_TITLE = major_enforcement.TITLE

STORIES: list[tuple[str, Callable[[Story], Case]]] = [
    (SUMMARY_TITLE, summary_warning.build),
    (ORDINARY_TITLE, ordinary_fine.build),
    (MAJOR_TITLE, major_enforcement.build),
]


def _device(personas: dict[str, Officer]) -> Device | None:
    """The body camera the handlers record with, registered once by the administrator."""
    zhang = personas["zhang"]
    device = Device.objects.filter(agency_id=zhang.agency_id, serial=DEVICE_SERIAL).first()
    if device is None and "admin" in personas:
        device = device_register(
            officer=personas["admin"],
            serial=DEVICE_SERIAL,
            model="执法记录仪（演示）",
            assigned_to=zhang,
        )
    return device


def load_demo_cases(personas: dict[str, Officer] | None = None) -> list[DemoCase]:
    """Add the three demo cases that are missing (by title); return all three."""
    personas = personas or load_demo()
    agency_id = personas["zhang"].agency_id
    device = None
    out = []
    for title, build in STORIES:
        case = Case.objects.filter(agency_id=agency_id, title=title).order_by("id").first()
        created = case is None
        if case is None:
            device = device or _device(personas)
            case = build(Story(personas, device, title))
        out.append(DemoCase(title, case.number or "（未编号）", case.stage, created))
    return out


def summary(cases: list[DemoCase]) -> str:
    added = sum(c.created for c in cases)
    listed = "；".join(f"{c.number} {c.title}（{Stage(c.stage).label}）" for c in cases)
    return f"演示案件：新增 {added} 件，共 {len(cases)} 件：{listed}"
