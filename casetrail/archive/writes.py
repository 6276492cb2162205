"""Building blocks of the archive's actions (``@step``): a 案卷 version written with its items, its
档号 drawn, its PDF rendered and stored."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from casetrail.archive import render
from casetrail.archive.assembly import Proposed, cover_facts, file_title, propose
from casetrail.archive.models import CaseFile, FileItem, FileStatus, ItemKind, PieceCounter
from casetrail.archive.policy import archive_code, policy_of
from casetrail.archive.render import Printed
from casetrail.cases.models import Case
from casetrail.evidence.models import Blob
from casetrail.evidence.storage import blob_store, hash_path, uploaded_path
from casetrail.evidence.writes import blob_row
from casetrail.lib.counters import next_in_year
from casetrail.lib.ledgered import current_action, step
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


@dataclass
class _Version:
    """A 案卷 version as the system proposes it, not yet saved: its row, its items (in order, with
    their page numbers), the 备考表's notes and the 件号 counter drawn for it (None when the
    previous version's 件号 is kept, or when the 件号 was only foreseen)."""

    case_file: CaseFile
    items: list[FileItem]
    notes: list[str]
    counter: PieceCounter | None


def _version(
    *,
    case: Case,
    officer: Officer,
    now: dt.datetime,
    previous: CaseFile | None,
    attachments: list[Proposed],
    reason: str,
    draw: bool,
) -> _Version:
    """The next version of ``case``'s 案卷, the ``attachments`` after the documents. The 件号 is
    drawn once per case (a later version keeps it while its 档号 parts stay the same); with
    ``draw`` False it is only foreseen — the counter's next number read without its lock, for
    rendering before the transaction — and nothing is written."""
    policy = policy_of(case.agency)
    proposal = propose(case, policy)
    retention, basis, year = cover_facts(case, policy)
    parts = (policy.fonds_code, policy.category_code, retention, policy.org_code, year)
    key: dict[str, Any] = {
        "year": year,
        "agency": case.agency,
        "fonds_code": policy.fonds_code,
        "category_code": policy.category_code,
        "retention": retention,
        "org_code": policy.org_code,
    }
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
    elif draw:
        counter = next_in_year(PieceCounter, **key)
        piece = counter.last
    else:
        piece = (PieceCounter.objects.filter(**key).values_list("last", flat=True).first() or 0) + 1
    dates = proposal.dates + [p.date for p in attachments] or [timezone.localdate(now)]
    documents = proposal.documents + attachments
    case_file = CaseFile(
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
        pages=sum(p.pages for p in documents),
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
    notes = (
        [f"本案另有 {len(proposal.unissued)} 份记录未签发为文书，其内容见归档信息包的元数据。"]
        if proposal.unissued
        else []
    )
    if previous is not None:
        notes.append(f"本卷为第 {case_file.version} 版，取代第 {previous.version} 版：{reason}")
    return _Version(case_file=case_file, items=items, notes=notes, counter=counter)


def _printed(case: Case, case_file: CaseFile, items: list[FileItem], notes: list[str]) -> Printed:
    return render.printed(
        case_file=case_file,
        items=[i for i in items if i.kind != ItemKind.MEDIA],
        media=[i for i in items if i.kind == ItemKind.MEDIA],
        notes=notes,
        checker=checker_name(case),
    )


def _rendered(pages: Printed) -> dict[str, str]:
    """The 案卷 PDF of ``pages`` rendered and put in the blob store: its digests."""
    with tempfile.TemporaryDirectory(prefix="casefile-") as tmp:
        dest = Path(tmp) / "casefile.pdf"
        render.build(pages, dest)
        digests = hash_path(dest)
        blob_store().put_file(digests["sha256"], dest, move=True)
    return digests


@dataclass(frozen=True)
class Foreseen:
    """A 案卷 PDF rendered and stored before the action's transaction (``lib.outside``, #18):
    what it prints (``Printed.digest``), the stored file's digests (sha256, sm3, size) and the
    time it was made for."""

    pages: str
    digests: dict[str, str]
    now: dt.datetime


def foreseen() -> Foreseen | None:
    """The 案卷 PDF the running action's ``before`` hook rendered (``render_before``), if any."""
    act = current_action()
    return None if act is None else act.prepared.get(FORESEEN)


FORESEEN = "case_file_pdf"


def render_before(
    *,
    case: Case,
    officer: Officer,
    previous: CaseFile | None,
    attachments: list[Proposed],
    reason: str,
) -> dict[str, Any]:
    """For an action's ``before`` hook: the next 案卷 version rendered as ``write_version`` will
    write it — its 件号 foreseen, nothing written — and its PDF stored, outside any transaction.
    Returns ``{"case_file_pdf": Foreseen}`` for ``act.prepared``. ``write_version`` uses the stored
    PDF when what it prints under the action's locks is the same (the usual case); when another
    立卷 took the foreseen 件号 or the case changed meanwhile, it renders again inside."""
    now = timezone.now()
    version = _version(
        case=case,
        officer=officer,
        now=now,
        previous=previous,
        attachments=attachments,
        reason=reason,
        draw=False,
    )
    pages = _printed(case, version.case_file, version.items, version.notes)
    return {FORESEEN: Foreseen(pages=pages.digest, digests=_rendered(pages), now=now)}


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
    """A new 案卷 version as the system proposes it (``_version``), the ``attachments`` after
    the documents; the PDF rendered and stored — by the action's ``before`` hook
    (``render_before``) when it printed the same, else here."""
    version = _version(
        case=case,
        officer=officer,
        now=now,
        previous=previous,
        attachments=attachments,
        reason=reason,
        draw=True,
    )
    case_file = version.case_file
    case_file.save(force_insert=True)
    FileItem.objects.bulk_create(version.items)
    items = list(case_file.items.select_related("blob", "item", "item__officer", "item__device"))
    pages = _printed(case, case_file, items, version.notes)
    made = foreseen()
    if made is not None and made.pages == pages.digest:
        digests = made.digests
    else:
        # Known debt (#18), rare: another 立卷 took the 件号 foreseen, or the case or its file
        # changed between the ``before`` hook and the locks (or the day turned: the cover prints
        # the date): the PDF must print what is read under this transaction, so it is rendered
        # and stored here, inside it. Every caller has a hook (立卷, 添加附件, and the 附卷
        # approval through ``approvals.kinds.register_prepare``).
        with known_inside_transaction("archive.writes.write_version: the 案卷 PDF's upload"):
            digests = _rendered(pages)
    case_file.pdf, _ = blob_row(
        agency_id=case.agency_id,
        sha256=digests["sha256"],
        sm3=digests["sm3"],
        size=int(digests["size"]),
        media_type="application/pdf",
        storage=blob_store().name,
    )
    case_file.save(update_fields=["pdf"])
    return case_file, items, version.counter
