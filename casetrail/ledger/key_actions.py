"""Pinning and rotating a log's checkpoint key: ledgered decisions (第三十五条（三）).

The first key of a log is pinned when the log is first checkpointed (zero configuration: the key
created on first run is recorded by its C2SP key ID, so a key file that appears later is not
trusted). A rotation is a statement naming the old and the new key, signed by the old key, stored
with the new pin; `verify` follows that chain.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.utils import timezone

from casetrail.ledger.keys import (
    KeyError_,
    algorithm_of,
    current_pin,
    get_signer,
    key_path,
    parse_vkey,
    public_key_of,
    rotation_text,
    sm2_enabled,
)
from casetrail.ledger.models import Ledger, LedgerKey
from casetrail.ledger.witnesses import register_log_key
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.lib.signed_note import Ed25519Signer, Signer, sign_note
from casetrail.org.models import Officer


class KeyAction(ActionName):
    PINNED = "ledger.key_pinned"
    ROTATED = "ledger.key_rotated"


@action(KeyAction.PINNED)
def ledger_key_pin(act: Act, /, *, ledger: Ledger, vkey: str) -> LedgerKey:
    """Pin the log's first checkpoint key of one kind (Ed25519, SM2); refused once one of that kind
    is pinned: later keys rotate."""
    try:
        verifier = parse_vkey(vkey)
    except ValueError as exc:
        raise ActionError("key_malformed", f"公钥格式不正确：{exc}") from None
    if verifier.name != ledger.origin:
        raise ActionError(
            "key_name_not_origin", f"密钥名称 {verifier.name} 须与日志来源 {ledger.origin} 一致"
        )
    if current_pin(ledger, algorithm_of(vkey)) is not None:
        raise ActionError("key_already_pinned", "该日志已登记此类签名密钥；更换密钥请使用密钥轮换")
    row = LedgerKey.objects.create(
        ledger=ledger, key_id=f"{verifier.key_id:08x}", vkey=vkey, pinned_at=timezone.now()
    )
    act.record(agency=ledger.agency_id, actor=None, subject=f"ledger_key:{row.pk}", rows=[row])
    if algorithm_of(vkey) == "ed25519":  # witnesses check the Ed25519 line (C2SP tools)
        act.on_commit(lambda: register_log_key(vkey))
    return row


@action(KeyAction.ROTATED)
def ledger_key_rotate(act: Act, /, *, ledger: Ledger, officer: Officer | None = None) -> LedgerKey:
    """Replace the log's key: a new key is made, the statement naming both is signed by the old
    key and pinned with the new one; the old key file is kept beside as ``<key>.<keyid>.old``."""
    pin = current_pin(ledger)
    if pin is None:
        raise ActionError("no_key_pinned", "该日志尚未登记签名密钥，无需轮换", status=409)
    old = get_signer(ledger.origin)
    if f"{old.key_id:08x}" != pin.key_id:
        raise ActionError("key_file_not_pinned", "当前密钥文件不是已登记的密钥，不能用它签署轮换")
    new = Ed25519Signer.generate(ledger.origin)
    statement = rotation_text(ledger.origin, pin.vkey, new.vkey())
    note = sign_note(statement, [old])
    row = LedgerKey.objects.create(
        ledger=ledger,
        key_id=f"{new.key_id:08x}",
        vkey=new.vkey(),
        pinned_at=timezone.now(),
        replaces=pin,
        rotation_note=note,
    )
    act.record(agency=ledger.agency_id, actor=officer, subject=f"ledger_key:{row.pk}", rows=[row])
    path = key_path(ledger.origin)
    pending = path.with_suffix(".skey.new")
    pending.write_text(new.skey() + "\n")
    os.chmod(pending, 0o600)

    def install() -> None:
        # Only once the pin is committed does the new key replace the old file.
        os.replace(path, path.with_suffix(f".{pin.key_id}.old"))
        os.replace(pending, path)
        path.with_suffix(".vkey").write_text(new.vkey() + "\n")
        get_signer.cache_clear()
        register_log_key(new.vkey())

    act.on_commit(install)
    return row


def checkpoint_signers(ledger: Ledger) -> list[Signer]:
    """The keys that sign ``ledger``'s next checkpoint: its pinned Ed25519 key and, where the agency
    chose 国密 (CASETRAIL_SM2), its pinned SM2 key. The first time, each key is created (if allowed)
    and pinned by a ledgered action; a key file that differs from its pin is refused, never
    trusted."""
    algorithms = ["ed25519"] + (["sm2"] if sm2_enabled(ledger.agency.credit_code) else [])
    return [_pinned_signer(ledger, algorithm) for algorithm in algorithms]


def _pinned_signer(ledger: Ledger, algorithm: str) -> Signer:
    signer = get_signer(ledger.origin, algorithm)
    pin = current_pin(ledger, algorithm)
    path = key_path(ledger.origin, algorithm)
    if pin is None:
        vkey = public_key_of(signer)
        if settings.CASETRAIL_LEDGER_KEYS and vkey not in settings.CASETRAIL_LEDGER_KEYS:
            raise KeyError_(
                f"签名私钥 {path}（公钥 {vkey}）不在 CASETRAIL_LEDGER_KEYS 中，拒绝签名"
            )
        ledger_key_pin(ledger=ledger, vkey=vkey)
        return signer
    if f"{signer.key_id:08x}" != pin.key_id:
        raise KeyError_(
            f"签名私钥 {path}（密钥标识 {signer.key_id:08x}）不是已登记的密钥 "
            f"{pin.key_id}：密钥文件被替换？请恢复原密钥，或以 casetrail rotate-key 轮换"
        )
    return signer


def check_keys() -> None:
    """Load every log's key now, so a damaged or swapped key stops start-up plainly."""
    for ledger in Ledger.objects.select_related("agency"):
        checkpoint_signers(ledger)
