"""A process of the kill -9 packaging test (test_kill_packaging.py), started fresh with
subprocess against the database named by DATABASE_URL:

- ``setup``: migrate, load the demo personas, build an archived case (no package yet); prints the
  案卷's id;
- ``package FILE_ID [pause]``: package it; with ``pause`` the packager stops after the first
  payload file is in its temporary tar, prints ``paused <temporary file>`` and waits to be killed;
- ``sweep``: what ``clean_stale`` removes now, as JSON;
- ``state FILE_ID``: packages of the 案卷, temporary files, store files not recorded as blobs,
  as JSON."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.settings")
    import django

    django.setup()
    from casetrail.archive import package as package_module
    from casetrail.archive import service
    from casetrail.archive.models import CaseFile, Package
    from casetrail.evidence.models import Blob
    from casetrail.evidence.storage import blob_store
    from casetrail.org.models import Officer

    mode = sys.argv[1]
    if mode == "setup":
        from django.core.management import call_command

        from casetrail.archive.tests.builders import archived_case
        from casetrail.demo.personas import load_demo

        call_command("migrate", verbosity=0, interactive=False)
        f = archived_case(load_demo(), package=False)
        print(f.pk)
        return
    if mode == "sweep":
        print(json.dumps(package_module.clean_stale(package_module.work_dir())))
        return
    f = CaseFile.objects.get(pk=int(sys.argv[2]))
    liu = Officer.objects.get(user__username="liu")
    if mode == "package":
        if sys.argv[3:] == ["pause"]:
            stored = package_module._stored

            def first_then_pause(bag, name, sha256, size):  # type: ignore[no-untyped-def]
                stored(bag, name, sha256, size)
                temp = [
                    p for p in package_module.work_dir().iterdir() if p.name.startswith(".aip-")
                ]
                print("paused", " ".join(str(p) for p in temp), flush=True)
                while True:
                    signal.pause()  # until SIGKILL

            package_module._stored = first_then_pause  # type: ignore[assignment]
        p = service.package(case_file=f, officer=liu)
        print(json.dumps({"package": p.pk, "sha256": p.blob.sha256}))
        return
    if mode == "state":
        store = blob_store()
        root = Path(store.storage.location)
        stored = {p.name for p in root.rglob("*") if p.is_file() and len(p.name) == 64}
        recorded = set(Blob.objects.values_list("sha256", flat=True))
        work = package_module.work_dir()
        print(
            json.dumps(
                {
                    "packages": Package.objects.filter(case_file=f).count(),
                    "temp": sorted(p.name for p in work.iterdir() if p.name.startswith(".aip-")),
                    "unrecorded": sorted(stored - recorded),
                }
            )
        )
        return
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
