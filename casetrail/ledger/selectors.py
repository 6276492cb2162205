"""Reads of the ledger: the access function for a log, entries, proofs."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any, Protocol

from django.http import Http404

from casetrail.ledger.models import Checkpoint, Ledger, LedgerEntry
from casetrail.ledger.nodes import node_getter, proof_getter
from casetrail.lib import merkle
from casetrail.lib.errors import ActionError
from casetrail.lib.masking import mask_address, mask_id_number, mask_phone, mask_text
from casetrail.lib.numbers import parse_int
from casetrail.org.models import Role
from casetrail.org.selectors import officer_for_user


def row_key(table: str, pk: Any) -> str:
    return f"{table}:{pk}"


def ledger_index_for(*, agency_id: int, case_id: int) -> dict[str, int]:
    """Map each row recorded for the case ("records.Record:5") to the seq of the ledger entry that
    first recorded it, so the case page can show where each fact sits in the log."""
    out: dict[str, int] = {}
    entries = (
        LedgerEntry.objects.filter(ledger__agency_id=agency_id, case_ref=case_id)
        .order_by("seq")
        .values_list("seq", "canonical")
    )
    for seq, canonical in entries:
        payload = json.loads(canonical)["payload"]
        rows = list(payload.get("rows", [])) + list(payload.get("effects", {}).get("rows", []))
        for row in rows:
            out.setdefault(row_key(row["table"], row["id"]), seq)
    return out


def ledger_for_user(*, user: Any, agency_code: str) -> Ledger:
    """The agency's log if ``user`` works for that agency; otherwise 404 (another agency's log
    is not revealed). Proofs and checkpoints carry only hashes."""
    officer = officer_for_user(user)
    ledger = Ledger.objects.select_related("agency").filter(agency__credit_code=agency_code).first()
    if officer is None or ledger is None or ledger.agency_id != officer.agency_id:
        raise Http404("记录日志不存在")
    return ledger


class CaseAccess(Protocol):
    def __call__(self, *, user: Any, case_id: int, personal: bool) -> None: ...


class CaseLink(Protocol):
    def __call__(self, case_id: int) -> str: ...


# How an entry of a case is read: registered by the cases app (which sits above the ledger) from
# its AppConfig.ready(). It raises Http404 unless ``user`` may read the case (and, with
# ``personal``, see its personal data unmasked).
CASE_ACCESS: list[CaseAccess] = []
# Where the case of an entry is shown (its page), for the link back from the entry page.
CASE_LINK: list[CaseLink] = []


def register_case_access(check: CaseAccess, link: CaseLink) -> None:
    CASE_ACCESS[:] = [check]
    CASE_LINK[:] = [link]


def case_link(case_id: int | None) -> str:
    return CASE_LINK[0](case_id) if case_id is not None and CASE_LINK else ""


# Which case the object an entry is about belongs to *now* ("evidence:7" → the case the item was
# linked to after the entry was written), by the prefix of the entry's subject: registered by the
# apps that own those objects (``register_subject_case``). Each takes the subject's id part and the
# log's agency and returns the case id, or None while the object is in no case.
SubjectCase = Callable[[str, int], int | None]
SUBJECT_CASE: dict[str, SubjectCase] = {}


def register_subject_case(prefix: str, fn: SubjectCase) -> None:
    SUBJECT_CASE[prefix] = fn


def case_of_entry(entry: LedgerEntry, agency_id: int) -> int | None:
    """The case whose access rule an entry is read under: the case its subject belongs to now,
    else the case it was written for (``case_ref``), else None."""
    prefix, _, ident = entry.subject.partition(":")
    resolve = SUBJECT_CASE.get(prefix)
    now = resolve(ident, agency_id) if resolve is not None else None
    return now if now is not None else entry.case_ref


def entry_for_user(*, user: Any, ledger: Ledger, seq: int, raw: bool = False) -> LedgerEntry:
    """An entry holds the full fact, so it is read under the access rules of that fact: an entry
    of a case only by those who may read the case — the case its subject belongs to now (an
    upload recorded before it was linked follows its item into the case). Its exact bytes
    (``raw``) carry personal data unmasked, so only those who may see that data get them
    (DESIGN §3). An entry of no case (an upload waiting in its uploader's inbox, an officer's
    account) is read only by the officer who acted and by the agency's supervisors (第三十三条)."""
    entry = LedgerEntry.objects.filter(ledger=ledger, seq=seq).first()
    if entry is None:
        raise Http404("日志条目不存在")
    case_id = case_of_entry(entry, ledger.agency_id)
    if case_id is not None:
        if not CASE_ACCESS:
            raise Http404("日志条目不存在")
        CASE_ACCESS[0](user=user, case_id=case_id, personal=raw)
        return entry
    officer = officer_for_user(user)
    actor = entry.entry.get("actor", {}).get("id")
    if officer is None or not (officer.pk == actor or officer.has_role(Role.SUPERVISOR)):
        raise Http404("日志条目不存在")
    return entry


