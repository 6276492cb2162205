"""The ledger extract: what a copy package (第三十二条) or an archive package (第三十条) carries so a
court checks it offline with ``casetrail-verify``, without the server.

Layout written under ``dest`` (every file plain text unless named otherwise):

* ``checkpoint`` — the latest signed checkpoint (C2SP tlog-checkpoint in a signed note), followed
  by the witnesses' stored cosignature lines (C2SP tlog-cosignature) when there are any;
* ``checkpoint.tsr`` — the RFC 3161 TimeStampResp (DER) over the note, when the log has a TSA;
* ``tsa-ca.pem`` — the configured TSA root(s), for reference (a verifier should be told the TSA's
  root by other means: a root that travels in the package proves nothing by itself);
* ``keys`` — the verifier keys (C2SP vkey), one a line, exactly as the public endpoint
  ``/api/public/ledgers/<agency>/keys`` serves them: the log's pinned keys (Ed25519, SM2), then
  the witnesses' cosignature keys;
* ``entries/<seq>.json`` — each entry's leaf bytes (its RFC 8785 canonical JSON, exactly what was
  hashed);
* ``proofs/<seq>.tlog-proof`` — one C2SP tlog-proof per entry (index, RFC 9162 inclusion path,
  the signed checkpoint above, cosignatures included).

The hash of the tree is named by the log's origin (``…/sm3`` or ``…/sha256``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from casetrail.ledger.checkpoints import checkpoint_create
from casetrail.ledger.models import Checkpoint, Ledger, LedgerEntry
from casetrail.ledger.nodes import proof_getter
from casetrail.ledger.publication import verifier_keys
from casetrail.ledger.selectors import latest_checkpoint
from casetrail.ledger.tsa import configured_roots
from casetrail.ledger.witnesses import witnessed_note
from casetrail.lib import merkle
from casetrail.lib.errors import ActionError
from casetrail.lib.signed_note import format_tlog_proof

#: Proofs are computed in batches whose nodes are read in one query each.
_BATCH = 500


@dataclass(frozen=True)
class ExtractSummary:
    """What was written: the log, the checkpoint the proofs point at, and the files (relative to
    ``dest``, POSIX separators) in the order written."""

    origin: str
    hash_name: str
    checkpoint_size: int
    cosignatures: int
    timestamped: bool
    seqs: tuple[int, ...]
    files: tuple[str, ...] = field(default=())


def _write(dest: Path, relative: str, data: bytes, files: list[str]) -> None:
    path = dest / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    files.append(relative)


def _checkpoint_covering(ledger: Ledger, top: int) -> Checkpoint:
    checkpoint = latest_checkpoint(ledger)
    if checkpoint is None or checkpoint.size <= top:
        # The proofs need a signed tree head that contains every entry: sign one now (it is
        # proved consistent with the previous one, submitted to the witnesses and published).
        checkpoint_create(ledger=ledger)
        checkpoint = latest_checkpoint(ledger)
    if checkpoint is None or checkpoint.size <= top:
        raise ActionError(
            "no_checkpoint_yet", "尚无包含这些日志条目的签名检查点，请稍后重试", status=409
        )
    return checkpoint


def write_ledger_extract(
    *, ledger: Ledger, entries: Iterable[LedgerEntry | int], dest: Path
) -> ExtractSummary:
    """Write the extract of ``entries`` (rows of ``ledger`` or their seqs) under ``dest``.

    Every proof is against the latest checkpoint (one is signed first when the latest does not
    yet contain every entry). Raises ActionError ``entry_not_in_log`` for a seq the log does not
    have, and ``no_checkpoint_yet`` when no checkpoint can be signed.
    """
    items = list(entries)
    for item in items:
        if isinstance(item, LedgerEntry) and item.ledger_id != ledger.pk:
            raise ActionError("entry_not_in_log", f"日志条目 #{item.seq} 不属于 {ledger.origin}")
    seqs = sorted({e if isinstance(e, int) else e.seq for e in items})
    ledger = Ledger.objects.get(pk=ledger.pk)  # the current size, not the caller's copy
    if seqs and (seqs[0] < 0 or seqs[-1] >= ledger.size):
        raise ActionError("entry_not_in_log", f"日志 {ledger.origin} 没有这些序号的条目")
    checkpoint = _checkpoint_covering(ledger, seqs[-1] if seqs else -1)
    note = witnessed_note(checkpoint)
    files: list[str] = []
    dest.mkdir(parents=True, exist_ok=True)
    _write(dest, "checkpoint", note.encode("utf-8"), files)
    token = checkpoint.timestamp_token
    if token:
        _write(dest, "checkpoint.tsr", bytes(token), files)
        roots = configured_roots()
        if roots:
            pem = b"".join(cert.public_bytes(Encoding.PEM) for cert in roots)
            _write(dest, "tsa-ca.pem", pem, files)
    _write(dest, "keys", "".join(f"{k}\n" for k in verifier_keys(ledger)).encode(), files)
    size = checkpoint.size
    for start in range(0, len(seqs), _BATCH):
        batch = seqs[start : start + _BATCH]
        rows = dict(
            LedgerEntry.objects.filter(ledger=ledger, seq__in=batch).values_list("seq", "canonical")
        )
        missing = [s for s in batch if s not in rows]
        if missing:
            raise ActionError("entry_not_in_log", f"日志 {ledger.origin} 缺少条目 #{missing[0]}")
        paths = {seq: merkle.inclusion_proof_nodes(seq, size) for seq in batch}
        get = proof_getter(ledger, [ref for refs in paths.values() for ref in refs])
        for seq in batch:
            _write(dest, f"entries/{seq}.json", rows[seq].encode("utf-8"), files)
            proof = merkle.proof_from_nodes(ledger.hash_name, get, paths[seq])
            text = format_tlog_proof(seq, proof, note)
            _write(dest, f"proofs/{seq}.tlog-proof", text.encode("utf-8"), files)
    return ExtractSummary(
        origin=ledger.origin,
        hash_name=ledger.hash_name,
        checkpoint_size=size,
        cosignatures=checkpoint.cosignatures.count(),
        timestamped=bool(token),
        seqs=tuple(seqs),
        files=tuple(files),
    )
