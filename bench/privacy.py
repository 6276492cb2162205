"""Privacy benchmark: what finding personal numbers in free text costs a page (issue 13).

The case page, its print and the case API pass their whole answer through ``mask_text`` for a
viewer who may not see personal data, and the masked ledger entry view passes every string of an
entry through it. This measures, in one process and against a same-run reference:

* ``mask_text`` over a case page of typical content (Chinese text, 文号, hashes, timestamps,
  certificate numbers and a few ID and phone numbers), against ``html.escape`` of the same text —
  the linear pass every rendered page already makes;
* ``ledger.selectors.masked`` of a typical record entry, against ``json.loads`` of its bytes;

and reports pages/s, the ratios and the peak resident memory (ru_maxrss).

    .venv/bin/python bench/privacy.py            # 200 pages, 2000 entries
    .venv/bin/python bench/privacy.py --pages 50 --entries 500
"""

from __future__ import annotations

import argparse
import html
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.settings")

ID = "140524197806153016"


def page_text(kib: int = 300) -> str:
    """A case page's worth of text: what the timeline of a long case shows."""
    row = (
        "<tr><td>2026-11-30 10:00</td><td>询问笔录（2026-11-30 09:30）</td><td>记录人 张承办"
        "（执法证 14052400123）</td><td>SHA-256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822c"
        "d15d6c15b0f00a08</td><td>陵民罚决〔2026〕3号 罚款人民币5000.00元</td><td>当事人未按规定备案"
        "擅自开展养老服务，收住老年人十二名。</td></tr>\n"
    )
    personal = f"<p>被询问人称其身份证号{ID}，电话13903561234，单位座机0356-6201234。</p>\n"
    block = row * 20 + personal
    return (block * (kib * 1024 // len(block.encode()) + 1))[: kib * 1024 // 3]


def entry_bytes() -> str:
    from casetrail.lib.canonical_json import canonicalize

    fields = {
        "place": "陵川县民政局询问室",
        "interviewee": {
            "name": "钱某",
            "id_number": ID,
            "phone": "13903561234",
            "address": "山西省晋城市陵川县崇文镇东街56号",
        },
        "content": "问：店内的纸扎别墅从何处进货？\n答：从外地批发，今年以来售出约8600元。" * 5,
        "recorder": {"id": 4, "name": "李承办"},
    }
    entry = {
        "action": "record.create",
        "actor": {"cert": "14052400123", "id": 3, "name": "张承办"},
        "payload": {
            "case": 7,
            "rows": [
                {"table": "records.Record", "id": 118, "kind": "interview_record", "fields": fields}
            ],
        },
        "seq": 41,
        "subject": "record:118",
        "time": "2026-11-26T09:30:12.123456Z",
    }
    return canonicalize(entry).decode()


def timed(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--entries", type=int, default=2000)
    args = parser.parse_args()
    import django

    django.setup()
    from casetrail.ledger import selectors
    from casetrail.ledger.selectors import masked
    from casetrail.lib.masking import mask_text
    from casetrail.records.display import mask_ledger_row

    # The maskers that need no database: the marked-row masker adds one indexed query per row of
    # a record or item (casetrail.records.selectors.withhold_marked_row), not measured here.
    selectors.MASKERS[:] = [mask_ledger_row]

    text = page_text()
    assert ID not in mask_text(text)
    size = len(text.encode())
    masking = timed(lambda: mask_text(text), args.pages)
    escaping = timed(lambda: html.escape(text), args.pages)
    print(f"page: {size / 1024:.0f} KiB of text, {args.pages} pages")
    print(
        f"  mask_text    {args.pages / masking:8.1f} pages/s  {masking / args.pages * 1000:6.2f} ms/page"
    )
    print(
        f"  html.escape  {args.pages / escaping:8.1f} pages/s  {escaping / args.pages * 1000:6.2f} ms/page"
    )
    print(f"  ratio mask_text / html.escape: {masking / escaping:.1f}")
    raw = entry_bytes()
    assert ID not in json.dumps(masked(json.loads(raw)), ensure_ascii=False)
    masking = timed(lambda: masked(json.loads(raw)), args.entries)
    loading = timed(lambda: json.loads(raw), args.entries)
    print(f"entry: {len(raw.encode())} bytes, {args.entries} entries")
    print(f"  json.loads + masked {args.entries / masking:9.0f} entries/s")
    print(f"  json.loads          {args.entries / loading:9.0f} entries/s")
    print(f"  ratio: {masking / loading:.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
