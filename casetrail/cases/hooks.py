"""What the apps above ``cases`` plug into a case, registered from their ``AppConfig.ready()``.

``cases`` sits low in the layers (DESIGN.md §2): it never imports the apps that build on it. Where a
case needs them — who may read it, whether it may enter a stage, what its page, its worklist rows and
its API representation show, which steps a handler can take on it — it asks these registries:

- ``VISIBILITY``: Q filters adding cases an officer may read (e.g. chains waiting for them);
- ``GATES``: reasons a case may not enter a stage (the compliance rules, each citing its article);
- ``ACTS``: steps taken on a case through ``/cases/<id>/<slug>/`` and ``/api/cases/<id>/<slug>/``;
- ``PANELS``: parts of the case page, in order, each a template with its own context, each in one
  of the page's ``SECTIONS`` (概览 · 待办事项 · 文书 · 音像 · 审批 · 期限 · 全过程记录);
- ``GLANCE``: lines of the overview answering at a glance what the stage still needs, the next
  deadline and who must act now;
- ``TIMELINE``: items of the case's full record (全过程记录), each rendered by its own template;
- ``WORKLIST``: sections of 待办, for the page and ``/api/worklist/``;
- ``API_SECTIONS``: keys the apps add to ``/api/cases/<id>/``;
- ``LINKS``: links to the apps' own forms shown beside the case's steps (制作文书 …);
- ``DECIDED_STAGES``: stages a case enters only through an approved decision (结案: the 结案审批),
  never through ``case_advance``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Q

from casetrail.cases.models import Case, CaseOfficer
from casetrail.org.models import Officer


@dataclass
class CasePage:
    """One viewer's view of one case: what every panel, timeline item and API section gets."""

    officer: Officer
    case: Case
    assigned: list[CaseOfficer]
    memo: dict[str, Any] = field(default_factory=dict)  # reads the page's parts share
    # Reads "app.Model:pk" → ledger seq for the case: called the first time ``ledger`` is asked
    # for. Only the full record and the API show ledger positions; reading and parsing every
    # entry of the case on the overview too cost a query and a JSON parse per entry (issue 18).
    load_ledger: Callable[[], dict[str, int]] | None = None

    @property
    def ledger(self) -> dict[str, int]:
        """Where each recorded row of the case sits in the ledger ("app.Model:pk" → seq)."""
        if "ledger" not in self.memo:
            self.memo["ledger"] = self.load_ledger() if self.load_ledger is not None else {}
        index: dict[str, int] = self.memo["ledger"]
        return index

    @property
    def is_assigned(self) -> bool:
        return any(a.officer_id == self.officer.pk for a in self.assigned)


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page of an irreversible step says before the step is taken:
    ``effect`` (what will happen, zh-Hans), ``rules`` (what the rules still say, one line each)
    and whether they ``block`` the step (then the page offers no confirm button)."""

    effect: str
    rules: list[str] = field(default_factory=list)
    block: bool = False


@dataclass(frozen=True)
class CaseAct:
    """A step a handler takes on a case: its title, form, the action it runs and when it is
    offered. ``run(case, officer, cleaned_data)`` calls one action. ``allowed(case, officer)``
    says who is offered the step (default: the case's assigned officers); the action decides.
    ``confirm(case, officer, cleaned_data)``, when given, makes the web form ask for a
    confirmation (a page of its own, server-side) before ``run`` — for a step that cannot be
    undone."""

    title: str
    form: Callable[[Case], type[forms.Form]]
    run: Callable[[Case, Officer, dict[str, Any]], Any]
    available: Callable[[Case], bool]
    order: int = 50
    allowed: Callable[[Case, Officer], bool] | None = None
    confirm: Callable[[Case, Officer, dict[str, Any]], Confirmation] | None = None

    def offered_to(self, case: Case, officer: Officer) -> bool:
        if self.allowed is not None:
            return self.allowed(case, officer)
        return case.is_assigned(officer.pk)


@dataclass(frozen=True)
class Panel:
    """A part of the case page: ``context(page)`` returns the template's context, or None to
    leave the part out. ``section`` is the key of the tab (``SECTIONS``) it is shown under."""

    key: str
    order: int
    template: str
    context: Callable[[CasePage], dict[str, Any] | None]
    section: str = "overview"


# The tabs of the case page, in order: key (its URL /cases/<id>/section/<key>/) and title.
SECTIONS: dict[str, str] = {
    "overview": "概览",
    "todo": "待办事项",
    "documents": "文书",
    "media": "音像",
    "approvals": "审批",
    "deadlines": "期限",
    "timeline": "全过程记录",
}


@dataclass(frozen=True)
class Glance:
    """One line of the overview: ``label`` (e.g. 下一期限), ``text``, where to read more
    (``url``, optional), ``tone`` ("", "warn", "bad", "ok") and its ``order`` among the lines."""

    order: int
    label: str
    text: str
    url: str = ""
    tone: str = ""


@dataclass(frozen=True)
class TimelineItem:
    at: dt.datetime
    order: int  # same instant: the document (0), the step deciding on it (1), the stage change (2)
    template: str
    obj: Any
    ledger: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WorklistSection:
    """A section of 待办: ``context(officer)`` for the page (None: the section is not this
    officer's business and is left out, so each role sees its own steps); ``api(officer)`` for
    /api/worklist/."""

    key: str
    order: int
    template: str
    context: Callable[[Officer], dict[str, Any] | None]
    api: Callable[[Officer], Any] | None = None


# fn(officer, correlated): ``correlated`` asks for EXISTS subqueries on the outer case
# (``OuterRef("pk")``) instead of sets of case ids (see ``cases.selectors.visible_cases``).
VISIBILITY: list[Callable[[Officer, bool], Q]] = []
GATES: list[Callable[[Case, str], list[str]]] = []
ACTS: dict[str, CaseAct] = {}
PANELS: dict[str, Panel] = {}
TIMELINE: list[Callable[[CasePage], list[TimelineItem]]] = []
WORKLIST: dict[str, WorklistSection] = {}
API_SECTIONS: dict[str, Callable[[CasePage], Any]] = {}


GLANCE: list[Callable[[CasePage], list[Glance]]] = []


def _add(registry: list[Any], item: Any) -> None:
    if item not in registry:
        registry.append(item)


def register_visibility(fn: Callable[[Officer, bool], Q]) -> None:
    _add(VISIBILITY, fn)


def register_gate(fn: Callable[[Case, str], list[str]]) -> None:
    _add(GATES, fn)


def register_act(slug: str, act: CaseAct) -> None:
    ACTS[slug] = act


def register_panel(panel: Panel) -> None:
    PANELS[panel.key] = panel


def register_glance(fn: Callable[[CasePage], list[Glance]]) -> None:
    """Lines the apps above add to the overview (本阶段还需, 下一期限, 待谁办理 …)."""
    _add(GLANCE, fn)


def register_timeline(fn: Callable[[CasePage], list[TimelineItem]]) -> None:
    _add(TIMELINE, fn)


def register_worklist(section: WorklistSection) -> None:
    WORKLIST[section.key] = section


def register_api_section(key: str, fn: Callable[[CasePage], Any]) -> None:
    API_SECTIONS[key] = fn


LINKS: list[Callable[[CasePage], list[tuple[str, str]]]] = []


def register_link(fn: Callable[[CasePage], list[tuple[str, str]]]) -> None:
    """Links (url, title) the apps above offer beside the case's steps (e.g. 制作文书)."""
    _add(LINKS, fn)


@dataclass(frozen=True)
class DecidedStage:
    """A stage entered only when a decision taking it is approved: ``code`` and ``message``
    (zh-Hans, naming the proposal to make instead) of the refusal of a plain stage change."""

    code: str
    message: str


DECIDED_STAGES: dict[str, DecidedStage] = {}


def register_decided_stage(stage: str, code: str, message: str) -> None:
    DECIDED_STAGES[stage] = DecidedStage(code, message)
