"""The 文号 of a record: a registry the documents app fills from its ``AppConfig.ready()``.

A 文号 is drawn from the agency's register when the document is issued (issue 11), so it is no
field of the record any more; ``records`` sits below the app that issues (DESIGN.md §2) and asks
the registered sources instead. Records made under earlier catalogue versions keep the number that
was typed into them, read when no issued number exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

# A record here is any ``records.Record`` (not imported: the model imports this module).
Record = Any

#: ``source(records) -> {record id: 文号}`` for the records that have an issued number.
NumberSource = Callable[[Sequence[Record]], dict[int, str]]
SOURCES: list[NumberSource] = []

# Where a record's number is kept once read (one query per record at most, none per list).
CACHE = "_issued_doc_no"


def register_number_source(fn: NumberSource) -> None:
    if fn not in SOURCES:
        SOURCES.append(fn)


def prefetch_numbers(records: Iterable[Record]) -> None:
    """Read the issued numbers of ``records`` at once (for lists of references)."""
    todo = [r for r in records if CACHE not in r.__dict__ and r.pk is not None]
    if not todo:
        return
    found: dict[int, str] = {}
    for fn in SOURCES:
        found.update(fn(todo))
    for r in todo:
        r.__dict__[CACHE] = found.get(r.pk, "")


def remember_number(record: Record, doc_no: str) -> None:
    """The issuing action tells the record it was given its number (no stale cache)."""
    record.__dict__[CACHE] = doc_no


# Where a record loaded with others keeps them: its number is read with theirs.
SHARED = "_numbers_shared_with"


def share_numbers(records: Sequence[Record]) -> None:
    """The first of ``records`` whose number is asked for reads all their numbers (one query);
    none when no number is asked for (the rules of a stage gate rarely name a document)."""
    for r in records:
        r.__dict__[SHARED] = records


def issued_number(record: Record) -> str:
    if CACHE not in record.__dict__:
        prefetch_numbers(record.__dict__.get(SHARED) or [record])
    return str(record.__dict__.get(CACHE, ""))
