"""文书 benchmark: render and seal typical documents, against rendering alone, in one process.

Builds a typical two-page 行政执法决定书 (the content the issuing action hands the template; no
database is touched), then

* render-only: HTML → PDF/A-2b with the CJK face embedded and subset (WeasyPrint), N times;
* render + seal: the same, then the PAdES signature with the visible seal (pyHanko), N times;

and reports documents/s of both, their ratio, and the process's peak resident memory (ru_maxrss).
The issue's goal: ≥ 10 documents/s rendered and sealed on the 2-core machine, peak RSS < 300 MiB.

    .venv/bin/python bench/documents.py                  # 3 rounds × 100 documents
    .venv/bin/python bench/documents.py --n 20 --rounds 5
    .venv/bin/python bench/documents.py --workers 2      # two processes, as two server workers
    .venv/bin/python bench/documents.py --weasyprint-fonts  # reference: without lean_fonts

Each round renders N documents, then renders and seals N (the reference and the measured run of
the same round); min, median and max of documents/s over the rounds, and the load average, are
printed: the machine is shared, so a figure without its load says little.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.settings")


def typical():  # type: ignore[no-untyped-def]
    from casetrail.documents.content import PartyBlock, Printed

    facts = (
        "当事人未按规定向民政部门备案，擅自开展养老服务，收住老年人十二名，经责令改正逾期未改正。"
    )
    return Printed(
        agency="陵川县民政局",
        agency_code="11140524MB1234567X",
        title="行政执法决定书",
        family="decision",
        kind="administrative_decision",
        version=2,
        doc_no="陵民罚决〔2026〕1号",
        case_number="陵民罚〔2026〕3号",
        record=118,
        record_seq=41,
        fields=[
            ("决定时间", "2026-11-30 10:00"),
            ("违法事实", facts * 4),
            ("证据", "现场检查(勘验)笔录；询问笔录；照片十二张；备案系统查询记录"),
            ("法律依据", "《养老机构管理办法》第四十六条第一款第（一）项"),
            ("作出决定的理由", "当事人违法事实清楚，证据确凿，经责令改正后逾期未改正。" * 2),
            ("处理决定", "对当事人处以罚款人民币伍仟元整。"),
            ("罚款金额（元）", "5000.00 元"),
            ("履行期限", "2026-12-15"),
        ],
        remedies="如不服本决定，可以于收到本决定书之日起六十日内向陵川县人民政府申请行政复议，"
        "或者于收到本决定书之日起六个月内向陵川县人民法院提起行政诉讼。",
        signatures=[],
        party=PartyBlock("当事人", ["当事人：周某", "身份证件号码：110101199003074514"]),
        date="二〇二六年十一月三十日",
        template="documents/pdf/decision.html",
    )


def _setup() -> tuple[object, object]:
    """Django set up, a throw-away seal key, the content; one document rendered and sealed (the
    face loaded, the key made and read: not what a document costs)."""
    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.conf import settings

    from casetrail.documents.render import render
    from casetrail.documents.seal import apply_seal
    from casetrail.org.models import Agency

    settings.CASETRAIL_SEAL_KEY_DIR = Path(tempfile.mkdtemp(prefix="bench-seal-"))
    settings.CASETRAIL_TSA_URL = settings.CASETRAIL_DOCUMENT_TSA_URL = ""
    agency = Agency(name="陵川县民政局", credit_code="11140524MB1234567X")
    content = typical()
    warm = render(content)
    apply_seal(
        warm.pdf, agency=agency, page=warm.seal_page, x=warm.seal_x, y=warm.seal_y, reason="x"
    )
    return agency, content


def _batch(n: int, seal: bool) -> tuple[float, float, int]:
    """Render (and seal) ``n`` documents in this process: (seconds, CPU seconds of this
    process, bytes of the last)."""
    from casetrail.documents.render import render
    from casetrail.documents.seal import apply_seal

    agency, content = _STATE["agency"], _STATE["content"]
    start, cpu = time.perf_counter(), time.process_time()
    size = 0
    for _ in range(n):
        r = render(content)
        pdf = r.pdf
        if seal:
            pdf, _ts = apply_seal(
                r.pdf, agency=agency, page=r.seal_page, x=r.seal_x, y=r.seal_y, reason="签发"
            )
        size = len(pdf)
    return time.perf_counter() - start, time.process_time() - cpu, size


_STATE: dict[str, object] = {}


def _worker_init(weasyprint_fonts: bool = False) -> None:
    if weasyprint_fonts:
        from casetrail.documents import lean_fonts

        lean_fonts.enabled = False  # WeasyPrint's own Font: the whole font file copied per face
    _STATE["agency"], _STATE["content"] = _setup()


def _run(n: int, seal: bool, pool: object | None, workers: int) -> tuple[float, float, int]:
    """Wall time and CPU time (all processes) of ``n`` documents, split over the pool's
    processes when there is one."""
    if pool is None:
        return _batch(n, seal)
    shares = [n // workers + (1 if i < n % workers else 0) for i in range(workers)]
    start = time.perf_counter()
    results = pool.starmap(_batch, [(k, seal) for k in shares])  # type: ignore[attr-defined]
    return time.perf_counter() - start, sum(r[1] for r in results), results[-1][2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="documents per run (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of both runs (default 3)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes issuing side by side, as the server's workers do (default 1: this one)",
    )
    parser.add_argument(
        "--weasyprint-fonts",
        action="store_true",
        help="WeasyPrint's own PDF font objects, without casetrail.documents.lean_fonts "
        "(the reference for its memory)",
    )
    args = parser.parse_args()
    pool = None
    if args.workers > 1:
        import multiprocessing

        pool = multiprocessing.get_context("spawn").Pool(
            args.workers, initializer=_worker_init, initargs=(args.weasyprint_fonts,)
        )
        pool.starmap(_batch, [(1, True)] * args.workers)  # every worker warm
    else:
        _worker_init(args.weasyprint_fonts)
    load = os.getloadavg()
    render_only: list[float] = []
    sealed: list[float] = []
    cpu_ms: list[float] = []
    size = 0
    for _ in range(args.rounds):
        seconds, _cpu, _size = _run(args.n, False, pool, args.workers)
        render_only.append(args.n / seconds)
        seconds, cpu, size = _run(args.n, True, pool, args.workers)
        sealed.append(args.n / seconds)
        cpu_ms.append(cpu / args.n * 1000)
    if pool is not None:
        pool.close()
        pool.join()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rss_mib = max(own, children)
    after = os.getloadavg()

    def spread(rates: list[float]) -> str:
        return (
            f"min {min(rates):6.2f}  median {statistics.median(rates):6.2f}  "
            f"max {max(rates):6.2f} documents/s"
        )

    ratio = statistics.median(render_only) / statistics.median(sealed)
    print(
        f"documents: {args.rounds} rounds × {args.n} × 行政执法决定书 ({size // 1024} KiB sealed), "
        f"{args.workers} process{'es' if args.workers > 1 else ''}, "
        f"{'WeasyPrint' if args.weasyprint_fonts else 'lean'} fonts; "
        f"load average {load[0]:.1f} before, {after[0]:.1f} after ({os.cpu_count()} cores)"
    )
    print(f"render only:    {spread(render_only)}")
    print(f"render + seal:  {spread(sealed)}")
    print(f"ratio (render+seal / render, medians): {ratio:.2f}× the time")
    # CPU time does not count the time other processes had the cores: on a shared machine it
    # says what a document costs, and so what an idle machine would issue.
    best = min(cpu_ms)
    print(
        f"CPU per document (render + seal): min {best:.0f} ms, median "
        f"{statistics.median(cpu_ms):.0f} ms — {1000 / best:.1f} documents per CPU-second"
    )
    print(f"peak RSS of a process: {rss_mib:.0f} MiB (goal < 300 MiB); goal ≥ 10 documents/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
