"""Reading the stored perfect-subtree nodes of a log: a root or a proof costs one query."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection

from casetrail.ledger.models import Ledger
from casetrail.lib import merkle

NodeGetter = Callable[[int, int], bytes]


# A proof at 10^6 entries needs ~40 nodes: one raw query (issue 18 §3: through the ORM the same
# proof took 16× the raw SQL). The nodes are grouped by level, each group one lookup on the unique
# index (ledger, level, index) with an IN list; a large set is split so a statement stays well
# under either database's parameter limit.
_CHUNK = 2000


def fetch_nodes(ledger: Ledger, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored perfect nodes among ``pairs`` (level, index), in one query (per 2,000)."""
    wanted = sorted(set(pairs))
    found: dict[tuple[int, int], bytes] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), _CHUNK):
            by_level: dict[int, list[int]] = {}
            for level, index in wanted[start : start + _CHUNK]:
                by_level.setdefault(level, []).append(index)
            terms, params = [], [ledger.pk]
            for level, indexes in by_level.items():
                terms.append(f'(level = %s AND "index" IN ({", ".join(["%s"] * len(indexes))}))')
                params += [level, *indexes]
            cursor.execute(
                'SELECT level, "index", hash FROM ledger_ledgernode WHERE ledger_id = %s AND ('
                + " OR ".join(terms)
                + ")",
                params,
            )
            found.update({(lv, ix): bytes(h) for lv, ix, h in cursor.fetchall()})
    return found


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
