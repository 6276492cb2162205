"""Reads of 调用单, their items, redactions and packages, through the case's access function.

What is marked in an item (第三十三条): the marks on it (国家秘密 papers, 商业秘密, 个人隐私:
``cases.selectors.marks_of_case``), the catalogue's ``personal`` fields that hold a value, and the
case's 密级 today.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from casetrail.access.models import CopyDecision, CopyItem, CopyPackage, CopyRequest, ItemKind
from casetrail.approvals.models import Chain, ChainStatus, Outcome, Step, StepRole
from casetrail.cases.models import Case, Confidentiality
from casetrail.cases.selectors import case_for_user, marks_of_case
from casetrail.documents.models import IssuedDocument
from casetrail.evidence.models import Item
from casetrail.lib.numbers import id_or_none
from casetrail.records.catalogue import has_value
from casetrail.records.display import masking_field
from casetrail.records.models import Record

REQUEST_RELATED = ("case", "case__agency", "chain", "record", "registered_by")


def request_for_user(*, user: Any, request_id: int | str) -> CopyRequest:
    """The 调用单 if ``user`` may read its case; 404 otherwise (never revealing that it exists)."""
    pk = id_or_none(request_id)
    case_id = (
        CopyRequest.objects.filter(pk=pk).values_list("case_id", flat=True).first()
        if pk is not None
        else None
    )
    if case_id is None:
        raise Http404("调用单不存在")
    case = case_for_user(user=user, case_id=case_id)
    assert pk is not None  # found by it above
    request = CopyRequest.objects.select_related(*REQUEST_RELATED).get(pk=pk)
    request.case = case
    return request


def personal_fields_of(record: Record) -> list[str]:
    """What is marked personal in ``record`` (the catalogue's ``personal`` fields and a person's
    ID number, phone and address), one line per field that holds a value."""
    doc = record.doc
    if doc is None:
        return ["整份记录（目录中无此文书类型，按保密处理）"]
    out = []
    for name, value in (record.fields or {}).items():
        f = masking_field(doc, name)
        if f is not None and has_value(value):
            out.append(f"个人信息：{f.label}")
    return out


def case_marks(case: Case) -> list[str]:
    if case.confidentiality == Confidentiality.SECRET:
        return ["本案为涉密案件（第三十三条）"]
    return []


@dataclass(frozen=True)
class Candidate:
    """An item of the case that may be asked for: its kind, id, label and marks."""

    kind: str
    pk: int
    label: str
    marks: list[str]

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"


def candidates(case: Case) -> list[Candidate]:
    """The items of ``case`` a 调用单 may name: the current version of each record (not the
    调用单 forms themselves), each issued document, each audio/video record linked to the case —
    each with what is marked in it (the marks on it, its personal fields, the case's 密级)."""
    marks = marks_of_case(case=case)
    papers = [f"国家秘密纸质材料（不在系统中）：{m.title}" for m in marks.get("", [])]
    general = case_marks(case) + papers

    def marked(target: str) -> list[str]:
        return [f"{m.get_kind_display()}：{m.reason}" for m in marks.get(target, [])]

    out = []
    records = (
        case.records.filter(replaced_by__isnull=True)
        .exclude(kind="copy_request")
        .order_by("created_at", "id")
    )
    for r in records:
        out.append(
            Candidate(
                ItemKind.RECORD,
                r.pk,
                r.reference,
                general + marked(f"record:{r.pk}") + personal_fields_of(r),
            )
        )
    for d in IssuedDocument.objects.filter(case=case).select_related("record").order_by("id"):
        label = f"{d.record.title}（{d.doc_no}）" if d.doc_no else f"{d.record.title}（已签发）"
        found = general + marked(f"record:{d.record_id}") + personal_fields_of(d.record)
        out.append(Candidate(ItemKind.DOCUMENT, d.pk, label, found))
    for m in Item.objects.filter(link__case=case).order_by("recorded_end", "id"):
        label = f"{m.get_kind_display()}：{m.description or m.file_name}"
        found = [*general, *marked(f"evidence:{m.pk}"), "音像中可能含个人信息"]
        out.append(Candidate(ItemKind.MEDIA, m.pk, label, found))
    return out


def approving_step(chain: Chain) -> Step | None:
    """The 局长's approving step of an approved chain."""
    if chain.status != ChainStatus.APPROVED:
        return None
    return (
        chain.steps.filter(role=StepRole.DECIDE, outcome=Outcome.APPROVE)
        .select_related("officer")
        .order_by("-created_at", "-id")
        .first()
    )


def binding_decisions(request: CopyRequest) -> dict[int, CopyDecision]:
    """The decision on each item: the latest one made (before the approval, which is when they
    could be made)."""
    out: dict[int, CopyDecision] = {}
    rows = (
        CopyDecision.objects.filter(item__request=request)
        .select_related("decided_by")
        .order_by("decided_at", "id")
    )
    for row in rows:
        out[row.item_id] = row
    return out


def is_approved(request: CopyRequest) -> bool:
    return bool(request.chain.status == ChainStatus.APPROVED)


def items_of(request: CopyRequest) -> list[CopyItem]:
    return list(
        request.items.select_related("record", "document", "document__blob", "media", "media__blob")
        .prefetch_related("redactions")
        .order_by("id")
    )


def requests_of_case(case: Case) -> list[CopyRequest]:
    return list(
        CopyRequest.objects.filter(case=case)
        .select_related("chain", "registered_by")
        .prefetch_related("packages__receipts__by")
        .order_by("registered_at", "id")
    )


def package_by_token_hash(token_sha256: str) -> CopyPackage | None:
    return (
        CopyPackage.objects.filter(token_sha256=token_sha256)
        .select_related("request", "request__case")
        .first()
    )
