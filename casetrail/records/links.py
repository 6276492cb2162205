"""Links the apps above ``records`` offer beside one record (e.g. the documents app: 打印, 上传签字件).

``records`` never imports the apps built on it (DESIGN.md §2): they register a provider from their
``AppConfig.ready()``, and every place that shows a record asks ``record_links``.
"""

from __future__ import annotations

from collections.abc import Callable

from casetrail.org.models import Officer
from casetrail.records.models import Record

RecordLinks = Callable[[Record, Officer], list[tuple[str, str]]]
PROVIDERS: list[RecordLinks] = []


def register_record_links(fn: RecordLinks) -> None:
    """Add ``fn(record, officer) -> [(url, title), …]``: links the viewer may follow for a record."""
    if fn not in PROVIDERS:
        PROVIDERS.append(fn)


def record_links(record: Record, officer: Officer) -> list[tuple[str, str]]:
    """Every registered link for ``record`` as seen by ``officer``, in registration order."""
    return [link for fn in PROVIDERS for link in fn(record, officer)]
