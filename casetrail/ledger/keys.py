"""The checkpoint signer: an Ed25519 software key under var/keys/, behind the Signer interface.

An SM2 signer or an HSM / 签名验签服务器 implements the same `casetrail.lib.signed_note.Signer`
protocol (name, key_id, sign) and is returned by `get_signer()` instead.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from django.conf import settings

from casetrail.lib.signed_note import Ed25519Signer, Ed25519Verifier, NoteError, Signer, Verifier

SKEY_FILE = "ledger-ed25519.skey"
VKEY_FILE = "ledger-ed25519.vkey"


class KeyError_(RuntimeError):
    """The signing key is missing or unreadable; says plainly what to do. Nothing is overwritten."""


def key_dir() -> Path:
    return Path(settings.CASETRAIL_KEY_DIR)


def ensure_key() -> Path:
    """Generate the key on first run (0600, never overwriting an existing file)."""
    directory = key_dir()
    skey_path, vkey_path = directory / SKEY_FILE, directory / VKEY_FILE
    if skey_path.exists():
        return skey_path
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    signer = Ed25519Signer.generate(settings.CASETRAIL_KEY_NAME)
    # O_EXCL: two processes starting together cannot both write a key.
    try:
        fd = os.open(skey_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return skey_path
    with os.fdopen(fd, "w") as f:
        f.write(signer.skey() + "\n")
    vkey_path.write_text(signer.vkey() + "\n")
    return skey_path


@cache
def get_signer() -> Signer:
    """The deployment's checkpoint signer."""
    path = key_dir() / SKEY_FILE
    if not path.exists():
        if settings.CASETRAIL_KEY_AUTOCREATE:
            ensure_key()
        else:
            raise KeyError_(
                f"找不到检查点签名私钥 {path}。请恢复该文件（或其备份）；首次部署可运行 casetrail checkpoint 生成。"
            )
    try:
        return Ed25519Signer.from_skey(path.read_text().strip())
    except (OSError, NoteError, ValueError) as exc:
        raise KeyError_(
            f"检查点签名私钥 {path} 无法读取或已损坏（{exc}）。请从备份恢复该文件；系统不会覆盖它。"
        ) from None


def get_verifiers() -> list[Verifier]:
    """Verifiers for checkpoints: the current key plus any older public keys kept in var/keys/."""
    verifiers: list[Verifier] = []
    directory = key_dir()
    for path in sorted(directory.glob("*.vkey")) if directory.exists() else []:
        try:
            verifiers.append(Ed25519Verifier.from_vkey(path.read_text().strip()))
        except (NoteError, ValueError) as exc:
            raise KeyError_(f"公钥文件 {path} 已损坏（{exc}）。请从备份恢复。") from None
    return verifiers


def public_key() -> str:
    """The vkey string a court needs to check checkpoints offline."""
    signer = get_signer()
    vkey = getattr(signer, "vkey", None)
    return vkey() if callable(vkey) else ""
