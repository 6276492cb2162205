"""``casetrail-verify PACKAGE``: check a copy or archive package offline and print a Chinese report
(``--json`` for machines). Exit status 0 when everything holds, 1 on any finding, 2 when the
package cannot be read."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509

from casetrail_verify import digests
from casetrail_verify.package import Keys, Report, check_package, parse_keys


def _unzip(archive: Path, into: Path) -> Path:
    with zipfile.ZipFile(archive) as zipped:
        for member in zipped.namelist():
            parts = Path(member).parts
            if member.startswith("/") or ".." in parts:
                raise ValueError(f"压缩包内有不安全的路径：{member}")
        zipped.extractall(into)
    found = sorted(into.rglob("bagit.txt"), key=lambda p: len(p.parts))
    return found[0].parent if found else into


def _print(report: Report, out: object) -> None:
    write = out.write  # type: ignore[attr-defined]
    for line in report.passed:
        write(f"✓ {line}\n")
    for finding in report.findings:
        write(f"✗ {finding.message}\n")
    for note in report.notes:
        write(f"提示：{note}\n")
    if report.ok:
        write(f"结论：核验通过（{report.files} 个文件，{report.entries} 个日志条目）\n")
    else:
        write(f"结论：核验未通过，发现 {len(report.findings)} 处问题\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="casetrail-verify",
        description="离线核验执法全过程记录的复制件或归档包（BagIt 包或其 zip）",
    )
    parser.add_argument("package", type=Path, help="包的目录或 zip 文件")
    parser.add_argument(
        "--key",
        action="append",
        default=[],
        help="可信的日志公钥或见证方公钥（C2SP vkey，执法机关公布）；可重复。不给则使用包内公钥",
    )
    parser.add_argument("--keys", type=Path, help="可信公钥文件，一行一个（如机关公布的 keys）")
    parser.add_argument("--tsa-ca", type=Path, help="时间戳服务的根证书（PEM）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    args = parser.parse_args(argv)

    if digests.allow_pure_python_sm3():
        print("提示：本机 OpenSSL 不支持 SM3，改用纯 Python 实现（较慢）", file=sys.stderr)
    try:
        lines = list(args.key)
        if args.keys:
            lines += args.keys.read_text("utf-8").splitlines()
        trusted: Keys | None = parse_keys(lines) if lines else None
        roots = x509.load_pem_x509_certificates(args.tsa_ca.read_bytes()) if args.tsa_ca else None
    except (OSError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    package: Path = args.package
    with tempfile.TemporaryDirectory(prefix="casetrail-verify-") as scratch:
        try:
            if package.is_file() and zipfile.is_zipfile(package):
                package = _unzip(package, Path(scratch))
            elif not package.is_dir():
                print(f"错误：{package} 不是目录，也不是 zip 文件", file=sys.stderr)
                return 2
            report = check_package(package, trusted=trusted, tsa_roots=roots)
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            print(f"错误：无法读取包：{exc}", file=sys.stderr)
            return 2
    if args.json:
        json.dump(report.as_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _print(report, sys.stdout)
    return 0 if report.ok else 1
