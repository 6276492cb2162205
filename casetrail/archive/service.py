"""What views, API, CLI and the demo call: the heavy reading done outside the action's
transaction, then the action. ``check`` runs the 四性检测 and stores the report; ``package`` writes
the AIP and records it; ``export`` writes a stored package out as a bag folder for the 档案馆."""

from __future__ import annotations

import logging
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

from casetrail.archive import actions
from casetrail.archive.checks import run_checks
from casetrail.archive.guards import require_custodian
from casetrail.archive.models import CaseFile, CheckReport, FileStatus, Package
from casetrail.archive.package import HashingWriter, package_temp, write_package
from casetrail.evidence.storage import blob_store
from casetrail.ledger.checkpoints import checkpoint_create
from casetrail.ledger.extract import write_ledger_extract
from casetrail.ledger.models import Ledger, LedgerEntry
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer


def ensure_checkpoint(agency_id: int) -> None:
    """A signed checkpoint covering every entry so far (the inclusion proofs are against it)."""
    ledger = Ledger.objects.get(agency_id=agency_id)
    latest = ledger.checkpoints.order_by("-size").first()
    if latest is None or latest.size < ledger.size:
        checkpoint_create(ledger=ledger)


def check(*, case_file: CaseFile, officer: Officer) -> CheckReport:
    """四性检测 of ``case_file`` (refused for another person than a custodian before any reading)."""
    require_custodian(officer, case_file.case)
    if case_file.status not in (FileStatus.DRAFT, FileStatus.ARCHIVED):
        raise ActionError("file_not_draft", f"该案卷{case_file.get_status_display()}，不能检测")
    ensure_checkpoint(case_file.agency_id)
    results = run_checks(case_file)
    return actions.archive_check_record(case_file=case_file, officer=officer, results=results)


def ledger_writer(case_file: CaseFile) -> Callable[[Path], None]:
    """The ledger extract of the case (``casetrail.ledger.extract``): every entry of the case, its
    C2SP tlog-proof against a signed checkpoint containing it, the checkpoint, the verifier keys."""

    def write(dest: Path) -> None:
        ledger = Ledger.objects.get(agency_id=case_file.agency_id)
        entries = LedgerEntry.objects.filter(ledger=ledger, case_ref=case_file.case_id)
        write_ledger_extract(ledger=ledger, entries=entries.only("seq", "ledger_id"), dest=dest)

    return write


def package(*, case_file: CaseFile, officer: Officer) -> Package:
    """Write the AIP of an archived 案卷 and record it."""
    require_custodian(officer, case_file.case)
    if case_file.status != FileStatus.ARCHIVED:
        raise ActionError("file_not_archived", "案卷归档后才能生成归档信息包")
    ensure_checkpoint(case_file.agency_id)
    items = list(
        case_file.items.select_related("blob", "item", "item__officer", "item__device").order_by(
            "seq"
        )
    )
    with package_temp() as (fd, path):
        try:
            with os.fdopen(fd, "wb") as out:
                writer = HashingWriter(out)
                files, payload = write_package(case_file, items, ledger_writer(case_file), writer)
                out.flush()
                os.fsync(out.fileno())
            return actions.archive_package_record(
                case_file=case_file,
                officer=officer,
                path=path,
                files=files,
                payload_bytes=payload,
                digests=writer.digests(),
            )
        finally:
            path.unlink(missing_ok=True)  # moved into the store, or what a failure left


def latest_package(case_file: CaseFile) -> Package | None:
    return case_file.packages.select_related("blob").order_by("-at", "-id").first()


def export(*, package: Package, dest: Path) -> Path:
    """The bag written out as a folder ``dest`` (which must not exist): extracted beside it under
    a temporary name, validated with ``bagit``, then renamed — never half there."""
    import bagit

    logging.getLogger("bagit").setLevel(logging.WARNING)  # one INFO line per file otherwise
    if dest.exists():
        raise ActionError("destination_exists", f"目标目录已存在：{dest}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        with tempfile.TemporaryFile() as tar_file:
            for block in blob_store().iter_bytes(package.blob.sha256):
                tar_file.write(block)
            tar_file.seek(0)
            with tarfile.open(fileobj=tar_file, mode="r:") as tar:
                tar.extractall(tmp, filter="data")
        bag = bagit.Bag(str(tmp))
        bag.validate()
        os.rename(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest
