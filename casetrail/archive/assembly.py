"""立卷: what the system proposes for a case's 案卷 — its issued documents (never withdrawn ones) in
the agency's order, the custodian's 附件 after them, and its audio/video — and the facts of the
cover (GB/T 9705): title, years, 保管期限 by rule, 档号 parts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from casetrail.archive.policy import GROUPS, Policy, group_of, order_key, retention_for
from casetrail.cases.models import Case
from casetrail.documents.models import IssuedDocument
from casetrail.evidence.models import Blob, Item
from casetrail.records.catalogue import doc_type
from casetrail.records.models import Record


@dataclass
class Proposed:
    """One entry of the 卷内目录 or the 音像资料目录 before it is written."""

    kind: str  # ItemKind
    group: str
    blob: Blob
    title: str
    responsible: str
    date: dt.date
    pages: int = 0
    doc_no: str = ""
    note: str = ""
    reason: str = ""
    document: IssuedDocument | None = None
    item: Item | None = None


@dataclass
class Proposal:
    documents: list[Proposed] = field(default_factory=list)
    media: list[Proposed] = field(default_factory=list)
    unissued: list[Record] = field(default_factory=list)  # records of the case with no 文书

    @property
    def dates(self) -> list[dt.date]:
        return [p.date for p in (*self.documents, *self.media)]


def closing_ground(case: Case) -> str:
    record = (
        case.records.filter(kind="case_closing_report", replaced_by__isnull=True)
        .order_by("-created_at")
        .first()
    )
    return str((record.fields or {}).get("ground") or "") if record else ""


def current_records(case: Case) -> list[Record]:
    return list(case.records.filter(replaced_by__isnull=True).order_by("created_at", "id"))


def propose(case: Case, policy: Policy) -> Proposal:
    """The 案卷 the system proposes: each issued, not withdrawn, document of a current record in
    the agency's group order (then by date), and every audio/video or photo item of the case."""
    out = Proposal()
    issued = {
        d.record_id: d
        for d in IssuedDocument.objects.filter(case=case, withdrawal__isnull=True).select_related(
            "blob", "record"
        )
    }
    for record in current_records(case):
        document = issued.get(record.pk)
        if document is None:
            out.unissued.append(record)
            continue
        out.documents.append(
            Proposed(
                kind="document",
                group=group_of(record.kind),
                blob=document.blob,
                title=doc_type(record.kind).title,
                responsible=case.agency.name,
                date=timezone.localdate(document.issued_at),
                pages=document.pages,
                doc_no=document.doc_no or "",
                document=document,
            )
        )
    out.documents.sort(key=lambda p: (order_key(policy.order, p.document.record.kind), p.date))  # type: ignore[union-attr]
    items = (
        Item.objects.filter(link__case=case)
        .select_related("blob", "device", "officer")
        .order_by("recorded_end", "id")
    )
    for item in items:
        out.media.append(
            Proposed(
                kind="media",
                group="media",
                blob=item.blob,
                title=item.description[:200] or item.reference,
                responsible=item.officer.name,
                date=timezone.localdate(item.recorded_start or item.recorded_end),
                item=item,
            )
        )
    return out


def group_label(group: str) -> str:
    return GROUPS.get(group, ("音像资料" if group == "media" else "附件", ()))[0]


def file_title(case: Case) -> str:
    """案卷题名: party + matter + 案 — the case's title names both (e.g. 钱某销售封建迷信殡葬用品案)."""
    title = case.title if case.title.endswith("案") else f"{case.title}案"
    return f"{title}（{case.number}）" if case.number else title


def cover_facts(case: Case, policy: Policy) -> tuple[str, str, int]:
    """(保管期限, its basis, 年度): the year the case ended (DA/T 22 年度: 形成年度)."""
    retention, basis = retention_for(policy, case, closing_ground(case))
    year = timezone.localdate(case.closed_at or timezone.now()).year
    return retention, basis, year
