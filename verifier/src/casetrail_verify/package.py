"""Checking a copy package (第三十二条) or an archive package (第三十条): a BagIt bag (RFC 8493) with
one or more ledger extracts (``casetrail.ledger.extract``: ``checkpoint``, ``keys``,
``entries/<seq>.json``, ``proofs/<seq>.tlog-proof``, optional ``checkpoint.tsr``).

What is checked, each failure a :class:`Finding` with a stable code and a Chinese message:

1. the bag: ``bagit.txt``; every payload file against every payload manifest (SHA-256 and SM3
   expected, others checked when present), no payload file left out of a manifest, no listed file
   missing; the tag manifests; ``Payload-Oxum``;
2. each extract: the checkpoint's signature by the log key (Ed25519; SM2 when the ``sm2`` extra is
   installed), the witnesses' cosignatures, the RFC 3161 token; each entry's inclusion proof against
   that checkpoint, the entry's bytes canonical and its ``seq`` the proof's index;
3. the payload against the log: each file whose digest an entry records is named with its entry;
   a redaction (a row with ``original_sha256``) must have its original's entry in the package.

Keys: the log's and the witnesses' verifier keys are taken from ``trusted_keys`` when given (the
agency's published keys, obtained by the court by other means); otherwise from the package's own
``keys`` file, which the report says plainly — a key that travels with the package proves only
that the package is self-consistent.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509

from casetrail_verify import digests, merkle, rfc3161
from casetrail_verify.canonical_json import CanonicalJSONError, is_canonical, loads_strict
from casetrail_verify.cosignature import CosignatureVerifier, timestamp_of
from casetrail_verify.signed_note import (
    Ed25519Verifier,
    InvalidSignatureError,
    NoteError,
    UnverifiedNoteError,
    Verifier,
    open_note,
    parse_checkpoint,
    parse_note,
    parse_tlog_proof,
)

_CHUNK = 1 << 20
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
#: The field a redaction's ledgered row uses to name its original (agreed with the copies app).
ORIGINAL_FIELD = "original_sha256"


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    path: str = ""


@dataclass
class Report:
    """What was checked (``passed``: Chinese lines), what failed (``findings``) and what the reader
    should know (``notes``)."""

    findings: list[Finding] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0
    entries: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    def fail(self, code: str, message: str, path: str = "") -> None:
        self.findings.append(Finding(code, message, path))

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "files": self.files,
            "entries": self.entries,
            "findings": [f.__dict__ for f in self.findings],
            "passed": self.passed,
            "notes": self.notes,
        }


# --- keys --------------------------------------------------------------------------------------


@dataclass
class Keys:
    log: list[Verifier] = field(default_factory=list)
    witnesses: list[CosignatureVerifier] = field(default_factory=list)
    unreadable_sm2: list[str] = field(default_factory=list)


_SM2_PREFIX = b"\xffGB/T32918-SM2-SM3\x00"


def parse_keys(lines: list[str]) -> Keys:
    """Sort vkeys by their signature type: 0x01 Ed25519 and 0xff SM2 (log keys), 0x04 witness
    cosignature keys. Raises ValueError naming a malformed line."""
    keys = Keys()
    for line in (raw.strip() for raw in lines):
        if not line or line.startswith("#"):
            continue
        try:
            raw = base64.b64decode(line.split("+", 2)[2], validate=True)
        except (IndexError, ValueError):
            raise ValueError(f"公钥格式错误：{line}") from None
        if raw[:1] == bytes([0x04]):
            keys.witnesses.append(CosignatureVerifier.from_vkey(line))
        elif raw.startswith(_SM2_PREFIX):
            try:
                from casetrail_verify.sm2 import SM2Verifier
            except ImportError:
                keys.unreadable_sm2.append(line)
                continue
            keys.log.append(SM2Verifier.from_vkey(line))
        else:
            keys.log.append(Ed25519Verifier.from_vkey(line))
    return keys


# --- the bag -----------------------------------------------------------------------------------


def _decode_path(text: str) -> str:
    # RFC 8493 §2.1.3: CR, LF and % in a path are percent-encoded.
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%0d", "\r")
        .replace("%0a", "\n")
        .replace("%25", "%")
    )


def _hash_file(path: Path, names: list[str]) -> dict[str, str]:
    # SHA-256 and SM3 through digests (SM3 falls back to pure Python on the verifier); any other
    # algorithm a bag may carry (sha512, …) through hashlib.
    live = {
        n: digests.new_hasher(n) if n in digests.DIGEST_SIZES else hashlib.new(n) for n in names
    }
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            for hasher in live.values():
                hasher.update(chunk)
    return {n: h.hexdigest() for n, h in live.items()}


def _read_manifest(path: Path, report: Report) -> dict[str, str]:
    out: dict[str, str] = {}
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(None, 1)
        if len(parts) != 2:
            report.fail("manifest_malformed", f"{path.name} 第 {number} 行格式错误", path.name)
            continue
        relative = _decode_path(parts[1].strip())
        if relative.startswith("/") or ".." in Path(relative).parts:
            report.fail("manifest_path_outside", f"{path.name} 列出了包外的路径 {relative}")
            continue
        out[relative] = parts[0].lower()
    return out


def _all_files(root: Path, under: str = "") -> Iterator[str]:
    base = root / under if under else root
    for dirpath, _dirs, filenames in os.walk(base):
        for name in filenames:
            yield (Path(dirpath) / name).relative_to(root).as_posix()


def label(alg: str) -> str:
    return {"sha256": "SHA-256", "sm3": "SM3"}.get(alg, alg.upper())


def _algorithm(manifest: Path, prefix: str) -> str:
    return manifest.name[len(prefix) : -len(".txt")]


def check_bag(root: Path, report: Report) -> dict[str, dict[str, str]]:
    """Check the bag's manifests; return each payload file's digests (relative path → {alg: hex})."""
    if not (root / "bagit.txt").is_file():
        report.fail("not_a_bag", "缺少 bagit.txt：这不是 BagIt 包", "bagit.txt")
        return {}
    declaration = (root / "bagit.txt").read_text("utf-8", "replace")
    if "BagIt-Version:" not in declaration:
        report.fail("not_a_bag", "bagit.txt 没有声明 BagIt-Version", "bagit.txt")
    manifests = sorted(root.glob("manifest-*.txt"))
    algorithms = [_algorithm(m, "manifest-") for m in manifests]
    if not manifests:
        report.fail(
            "manifest_missing", "包内没有清单文件（manifest-sha256.txt / manifest-sm3.txt）"
        )
        return {}
    for expected in ("sha256", "sm3"):
        if expected not in algorithms:
            report.notes.append(
                f"包内没有 manifest-{expected}.txt，未按 {label(expected)} 核对文件"
            )
    listed = {alg: _read_manifest(m, report) for alg, m in zip(algorithms, manifests, strict=True)}
    payload = set(_all_files(root, "data")) if (root / "data").is_dir() else set()
    report.files = len(payload)
    digests_of: dict[str, dict[str, str]] = {}
    for relative in sorted(payload):
        wanted = [alg for alg in algorithms if relative in listed[alg]]
        for alg in algorithms:
            if relative not in listed[alg]:
                report.fail(
                    "file_not_in_manifest",
                    f"文件 {relative} 不在清单 manifest-{alg}.txt 中（多出的文件）",
                    relative,
                )
        try:
            computed = _hash_file(root / relative, wanted)
        except ValueError:
            report.fail("algorithm_unsupported", f"本机无法计算清单的摘要算法：{wanted}")
            continue
        digests_of[relative] = computed
        changed = [alg for alg in wanted if computed[alg] != listed[alg][relative]]
        if changed:
            names = "、".join(label(a) for a in changed)
            report.fail(
                "file_changed", f"文件 {relative} 的 {names} 与清单不符：内容被改动", relative
            )
    for alg, entries in listed.items():
        for relative in sorted(set(entries) - payload):
            report.fail(
                "file_missing", f"清单 manifest-{alg}.txt 列出的文件 {relative} 不存在", relative
            )
    for tag_manifest in sorted(root.glob("tagmanifest-*.txt")):
        alg = _algorithm(tag_manifest, "tagmanifest-")
        for relative, expected in _read_manifest(tag_manifest, report).items():
            path = root / relative
            if not path.is_file():
                report.fail("file_missing", f"标签清单列出的文件 {relative} 不存在", relative)
                continue
            try:
                got = _hash_file(path, [alg])[alg]
            except ValueError:
                report.notes.append(f"本机无法计算 {tag_manifest.name} 的算法，未核对")
                break
            if got != expected:
                report.fail(
                    "file_changed", f"标签文件 {relative} 与 {tag_manifest.name} 不符", relative
                )
    _check_oxum(root, payload, report)
    if not any(f.code.startswith("file_") for f in report.findings):
        report.passed.append(
            f"BagIt 清单：{len(payload)} 个文件的 {'、'.join(label(a) for a in sorted(algorithms))} 摘要全部相符"
        )
    return digests_of


def _check_oxum(root: Path, payload: set[str], report: Report) -> None:
    info = root / "bag-info.txt"
    if not info.is_file():
        return
    for line in info.read_text("utf-8", "replace").splitlines():
        if line.startswith("Payload-Oxum:"):
            value = line.split(":", 1)[1].strip()
            size = sum((root / p).stat().st_size for p in payload)
            if value != f"{size}.{len(payload)}":
                report.fail(
                    "payload_oxum",
                    f"bag-info.txt 的 Payload-Oxum 为 {value}，实际为 {size}.{len(payload)}（文件被增删？）",
                    "bag-info.txt",
                )


# --- the ledger extracts -----------------------------------------------------------------------


@dataclass
class ExtractResult:
    origin: str = ""
    size: int = 0
    entries: dict[int, Any] = field(default_factory=dict)  # seq → parsed entry


def find_extracts(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.rglob("checkpoint") if (p.parent / "proofs").is_dir())


def _hash_of(origin: str) -> str:
    # The hash of the tree is fixed when the log is created and named by its origin's last part.
    return "sm3" if origin.endswith("/sm3") else "sha256"


def _check_timestamp(
    folder: Path, note: str, roots: list[x509.Certificate], report: Report, where: str
) -> None:
    token_path = folder / "checkpoint.tsr"
    if not token_path.is_file():
        return
    if not roots:
        ca = folder / "tsa-ca.pem"
        if ca.is_file():
            roots = x509.load_pem_x509_certificates(ca.read_bytes())
            report.notes.append(
                f"{where}：时间戳根证书取自包内 tsa-ca.pem；请用 --tsa-ca 指定时间戳服务公布的根证书"
            )
    # The token is over the checkpoint as signed by the log: the note without the cosignature
    # lines the witnesses added later (those follow the log's own lines).
    text, signatures = parse_note(note)
    candidates = [
        (text + "\n" + "".join(s.line() for s in signatures[:k])).encode("utf-8")
        for k in range(len(signatures), 0, -1)
    ]
    problem = ""
    for data in candidates:
        try:
            token = rfc3161.check_token(token_path.read_bytes(), data, roots)
        except rfc3161.TokenError as exc:
            problem = problem if "摘要不符" not in problem and problem else str(exc)
            if "摘要不符" in str(exc):
                continue
            break
        except ValueError as exc:
            problem = f"时间戳令牌无法读取（{exc}）"
            break
        report.passed.append(
            f"{where}：RFC 3161 时间戳有效，时间 {token.gen_time:%Y-%m-%d %H:%M:%S} UTC，签发者 {token.signer}"
        )
        return
    report.fail("timestamp_invalid", f"{where}：{problem}", "checkpoint.tsr")


def check_extract(
    folder: Path,
    root: Path,
    report: Report,
    *,
    trusted: Keys | None = None,
    tsa_roots: list[x509.Certificate] | None = None,
) -> ExtractResult:
    where = folder.relative_to(root).as_posix() or "."
    result = ExtractResult()
    note = (folder / "checkpoint").read_text("utf-8", "replace")
    try:
        text, signatures = parse_note(note)
        checkpoint = parse_checkpoint(text)
    except NoteError as exc:
        report.fail("checkpoint_malformed", f"{where}：检查点格式错误（{exc}）", "checkpoint")
        return result
    result.origin, result.size = checkpoint.origin, checkpoint.size
    hash_name = _hash_of(checkpoint.origin)
    if trusted is None:
        try:
            keys = parse_keys((folder / "keys").read_text("utf-8").splitlines())
        except (OSError, ValueError) as exc:
            report.fail("keys_unreadable", f"{where}：公钥文件无法读取（{exc}）", "keys")
            return result
        for verifier in keys.log:
            report.notes.append(
                f"未指定可信公钥：使用包内公钥 {verifier.name} {verifier.key_id:08x}；"
                "请与执法机关公布的公钥核对（--key）"
            )
    else:
        keys = trusted
    for line in keys.unreadable_sm2:
        report.notes.append(f"SM2 签名未核验：需安装 casetrail-verify[sm2]（{line[:40]}…）")
    log_keys = [k for k in keys.log if k.name == checkpoint.origin]
    try:
        _, verified = open_note(note, log_keys)
    except InvalidSignatureError as exc:
        report.fail("checkpoint_forged", f"{where}：检查点签名无效，检查点被伪造或改动（{exc}）")
        return result
    except UnverifiedNoteError:
        report.fail(
            "checkpoint_unsigned", f"{where}：检查点没有可信日志公钥（{checkpoint.origin}）的签名"
        )
        return result
    by_id = {(k.name, k.key_id): k for k in log_keys}
    kinds = "、".join(
        "Ed25519" if isinstance(by_id[(s.name, s.key_id)], Ed25519Verifier) else "SM2"
        for s in verified
    )
    report.passed.append(
        f"{where}：检查点（{checkpoint.origin}，大小 {checkpoint.size}，{label(hash_name)}）的 {kinds} 签名有效"
    )
    if keys.witnesses:
        try:
            _, cosigned = open_note(note, keys.witnesses)
        except InvalidSignatureError as exc:
            report.fail("cosignature_forged", f"{where}：见证方副署无效（{exc}）")
            cosigned = []
        except UnverifiedNoteError:
            report.notes.append(f"{where}：检查点没有见证方副署")
            cosigned = []
        for sig in cosigned:
            moment = timestamp_of(sig.signature)
            report.passed.append(
                f"{where}：见证方 {sig.name} 的副署有效（副署时间 POSIX {moment}）"
            )
    elif len(signatures) > len(verified):
        report.notes.append(
            f"{where}：检查点另有 {len(signatures) - len(verified)} 个签名行未核验（无对应公钥）"
        )
    _check_timestamp(folder, note, tsa_roots or [], report, where)
    proofs = sorted((folder / "proofs").glob("*.tlog-proof"))
    entry_files = (
        {p.stem for p in (folder / "entries").glob("*.json")}
        if (folder / "entries").is_dir()
        else set()
    )
    good = 0
    for proof_path in proofs:
        seq_name = proof_path.name[: -len(".tlog-proof")]
        entry_path = folder / "entries" / f"{seq_name}.json"
        relative = entry_path.relative_to(root).as_posix()
        if not entry_path.is_file():
            report.fail("entry_missing", f"{where}：日志条目 {seq_name} 的内容文件缺失", relative)
            continue
        entry_files.discard(seq_name)
        leaf_bytes = entry_path.read_bytes()
        try:
            proof = parse_tlog_proof(proof_path.read_text("utf-8"))
        except (NoteError, UnicodeDecodeError) as exc:
            report.fail("proof_malformed", f"{where}：条目 {seq_name} 的证明格式错误（{exc}）")
            continue
        if parse_note(proof.checkpoint)[0] != text:
            report.fail("proof_checkpoint", f"{where}：条目 {seq_name} 的证明指向另一个检查点")
            continue
        try:
            merkle.verify_inclusion(
                hash_name,
                proof.index,
                checkpoint.size,
                merkle.leaf_hash(hash_name, leaf_bytes),
                proof.proof,
                checkpoint.root,
            )
        except merkle.ProofError as exc:
            report.fail(
                "inclusion_failed",
                f"{where}：日志条目 {seq_name} 不在已签名的日志中（包含证明不成立：{exc}）——条目或证明被改动",
                relative,
            )
            continue
        try:
            entry = loads_strict(leaf_bytes)
        except CanonicalJSONError as exc:
            report.fail(
                "entry_malformed", f"{where}：日志条目 {seq_name} 不是合法 JSON（{exc}）", relative
            )
            continue
        if (
            not is_canonical(leaf_bytes)
            or not isinstance(entry, dict)
            or entry.get("seq") != proof.index
        ):
            report.fail(
                "entry_mismatch",
                f"{where}：日志条目 {seq_name} 与其证明的序号不符或不是规范 JSON",
                relative,
            )
            continue
        result.entries[proof.index] = entry
        good += 1
    for orphan in sorted(entry_files):
        report.fail(
            "proof_missing", f"{where}：日志条目 {orphan} 没有包含证明", f"entries/{orphan}.json"
        )
    if good:
        report.passed.append(f"{where}：{good} 个日志条目的包含证明全部成立")
    report.entries += good
    return result


# --- payload against the log -------------------------------------------------------------------


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _hex_values(value: Any) -> Iterator[str]:
    for obj in _walk(value):
        for item in obj.values():
            if isinstance(item, str) and _HEX64.match(item):
                yield item


def check_against_log(
    digests_of: dict[str, dict[str, str]], results: list[ExtractResult], report: Report
) -> None:
    recorded: dict[str, int] = {}
    redactions: list[tuple[str, str, int]] = []  # (redacted sha256, original sha256, seq)
    for result in results:
        for seq, entry in result.entries.items():
            for hexvalue in _hex_values(entry.get("payload")):
                recorded.setdefault(hexvalue, seq)
            for obj in _walk(entry.get("payload")):
                original = obj.get(ORIGINAL_FIELD)
                if isinstance(original, str) and isinstance(obj.get("sha256"), str):
                    redactions.append((obj["sha256"], original, seq))
    if not results:
        return
    matched = sum(1 for found in digests_of.values() if any(d in recorded for d in found.values()))
    if matched:
        report.passed.append(f"{matched} 个文件的摘要记录在所附日志条目中")
    payload_sha = {found.get("sha256") for found in digests_of.values()}
    for redacted, original, seq in redactions:
        if redacted not in payload_sha:
            continue
        if original == redacted:
            report.fail("redaction_same", f"删减件（条目 #{seq}）与原件相同")
        elif original not in recorded or recorded[original] == seq:
            report.fail(
                "redaction_original_missing",
                f"删减件（条目 #{seq}）所依据的原件（SHA-256 {original[:16]}…）没有日志条目",
            )
        else:
            report.passed.append(
                f"删减件（条目 #{seq}）源自原件（SHA-256 {original[:16]}…，日志条目 #{recorded[original]}）"
            )


def check_package(
    root: Path,
    *,
    trusted: Keys | None = None,
    tsa_roots: list[x509.Certificate] | None = None,
) -> Report:
    report = Report()
    digests_of = check_bag(root, report)
    extracts = find_extracts(root)
    if not extracts:
        report.fail("no_ledger_extract", "包内没有日志摘录（checkpoint、keys、proofs/）")
    results = [
        check_extract(folder, root, report, trusted=trusted, tsa_roots=tsa_roots)
        for folder in extracts
    ]
    check_against_log(digests_of, results, report)
    return report