class ReadGate(Protocol):
    def __call__(self, request: Any, *, case_id: int, subject: str) -> tuple[bool, bool]: ...


# How a read of an entry of a case is let through (第三十三条), registered by the cases app: it
# answers (shown, ask) — whether the entry may be shown whole to this reader now (their read
# reason given where the entry's subject is marked or the case 涉密; the read then logged), and
# whether to ask them for the reason. On the API it refuses a marked entry without a reason.
READ_GATE: list[ReadGate] = []


def register_read_gate(gate: ReadGate) -> None:
    READ_GATE[:] = [gate]


def entry_read(request: Any, *, ledger: Ledger, entry: LedgerEntry) -> tuple[bool, bool]:
    """(shown, ask) for a reader already allowed the entry's exact bytes (``entry_for_user`` with
    ``raw``): an entry of no case is shown."""
    case_id = case_of_entry(entry, ledger.agency_id)
    if case_id is None or not READ_GATE:
        return True, False
    return READ_GATE[0](request, case_id=case_id, subject=entry.subject)


PERSONAL_KEYS = {"id_number": mask_id_number, "phone": mask_phone, "address": mask_address}

# How the apps above mask the personal data of their own rows, which the ledger cannot recognise
# by key (a record's free-text answers, a field marked personal in the document catalogue). Each
# masker takes a row of an entry's payload ({"table": "app.Model", …}) and returns it masked, or
# unchanged when the row is not its own. Registered from the apps' AppConfig.ready().
Masker = Callable[[dict[str, Any]], dict[str, Any]]
MASKERS: list[Masker] = []


def register_masker(fn: Masker) -> None:
    if fn not in MASKERS:
        MASKERS.append(fn)


def masked(value: Any) -> Any:
    """The entry's content with personal data masked, for display: ID numbers, phones and
    addresses under their keys, ID and phone numbers inside any text, then each row by the masker
    of the app that wrote it."""
    if isinstance(value, dict):
        out = {
            k: PERSONAL_KEYS[k](v) if k in PERSONAL_KEYS and isinstance(v, str) else masked(v)
            for k, v in value.items()
        }
        if "table" in out:
            for fn in MASKERS:
                out = fn(out)
        return out
    if isinstance(value, list):
        return [masked(v) for v in value]
    if isinstance(value, str):
        return mask_text(value)  # an ID or phone number typed into any free text
    return value


def latest_checkpoint(ledger: Ledger) -> Checkpoint | None:
    return Checkpoint.objects.filter(ledger=ledger).order_by("-size", "-id").first()


def parse_size(value: Any, name: str) -> int:
    """A non-negative integer query parameter (ASCII digits), or a 400 ActionError naming it."""
    try:
        return parse_int(value, minimum=0, field=name, digits_only=True)
    except ActionError:
        raise ActionError("invalid_number", f"参数 {name} 应为非负整数", field=name) from None


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def leaf_hash_of(ledger: Ledger, index: int) -> bytes:
    return node_getter(ledger)(0, index)


