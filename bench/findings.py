"""The findings' refresh at scale (issue 18 item 4): on a database `casetrail generate` made, the
CPU time and queries of (1) the first pass — a full one, in steps of CASETRAIL_FINDINGS_CASES
cases for the incremental refresh — (2) a pass with nothing changed, (3) a pass after one case
changed (one ledgered action on it: a marked read). Each runs in a process of its own on a copy of
the generated database; ``--before SRC`` measures the code at SRC the same way (e.g. main's, from
``git archive main | tar -x -C SRC``), on another copy of the same database.

    .venv/bin/python bench/findings.py --cases 2000                    # generate, measure
    .venv/bin/python bench/findings.py --var /tmp/g2k --before /tmp/main-src

Figures: CPU seconds of the measuring process (time.process_time), queries counted by a
connection wrapper, steps, findings raised and ledger entries written with their largest payload;
wall seconds with the load average beside them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import PY, ROOT, env_for, generate  # the pages benchmark's helpers

MEASURE = r"""
import json, os, time, django; django.setup()
from django.db import connection
from casetrail.cases.actions import marked_read_record
from casetrail.cases.models import Case
from casetrail.ledger.models import LedgerEntry
from casetrail.org.models import Officer
from casetrail.oversight import refresh
from casetrail.oversight.models import Finding

class Count:
    n = 0
    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)

def measured(fn):
    count = Count()
    load = os.getloadavg()[0]
    with connection.execute_wrapper(count):
        cpu, wall = time.process_time(), time.perf_counter()
        fn()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"cpu": round(cpu, 3), "wall": round(wall, 3), "queries": count.n, "load": load}

incremental = hasattr(refresh, "step_all")

def one_pass():
    # The scheduler's job: one step a run (incremental), or the whole refresh (before).
    steps = []
    while True:
        if not incremental:
            steps.append(measured(refresh.refresh_all))
            return steps
        done = []
        steps.append(measured(lambda: done.append(all(s.done for s in refresh.step_all()))))
        if done[0]:
            return steps

def entries_of(fn):
    first = LedgerEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    raised = Finding.objects.count()
    out = fn()
    new = LedgerEntry.objects.filter(pk__gt=first, action="oversight.findings_raise")
    sizes = [len(c.encode()) for c in new.values_list("canonical", flat=True)]
    return out, {"raised": Finding.objects.count() - raised, "entries": len(sizes),
                 "largest_entry_bytes": max(sizes, default=0)}

def summary(steps, written):
    return {"steps": len(steps), "cpu": round(sum(s["cpu"] for s in steps), 3),
            "max_step_cpu": max(s["cpu"] for s in steps),
            "queries": sum(s["queries"] for s in steps),
            "wall": round(sum(s["wall"] for s in steps), 3),
            "load": steps[0]["load"], **written}

result = {"cases": Case.objects.count(), "ledger_entries": LedgerEntry.objects.count()}
result["first"] = summary(*entries_of(one_pass))
result["unchanged"] = summary(*entries_of(one_pass))
case = Case.objects.order_by("pk")[Case.objects.count() // 2]
sun = Officer.objects.get(user__username="sun")
marked_read_record(case=case, officer=sun, reason="supervision", session="bench", via="page")
result["one_changed"] = summary(*entries_of(one_pass))
print(json.dumps(result))
"""


def measure(var: Path, source: Path | None) -> dict[str, object]:
    """Run MEASURE on a copy of ``var``'s database with the code at ``source`` (None: this tree)."""
    with tempfile.TemporaryDirectory(prefix="ct-findings-") as tmp:
        copy = Path(tmp) / "var"
        shutil.copytree(var, copy, ignore=shutil.ignore_patterns("blobs", "*-shm"))
        env = env_for(copy)
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # never write into the measured source tree
        if source is not None:
            env["PYTHONPATH"] = str(source)
        out = subprocess.run(
            [PY, "-c", MEASURE],
            env=env,
            cwd=source or ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var", type=Path, help="a folder `casetrail generate` filled already")
    parser.add_argument("--cases", type=int, default=2_000, help="cases to generate (no --var)")
    parser.add_argument("--before", type=Path, help="also measure the code at this source tree")
    args = parser.parse_args()
    temporary = None
    var = args.var
    if var is None:
        var = temporary = Path(tempfile.mkdtemp(prefix="ct-findings-gen-"))
        generate(var, args.cases, 1)
    try:
        runs = {"after": measure(var, None)}
        if args.before:
            runs = {"before": measure(var, args.before.resolve()), **runs}
        print(json.dumps(runs, indent=1))
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


if __name__ == "__main__":
    main()
