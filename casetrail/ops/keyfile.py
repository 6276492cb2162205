"""The keys folder of a backup, encrypted with a passphrase (issue 15): a tar of the folder,
sealed with AES-256-GCM under a key derived from the passphrase with scrypt (RFC 7914;
n=2^15, r=8, p=1, a random 16-byte salt). Layout: ``CTBK1`` ‖ salt ‖ 12-byte nonce ‖ ciphertext."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"CTBK1"
_AAD = b"casetrail-backup-keys-v1"


class WrongPassphrase(Exception):
    """The passphrase does not open the keys (or the file was altered)."""


def _key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode("utf-8"))


def seal_folder(folder: Path, passphrase: str) -> bytes:
    """The folder's files (recursively, with their modes) as one encrypted blob."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                tar.add(path, arcname=str(path.relative_to(folder)), recursive=False)
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_key(passphrase, salt)).encrypt(nonce, buffer.getvalue(), _AAD)
    return MAGIC + salt + nonce + sealed


def open_into(data: bytes, passphrase: str, folder: Path) -> list[str]:
    """Decrypt and unpack into ``folder``; returns the names written. Raises WrongPassphrase."""
    if not data.startswith(MAGIC):
        raise WrongPassphrase("not a CaseTrail keys file")
    salt, nonce, sealed = data[5:21], data[21:33], data[33:]
    try:
        plain = AESGCM(_key(passphrase, salt)).decrypt(nonce, sealed, _AAD)
    except InvalidTag:
        raise WrongPassphrase("wrong passphrase") from None
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    names = []
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r") as tar:
        tar.extractall(folder, filter="data")
        names = tar.getnames()
    return names
