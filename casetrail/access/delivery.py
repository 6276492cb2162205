"""Making and handing over a copy package: staged, recorded by ``copy_package_make``, finished
into place; downloaded through its link or written to a folder, each delivery a ledgered
``copy_receipt_record`` (the disclosure register)."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from django.http import Http404

from casetrail.access.actions import copy_package_make, copy_receipt_record
from casetrail.access.models import CopyItem, CopyPackage, CopyRequest, Delivery, ItemKind
from casetrail.access.package import copy_folder, finish, package_path, stage
from casetrail.access.rules import require_fulfiller, token_hash
from casetrail.access.selectors import approving_step, items_of, package_by_token_hash
from casetrail.archive.actions import archive_use_record
from casetrail.archive.models import CaseFile, FileStatus, UseKind
from casetrail.cases.actions import marked_read_record
from casetrail.cases.models import ReadReason
from casetrail.cases.selectors import is_marked_material, marks_of
from casetrail.ledger.selectors import ledger_index_for, row_key
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer


def _register_archive_use(request: CopyRequest, package: CopyPackage, officer: Officer) -> None:
    """A copy of an archived case is also a 复制 in the archive's use register (第三十一条): one
    row for the 案卷 in force, naming the package, approved by the 局长 who decided the 调用单."""
    case_file = (
        CaseFile.objects.filter(case_id=request.case_id, status=FileStatus.ARCHIVED)
        .order_by("-version", "-id")
        .first()
    )
    if case_file is None:
        return
    step = approving_step(request.chain)
    archive_use_record(
        case_file=case_file,
        officer=officer,
        kind=UseKind.COPY,
        user_name=package.recipient[:60],
        purpose=request.purpose[:300],
        approved_by=step.officer.name if step is not None else "",
        source=f"copy-package:{package.pk}",
    )


def make_package(
    *,
    request: CopyRequest,
    officer: Officer,
    recipient: str,
    delivery: str = Delivery.LINK,
    days: int | None = None,
    uses: int | None = None,
    folder: Path | None = None,
) -> tuple[CopyPackage, str | None, Path | None]:
    """Build the package of an approved 调用单 for ``recipient``. Returns (package, the link's
    token — shown once, only its hash is kept — and, for a folder delivery, the bag written
    under ``folder``)."""
    require_fulfiller(request, officer)  # before any work: no approved 调用单, no copy
    if delivery == Delivery.FOLDER and folder is None:
        raise ActionError("folder_required", "导出到文件夹须指定目标文件夹")
    token = secrets.token_urlsafe(32) if delivery == Delivery.LINK else None
    staged = stage(request=request, recipient=recipient.strip() or request.requester)
    try:
        _log_marked_read(request, officer)
        package = copy_package_make(
            request=request,
            officer=officer,
            recipient=recipient.strip() or request.requester,
            delivery=delivery,
            files=staged.files,
            token=token,
            days=days,
            uses=uses,
        )
        seq = ledger_index_for(agency_id=request.agency_id, case_id=request.case_id)[
            row_key("access.CopyPackage", package.pk)
        ]
        bag = finish(package=package, staged=staged, package_seq=seq)
        _register_archive_use(request, package, officer)
        written = None
        if delivery == Delivery.FOLDER:
            assert folder is not None
            written = copy_folder(bag, folder, name=f"{request.number}-{package.pk}")
            copy_receipt_record(
                package=package, package_sha256=file_sha256(package_path(package)), officer=officer
            )
    finally:
        staged.cleanup()
    return package, token, written


def _target(item: CopyItem) -> str:
    """The item's ledger subject, as marks name it."""
    if item.kind == ItemKind.MEDIA:
        return f"evidence:{item.media_id}"
    if item.kind == ItemKind.DOCUMENT and item.document is not None:
        return f"record:{item.document.record_id}"
    return f"record:{item.record_id}"


def _log_marked_read(request: CopyRequest, officer: Officer) -> None:
    """第三十三条: packaging reads the originals; where one is marked material (a 商业秘密 or
    个人隐私 mark, or any item of a 涉密 case) the read log names the officer, reason 调用."""
    case = request.case
    marked = [
        item
        for item in items_of(request)
        if is_marked_material(case=case, marks=marks_of(case=case, target=_target(item)))
    ]
    if marked:
        marked_read_record(
            case=case,
            officer=officer,
            reason=ReadReason.COPY,
            session=hashlib.sha256(
                f"copy:{request.pk}:{secrets.token_hex(8)}".encode()
            ).hexdigest(),
            via="download",
            target=_target(marked[0]),
        )


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download(*, token: str, address: str = "") -> tuple[CopyPackage, Path]:
    """The package behind a link, counted as one delivery. 404 for a token that names nothing;
    409 while the package is not yet complete; 410 past its date or its count (nothing
    written)."""
    package = package_by_token_hash(token_hash(token)) if token else None
    if package is None or package.delivery != Delivery.LINK:
        raise Http404("下载链接无效")
    path = package_path(package)
    if not path.is_file():
        raise ActionError("package_not_ready", "复制件包尚在生成，请稍后再试", status=409)
    copy_receipt_record(package=package, package_sha256=file_sha256(path), address=address)
    return package, path
