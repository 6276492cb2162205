"""`casetrail verify`: find any change made behind the application's back, and say exactly where.

For each agency log it recomputes every leaf from its stored entry, every stored node from its
children, every checkpoint's root and signature and the consistency between successive
checkpoints; it compares every ledgered row with the last payload that recorded it, finds rows no
entry recorded and recorded rows that are gone; and it re-hashes every evidence blob.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import multiprocessing
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.db.models import IntegerField, Model

from casetrail.ledger import verify_jobs
from casetrail.ledger.keys import stray_key_files, trusted_keys
from casetrail.ledger.models import Checkpoint, Ledger, LedgerEntry
from casetrail.ledger.nodes import NodeGetter, fetch_nodes, node_getter, proof_getter
from casetrail.ledger.publication import published_latest
from casetrail.ledger.witnesses import (
    WitnessConfig,
    WitnessUnavailable,
    configured_witnesses,
    fetch_latest,
)
from casetrail.lib import digests, merkle
from casetrail.lib.canonical_json import (
    CanonicalJSONError,
    canonicalize,
    is_canonical,
    loads_strict,
)
from casetrail.lib.cosignature import timestamp_of
from casetrail.lib.facts import fact_of, recorded_models
from casetrail.lib.insert_only import missing_triggers
from casetrail.lib.signed_note import NoteError, Verifier, open_checkpoint, open_note, parse_note

Progress = Callable[[str, int, int], None]
#: ``run(fn, items)``: ``fn`` over ``items`` in the verify's worker processes (or here with one job),
#: results in the order of ``items``. ``fn`` must be a module-level function (a spawned worker imports
#: it by name) and each item picklable; a worker opens its own database connection.
Run = Callable[[Callable[[Any], Any], list[Any]], Iterator[Any]]
# Checks the apps above the ledger add from their AppConfig.ready() (the evidence app re-hashes its
# blobs): each gets the agency ids in scope (None: all), the report to add findings and counts to,
# and ``run`` to spread its work over ``--jobs`` processes.
ExtraCheck = Callable[[set[int] | None, "Report", Run], None]
EXTRA_CHECKS: list[ExtraCheck] = []


def register_check(check: ExtraCheck) -> None:
    if check not in EXTRA_CHECKS:
        EXTRA_CHECKS.append(check)


# Checkpoints held outside (by a witness, in the publication folder) that the agency formally
# acknowledged it fell behind of — an approved recovery from a backup older than them
# (casetrail.ops.recovery): (size, root) → what verify says instead of a finding. Filled by the
# apps above the ledger from their AppConfig.ready().
Acknowledged = Callable[[Ledger], dict[tuple[int, bytes], str]]
ACKNOWLEDGED: list[Acknowledged] = []


def register_acknowledged(source: Acknowledged) -> None:
    if source not in ACKNOWLEDGED:
        ACKNOWLEDGED.append(source)


@dataclass
class Report:
    findings: list[str] = field(default_factory=list)
    entries: int = 0
    rows: int = 0
    blobs: int = 0
    checkpoints: int = 0
    seconds: float = 0.0
    # What could not be checked (a witness unreachable): said, but not a finding.
    notes: list[str] = field(default_factory=list)
    trusted_key_ids: dict[str, set[int]] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        return (
            f"verify: {len(self.findings)} findings in {self.entries:,} entries, {self.rows:,} rows, "
            f"{self.blobs:,} blobs, {self.checkpoints:,} checkpoints ({self.seconds:.1f} s)"
        )


def _rows_of(payload: dict[str, Any]) -> list[dict[str, Any]]:
    rows = list(payload.get("rows", []))
    effects = payload.get("effects")
    if isinstance(effects, dict):
        rows += list(effects.get("rows", []))
    return [r for r in rows if isinstance(r, dict) and "table" in r and "id" in r]


# --- streaming (issue 18 §3) --------------------------------------------------------------------
# verify holds no per-entry or per-row state in memory, whatever the log's size: entries (with their
# stored leaf) and nodes (with their two children) are read in ordered batches through the database's
# streaming cursor, and the last fact recorded for each row goes to a throw-away SQLite file on disk
# (its digest and where it was recorded); rows are then compared table by table in batches against
# it. With ``jobs`` > 1 the log is cut into ranges of seqs verified by separate processes (forked
# where possible, each with its own connection), each writing its own facts file, merged in order
# by the parent; a log is cut into at least four spans a job so that the jobs stay balanced.

BATCH = 5000
#: Entries per unit of work: small enough to balance jobs and move the progress bar.
CHUNK = 50_000
#: The smallest span a log is cut into for several jobs (below it a span's set-up dominates).
MIN_CHUNK = 5_000
_ORDER_BITS = 42  # facts are ordered by (log, seq): a log's rank above its seqs


def _fact_digest(fact: dict[str, Any]) -> bytes:
    # A row equals the fact that recorded it when every non-null column is equal (a column added
    # later, null in the row and absent from an old fact, is no difference).
    try:
        data = canonicalize({k: v for k, v in fact.items() if v is not None})
    except CanonicalJSONError:
        return b""
    return hashlib.sha256(data).digest()


def _pk_key(pk: Any) -> Any:
    """How a row's primary key is stored in the facts file: an integer as an INTEGER (so that a
    table's facts sort as its rows do, and a range of rows is a range of facts), anything else as
    its JSON text."""
    return pk if type(pk) is int else json.dumps(pk)


def _pk_value(key: Any) -> Any:
    return key if type(key) is int else json.loads(key)


#: The facts file's page cache, in KiB (SQLite's default is 2 MiB): bounded, so memory stays flat
#: however large the file grows; the file's pages stay in the operating system's cache anyway.
FACTS_CACHE_KIB = 8 * 1024


class FactStore:
    """The last fact recorded for each (table, pk), on disk: its order key, log, seq and digest.
    The row comparison's workers open it read-only (``readonly``) once the parent has merged
    every span's facts into it."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            self.db.execute(f"PRAGMA cache_size=-{FACTS_CACHE_KIB}")
            return
        self.db = sqlite3.connect(path)
        self.db.executescript(
            f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-{FACTS_CACHE_KIB};"
            "CREATE TABLE IF NOT EXISTS facts (label TEXT, pk, ord INTEGER, ledger INTEGER,"
            " seq INTEGER, digest BLOB, PRIMARY KEY (label, pk)) WITHOUT ROWID"
        )

    @classmethod
    def readonly(cls, path: Path) -> FactStore:
        return cls(path, readonly=True)

    _UPSERT = (
        " ON CONFLICT (label, pk) DO UPDATE SET ord = excluded.ord, ledger = excluded.ledger,"
        " seq = excluded.seq, digest = excluded.digest WHERE excluded.ord > facts.ord"
    )

    def add(self, rows: list[tuple[str, Any, int, int, int, bytes]]) -> None:
        self.db.executemany(
            "INSERT INTO facts (label, pk, ord, ledger, seq, digest) VALUES (?, ?, ?, ?, ?, ?)"
            + self._UPSERT,
            rows,
        )

    def merge(self, other: Path) -> None:
        self.db.execute("ATTACH DATABASE ? AS part", [str(other)])
        self.db.execute(
            "INSERT INTO facts (label, pk, ord, ledger, seq, digest) "
            "SELECT label, pk, ord, ledger, seq, digest FROM part.facts WHERE true" + self._UPSERT
        )
        self.db.commit()
        self.db.execute("DETACH DATABASE part")

    def labels(self) -> list[str]:
        # One index seek per label (a DISTINCT over the table would read every fact).
        out: list[str] = []
        while row := self.db.execute(
            "SELECT label FROM facts WHERE label > ? ORDER BY label LIMIT 1",
            [out[-1] if out else ""],
        ).fetchone():
            out.append(row[0])
        return out

    def bounds(self, label: str, step: int) -> list[int]:
        """Integer keys cutting ``label``'s facts into ranges of ``step`` (seeks, not a scan)."""
        out: list[int] = []
        while row := self.db.execute(
            "SELECT pk FROM facts WHERE label = ? AND pk > ? AND typeof(pk) = 'integer'"
            " ORDER BY pk LIMIT 1 OFFSET ?",
            [label, out[-1] if out else -(2**63), step - 1 if out else step],
        ).fetchone():
            out.append(row[0])
        return out

    def in_range(
        self, label: str, lo: int | None, hi: int | None, size: int = BATCH
    ) -> Iterator[list[tuple[Any, int, int, bytes]]]:
        """(key, ledger, seq, digest) of ``label``'s facts with lo <= key < hi (None: unbounded; a
        text key sorts after every integer), in key order, in keyset pages."""
        last: Any = None
        while True:
            where: list[str] = ["label = ?"]
            params: list[Any] = [label]
            if last is not None:
                where.append("pk > ?")
                params.append(last)
            elif lo is not None:
                where.append("pk >= ?")
                params.append(lo)
            if hi is not None:
                where.append("pk < ?")
                params.append(hi)
            batch = self.db.execute(
                f"SELECT pk, ledger, seq, digest FROM facts WHERE {' AND '.join(where)}"
                " ORDER BY pk LIMIT ?",
                [*params, size],
            ).fetchall()
            if not batch:
                return
            yield batch
            last = batch[-1][0]

    def present(self, label: str, keys: list[Any]) -> set[Any]:
        """Those of ``keys`` that have a fact."""
        out: set[Any] = set()
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            out.update(
                r[0]
                for r in self.db.execute(
                    f"SELECT pk FROM facts WHERE label = ? AND pk IN ({','.join('?' * len(part))})",
                    [label, *part],
                )
            )
        return out

    def close(self) -> None:
        self.db.commit()
        self.db.close()


