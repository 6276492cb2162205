"""`casetrail verify`: find any change made behind the application's back, and say exactly where.

For each agency log it recomputes every leaf from its stored entry, every stored node from its
children, every checkpoint's root and signature and the consistency between successive
checkpoints; it compares every ledgered row with the last payload that recorded it, finds rows no
entry recorded and recorded rows that are gone; and it re-hashes every evidence blob.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Model

from casetrail.ledger.keys import stray_key_files, trusted_keys
from casetrail.ledger.models import Checkpoint, Ledger, LedgerEntry, LedgerNode
from casetrail.ledger.publication import published_latest
from casetrail.ledger.witnesses import (
    WitnessConfig,
    WitnessUnavailable,
    configured_witnesses,
    fetch_latest,
)
from casetrail.lib import merkle
from casetrail.lib.canonical_json import CanonicalJSONError, is_canonical, loads_strict
from casetrail.lib.cosignature import timestamp_of
from casetrail.lib.facts import fact_of, recorded_models
from casetrail.lib.insert_only import missing_triggers
from casetrail.lib.signed_note import NoteError, open_checkpoint, open_note, parse_note

Progress = Callable[[str, int, int], None]
# Checks the apps above the ledger add from their AppConfig.ready() (the evidence app re-hashes its
# blobs): each gets the agency ids in scope (None: all) and the report to add findings and counts to.
ExtraCheck = Callable[[set[int] | None, "Report"], None]
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


Latest = dict[tuple[str, Any], tuple[int, dict[str, Any]]]


def _verify_log(
    ledger: Ledger, since: int, report: Report, latest: Latest, progress: Progress | None
) -> None:
    h, name = ledger.hash_name, f"ledger {ledger.agency.credit_code}"
    nodes: dict[tuple[int, int], bytes] = {
        (lv, ix): bytes(hv)
        for lv, ix, hv in LedgerNode.objects.filter(ledger=ledger).values_list(
            "level", "index", "hash"
        )
    }
    entries = LedgerEntry.objects.filter(ledger=ledger, seq__gte=since).order_by("seq", "id")
    total = LedgerEntry.objects.filter(ledger=ledger).count()
    if total != ledger.size:
        report.findings.append(f"{name}: head says {ledger.size} entries, {total} are stored")
    expected = since
    done, todo = 0, max(ledger.size - since, 0)
    for row_id, seq, canonical, case_ref in entries.values_list(
        "id", "seq", "canonical", "case_ref"
    ).iterator(chunk_size=2000):
        done += 1
        if progress and done % 1000 == 0:
            progress(name, done, todo)
        if seq < expected:
            report.findings.append(f"{name} seq {seq}: duplicate entry (row {row_id})")
            continue
        for missing in range(expected, seq):
            report.findings.append(f"{name} seq {missing}: entry missing")
        expected = seq + 1
        report.entries += 1
        data = canonical.encode("utf-8")
        intact = nodes.get((0, seq)) == merkle.leaf_hash(h, data)
        if not intact:
            report.findings.append(f"{name} seq {seq}: entry does not hash to stored leaf")
        try:
            # Bytes that hash to their leaf are the canonical bytes that were appended; only an
            # altered entry needs the strict (slower) parser to say what is wrong with it.
            entry = json.loads(data) if intact else loads_strict(data)
        except (CanonicalJSONError, ValueError) as exc:
            report.findings.append(f"{name} seq {seq}: entry is not valid JSON ({exc})")
            continue
        if not intact and not is_canonical(data):
            report.findings.append(f"{name} seq {seq}: entry is not canonical JSON")
        if entry.get("seq") != seq:
            report.findings.append(
                f"{name} seq {seq}: entry says seq {entry.get('seq')} (entries reordered or moved)"
            )
        hashed_case = entry.get("payload", {}).get("case")
        if hashed_case != case_ref:
            # The column only indexes the case page; a changed one would show (or hide) an entry
            # under another case, so it must say what the hashed entry says.
            report.findings.append(
                f"{name} seq {seq}: case column is {case_ref}, the hashed entry says {hashed_case}"
            )
        for fact in _rows_of(entry.get("payload", {})):
            latest[(fact["table"], fact["id"])] = (seq, fact)
    for missing in range(expected, ledger.size):
        report.findings.append(f"{name} seq {missing}: entry missing")
    if progress:
        progress(name, todo, todo)
    # Every perfect node of a tree this size must exist and equal the hash of its children
    # (level 0 was compared with the entries above).
    for level in range(ledger.size.bit_length()):
        for index in range(since >> level, ledger.size >> level):
            value = nodes.get((level, index))
            if value is None:
                report.findings.append(f"{name} node ({level}, {index}): missing")
            elif level > 0:
                left, right = (
                    nodes.get((level - 1, 2 * index)),
                    nodes.get((level - 1, 2 * index + 1)),
                )
                if (
                    left is not None
                    and right is not None
                    and merkle.node_hash(h, left, right) != value
                ):
                    report.findings.append(
                        f"{name} node ({level}, {index}): hash differs from its children"
                    )
    for level, index in nodes:
        if ((index + 1) << level) > ledger.size:
            report.findings.append(f"{name} node ({level}, {index}): beyond the log's size")
    _verify_checkpoints(ledger, nodes, report, name)
    _verify_against_witnesses(ledger, nodes, report, name)


def _verify_checkpoints(
    ledger: Ledger, nodes: dict[tuple[int, int], bytes], report: Report, name: str
) -> None:
    trust = trusted_keys(ledger)
    verifiers = trust.verifiers
    report.trusted_key_ids[ledger.origin] = trust.key_ids
    report.findings.extend(f"{name} {problem}" for problem in trust.problems)

    def get(level: int, index: int) -> bytes:
        try:
            return nodes[(level, index)]
        except KeyError:
            raise LookupError(f"node ({level}, {index}) missing") from None

    previous = None
    checkpoints = list(
        Checkpoint.objects.filter(ledger=ledger)
        .order_by("size", "id")
        .prefetch_related("cosignatures")
    )
    witnesses = {w.key_id: w for w in configured_witnesses()}
    for cp in checkpoints:
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

            problem = check_token(
                bytes(cp.timestamp_token), cp.note.encode("utf-8"), at=cp.created_at
            )
            if problem:
                report.findings.append(f"{where}: {problem}")
        if cp.size > ledger.size:
            report.findings.append(f"{where}: larger than the log (entries were deleted)")
            continue
        try:
            root = merkle.root_from_store(ledger.hash_name, get, cp.size)
        except LookupError as exc:
            report.findings.append(f"{where}: cannot recompute root ({exc})")
            continue
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
        previous = cp


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


def _verify_against_witnesses(
    ledger: Ledger, nodes: dict[tuple[int, int], bytes], report: Report, name: str
) -> None:
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
                ledger.hash_name, lambda lv, ix: nodes[(lv, ix)], size
            )
        except KeyError:
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


def _compare_rows(latest: Latest, agency_ids: set[int] | None, whole: bool, report: Report) -> None:
    """Each ledgered row must equal the last payload that recorded it. With ``whole`` (no
    --since) also report rows no entry recorded and recorded rows that are gone."""
    by_table: dict[str, dict[Any, tuple[int, dict[str, Any]]]] = {}
    for (table, pk), value in latest.items():
        by_table.setdefault(table, {})[pk] = value
    recorded_tables = recorded_models()
    for label in sorted(set(by_table) | (set(recorded_tables) if whole else set())):
        try:
            model: type[Model] = apps.get_model(label)
        except (LookupError, ValueError):
            report.findings.append(f"{label}: recorded in the ledger but no such table")
            continue
        table = model._meta.db_table
        recorded = by_table.get(label, {})
        queryset = model._default_manager.order_by("pk")
        scope = recorded_tables[label][1] if label in recorded_tables else None
        if agency_ids is not None and scope:
            queryset = queryset.filter(**{f"{scope}__in": agency_ids})
        if not whole:
            queryset = queryset.filter(pk__in=list(recorded))
        seen = set()
        for obj in queryset.iterator(chunk_size=2000):
            report.rows += 1
            seen.add(obj.pk)
            if obj.pk not in recorded:
                report.findings.append(
                    f"{table} {obj.pk}: row has no ledger entry (inserted behind the application)"
                )
                continue
            seq, fact = recorded[obj.pk]
            current = fact_of(obj)
            for key in sorted(set(current) | set(fact)):
                if current.get(key) != fact.get(key):
                    report.findings.append(
                        f'{table} {obj.pk}: field "{key}" differs from ledger seq {seq}'
                    )
        for pk, (seq, _) in sorted(recorded.items(), key=lambda kv: kv[1][0]):
            if pk not in seen:
                report.findings.append(
                    f"{table} {pk}: recorded at ledger seq {seq} but the row is gone"
                )


def verify(
    *, agency_code: str | None = None, since: int = 0, progress: Progress | None = None
) -> Report:
    """Check everything (or one agency's log, or the entries from ``since`` on and the rows they
    recorded). The report lists one finding per difference; empty means intact."""
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
    latest: Latest = {}
    for ledger in ledgers:
        _verify_log(ledger, since, report, latest, progress)
    _compare_rows(latest, agency_ids, since == 0, report)
    report.findings.extend(stray_key_files(report.trusted_key_ids))
    report.findings.extend(missing_triggers(connection))
    for check in EXTRA_CHECKS:
        check(agency_ids, report)
    report.seconds = time.monotonic() - started
    return report
