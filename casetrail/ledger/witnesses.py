"""The agency's side of C2SP tlog-witness: submitting checkpoints, storing cosignatures, asking the
witnesses what they last cosigned (第三十五条（三）: records cannot be altered at will, not even by
the agency's own administrators).

A witness that is down never blocks recording: the checkpoint is stored unwitnessed and the
submission is retried by the ``cosign`` periodic job; supervisors see a checkpoint that stays
unwitnessed (``unwitnessed_for``).

For the backup/restore commands: ``latest_witnessed(ledger)`` answers "what is the largest
checkpoint of this log the witnesses hold?", so a restore older than that is refused or flagged.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import logging
import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from casetrail.ledger.keys import trusted_keys
from casetrail.ledger.models import Checkpoint, Cosignature, Ledger
from casetrail.ledger.nodes import proof_getter
from casetrail.ledger.witness_server import TIMESTAMP_HEADER, add_log_key
from casetrail.lib import merkle
from casetrail.lib.cosignature import CosignatureVerifier, format_add_checkpoint, timestamp_of
from casetrail.lib.outside import require_no_transaction
from casetrail.lib.signed_note import (
    Checkpoint as CheckpointText,
)
from casetrail.lib.signed_note import (
    NoteError,
    Verifier,
    open_note,
    parse_checkpoint,
    parse_note,
)

log = logging.getLogger(__name__)


class WitnessUnavailable(RuntimeError):
    """The witness could not be reached or answered with something unexpected."""


@dataclass(frozen=True)
class WitnessConfig:
    """One configured witness: its submission/monitoring prefix and its pinned cosigning key."""

    url: str
    verifier: CosignatureVerifier

    @property
    def name(self) -> str:
        return self.verifier.name

    @property
    def key_id(self) -> str:
        return f"{self.verifier.key_id:08x}"


def local_witness_url() -> str:
    return f"http://{settings.CASETRAIL_LOCAL_WITNESS_BIND}"


def configured_witnesses() -> list[WitnessConfig]:
    """CASETRAIL_WITNESSES (``<url> <vkey>`` each); unset, the local witness `casetrail run` starts,
    once its key exists. Raises ValueError on a malformed entry."""
    out = []
    for entry in settings.CASETRAIL_WITNESSES:
        url, _, vkey = entry.partition(" ")
        out.append(WitnessConfig(url.rstrip("/"), CosignatureVerifier.from_vkey(vkey)))
    if not out and settings.CASETRAIL_LOCAL_WITNESS:
        path = settings.CASETRAIL_WITNESS_DIR / "witness.vkey"
        if path.exists():
            out.append(
                WitnessConfig(local_witness_url(), CosignatureVerifier.from_vkey(path.read_text()))
            )
    return out


def quorum() -> int:
    configured = len(configured_witnesses())
    wanted = settings.CASETRAIL_WITNESS_QUORUM
    return configured if wanted == 0 else min(wanted, configured)


def register_log_key(vkey: str) -> None:
    """Default configuration only: tell the local witness about a newly pinned log key (a real
    witness is told out of band by its operator: ``casetrail witness --add-log <vkey>``)."""
    if not settings.CASETRAIL_WITNESSES and settings.CASETRAIL_LOCAL_WITNESS:
        add_log_key(settings.CASETRAIL_WITNESS_DIR, vkey)


def _request(
    witness: WitnessConfig,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str, str]:
    require_no_transaction(f"the request to the witness {witness.name}")
    url = urllib.parse.urlsplit(witness.url)
    conn_cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(url.netloc, timeout=settings.CASETRAIL_WITNESS_TIMEOUT)
    try:
        conn.request(method, url.path + path, body=body, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, response.getheader("Content-Type", ""), text
    except OSError as exc:
        raise WitnessUnavailable(f"见证方 {witness.name}（{witness.url}）无法访问：{exc}") from None
    finally:
        conn.close()


def _proof(ledger: Ledger, first: int, second: int) -> list[bytes]:
    if first == 0 or first == second:
        return []
    refs = merkle.consistency_proof_nodes(first, second)
    get = proof_getter(ledger, refs)
    return merkle.consistency_proof_from_store(ledger.hash_name, get, first, second)


def cosigned_size(ledger: Ledger, witness: WitnessConfig) -> int:
    """The largest checkpoint of ``ledger`` this witness cosigned, as far as we stored."""
    found = Cosignature.objects.filter(
        checkpoint__ledger=ledger, key_id=witness.key_id, witness=witness.name
    ).aggregate(size=Max("checkpoint__size"))["size"]
    return int(found or 0)


def submit(checkpoint: Checkpoint, witness: WitnessConfig) -> Cosignature:
    """Send ``checkpoint`` to one witness (add-checkpoint with the consistency proof from the size
    it last cosigned) and store its verified cosignature. Raises WitnessUnavailable or NoteError."""
    ledger = checkpoint.ledger
    old = cosigned_size(ledger, witness)
    # A witness that checks timestamps reads the token beside the request (witness_server).
    token = bytes(checkpoint.timestamp_token or b"")
    headers = {TIMESTAMP_HEADER: base64.b64encode(token).decode()} if token else {}
    for _ in range(3):
        body = format_add_checkpoint(old, _proof(ledger, old, checkpoint.size), checkpoint.note)
        status, ctype, text = _request(
            witness, "POST", "/add-checkpoint", body.encode("utf-8"), headers
        )
        if status == 409 and ctype.startswith("text/x.tlog.size"):
            known = int(text.strip() or "0")
            if known > checkpoint.size:
                raise WitnessUnavailable(
                    f"见证方 {witness.name} 已副署大小 {known} 的检查点，大于本地 {checkpoint.size}："
                    "日志被截短或回滚？请运行 casetrail verify"
                )
            if known == old:
                raise WitnessUnavailable(
                    f"见证方 {witness.name} 拒绝：大小 {known} 的检查点根哈希不同（日志分叉）"
                )
            old = known
            continue
        if status != 200:
            raise WitnessUnavailable(f"见证方 {witness.name} 拒绝（HTTP {status}）：{text.strip()}")
        return store_cosignature(checkpoint, witness, text)
    raise WitnessUnavailable(f"见证方 {witness.name} 的已知大小不断变化，稍后重试")


def store_cosignature(checkpoint: Checkpoint, witness: WitnessConfig, lines: str) -> Cosignature:
    """Keep the witness's signature line after checking it against the pinned witness key."""
    text, _ = parse_note(checkpoint.note)
    _, verified = open_note(text + "\n" + lines, [witness.verifier])
    signature = verified[0]
    line = signature.line()
    signed_at = dt.datetime.fromtimestamp(timestamp_of(signature.signature), tz=dt.UTC)
    existing = Cosignature.objects.filter(checkpoint=checkpoint, key_id=witness.key_id).first()
    if existing is not None:
        return existing
    return Cosignature.objects.create(
        checkpoint=checkpoint,
        witness=witness.name,
        key_id=witness.key_id,
        line=line,
        signed_at=signed_at,
        received_at=timezone.now(),
    )


