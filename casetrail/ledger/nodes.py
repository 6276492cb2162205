"""Reading the stored perfect-subtree nodes of a log: a root or a proof costs one query."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Q

from casetrail.ledger.models import Ledger, LedgerNode
from casetrail.lib import merkle

NodeGetter = Callable[[int, int], bytes]


def fetch_nodes(ledger: Ledger, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored perfect nodes among ``pairs`` (level, index), in one query."""
    wanted = set(pairs)
    if not wanted:
        return {}
    # The ledger goes into every term so that each one is a lookup on the unique index
    # (ledger, level, index) and the database unions them, instead of scanning the ledger.
    condition = Q()
    for level, index in wanted:
        condition |= Q(ledger=ledger, level=level, index=index)
    rows = LedgerNode.objects.filter(condition).values_list("level", "index", "hash")
    return {(lv, ix): bytes(h) for lv, ix, h in rows}


def node_getter(ledger: Ledger, cache: dict[tuple[int, int], bytes] | None = None) -> NodeGetter:
    """get_node(level, index) over ``cache`` (see fetch_nodes), falling back to one query."""
    cache = {} if cache is None else cache

    def get(level: int, index: int) -> bytes:
        key = (level, index)
        if key not in cache:
            cache.update(fetch_nodes(ledger, [key]))
        if key not in cache:
            raise LookupError(f"ledger {ledger.origin}: node ({level}, {index}) missing")
        return cache[key]

    return get


def proof_getter(ledger: Ledger, refs: Iterable[merkle.NodeRef]) -> NodeGetter:
    """A node getter preloaded with every perfect node ``refs`` need: a proof costs one query."""
    pairs = [pn for ref in refs for pn in ref.perfect_nodes()]
    return node_getter(ledger, fetch_nodes(ledger, pairs))