@dataclass(frozen=True)
class Span:
    """One unit of work: the entries [lo, hi) of a log, and the nodes whose first leaf is there."""

    ledger_id: int
    hash_name: str
    name: str
    size: int
    since: int
    lo: int
    hi: int
    rank: int


@dataclass
class SpanResult:
    findings: list[str] = field(default_factory=list)
    entries: int = 0
    expected: int = 0  # the seq after the last entry seen (for "entry missing" at the log's end)


def _stream(sql: str, params: list[Any]) -> Iterator[list[Any]]:
    """Rows of ``sql`` in batches through a streaming (server-side on PostgreSQL) cursor. Inside a
    transaction: in autocommit Django declares the cursor WITH HOLD, and PostgreSQL then
    materialises the whole result before the first row (minutes and disk at 10^5 entries). Not on
    SQLite, whose cursor streams anyway and where a transaction would be IMMEDIATE: it would hold
    the write lock, and every action, for as long as verify reads."""
    hold = transaction.atomic() if connection.vendor == "postgresql" else contextlib.nullcontext()
    with hold, connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(BATCH):
            yield batch


#: The standard parser's decoder, called on the entry's text directly (``json.loads`` would check the
#: argument's type and, for bytes, detect the encoding and decode it first: per entry, at 10^6).
_loads = json.JSONDecoder().decode