def inclusion(*, ledger: Ledger, index: int, size: int) -> dict[str, Any]:
    if size > ledger.size:
        raise ActionError(
            "size_beyond_log", f"size={size} 超出日志当前大小 {ledger.size}", field="size"
        )
    if index >= size:
        raise ActionError(
            "index_not_below_size", f"index={index} 必须小于 size={size}", field="index"
        )
    refs = merkle.inclusion_proof_nodes(index, size)
    get = proof_getter(ledger, [*refs, merkle.NodeRef(0, size), merkle.NodeRef(index, index + 1)])
    proof = merkle.proof_from_nodes(ledger.hash_name, get, refs)
    return {
        "origin": ledger.origin,
        "hash": ledger.hash_name,
        "index": index,
        "size": size,
        "leaf_hash": b64(get(0, index)),
        "root": b64(merkle.root_from_store(ledger.hash_name, get, size)),
        "proof": [b64(p) for p in proof],
    }


def consistency(*, ledger: Ledger, first: int, second: int) -> dict[str, Any]:
    if second > ledger.size:
        raise ActionError(
            "size_beyond_log", f"second={second} 超出日志当前大小 {ledger.size}", field="second"
        )
    if first > second:
        raise ActionError(
            "first_after_second", f"first={first} 不能大于 second={second}", field="first"
        )
    if first == 0:
        raise ActionError(
            "first_is_zero", "first 应不小于 1：任何树都与空树一致，无需证明", field="first"
        )
    refs = merkle.consistency_proof_nodes(first, second)
    get = proof_getter(ledger, [*refs, merkle.NodeRef(0, first), merkle.NodeRef(0, second)])
    proof = merkle.proof_from_nodes(ledger.hash_name, get, refs)
    return {
        "origin": ledger.origin,
        "hash": ledger.hash_name,
        "first": first,
        "second": second,
        "first_root": b64(merkle.root_from_store(ledger.hash_name, get, first)),
        "second_root": b64(merkle.root_from_store(ledger.hash_name, get, second)),
        "proof": [b64(p) for p in proof],
    }


def tlog_proof(*, ledger: Ledger, index: int) -> str:
    """C2SP tlog-proof of one entry against the latest checkpoint that contains it."""
    from casetrail.lib.signed_note import format_tlog_proof

    checkpoint = latest_checkpoint(ledger)
    if checkpoint is None or checkpoint.size <= index:
        raise ActionError(
            "no_checkpoint_yet",
            "尚无包含该条目的签名检查点；检查点会定时生成，也可由管理员运行 casetrail checkpoint",
            status=409,
        )
    refs = merkle.inclusion_proof_nodes(index, checkpoint.size)
    proof = merkle.proof_from_nodes(ledger.hash_name, proof_getter(ledger, refs), refs)
    return format_tlog_proof(index, proof, checkpoint.note)


def ledger_public(*, agency_code: str) -> Ledger:
    """The access function of the public, read-only view of a log (no login): anyone may read its
    checkpoints and verifier keys, which hold only the origin, sizes and hashes (no personal
    data). 404 when the agency has no log."""
    ledger = Ledger.objects.select_related("agency").filter(agency__credit_code=agency_code).first()
    if ledger is None:
        raise Http404("记录日志不存在")
    return ledger


def checkpoint_public(*, ledger: Ledger, size: int) -> Checkpoint:
    """One checkpoint of a public log by its tree size (the latest signed at that size); 404."""
    checkpoint = (
        Checkpoint.objects.filter(ledger=ledger, size=size)
        .prefetch_related("cosignatures")
        .order_by("-id")
        .first()
    )
    if checkpoint is None:
        raise Http404("该大小的检查点不存在")
    return checkpoint