def cosign(checkpoint: Checkpoint) -> int:
    """Submit to every configured witness that has not cosigned it yet; a witness down is logged
    and retried later. Returns how many witnesses have cosigned it now."""
    have = set(checkpoint.cosignatures.values_list("key_id", flat=True))
    for witness in configured_witnesses():
        if witness.key_id in have:
            continue
        try:
            submit(checkpoint, witness)
            have.add(witness.key_id)
        except (WitnessUnavailable, NoteError, ValueError) as exc:
            log.warning("checkpoint %s unwitnessed by %s: %s", checkpoint, witness.name, exc)
    return len(have)


def is_witnessed(checkpoint: Checkpoint) -> bool:
    wanted = quorum()
    if wanted == 0:
        return False
    ids = {w.key_id for w in configured_witnesses()}
    have = set(checkpoint.cosignatures.values_list("key_id", flat=True)) & ids
    return len(have) >= wanted


def witnessed_note(checkpoint: Checkpoint) -> str:
    """The checkpoint with every stored cosignature appended (what is published)."""
    lines = "".join(c.line for c in checkpoint.cosignatures.all())
    return checkpoint.note + lines


def oldest_unwitnessed(ledger: Ledger) -> Checkpoint | None:
    """The oldest checkpoint after the last witnessed one, or None when the latest is witnessed
    (or no witness is configured, or nothing to witness)."""
    if not configured_witnesses():
        return None
    pending = None
    for cp in Checkpoint.objects.filter(ledger=ledger).order_by("-size", "-id"):
        if is_witnessed(cp):
            break
        pending = cp
    return pending


