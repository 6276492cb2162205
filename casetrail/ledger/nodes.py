"""Reading the stored perfect-subtree nodes of a log: a root or a proof costs one query."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection

from casetrail.ledger.models import Ledger
from casetrail.lib import merkle

NodeGetter = Callable[[int, int], bytes]


# A proof at 10^6 entries needs ~40 nodes: one raw query (issue 18 §3: through the ORM the same
# proof took 16× the raw SQL). One SELECT per level, joined by UNION ALL, each a lookup on the unique
# index (ledger, level, index) with an IN list: written so, both databases use that index (SQLite's
# planner, without statistics, takes the ledger_id index for "ledger_id = ? AND (… OR …)" and scans
# every node of the log). A large set is split so a statement stays under the parameter limits.
_CHUNK = 2000


def nodes_query(ledger_id: int, pairs: Iterable[tuple[int, int]]) -> tuple[str, list[int]]:
    """SQL and parameters selecting (level, index, hash) of the given perfect nodes."""
    by_level: dict[int, list[int]] = {}
    for level, index in pairs:
        by_level.setdefault(level, []).append(index)
    parts, params = [], []
    for level, indexes in sorted(by_level.items()):
        parts.append(
            'SELECT level, "index", hash FROM ledger_ledgernode WHERE ledger_id = %s AND level = %s'
            f' AND "index" IN ({", ".join(["%s"] * len(indexes))})'
        )
        params += [ledger_id, level, *indexes]
    return " UNION ALL ".join(parts), params


def fetch_nodes(ledger: Ledger, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored perfect nodes among ``pairs`` (level, index), in one query (per 2,000)."""
    wanted = sorted(set(pairs))
    found: dict[tuple[int, int], bytes] = {}
    if not wanted:
        return found
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), _CHUNK):
            cursor.execute(*nodes_query(ledger.pk, wanted[start : start + _CHUNK]))
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
