"""The cost of one password hash (issue 18 item 6, logins): Django's PBKDF2-SHA256 against Argon2id
at Django's parameters and at OWASP's minimum (m=19 MiB, t=2, p=1), each in a process of its own
so its peak memory is its own.

    .venv/bin/python bench/password_hash.py --rounds 3 --hashes 5

Per hasher and round: the median CPU (``time.process_time``, every thread of the process: Argon2's
lanes run in threads) and wall ms of ``--hashes`` hashes of one password, and the growth of the
process's peak RSS over its start (``ru_maxrss``: what one hash holds, not a steady state). Rounds
are interleaved (hasher A, B, C, A, B, C, …) and each figure is min / median / max over the rounds,
with the load average beside it (a shared machine inflates wall times, not CPU).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HASHERS = {
    "PBKDF2-SHA256 (Django, 10^6 rounds)": "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "Argon2id (Django: t=2, m=100 MiB, p=8)": "django.contrib.auth.hashers.Argon2PasswordHasher",
    "Argon2id (OWASP minimum: t=2, m=19 MiB, p=1)": "owasp",
}


def child(hasher_path: str, hashes: int) -> dict[str, float]:
    from django.conf import settings

    settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    from django.contrib.auth.hashers import Argon2PasswordHasher
    from django.utils.module_loading import import_string

    if hasher_path == "owasp":

        class Owasp(Argon2PasswordHasher):
            time_cost = 2
            memory_cost = 19 * 1024
            parallelism = 1

        hasher = Owasp()
    else:
        hasher = import_string(hasher_path)()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu, wall = [], []
    for i in range(hashes):
        c, w = time.process_time(), time.perf_counter()
        encoded = hasher.encode("correct horse battery", hasher.salt())
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
        assert hasher.verify("correct horse battery", encoded), i
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return {"cpu_ms": statistics.median(cpu), "wall_ms": statistics.median(wall), "rss_mib": grown}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hashes", type=int, default=5, help="hashes per hasher and round")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.hashes)))
        return
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in HASHERS}
    loads = []
    for _ in range(args.rounds):
        for name, path in HASHERS.items():
            loads.append(os.getloadavg()[0])
            out = subprocess.run(
                [sys.executable, __file__, "--child", path, "--hashes", str(args.hashes)],
                check=True,
                capture_output=True,
                text=True,
            )
            runs[name].append(json.loads(out.stdout))
    print(
        f"\n### One password hash ({args.hashes} a round, {args.rounds} interleaved rounds, "
        f"load average {min(loads):.1f}–{max(loads):.1f})\n"
    )
    print("| hasher | CPU ms | wall ms | peak RSS growth MiB |")
    print("|---|---|---|---|")
    for name, per_round in runs.items():
        cells = []
        for key in ("cpu_ms", "wall_ms", "rss_mib"):
            values = sorted(r[key] for r in per_round)
            cells.append(f"{values[0]:.1f} / {statistics.median(values):.1f} / {values[-1]:.1f}")
        print(f"| {name} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
