"""Checkpoint keys: one Ed25519 key per agency log, named after the log's origin line, pinned by its
C2SP key ID (第三十五条（三）).

Files under CASETRAIL_KEY_DIR hold the private keys (``<origin with / as _>.skey``, 0600) and a copy of
each public key for people; `verify` never trusts a file there. It trusts the keys pinned for the
log: those named in CASETRAIL_LEDGER_KEYS when set (a deployment's configuration, kept outside the
database), otherwise the ``LedgerKey`` rows pinned by ledgered actions (the first key on the log's
first checkpoint; each later one by a rotation signed by the key it replaces).

An SM2 signer or an HSM / 签名验签服务器 implements the same `casetrail.lib.signed_note.Signer`
protocol (name, key_id, sign) and is returned by `get_signer()` instead.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings

from casetrail.ledger.models import Ledger, LedgerKey
from casetrail.lib.signed_note import (
    Ed25519Signer,
    Ed25519Verifier,
    NoteError,
    Signer,
    Verifier,
    open_note,
)
from casetrail.lib.sm2 import SM2_TYPE, SM2Signer, SM2Verifier


class KeyError_(RuntimeError):
    """The signing key is missing, unreadable or not the pinned one; says plainly what to do.
    Nothing is overwritten."""


ROTATION_HEADER = "casetrail/key-rotation/v1"


def key_dir() -> Path:
    return Path(settings.CASETRAIL_KEY_DIR)


def key_path(origin: str, algorithm: str = "ed25519") -> Path:
    suffix = ".skey" if algorithm == "ed25519" else f".{algorithm}.skey"
    return key_dir() / (origin.replace("/", "_") + suffix)


def parse_vkey(vkey: str) -> Verifier:
    """An Ed25519 (type 0x01) or SM2 (type 0xff GB/T32918-SM2-SM3) verifier key. ValueError."""
    if algorithm_of(vkey) == "sm2":
        return SM2Verifier.from_vkey(vkey)
    return Ed25519Verifier.from_vkey(vkey)


def algorithm_of(vkey: str) -> str:
    key64 = vkey.strip().split("+", 2)[-1]
    try:
        raw = base64.b64decode(key64.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return "ed25519"  # the parser says what is wrong
    return "sm2" if raw.startswith(SM2_TYPE) else "ed25519"


def sm2_enabled(agency_code: str) -> bool:
    """CASETRAIL_SM2 names the agencies (统一社会信用代码, or * for all) whose checkpoints also carry
    an SM2 signature line (国密)."""
    chosen = settings.CASETRAIL_SM2
    return "*" in chosen or agency_code in chosen


def _write_exclusive(path: Path, text: str) -> bool:
    """Write a new secret file (0600); False when it already exists (O_EXCL: two processes
    starting together cannot both write one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
    return True


def ensure_key(origin: str) -> Path:
    """Generate the log's key on first use (0600, never overwriting an existing file)."""
    path = key_path(origin)
    if not path.exists():
        signer = Ed25519Signer.generate(origin)
        if _write_exclusive(path, signer.skey()):
            path.with_suffix(".vkey").write_text(signer.vkey() + "\n")
    return path


def ensure_sm2_key(origin: str) -> Path:
    path = key_path(origin, "sm2")
    if not path.exists():
        signer = SM2Signer.generate(origin)
        if _write_exclusive(path, signer.skey()):
            path.with_suffix(".vkey").write_text(signer.vkey() + "\n")
    return path


@cache
def get_signer(origin: str, algorithm: str = "ed25519") -> Signer:
    """The signer of one log's checkpoints; its key name is the log's origin line."""
    path = key_path(origin, algorithm)
    if not path.exists():
        if settings.CASETRAIL_KEY_AUTOCREATE:
            (ensure_sm2_key if algorithm == "sm2" else ensure_key)(origin)
        else:
            raise KeyError_(
                f"找不到检查点签名私钥 {path}。请恢复该文件（或其备份）；首次部署可运行 casetrail checkpoint 生成。"
            )
    try:
        text = path.read_text().strip()
        signer: Ed25519Signer | SM2Signer = (
            SM2Signer.from_skey(text) if algorithm == "sm2" else Ed25519Signer.from_skey(text)
        )
    except (OSError, NoteError, ValueError) as exc:
        raise KeyError_(
            f"检查点签名私钥 {path} 无法读取或已损坏（{exc}）。请从备份恢复该文件；系统不会覆盖它。"
        ) from None
    if signer.name != origin:
        raise KeyError_(f"签名私钥 {path} 的名称 {signer.name} 与日志来源 {origin} 不符")
    return signer


def configured_keys() -> list[Verifier]:
    """The verifier keys named in CASETRAIL_LEDGER_KEYS (parsed strictly at start-up)."""
    return [parse_vkey(v) for v in settings.CASETRAIL_LEDGER_KEYS]


def rotation_text(origin: str, old_vkey: str, new_vkey: str) -> str:
    return f"{ROTATION_HEADER}\n{origin}\nold {old_vkey}\nnew {new_vkey}\n"


@dataclass
class Trust:
    """The keys `verify` trusts for one log, and what is wrong with the pinning, if anything."""

    verifiers: list[Verifier] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def key_ids(self) -> set[int]:
        return {v.key_id for v in self.verifiers}


def trusted_keys(ledger: Ledger) -> Trust:
    """The pinned keys of ``ledger``: the configured ones when CASETRAIL_LEDGER_KEYS is set, else
    the pinned rows whose rotation chain holds (each rotation signed by the key it replaces)."""
    trust = Trust()
    rows = list(LedgerKey.objects.filter(ledger=ledger).order_by("pinned_at", "id"))
    chains: dict[str, list[Verifier]] = {}
    for row in rows:
        where = f"key {row.key_id}"
        chain = chains.setdefault(algorithm_of(row.vkey), [])
        try:
            verifier = parse_vkey(row.vkey)
        except ValueError as exc:
            trust.problems.append(f"{where}: pinned key unreadable ({exc})")
            continue
        if verifier.name != ledger.origin:
            trust.problems.append(f"{where}: key name {verifier.name} is not the origin")
            continue
        if f"{verifier.key_id:08x}" != row.key_id:
            trust.problems.append(f"{where}: pinned key ID differs from the key")
            continue
        if chain:
            previous = chain[-1]
            expected = rotation_text(ledger.origin, vkey_of(previous), vkey_of(verifier))
            try:
                text, _ = open_note(row.rotation_note, [previous])
            except NoteError as exc:
                trust.problems.append(
                    f"{where}: rotation not signed by the key it replaces ({previous.key_id:08x}): {exc}"
                )
                continue
            if text != expected:
                trust.problems.append(f"{where}: rotation statement names other keys")
                continue
        elif row.replaces_id is not None or row.rotation_note:
            trust.problems.append(f"{where}: first pinned key claims to replace another")
        chain.append(verifier)
    pinned = [v for chain in chains.values() for v in chain]
    configured = [k for k in configured_keys() if k.name == ledger.origin]
    if settings.CASETRAIL_LEDGER_KEYS:
        trust.verifiers = list(configured)
        ids = {k.key_id for k in configured}
        for verifier in pinned:
            if verifier.key_id not in ids:
                trust.problems.append(
                    f"key {verifier.key_id:08x}: pinned in the database but not in CASETRAIL_LEDGER_KEYS"
                )
    else:
        trust.verifiers = pinned
    return trust


def current_pin(ledger: Ledger, algorithm: str = "ed25519") -> LedgerKey | None:
    for pin in LedgerKey.objects.filter(ledger=ledger).order_by("-pinned_at", "-id"):
        if algorithm_of(pin.vkey) == algorithm:
            return pin
    return None


def vkey_of(key: Signer | Verifier) -> str:
    vkey = getattr(key, "vkey", None)
    return str(vkey()) if callable(vkey) else ""


def public_key_of(signer: Signer) -> str:
    return vkey_of(signer)


def public_key(ledger: Ledger) -> str:
    """The vkey string a court needs to check ``ledger``'s checkpoints offline (its pinned key)."""
    pin = current_pin(ledger)
    return pin.vkey if pin is not None else ""


def stray_key_files(trusted: dict[str, set[int]]) -> list[str]:
    """Public key files in the key folder, for a log in ``trusted`` (origin → pinned key IDs), that
    no pinned key matches: reported, never trusted. Files of other logs are no concern here."""
    out = []
    directory = key_dir()
    for path in sorted(directory.glob("*.vkey")) if directory.exists() else []:
        try:
            verifier = parse_vkey(path.read_text().strip())
        except (OSError, ValueError):
            out.append(f"key file {path.name}: unreadable public key (ignored)")
            continue
        pinned = trusted.get(verifier.name)
        # A log with no pinned key yet (no checkpoint so far) trusts nothing, so its key file,
        # written before the first pin, is no finding; once pinned, any other file is.
        if pinned and verifier.key_id not in pinned:
            out.append(
                f"key file {path.name}: key {verifier.key_id:08x} is not pinned (not trusted)"
            )
    return out
