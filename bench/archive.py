"""Archive benchmark (issue 12): 立卷 + 四性检测 + package of a large case, against a same-run
baseline of reading and hashing every byte once (SHA-256 + SM3), with the process's peak RSS.

Set-up (not timed), in a throw-away var folder and SQLite database: the demo agency, the demo's
first case closed through the actions, then a generated file of ``--documents`` PDFs (one real
rendered 文书 made distinct per copy) and ``--media`` real MP4 clips (one encoded clip of about
``--clip-mib`` MiB, remuxed with a distinct tag per copy so every file is a different blob that
decodes from its first to its last frame). The generated rows are written behind the application
(they are not in the ledger, so the 四性检测's ledger and seal checks report them: the timing is
what is measured; the issue's real path is in the tests). The three phases are then timed:

* 立卷 — ``actions.archive_assemble``: the proposal, the cover and 卷内目录, 100 PDFs concatenated
  with their 页号 overlay, the 案卷 PDF stored;
* 四性检测 — ``service.check``: every byte re-hashed (SHA-256 + SM3), every PDF parsed, every
  clip probed and decoded at its first and last frame, the ledger inclusion proofs;
* package — ``service.package``: the BagIt tar written in one streaming pass (SHA-256, SHA-512,
  SM3 per file), moved into the blob store, recorded.

Goal: total < 60 s and peak RSS < 400 MiB for 100 documents and 50 clips, ≥ 500 MiB in all.

    .venv/bin/python bench/archive.py                      # 100 documents, 50 × 10.5 MiB clips
    .venv/bin/python bench/archive.py --documents 10 --media 5 --clip-mib 2
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
MIB = 1024 * 1024


def clip(mib: float, folder: Path) -> Path:
    """One MP4 of about ``mib`` MiB: 640×360 MPEG-4 Part 2 at a high bit rate, noise frames (so
    the size holds), 25 fps."""
    import av
    from PIL import Image

    path = folder / "base.mp4"
    seconds = max(1, round(mib / 1.15))  # noise at qscale 1: about 1.15 MiB a second
    rate = int(mib * MIB * 8 / seconds)
    with av.open(str(path), "w", format="mp4") as out:
        stream: Any = out.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        stream.bit_rate = rate
        stream.codec_context.options = {"qscale": "1"}
        for _ in range(seconds * 25):
            noise = Image.frombytes("RGB", (640, 360), os.urandom(640 * 360 * 3))
            for packet in stream.encode(av.VideoFrame.from_image(noise)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def remux(base: Path, dest: Path, tag: int) -> None:
    """The same clip under another container tag: different bytes, same frames."""
    import av

    with av.open(str(base)) as src, av.open(str(dest), "w", format="mp4") as out:
        out.metadata["comment"] = f"bench clip {tag}"
        stream = out.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is None:
                continue
            packet.stream = stream
            out.mux(packet)


def put(path: Path, media_type: str, agency_id: int) -> Any:
    from django.utils import timezone

    from casetrail.evidence.models import Blob
    from casetrail.evidence.storage import blob_store
    from casetrail.lib.digests import MultiHasher

    hasher = MultiHasher(("sha256", "sm3"))
    with path.open("rb") as fh:
        while block := fh.read(MIB):
            hasher.update(block)
    d = hasher.hexdigests()
    blob_store().put_file(d["sha256"], path, move=True)
    return Blob.objects.create(
        sha256=d["sha256"],
        sm3=d["sm3"],
        size=hasher.size,
        media_type=media_type,
        storage="file",
        agency_id=agency_id,
        created_at=timezone.now(),
    )


def generate(case: Any, personas: dict[str, Any], args: Any, work: Path) -> tuple[list, list]:
    import datetime as dt

    import pikepdf
    from django.utils import timezone

    from bench.documents import typical
    from casetrail.documents.render import render
    from casetrail.evidence.media import probe
    from casetrail.evidence.models import Item, ItemLink

    pdf = render(typical()).pdf
    documents = []
    for n in range(args.documents):
        path = work / f"doc-{n}.pdf"
        with pikepdf.open(io.BytesIO(pdf)) as one:
            one.docinfo["/Subject"] = f"bench document {n}"
            one.save(path)
        documents.append(put(path, "application/pdf", case.agency_id))
    base = clip(args.clip_mib, work)
    media = []
    zhang = personas["zhang"]
    now = timezone.now()
    for n in range(args.media):
        path = work / f"clip-{n}.mp4"
        remux(base, path, n)
        info = probe(path)
        blob = put(path, "video/mp4", case.agency_id)
        item = Item.objects.create(
            agency_id=case.agency_id,
            blob=blob,
            kind="video",
            officer=zhang,
            uploaded_by=zhang,
            uploaded_at=now,
            recorded_start=now - dt.timedelta(hours=2),
            recorded_end=now - dt.timedelta(hours=2) + dt.timedelta(seconds=8),
            time_source="media",
            informed="told",
            description=f"现场执法记录 {n + 1}",
            file_name=f"clip-{n}.mp4",
            media=info,
            source="import",
            delay_seconds=3600,
            late=False,
        )
        ItemLink.objects.create(item=item, case=case, by=zhang, at=now)
        media.append(item)
    return documents, media


def baseline(blobs: list[Any]) -> float:
    """Read every byte once and hash it with SHA-256 and SM3: the floor any fixity work sits on."""
    from casetrail.evidence.storage import blob_store
    from casetrail.lib.digests import MultiHasher

    store = blob_store()
    start = time.perf_counter()
    for blob in blobs:
        hasher = MultiHasher(("sha256", "sm3"))
        for block in store.iter_bytes(blob.sha256, chunk=MIB):
            hasher.update(block)
    return time.perf_counter() - start


def setup_django(var: Path) -> None:
    os.environ["CASETRAIL_VAR_DIR"] = str(var)
    os.environ["DATABASE_URL"] = f"sqlite:///{var / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.settings")
    os.environ["CASETRAIL_DEMO"] = "1"
    import django

    django.setup()
    logging.disable(logging.WARNING)


def prepare(args: Any, var: Path) -> dict[str, Any]:
    """The set-up, in this process; returns what the measuring process needs."""
    setup_django(var)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from casetrail.archive.render import page_count
    from casetrail.demo import summary_warning
    from casetrail.demo.documents import issue_demo_documents
    from casetrail.demo.personas import load_demo
    from casetrail.demo.stories import _device
    from casetrail.demo.story import Story

    personas = load_demo()
    case = summary_warning.build(Story(personas, _device(personas), summary_warning.TITLE))
    issue_demo_documents(personas, [case])
    documents, media = generate(case, personas, args, var)
    return {
        "case": case.pk,
        "documents": [d.pk for d in documents],
        "pages": page_count(documents[0].sha256) if documents else 0,
        "media": [i.blob_id for i in media],
    }


def measure(var: Path, plan: dict[str, Any]) -> dict[str, Any]:
    """The timed phases, in a fresh process (its peak RSS is the archive's, not the set-up's)."""
    setup_django(var)
    from casetrail.archive import actions, service, writes
    from casetrail.archive.assembly import Proposed
    from casetrail.archive.assembly import propose as original
    from casetrail.archive.models import CaseFile, FileStatus
    from casetrail.cases.models import Case
    from casetrail.evidence.models import Blob
    from casetrail.org.models import Officer

    documents = [Blob.objects.get(pk=pk) for pk in plan["documents"]]
    media = [Blob.objects.get(pk=pk) for pk in plan["media"]]

    def propose(case: Any, policy: Any) -> Any:
        out = original(case, policy)
        for n, blob in enumerate(documents):
            out.documents.append(
                Proposed(
                    kind="attachment",
                    group="other",
                    blob=blob,
                    title=f"生成文书 {n + 1}",
                    responsible="陵川县民政局",
                    date=out.dates[0],
                    pages=plan["pages"],
                    reason="基准测试",
                )
            )
        return out

    writes.propose = propose  # type: ignore[attr-defined]  # the proposal the 立卷 step writes
    case = Case.objects.get(pk=plan["case"])
    liu = Officer.objects.get(user__username="liu")
    base = baseline(documents + media)
    t0 = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        with cProfile.Profile() as prof:
            f = actions.archive_assemble(case=case, officer=liu)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    else:
        f = actions.archive_assemble(case=case, officer=liu)
    t1 = time.perf_counter()
    report = service.check(case_file=f, officer=liu)
    t2 = time.perf_counter()
    CaseFile.objects.filter(pk=f.pk).update(status=FileStatus.ARCHIVED)  # behind the app: bench
    f.refresh_from_db()
    package = service.package(case_file=f, officer=liu)
    t3 = time.perf_counter()
    failed = sorted({r.code for r in report.results.filter(passed=False)})
    return {
        "baseline": base,
        "assemble": t1 - t0,
        "check": t2 - t1,
        "package": t3 - t2,
        "package_mib": package.blob.size / MIB,
        "results": report.results.count(),
        "failed": failed,
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--media", type=int, default=50)
    parser.add_argument("--clip-mib", type=float, default=10.5)
    parser.add_argument("--measure", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        var = Path(args.measure)
        plan = json.loads((var / "plan.json").read_text())
        (var / "result.json").write_text(json.dumps(measure(var, plan)))
        return 0
    var = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    print("set-up: demo agency, a closed case, generated documents and clips …", flush=True)
    plan = prepare(args, var)
    (var / "plan.json").write_text(json.dumps(plan))
    from casetrail.evidence.models import Blob

    payload = sum(b.size for b in Blob.objects.filter(pk__in=plan["documents"] + plan["media"]))
    print(
        f"case: {args.documents} documents ({plan['pages']} pages each), {args.media} clips; "
        f"{payload / MIB:.0f} MiB of files",
        flush=True,
    )
    subprocess.run([sys.executable, __file__, "--measure", str(var)], check=True)
    r = json.loads((var / "result.json").read_text())
    total = r["assemble"] + r["check"] + r["package"]
    print(f"baseline (read + SHA-256 + SM3 once): {r['baseline']:.1f} s")
    print(
        f"立卷 {r['assemble']:.1f} s · 四性检测 {r['check']:.1f} s · package {r['package']:.1f} s"
    )
    print(
        f"total {total:.1f} s = {total / r['baseline']:.1f} × baseline; package {r['package_mib']:.0f} MiB"
    )
    print(
        f"四性检测: {r['results']} results; failed checks {r['failed']} (generated rows are not ledgered)"
    )
    print(f"peak RSS of the measuring process {r['rss_mib']:.0f} MiB")
    ok = total < 60 and r["rss_mib"] < 400
    print("goal (< 60 s, < 400 MiB):", "met" if ok else "NOT met")
    shutil.rmtree(var, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