def _leaf_hasher(h: str) -> Callable[[bytes], bytes]:
    """``merkle.leaf_hash`` of ``h`` as one callable for the hot loop: a hasher already fed the
    0x00 prefix is copied for each entry instead of being looked up by name and set up again (the
    same bytes hashed, the same digest)."""
    start = digests.new_hasher(h, b"\x00")

    def leaf(data: bytes) -> bytes:
        hasher = start.copy()
        hasher.update(data)
        return hasher.digest()

    return leaf


def _node_hasher(h: str) -> Callable[[bytes, bytes], bytes]:
    """``merkle.node_hash`` of ``h`` the same way (prefix 0x01)."""
    start = digests.new_hasher(h, b"\x01")

    def node(left: bytes, right: bytes) -> bytes:
        hasher = start.copy()
        hasher.update(left)
        hasher.update(right)
        return hasher.digest()

    return node


def _verify_span(span: Span, facts_path: Path) -> SpanResult:
    """Leaves, entries and nodes of one span; the facts its entries recorded go to ``facts_path``."""
    h, name, out = span.hash_name, span.name, SpanResult()
    store = FactStore(facts_path)
    expected = span.lo
    entries = _stream(
        "SELECT e.id, e.seq, e.canonical, e.case_ref, n.hash FROM ledger_ledgerentry e "
        "LEFT JOIN ledger_ledgernode n ON n.ledger_id = e.ledger_id AND n.level = 0"
        ' AND n."index" = e.seq '
        "WHERE e.ledger_id = %s AND e.seq >= %s AND e.seq < %s ORDER BY e.seq, e.id",
        [span.ledger_id, span.lo, span.hi if span.hi < span.size else 2**62],
    )
    leaf, node = _leaf_hasher(h), _node_hasher(h)
    findings = out.findings
    no_leaf: list[int] = []  # entries whose level-0 node is missing
    gaps: list[int] = []  # seqs with no entry
    count = 0
    for batch in entries:
        rows: list[tuple[str, Any, int, int, int, bytes]] = []
        for row_id, seq, canonical, case_ref, stored_leaf in batch:
            if seq != expected:
                if seq < expected:
                    findings.append(f"{name} seq {seq}: duplicate entry (row {row_id})")
                    continue
                for missing in range(expected, seq):
                    findings.append(f"{name} seq {missing}: entry missing")
                    gaps.append(missing)
            expected = seq + 1
            count += 1
            # A missing leaf (None) equals no hash: such an entry is reported as not intact too.
            intact = leaf(canonical.encode("utf-8")) == stored_leaf
            if intact:
                # Text that hashes to its leaf is the canonical JSON that was appended: the plain
                # parser (on the text already decoded, no second UTF-8 pass) reads it.
                entry = _loads(canonical)
            else:
                if stored_leaf is None:
                    no_leaf.append(seq)
                findings.append(f"{name} seq {seq}: entry does not hash to stored leaf")
                data = canonical.encode("utf-8")
                try:
                    # Only an altered entry needs the strict (slower) parser to say what is wrong.
                    entry = loads_strict(data)
                except (CanonicalJSONError, ValueError) as exc:
                    findings.append(f"{name} seq {seq}: entry is not valid JSON ({exc})")
                    continue
                if not is_canonical(data):
                    findings.append(f"{name} seq {seq}: entry is not canonical JSON")
            if entry.get("seq") != seq:
                findings.append(
                    f"{name} seq {seq}: entry says seq {entry.get('seq')} (entries reordered or moved)"
                )
            payload = entry.get("payload", {})
            hashed_case = payload.get("case")
            if hashed_case != case_ref:
                # The column only indexes the case page; a changed one would show (or hide) an entry
                # under another case, so it must say what the hashed entry says.
                findings.append(
                    f"{name} seq {seq}: case column is {case_ref}, the hashed entry says {hashed_case}"
                )
            if "rows" not in payload and "effects" not in payload:
                continue  # no row recorded (most entries of a log that only records events)
            order = (span.rank << _ORDER_BITS) | seq
            for fact in _rows_of(payload):
                rows.append(
                    (
                        fact["table"],
                        _pk_key(fact["id"]),
                        order,
                        span.ledger_id,
                        seq,
                        _fact_digest(fact),
                    )
                )
        store.add(rows)
    out.entries = count
    for missing in range(expected, min(span.hi, span.size)):
        findings.append(f"{name} seq {missing}: entry missing")
        gaps.append(missing)
    out.expected = expected
    if gaps:
        present = _existing_leaves(span.ledger_id, gaps)
        no_leaf += [seq for seq in gaps if seq not in present]
    findings.extend(
        f"{name} node (0, {seq}): missing" for seq in sorted(no_leaf) if seq < span.size
    )
    # Every perfect node of a tree this size must exist and equal the hash of its children (level 0
    # was compared with the entries above). A node belongs to the span holding its first leaf.
    for level in range(1, span.size.bit_length()):
        first = span.since >> level if span.lo == span.since else -(-span.lo >> level)
        last = min(-(-span.hi >> level), span.size >> level)
        if first >= last:
            continue
        want = first
        for batch in _stream(
            'SELECT p."index", p.hash, l.hash, r.hash FROM ledger_ledgernode p '
            "LEFT JOIN ledger_ledgernode l ON l.ledger_id = p.ledger_id AND l.level = p.level - 1"
            ' AND l."index" = 2 * p."index" '
            "LEFT JOIN ledger_ledgernode r ON r.ledger_id = p.ledger_id AND r.level = p.level - 1"
            ' AND r."index" = 2 * p."index" + 1 '
            'WHERE p.ledger_id = %s AND p.level = %s AND p."index" >= %s AND p."index" < %s '
            'ORDER BY p."index"',
            [span.ledger_id, level, first, last],
        ):
            for index, value, left, right in batch:
                if index != want:
                    for missing in range(want, index):
                        findings.append(f"{name} node ({level}, {missing}): missing")
                want = index + 1
                if left is not None and right is not None and node(left, right) != value:
                    findings.append(
                        f"{name} node ({level}, {index}): hash differs from its children"
                    )
        for missing in range(want, last):
            findings.append(f"{name} node ({level}, {missing}): missing")
    store.close()
    return out


