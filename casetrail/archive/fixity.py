"""Scheduled fixity of the archive (第三十一条: 保存; DA/T 70 at every cycle, not only at
archiving): every archived 案卷's package, its PDF and every file it holds re-hashed (SHA-256 and
SM3, streamed) on a cycle (``CASETRAIL_ARCHIVE_FIXITY_DAYS``, default 7), spread over the cycle so
a day reads about 1/cycle of the archive: each run takes the files checked longest ago until its
share of bytes is read (at least one file). Each file's result is a ledgered ``FixityCheck``; a
failure is a finding on the custodian's and the supervisor's worklists (``oversight``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from casetrail.archive.actions import archive_fixity_record
from casetrail.archive.models import CaseFile, FileStatus, FixityCheck
from casetrail.evidence.fixity import blob_findings
from casetrail.evidence.models import Blob
from casetrail.evidence.storage import blob_store


def blobs_of(case_file: CaseFile) -> list[Blob]:
    """The 案卷's PDF, every file it lists and every package made of it."""
    out: dict[int, Blob] = {}
    if case_file.pdf is not None:
        out[case_file.pdf.pk] = case_file.pdf
    for item in case_file.items.select_related("blob"):
        out[item.blob.pk] = item.blob
    for package in case_file.packages.select_related("blob"):
        out[package.blob.pk] = package.blob
    return list(out.values())


def check_one(case_file: CaseFile) -> FixityCheck:
    store = blob_store()
    findings: list[str] = []
    read = 0

    def count(n: int) -> None:
        nonlocal read
        read += n

    blobs = blobs_of(case_file)
    for blob in blobs:
        findings.extend(blob_findings(blob, store=store, on_bytes=count))
    return archive_fixity_record(
        case_file=case_file, findings=findings, blobs=len(blobs), bytes_read=read
    )


def due_files(now: dt.datetime | None = None) -> list[CaseFile]:
    """Archived files in the order they are due: never checked first, then the oldest check;
    only those whose last check is older than the cycle."""
    now = now or timezone.now()
    cycle = dt.timedelta(days=settings.CASETRAIL_ARCHIVE_FIXITY_DAYS)
    files = (
        CaseFile.objects.filter(status=FileStatus.ARCHIVED)
        .annotate(last=Max("fixity__at"))
        .select_related("pdf")
    )
    due = [f for f in files if f.last is None or now - f.last >= cycle]
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(due, key=lambda f: (f.last or epoch, f.pk))  # type: ignore[attr-defined]


def run(now: dt.datetime | None = None, *, budget: int | None = None) -> list[FixityCheck]:
    """Today's share: files due, oldest first, until ``budget`` bytes (default: the archive's
    total / cycle days) are read — always at least one file."""
    files = due_files(now)
    if budget is None:
        total = sum(
            sum(b.size for b in blobs_of(f))
            for f in CaseFile.objects.filter(status=FileStatus.ARCHIVED)
        )
        budget = max(total // max(settings.CASETRAIL_ARCHIVE_FIXITY_DAYS, 1), 1)
    out: list[FixityCheck] = []
    spent = 0
    for f in files:
        if out and spent >= budget:
            break
        row = check_one(f)
        spent += row.bytes_read
        out.append(row)
    return out
