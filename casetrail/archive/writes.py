"""Building blocks of the archive's actions (``@step``): a 案卷 version written with its items, its
档号 drawn, its PDF rendered and stored."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.utils import timezone

from casetrail.archive import render
from casetrail.archive.assembly import Proposed, cover_facts, file_title, propose
from casetrail.archive.models import CaseFile, FileItem, FileStatus, ItemKind, PieceCounter
from casetrail.archive.policy import archive_code, policy_of
from casetrail.cases.models import Case
from casetrail.evidence.models import Blob
from casetrail.evidence.storage import blob_store, hash_path, uploaded_path
from casetrail.evidence.writes import blob_row
from casetrail.lib.counters import next_in_year
from casetrail.lib.ledgered import step
from casetrail.lib.outside import known_inside_transaction
from casetrail.org.models import Officer, Role


@step
def store_file(
    *, agency_id: int, path: Path, media_type: str, digests: dict[str, str] | None = None
) -> Blob:
    """Put a finished file in the blob store (moved in: an atomic rename on the file store, a
    completed upload on S3) and record its row. Streams the bytes to hash them, unless the caller
    hashed them as it wrote them (``digests``: sha256, sm3 and size). When the action's
    ``before`` hook stored it already (``upload_path_before``), only the row is written here;
    otherwise the bytes are stored here, which ``lib.outside`` refuses inside a transaction
    except where marked known."""
    store = blob_store()
    uploaded = uploaded_path(path)
    if uploaded is not None:
        digests = uploaded
    else:
        digests = digests or hash_path(path)
        store.put_file(digests["sha256"], path, move=True)
    blob, _ = blob_row(
        agency_id=agency_id,
        sha256=digests["sha256"],
        sm3=digests["sm3"],
        size=int(digests["size"]),
        media_type=media_type,
        storage=store.name,
    )
    return blob


def checker_name(case: Case) -> str:
    """检查人 on the 备考表: the handling unit's head, who confirms completeness in the chain."""
    head = (
        Officer.objects.filter(
            agency_id=case.agency_id,
            unit_id=case.unit_id,
            deactivated_at__isnull=True,
            roles__role=Role.REVIEWER,
            roles__revoked_at__isnull=True,
        )
        .order_by("id")
        .first()
    )
    return head.name if head is not None else "承办机构负责人"


@step
def write_version(
    *,
    case: Case,
    officer: Officer,
    now: dt.datetime,
    previous: CaseFile | None,
    attachments: list[Proposed],
    reason: str,
) -> tuple[CaseFile, list[FileItem], PieceCounter | None]:
    """A new 案卷 version as the system proposes it, the ``attachments`` after the documents; the
    PDF rendered and stored. The 件号 is drawn once per case (a later version keeps it while its
    档号 parts stay the same)."""
    policy = policy_of(case.agency)
    proposal = propose(case, policy)
    retention, basis, year = cover_facts(case, policy)
    parts = (policy.fonds_code, policy.category_code, retention, policy.org_code, year)
    counter = None
    if (
        previous is not None
        and (
            previous.fonds_code,
            previous.category_code,
            previous.retention,
            previous.org_code,
            previous.year,
        )
        == parts
    ):
        piece = previous.piece_no
    else:
        counter = next_in_year(
            PieceCounter,
            year=year,
            agency=case.agency,
            fonds_code=policy.fonds_code,
            category_code=policy.category_code,
            retention=retention,
            org_code=policy.org_code,
        )
        piece = counter.last
    dates = proposal.dates + [p.date for p in attachments] or [timezone.localdate(now)]
    documents = proposal.documents + attachments
    pages = sum(p.pages for p in documents)
    case_file = CaseFile.objects.create(
        agency=case.agency,
        case=case,
        version=(previous.version + 1) if previous else 1,
        replaces=previous,
        change_reason=reason,
        status=FileStatus.DRAFT,
        title=file_title(case),
        fonds_code=policy.fonds_code,
        fonds_name=policy.fonds_name,
        category_code=policy.category_code,
        category_name=policy.category_name,
        org_code=policy.org_code,
        year=year,
        retention=retention,
        retention_basis=basis,
        piece_no=piece,
        archive_code=archive_code(
            fonds=policy.fonds_code,
            category=policy.category_code,
            year=year,
            retention=retention,
            org=policy.org_code,
            piece=piece,
        ),
        date_from=min(dates),
        date_to=max(dates),
        pages=pages,
        piece_count=len(documents),
        media_count=len(proposal.media),
        assembled_by=officer,
        assembled_at=now,
    )
    items: list[FileItem] = []
    page = 1
    for p in [*documents, *proposal.media]:
        numbered = p.kind != ItemKind.MEDIA
        items.append(
            FileItem(
                case_file=case_file,
                seq=len(items) + 1,
                kind=p.kind,
                group=p.group,
                document=p.document,
                item=p.item,
                blob=p.blob,
                title=p.title[:300],
                doc_no=p.doc_no,
                responsible=p.responsible,
                date=p.date,
                start_page=page if numbered else None,
                pages=p.pages if numbered else 0,
                note=p.note,
                reason=p.reason,
            )
        )
        if numbered:
            page += p.pages
    FileItem.objects.bulk_create(items)
    items = list(case_file.items.select_related("blob", "item", "item__officer", "item__device"))
    notes = (
        [f"本案另有 {len(proposal.unissued)} 份记录未签发为文书，其内容见归档信息包的元数据。"]
        if proposal.unissued
        else []
    )
    if previous is not None:
        notes.append(f"本卷为第 {case_file.version} 版，取代第 {previous.version} 版：{reason}")
    with tempfile.TemporaryDirectory(prefix="casefile-") as tmp:
        dest = Path(tmp) / "casefile.pdf"
        render.build(
            case_file=case_file,
            items=[i for i in items if i.kind != ItemKind.MEDIA],
            media=[i for i in items if i.kind == ItemKind.MEDIA],
            notes=notes,
            checker=checker_name(case),
            dest=dest,
        )
        # Known debt (#18): the 案卷 PDF is rendered from the rows read under this transaction,
        # so it is stored here, inside it (an upload on S3).
        with known_inside_transaction("archive.writes.write_version: the 案卷 PDF's upload"):
            case_file.pdf = store_file(
                agency_id=case.agency_id, path=dest, media_type="application/pdf"
            )
    case_file.save(update_fields=["pdf"])
    return case_file, items, counter
