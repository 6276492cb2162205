"""The kinds of chain (审批事项) and what happens when one ends: each app that opens chains
registers its kinds from its ``AppConfig.ready()`` with ``register_kind`` — the name shown for them
and the effect run when the last step approves or any step refuses (the start procedure registers
the start, acceptance and complaint chains; the decisions app the decision on the case and the
other internal decisions; compliance the exemptions). An app may also say which legal deadline bears on a
waiting chain of its kind (``register_due``: the decision within 90 days, 行政处罚法第六十条), shown
beside the chain on the worklist of whoever must take its next step, nearest first.

An effect runs inside the deciding action (``approval_decide``) and returns the rows it wrote, which
that action's ledger entry carries under ``effects``. What an effect needs from another machine
(a PDF rendered and uploaded to S3) it prepares outside the transaction (``register_prepare``: run by
the deciding action's ``before`` hook when the step about to be taken is the chain's last approval;
issue 18, ``lib.outside``). ``approvals`` never names the apps that register: it only asks this
registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from django.db.models import F, Model, QuerySet

from casetrail.approvals.models import KIND_LABELS, Chain
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer


class ChainEffect(Protocol):
    def __call__(
        self, *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
    ) -> list[Model]: ...


EFFECTS: dict[str, ChainEffect] = {}
# Kinds whose 法制审核 goes item by item through the legal checklist (行政处罚法第五十八条: the
# decisions); the start's legality review (第九条) is an opinion.
CHECKLIST_KINDS: set[str] = set()


class ChainDue(Protocol):
    """The deadline that bears on a waiting chain, or None: an object with ``title``, ``basis``,
    ``due_at`` and ``overdue`` (the compliance app's Deadline)."""

    def __call__(self, chain: Chain) -> Any: ...


DUES: dict[str, ChainDue] = {}
# The same for many chains of a kind at once (chain id → deadline or None): a list of waiting
# chains reads them in a fixed number of queries, not one calendar computed per chain (issue 18:
# an approver's worklist took a second for 50 chains at 3,000 cases).
DUES_MANY: dict[str, Callable[[list[Chain]], dict[int, Any]]] = {}
# The deadline rule (compliance's rule id, e.g. "CF60") whose stored deadline is a kind's due:
# what 待我审批 is ordered by, nearest first (``waiting_order``).
DUE_RULES: dict[str, str] = {}


class DueAt(Protocol):
    """``expression(rules)`` (kind → rule id): a query expression, evaluated on a ``Chain`` row,
    giving the due time (a datetime; NULL without one) of its kind's rule for its case, from the
    stored deadlines. ``refresh(chains)``: bring the stored deadlines of these chains' cases up
    to date first (the ones an action marked since), so the order is that of the dates shown."""

    def expression(self, rules: dict[str, str]) -> Any: ...

    def refresh(self, chains: QuerySet[Chain]) -> Any: ...


# From the app that stores the deadlines (compliance, above this one): how 待我审批 reads each
# chain's due in SQL (``DueAt``).
_due_at: list[DueAt] = []


def register_due(
    kind: str,
    due: ChainDue,
    *,
    many: Callable[[list[Chain]], dict[int, Any]] | None = None,
    rule: str | None = None,
) -> None:
    """``due(chain)``: the deadline shown beside a waiting chain of ``kind``; ``many`` the same
    for a list; ``rule``: the id of the deadline rule that gives it, when it is one rule's stored
    deadline, so lists of waiting chains are ordered by it in SQL (``waiting_order``)."""
    DUES[kind] = due
    if many is not None:
        DUES_MANY[kind] = many
    if rule is not None:
        DUE_RULES[kind] = rule


def register_due_at(due_at: DueAt) -> None:
    """Called once by the app storing the deadlines, from its ``AppConfig.ready()``."""
    _due_at[:] = [due_at]


def waiting_order(chains: QuerySet[Chain], *, refresh: bool) -> QuerySet[Chain]:
    """``chains`` ordered as 待我审批 lists them: the nearest due first (``register_due``'s
    ``rule``, read from the stored deadlines in the same query), chains without one after them,
    then the longest waiting first (created_at, id). ``refresh``: the stored deadlines of the
    chains' cases are refreshed first (one query when none is marked). Without a registered
    ``DueAt`` (the compliance app not installed): the longest waiting first."""
    if not _due_at or not DUE_RULES:
        return chains.order_by("created_at", "id")
    if refresh:
        _due_at[0].refresh(chains)
    return chains.annotate(nearest_due=_due_at[0].expression(DUE_RULES)).order_by(
        F("nearest_due").asc(nulls_last=True), "created_at", "id"
    )


def due_of(chain: Chain) -> Any:
    """The deadline an app registered for chains of this kind, if any."""
    due = DUES.get(chain.kind)
    return due(chain) if due is not None else None


def dues_of(chains: list[Chain]) -> list[Any]:
    """``due_of`` of each chain, in order: each kind's chains together where its app registered
    how to read many at once."""
    by_kind: dict[str, list[Chain]] = {}
    for chain in chains:
        by_kind.setdefault(chain.kind, []).append(chain)
    found: dict[int, Any] = {}
    for kind, group in by_kind.items():
        many = DUES_MANY.get(kind)
        if many is not None:
            found.update(many(group))
        else:
            found.update((c.pk, due_of(c)) for c in group)
    return [found.get(c.pk) for c in chains]


def register_kind(
    kind: str, effect: ChainEffect, *, label: str, legal_checklist: bool = False
) -> None:
    """Register a kind of chain: ``kind`` (≤ 30 characters, stored in ``Chain.kind``), its
    ``label`` (审批事项, zh-Hans), its ``effect``, and whether its 法制审核 goes item by item
    through the legal checklist (行政处罚法第五十八条). A kind is registered once."""
    if kind in EFFECTS and EFFECTS[kind] is not effect:
        raise ValueError(f"chain kind {kind!r} is registered twice")
    if len(kind) > 30:
        raise ValueError(f"chain kind {kind!r} is longer than 30 characters")
    EFFECTS[kind] = effect
    KIND_LABELS[kind] = label
    if legal_checklist:
        CHECKLIST_KINDS.add(kind)


class ChainPrepare(Protocol):
    """Before the deciding action's transaction: what the effect of approving ``chain`` will
    need from another machine, done now (rendered, uploaded). Returns a dict merged into the
    action's ``act.prepared``; it must be harmless when the effect then does not run."""

    def __call__(self, *, chain: Chain, officer: Officer) -> dict[str, Any]: ...


PREPARES: dict[str, ChainPrepare] = {}


def register_prepare(kind: str, prepare: ChainPrepare) -> None:
    """Register what the effect of approving a chain of ``kind`` prepares outside the deciding
    action's transaction (``ChainPrepare``). One per kind."""
    if kind in PREPARES and PREPARES[kind] is not prepare:
        raise ValueError(f"chain kind {kind!r} has two prepare steps")
    PREPARES[kind] = prepare


def prepare_for(kind: str) -> ChainPrepare | None:
    """What approving a chain of ``kind`` prepares before the transaction, if its app said."""
    return PREPARES.get(kind)


def effect_for(kind: str) -> ChainEffect:
    try:
        return EFFECTS[kind]
    except KeyError:
        raise ActionError("unknown_chain_kind", f"审批事项“{kind}”没有登记办结后的处理") from None


def needs_legal_checklist(kind: str) -> bool:
    return kind in CHECKLIST_KINDS


# What approving a chain of a kind does beyond the chain itself and what the rules still say about
# it, for the confirmation page before the last step (registered by the app owning the kind).
CONSEQUENCES: dict[str, Callable[[Chain], tuple[str, list[str]]]] = {}


def register_consequence(kind: str, fn: Callable[[Chain], tuple[str, list[str]]]) -> None:
    """``fn(chain) -> (effect, rules)``: what approving ``chain`` will do (zh-Hans, e.g. 案件进入
    结案) and the rules still unmet that bear on it (one line each; they make the effect refused)."""
    CONSEQUENCES[kind] = fn


def consequence_of(chain: Chain) -> tuple[str, list[str]]:
    """What the last step approving ``chain`` will do, and the rules still unmet."""
    label = KIND_LABELS.get(chain.kind, chain.kind)
    fn = CONSEQUENCES.get(chain.kind)
    effect, rules = fn(chain) if fn is not None else ("", [])
    said = f"批准后“{label}”即生效{('：' + effect) if effect else ''}。"
    return said + "您的意见和结果记入审批、全过程记录和日志，提交后不能撤销或修改。", rules
