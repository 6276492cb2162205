"""The read of a request's login (issue 18, per-request overhead), in one process on a generated
database: Django's ``ModelBackend.get_user`` then the officer (``officer_for_user`` as it read it:
one query with agency and unit) and its open role names (one query) — three queries — against
``OfficerBackend.get_user`` (one). CPU by ``time.process_time``, the two interleaved in
``--rounds`` rounds of ``--reads`` reads each; min / median / max over the rounds of the median
µs a read, with the load average.

    .venv/bin/python bench/login_read.py --var /tmp/ct-5k --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--var", type=Path, required=True, help="a folder `casetrail generate` filled"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reads", type=int, default=300)
    args = parser.parse_args()
    os.environ.update(
        CASETRAIL_VAR_DIR=str(args.var),
        CASETRAIL_DEMO="1",
        CASETRAIL_LOCAL_WITNESS="0",
        DJANGO_SETTINGS_MODULE="casetrail.settings",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.backends import ModelBackend

    from casetrail.org.backends import OfficerBackend
    from casetrail.org.models import Officer, OfficerRole

    user_ids = {who: Officer.objects.get(user__username=who).user_id for who in ("zhang", "sun")}

    def three_reads(user_id: int) -> Any:
        user = ModelBackend().get_user(user_id)
        officer = Officer.objects.select_related("agency", "unit").get(user=user)
        grants = OfficerRole.objects.filter(officer_id=officer.pk, revoked_at__isnull=True)
        return officer, set(grants.values_list("role", flat=True))

    def one_read(user_id: int) -> Any:
        user = OfficerBackend().get_user(user_id)
        return user._officer_cache, user._officer_cache.role_set

    for who, user_id in user_ids.items():
        assert three_reads(user_id)[1] == one_read(user_id)[1], who
    variants = {
        "ModelBackend + officer + roles (3 queries)": three_reads,
        "OfficerBackend (1)": one_read,
    }
    results: dict[str, list[float]] = {name: [] for name in variants}
    loads = []
    for _ in range(args.rounds):
        for name, read in variants.items():
            loads.append(os.getloadavg()[0])
            times = []
            for i in range(args.reads):
                user_id = user_ids["zhang" if i % 2 else "sun"]
                started = time.process_time()
                read(user_id)
                times.append((time.process_time() - started) * 1e6)
            results[name].append(statistics.median(times))
    print(
        f"\n### The login's read ({args.reads} reads a round, {args.rounds} interleaved rounds, "
        f"load average {min(loads):.1f}–{max(loads):.1f})\n"
    )
    print("| read | CPU µs min / median / max |")
    print("|---|---|")
    for name, values in results.items():
        values.sort()
        print(f"| {name} | {values[0]:.0f} / {statistics.median(values):.0f} / {values[-1]:.0f} |")


if __name__ == "__main__":
    main()