def unwitnessed_for(ledger: Ledger, *, now: dt.datetime | None = None) -> float | None:
    """Hours the oldest checkpoint after the last witnessed one has waited (see
    ``oldest_unwitnessed``), or None."""
    pending = oldest_unwitnessed(ledger)
    if pending is None:
        return None
    return ((now or timezone.now()) - pending.created_at).total_seconds() / 3600


@dataclass(frozen=True)
class WitnessedCheckpoint:
    """A checkpoint a witness holds: the witness, the size and root it cosigned, when."""

    witness: str
    size: int
    root: bytes
    signed_at: dt.datetime
    note: str


def fetch_latest(
    ledger: Ledger, witness: WitnessConfig, log_keys: list[Verifier]
) -> WitnessedCheckpoint | None:
    """Ask the witness for the latest checkpoint of ``ledger`` it cosigned (None: it has none).
    Raises WitnessUnavailable, or NoteError when its answer is not signed by the pinned log key
    and the pinned witness key."""
    query = urllib.parse.urlencode({"origin": ledger.origin})
    status, _, text = _request(witness, "GET", f"/latest?{query}")
    if status == 404:
        return None
    if status != 200:
        raise WitnessUnavailable(f"见证方 {witness.name} 返回 HTTP {status}")
    _, verified = open_note(text, [*log_keys, witness.verifier])
    by_witness = [s for s in verified if s.name == witness.name]
    if not by_witness:
        raise NoteError(f"witness {witness.name}: its checkpoint carries no cosignature of its key")
    if len(verified) == len(by_witness):
        raise NoteError(f"witness {witness.name}: checkpoint not signed by a pinned log key")
    parsed: CheckpointText = parse_checkpoint(parse_note(text)[0])
    signed_at = dt.datetime.fromtimestamp(timestamp_of(by_witness[0].signature), tz=dt.UTC)
    return WitnessedCheckpoint(witness.name, parsed.size, parsed.root, signed_at, text)


def latest_witnessed(ledger: Ledger) -> WitnessedCheckpoint | None:
    """The largest checkpoint of ``ledger`` any configured witness says it cosigned (asked now);
    falls back to the stored cosignatures for witnesses that cannot be reached. None: nothing
    witnessed. A backup restore older than ``.size`` has lost entries."""
    keys = trusted_keys(ledger).verifiers
    best: WitnessedCheckpoint | None = None
    for witness in configured_witnesses():
        try:
            found = fetch_latest(ledger, witness, keys)
        except (WitnessUnavailable, NoteError, ValueError):
            stored = (
                Cosignature.objects.filter(checkpoint__ledger=ledger, key_id=witness.key_id)
                .select_related("checkpoint")
                .order_by("-checkpoint__size")
                .first()
            )
            found = (
                WitnessedCheckpoint(
                    witness.name,
                    stored.checkpoint.size,
                    bytes(stored.checkpoint.root),
                    stored.signed_at,
                    stored.checkpoint.note + stored.line,
                )
                if stored
                else None
            )
        if found is not None and (best is None or found.size > best.size):
            best = found
    return best


@dataclass(frozen=True)
class WitnessStatus:
    """What a supervisor sees about witnessing of the agency's log."""

    witnesses: int
    quorum: int
    latest_size: int | None
    witnessed: bool
    unwitnessed_hours: float | None

    @property
    def overdue(self) -> bool:
        """On the worklist: a checkpoint unwitnessed for CASETRAIL_UNWITNESSED_HOURS or longer."""
        return (
            self.unwitnessed_hours is not None
            and self.unwitnessed_hours >= settings.CASETRAIL_UNWITNESSED_HOURS
        )


def witness_status(agency_id: int) -> WitnessStatus | None:
    """None when the agency has no log yet."""
    ledger = Ledger.objects.filter(agency_id=agency_id).first()
    if ledger is None:
        return None
    latest = Checkpoint.objects.filter(ledger=ledger).order_by("-size", "-id").first()
    return WitnessStatus(
        witnesses=len(configured_witnesses()),
        quorum=quorum(),
        latest_size=latest.size if latest else None,
        witnessed=bool(latest and is_witnessed(latest)),
        unwitnessed_hours=unwitnessed_for(ledger),
    )