def _existing_leaves(ledger_id: int, seqs: list[int]) -> set[int]:
    found: set[int] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(seqs), 500):
            part = seqs[start : start + 500]
            cursor.execute(
                'SELECT "index" FROM ledger_ledgernode WHERE ledger_id = %s AND level = 0'
                f' AND "index" IN ({", ".join(["%s"] * len(part))})',
                [ledger_id, *part],
            )
            found.update(r[0] for r in cursor.fetchall())
    return found


def _spans(ledger: Ledger, since: int, rank: int, jobs: int) -> list[Span]:
    name = f"ledger {ledger.agency.credit_code}"
    top = max(ledger.size, since)
    chunk = CHUNK if jobs <= 1 else min(CHUNK, max(MIN_CHUNK, -(-(top - since) // (4 * jobs))))
    bounds = list(range(since, top, chunk)) or [since]
    return [
        Span(ledger.pk, ledger.hash_name, name, ledger.size, since, lo, min(lo + chunk, top), rank)
        for lo in bounds
    ]


def _verify_log(
    ledger: Ledger,
    since: int,
    rank: int,
    report: Report,
    store: FactStore,
    scratch: Path,
    progress: Progress | None,
    run: Run,
    jobs: int,
) -> None:
    name = f"ledger {ledger.agency.credit_code}"
    total = LedgerEntry.objects.filter(ledger=ledger).count()
    if total != ledger.size:
        report.findings.append(f"{name}: head says {ledger.size} entries, {total} are stored")
    spans = _spans(ledger, since, rank, jobs)
    todo = max(ledger.size - since, 0)
    work = [(span, str(scratch / f"facts-{rank}-{span.lo}.sqlite3")) for span in spans]
    results = run(run_span, work)
    done = 0
    for (span, path), result in zip(work, results, strict=True):
        report.findings.extend(result.findings)
        report.entries += result.entries
        store.merge(Path(path))
        Path(path).unlink()
        done += span.hi - span.lo
        if progress:
            progress(name, min(done, todo), todo)
    # Nodes beyond the log's size: one index range per level.
    with connection.cursor() as cursor:
        for level in range(64):
            cursor.execute(
                'SELECT "index" FROM ledger_ledgernode WHERE ledger_id = %s AND level = %s'
                ' AND "index" >= %s ORDER BY "index"',
                [ledger.pk, level, ledger.size >> level],
            )
            for (index,) in cursor.fetchall():
                report.findings.append(f"{name} node ({level}, {index}): beyond the log's size")
    _verify_checkpoints(ledger, report, name)
    _verify_against_witnesses(ledger, report, name)


def run_span(args: tuple[Span, str]) -> SpanResult:
    return _verify_span(args[0], Path(args[1]))


def _checkpoint_batches(ledger: Ledger) -> Iterator[tuple[list[Checkpoint], NodeGetter]]:
    """Checkpoints in order, 500 at a time, with the nodes their roots and the consistency proofs
    from each one's predecessor need (read in one query per batch, not the whole tree)."""
    previous_size = 0
    queryset = (
        Checkpoint.objects.filter(ledger=ledger)
        .order_by("size", "id")
        .prefetch_related("cosignatures")
    )
    batch: list[Checkpoint] = []
    for cp in queryset.iterator(chunk_size=500):
        batch.append(cp)
        if len(batch) == 500:
            yield batch, _batch_nodes(ledger, batch, previous_size)
            previous_size = batch[-1].size
            batch = []
    if batch:
        yield batch, _batch_nodes(ledger, batch, previous_size)


def _batch_nodes(ledger: Ledger, batch: list[Checkpoint], previous_size: int) -> NodeGetter:
    refs: list[merkle.NodeRef] = []
    before = previous_size
    for cp in batch:
        if 0 < cp.size <= ledger.size:
            refs.append(merkle.NodeRef(0, cp.size))
            if 0 < before <= cp.size:
                refs += merkle.consistency_proof_nodes(before, cp.size)
            before = cp.size
    # What the batch did not foresee (a checkpoint skipped after a finding) is read on demand.
    return node_getter(
        ledger, fetch_nodes(ledger, [pn for ref in refs for pn in ref.perfect_nodes()])
    )


def _verify_checkpoints(ledger: Ledger, report: Report, name: str) -> None:
    trust = trusted_keys(ledger)
    verifiers = trust.verifiers
    report.trusted_key_ids[ledger.origin] = trust.key_ids
    report.findings.extend(f"{name} {problem}" for problem in trust.problems)
    previous = None
    witnesses = {w.key_id: w for w in configured_witnesses()}
    for checkpoints, get in _checkpoint_batches(ledger):
        for cp in checkpoints:
            previous = _verify_checkpoint(
                ledger, cp, previous, get, verifiers, witnesses, report, name
            )


def _verify_checkpoint(
    ledger: Ledger,
    cp: Checkpoint,
    previous: Checkpoint | None,
    get: NodeGetter,
    verifiers: list[Verifier],
    witnesses: dict[str, WitnessConfig],
    report: Report,
    name: str,
) -> Checkpoint | None:
    report.checkpoints += 1
    where = f"checkpoint {cp.pk} ({name} size {cp.size})"
    if not verifiers:
        report.findings.append(f"{where}: no pinned key to check it with")
    else:
        try:
            parsed, _ = open_checkpoint(cp.note, verifiers, origin=ledger.origin)
        except NoteError as exc:
            report.findings.append(f"{where}: signature or note invalid ({exc})")
            parsed = None
        if parsed is not None and (parsed.size != cp.size or parsed.root != bytes(cp.root)):
            report.findings.append(f"{where}: signed note does not match the stored size/root")
    _verify_cosignatures(cp, witnesses, where, report)
    if previous is not None and cp.created_at < previous.created_at:
        report.findings.append(
            f"{where}: time {cp.created_at:%Y-%m-%d %H:%M:%S} is before checkpoint "
            f"{previous.pk}'s (time changed?)"
        )
    if cp.timestamp_token is not None:
        from casetrail.ledger.tsa import check_token

        problem = check_token(bytes(cp.timestamp_token), cp.note.encode("utf-8"), at=cp.created_at)
        if problem:
            report.findings.append(f"{where}: {problem}")
    if cp.size > ledger.size:
        report.findings.append(f"{where}: larger than the log (entries were deleted)")
        return previous
    try:
        root = merkle.root_from_store(ledger.hash_name, get, cp.size)
    except LookupError as exc:
        report.findings.append(f"{where}: cannot recompute root ({exc})")
        return previous
    if root != bytes(cp.root):
        report.findings.append(f"{where}: root differs from the tree recomputed from entries")
    if previous is not None and previous.size <= cp.size and previous.size > 0:
        try:
            proof = merkle.consistency_proof_from_store(
                ledger.hash_name, get, previous.size, cp.size
            )
            merkle.verify_consistency(
                ledger.hash_name,
                previous.size,
                cp.size,
                bytes(previous.root),
                bytes(cp.root),
                proof,
            )
        except (merkle.ProofError, LookupError) as exc:
            report.findings.append(
                f"{where}: not consistent with checkpoint {previous.pk} (size {previous.size}): {exc}"
            )
    return cp


# A cosignature is asked for right after the checkpoint is signed; a checkpoint whose stored time is
# later than the witness's own timestamp on it (beyond clock skew) had its time changed.
CLOCK_SKEW = dt.timedelta(minutes=5)


def _verify_cosignatures(
    cp: Checkpoint, witnesses: dict[str, WitnessConfig], where: str, report: Report
) -> None:
    try:
        text, _ = parse_note(cp.note)
    except NoteError:
        return  # reported with the signature check
    for cosig in cp.cosignatures.all():
        witness = witnesses.get(cosig.key_id)
        if witness is None or witness.name != cosig.witness:
            report.findings.append(
                f"{where}: cosignature by {cosig.witness} ({cosig.key_id}), not a configured witness"
            )
            continue
        try:
            _, verified = open_note(text + "\n" + cosig.line, [witness.verifier])
        except NoteError as exc:
            report.findings.append(f"{where}: cosignature by {cosig.witness} invalid ({exc})")
            continue
        signed_at = dt.datetime.fromtimestamp(timestamp_of(verified[0].signature), tz=dt.UTC)
        if signed_at != cosig.signed_at:
            report.findings.append(f"{where}: cosignature time of {cosig.witness} changed")
        if cp.created_at > signed_at + CLOCK_SKEW:
            report.findings.append(
                f"{where}: time {cp.created_at:%Y-%m-%d %H:%M:%S} is after {cosig.witness} "
                f"cosigned it at {signed_at:%Y-%m-%d %H:%M:%S} (time changed?)"
            )


def held_outside(ledger: Ledger, report: Report, name: str) -> list[tuple[str, int, bytes]]:
    """(who, size, root) of the latest checkpoint of ``ledger`` each configured witness and the
    publication folder hold, each verified against the pinned keys; a witness that cannot be
    reached is a note of ``report``, a checkpoint that does not verify a finding."""
    keys = trusted_keys(ledger).verifiers
    held: list[tuple[str, int, bytes]] = []
    for witness in configured_witnesses():
        try:
            found = fetch_latest(ledger, witness, keys)
        except WitnessUnavailable as exc:
            report.notes.append(f"{name}: {exc}; rollback check against it not done")
            continue
        except (NoteError, ValueError) as exc:
            report.findings.append(
                f"{name}: witness {witness.name} holds a checkpoint that does not verify ({exc})"
            )
            continue
        if found is not None:
            held.append((f"witness {witness.name}", found.size, found.root))
    published = published_latest(ledger)
    if published is not None:
        try:
            parsed, _ = open_checkpoint(published, keys, origin=ledger.origin)
            held.append(("the published checkpoint", parsed.size, parsed.root))
        except NoteError as exc:
            report.findings.append(f"{name}: the published checkpoint does not verify ({exc})")
    return held


def _verify_against_witnesses(ledger: Ledger, report: Report, name: str) -> None:
    """Rollback, truncation, rewrite and deleted checkpoints: compare the log with the latest
    checkpoint each witness (and the publication folder) holds."""
    held = held_outside(ledger, report, name)
    latest_local = (
        Checkpoint.objects.filter(ledger=ledger)
        .order_by("-size")
        .values_list("size", flat=True)
        .first()
    ) or 0
    acknowledged: dict[tuple[int, bytes], str] = {}
    for source in ACKNOWLEDGED:
        acknowledged |= source(ledger)
    for who, size, root in held:
        if (size, root) in acknowledged:
            report.notes.append(f"{name}: {who} holds size {size}: {acknowledged[(size, root)]}")
            continue
        if size > ledger.size:
            report.findings.append(
                f"{name}: log has {ledger.size} entries but {who} holds a checkpoint of size {size}"
                " (truncated, or restored from an older backup)"
            )
            continue
        try:
            local_root = merkle.root_from_store(
                ledger.hash_name, proof_getter(ledger, [merkle.NodeRef(0, size)]), size
            )
        except LookupError:
            report.findings.append(
                f"{name}: cannot recompute the root at size {size} that {who} holds"
            )
            continue
        if local_root != root:
            report.findings.append(
                f"{name}: the first {size} entries differ from the checkpoint {who} holds"
                " (history rewritten and re-signed?)"
            )
        if latest_local < size:
            report.findings.append(
                f"{name}: latest checkpoint here is size {latest_local}, older than size {size} held by "
                f"{who} (checkpoints deleted?)"
            )


def _recorded_fact(ledger_id: int, seq: int, label: str, pk: Any) -> dict[str, Any]:
    """The last fact a row's entry recorded, read back for a row that differs (to name the fields)."""
    canonical = (
        LedgerEntry.objects.filter(ledger_id=ledger_id, seq=seq)
        .values_list("canonical", flat=True)
        .first()
    )
    found: dict[str, Any] = {}
    if canonical is not None:
        for fact in _rows_of(json.loads(canonical).get("payload", {})):
            if fact["table"] == label and fact["id"] == pk:
                found = fact
    return found


#: Rows per unit of the row comparison (a range of one table's primary keys).
ROW_CHUNK = 20_000
#: Rows read (as model instances, some with large JSON) per query of the row comparison.
ROW_BATCH = 2000


@dataclass(frozen=True)
class RowRange:
    """One unit of the row comparison: the rows and facts of ``label`` with lo <= pk < hi."""

    facts: str  # the facts file, opened read-only
    label: str
    lo: int | None
    hi: int | None
    agency_ids: frozenset[int] | None
    whole: bool


@dataclass
class RowResult:
    findings: list[str] = field(default_factory=list)
    rows: int = 0


def _row_ranges(
    store: FactStore, agency_ids: set[int] | None, whole: bool, report: Report
) -> list[RowRange]:
    """The row comparison cut into ranges of a table's integer primary keys at every ROW_CHUNK-th
    fact (a table of other keys is one range), so that ``--jobs`` processes share it."""
    recorded_tables = recorded_models()
    scope = frozenset(agency_ids) if agency_ids is not None else None
    out: list[RowRange] = []
    for label in sorted(set(store.labels()) | (set(recorded_tables) if whole else set())):
        try:
            model: type[Model] = apps.get_model(label)
        except (LookupError, ValueError):
            report.findings.append(f"{label}: recorded in the ledger but no such table")
            continue
        pk: Any = model._meta.pk
        integer = isinstance(pk.target_field if pk.is_relation else pk, IntegerField)
        cuts: list[int | None] = (
            [None, *store.bounds(label, ROW_CHUNK), None] if integer else [None, None]
        )
        out += [
            RowRange(str(store.path), label, lo, hi, scope, whole)
            for lo, hi in itertools.pairwise(cuts)
        ]
    return out


def compare_row_range(unit: RowRange) -> RowResult:
    """Each ledgered row of the range must equal the last payload that recorded it (its fact); with
    ``whole`` (no --since) rows no entry recorded are found too. Recorded rows that are gone are
    found from the facts' side. Rows and facts are read in ordered batches: memory stays flat
    whatever the size."""
    out = RowResult()
    store = FactStore.readonly(Path(unit.facts))
    model: type[Model] = apps.get_model(unit.label)
    table = model._meta.db_table
    queryset = model._default_manager.order_by("pk")
    if unit.lo is not None:
        queryset = queryset.filter(pk__gte=unit.lo)
    if unit.hi is not None:
        queryset = queryset.filter(pk__lt=unit.hi)
    recorded_tables = recorded_models()
    scope = recorded_tables[unit.label][1] if unit.label in recorded_tables else None
    if unit.whole and unit.agency_ids is not None and scope:
        queryset = queryset.filter(**{f"{scope}__in": unit.agency_ids})
    try:
        if unit.whole:
            # Rows no entry recorded: only their keys are read here.
            keys = queryset.values_list("pk", flat=True).iterator(chunk_size=BATCH)
            for pks in _batched(keys, BATCH):
                recorded = store.present(unit.label, [_pk_key(pk) for pk in pks])
                for pk in pks:
                    if _pk_key(pk) not in recorded:
                        out.rows += 1
                        out.findings.append(
                            f"{table} {pk}: row has no ledger entry (inserted behind the application)"
                        )
        # Every recorded row against its fact, a page of facts at a time.
        for facts in store.in_range(unit.label, unit.lo, unit.hi, ROW_BATCH):
            by_key = {key: (ledger_id, seq, digest) for key, ledger_id, seq, digest in facts}
            values = [_pk_value(key) for key in by_key]
            try:
                objects = {_pk_key(obj.pk): obj for obj in queryset.filter(pk__in=values)}
            except (ValueError, TypeError, ValidationError):
                # A recorded key of the wrong type for the table (no row can have it): row by row.
                objects = {}
                for key, value in zip(by_key, values, strict=True):
                    with contextlib.suppress(ValueError, TypeError, ValidationError):
                        if (found := queryset.filter(pk=value).first()) is not None:
                            objects[key] = found
            for key, (ledger_id, seq, digest) in by_key.items():
                obj = objects.get(key)
                if obj is None:
                    out.findings.append(
                        f"{table} {_pk_value(key)}: recorded at ledger seq {seq} but the row is gone"
                    )
                    continue
                out.rows += 1
                current = fact_of(obj)
                if _fact_digest(current) == digest and digest:
                    continue
                fact = _recorded_fact(ledger_id, seq, unit.label, obj.pk)
                for field_name in sorted(set(current) | set(fact)):
                    if current.get(field_name) != fact.get(field_name):
                        out.findings.append(
                            f'{table} {obj.pk}: field "{field_name}" differs from ledger seq {seq}'
                        )
    finally:
        store.close()
    return out


def _compare_rows(
    store: FactStore, agency_ids: set[int] | None, whole: bool, report: Report, run: Run
) -> None:
    """Each ledgered row must equal the last payload that recorded it. With ``whole`` (no
    --since) also report rows no entry recorded; recorded rows that are gone always. The ranges
    are compared by ``run`` (several processes with --jobs), their findings merged in order."""
    for result in run(compare_row_range, _row_ranges(store, agency_ids, whole, report)):
        report.findings.extend(result.findings)
        report.rows += result.rows


def _batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _pool(jobs: int) -> Any:
    """``jobs`` worker processes, or None for one. Forked where the platform forks and no
    transaction is open (a worker is ready in milliseconds; a spawned one imports Django and the
    project first, seconds each), spawned otherwise. Before forking every connection is closed:
    a child must never write to the parent's database socket or SQLite handle."""
    if jobs <= 1:
        return None
    if "fork" in multiprocessing.get_all_start_methods() and not any(
        c.in_atomic_block for c in connections.all(initialized_only=True)
    ):
        connections.close_all()
        return multiprocessing.get_context("fork").Pool(jobs)
    return multiprocessing.get_context("spawn").Pool(jobs, initializer=verify_jobs.init)


def _runner(pool: Any) -> Run:
    if pool is None:
        return lambda fn, items: map(fn, items)
    return lambda fn, items: pool.imap(run_in_worker, [(fn, item) for item in items])


def run_in_worker(task: tuple[Callable[[Any], Any], Any]) -> Any:
    """One unit of work in a worker process (a spawned one set up by ``verify_jobs.init``), on its
    own connection, closed after it (the pool outlives the parent's use of the database)."""
    fn, item = task
    try:
        return fn(item)
    finally:
        connection.close()


def verify(
    *,
    agency_code: str | None = None,
    since: int = 0,
    progress: Progress | None = None,
    jobs: int = 1,
) -> Report:
    """Check everything (or one agency's log, or the entries from ``since`` on and the rows they
    recorded). The report lists one finding per difference; empty means intact. ``jobs`` > 1
    spreads every phase — entries and nodes, the row comparison, the extra checks (the blobs) —
    over that many processes (each its own database connection), with the same findings in the
    same order as one."""
    started = time.monotonic()
    report = Report()
    ledgers = Ledger.objects.select_related("agency").order_by("id")
    agency_ids: set[int] | None = None
    if agency_code:
        ledgers = ledgers.filter(agency__credit_code=agency_code)
        agency_ids = set(ledgers.values_list("agency_id", flat=True))
        if not agency_ids:
            report.findings.append(f"agency {agency_code}: no ledger with this 统一社会信用代码")
            return report
    with tempfile.TemporaryDirectory(prefix="casetrail-verify-") as scratch:
        store = FactStore(Path(scratch) / "facts.sqlite3")
        pool = _pool(jobs)
        run = _runner(pool)
        try:
            for rank, ledger in enumerate(ledgers):
                _verify_log(ledger, since, rank, report, store, Path(scratch), progress, run, jobs)
            store.db.commit()  # the row comparison's workers read it
            _compare_rows(store, agency_ids, since == 0, report, run)
            store.close()
            report.findings.extend(stray_key_files(report.trusted_key_ids))
            report.findings.extend(missing_triggers(connection))
            for check in EXTRA_CHECKS:
                check(agency_ids, report, run)
        finally:
            if pool is not None:
                pool.close()
                pool.join()
    report.seconds = time.monotonic() - started
    return report
