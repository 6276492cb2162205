"""`casetrail generate` measured: wall time, CPU (user + system), bytes written and peak RSS of the
command, and its own per-phase seconds, for one or more checkouts of the code, interleaved round by
round (the machine is shared: compare within a round).

    .venv/bin/python bench/generate.py --cases 5000 --rounds 3                  # this checkout
    .venv/bin/python bench/generate.py --cases 5000 --code /tmp/before --code .  # before / after

Each run starts from the same freshly migrated database (migrated once per checkout, copied per
run) in a folder of its own under --tmp, removed after the run. ``--code DIR`` runs that checkout's
``casetrail`` package with this environment's interpreter (``python -m`` puts the working folder
first on the path). Bytes written are the kernel's count of the process's writes to storage
(``ru_oublock``, 512-byte blocks, the same account as /proc/PID/io ``write_bytes``): the database,
its journal and the blob files; the pages the kernel writes back later are counted for it too.
SQLite only (the database lives in the folder)."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def env_for(var: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CASETRAIL_VAR_DIR"] = str(var)
    env["CASETRAIL_DEMO"] = "1"
    env["DJANGO_SETTINGS_MODULE"] = "casetrail.settings"
    env.pop("DATABASE_URL", None)
    return env


def migrated(code: Path, base: Path) -> Path:
    """A folder with the migrated database of this checkout, made once."""
    if not (base / "casetrail.sqlite3").exists():
        base.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [PY, "-m", "casetrail.cli", "migrate", "-v0"], env=env_for(base), check=True, cwd=code
        )
    return base


def run(code: Path, base: Path, var: Path, cases: int, agencies: int, batch: int | None) -> dict:
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    shutil.copy(base / "casetrail.sqlite3", var / "casetrail.sqlite3")
    argv = [PY, "-m", "casetrail.cli", "generate", "--cases", str(cases)]
    argv += ["--agencies", str(agencies)] + (["--batch", str(batch)] if batch else [])
    started = time.monotonic()
    proc = subprocess.Popen(
        argv, env=env_for(var), cwd=code, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    out = proc.stdout.read().decode() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    if status != 0:
        raise SystemExit(f"generate failed in {code}: {out}")
    db = sum(f.stat().st_size for f in var.glob("casetrail.sqlite3*"))
    found = re.findall(r"([^\s，（]+） ?|[^\s，（]+) ([\d.]+) 秒（CPU ([\d.]+) 秒）", out)
    phases = {f"{k.strip()} wall": float(w) for k, w, _ in found}
    phases.update({f"{k.strip()} CPU": float(c) for k, _, c in found})
    shutil.rmtree(var, ignore_errors=True)
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "written_mb": usage.ru_oublock * 512 / 1e6,
        "rss_mib": usage.ru_maxrss / 1024,
        "db_mb": db / 1e6,
        "phases": phases,
        "summary": out.strip(),
    }


def spread(values: list[float]) -> str:
    return f"{min(values):,.1f} / {statistics.median(values):,.1f} / {max(values):,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--agencies", type=int, default=1)
    parser.add_argument("--batch", type=int, help="--batch passed on (default: the command's)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--code", type=Path, action="append", help="checkouts to compare")
    parser.add_argument("--tmp", type=Path, default=Path("/tmp/bench-generate"))
    args = parser.parse_args()
    codes = [c.resolve() for c in (args.code or [ROOT])]
    bases = {c: migrated(c, args.tmp / f"base-{i}") for i, c in enumerate(codes)}
    results: dict[Path, list[dict]] = {c: [] for c in codes}
    try:
        for r in range(args.rounds):
            for code in codes:
                load = os.getloadavg()[0]
                res = run(
                    code, bases[code], args.tmp / "run", args.cases, args.agencies, args.batch
                )
                res["load"] = load
                results[code].append(res)
                print(
                    f"round {r + 1} {code}: wall {res['wall']:.1f} s, CPU {res['cpu']:.1f} s "
                    f"(user {res['user']:.1f} + sys {res['sys']:.1f}), written "
                    f"{res['written_mb']:,.0f} MB, peak RSS {res['rss_mib']:.0f} MiB, database "
                    f"{res['db_mb']:,.0f} MB, load {load:.2f}; {res['phases']}",
                    flush=True,
                )
    finally:
        shutil.rmtree(args.tmp, ignore_errors=True)
    print(f"\n{args.cases:,} cases, {args.agencies} agencies: min / median / max")
    for code, rs in results.items():
        print(f"{code}:")
        for key in ("wall", "cpu", "written_mb", "rss_mib"):
            print(f"  {key}: {spread([r[key] for r in rs])}")
        for phase in rs[0]["phases"]:
            print(f"  {phase}: {spread([r['phases'].get(phase, 0.0) for r in rs])}")
        print(f"  {rs[0]['summary']}")


if __name__ == "__main__":
    main()
