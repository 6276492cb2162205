"""Reads of issued documents, through the case's access function (one per object type)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.cases.selectors import case_for_user, may_see_personal_data
from casetrail.compliance.engine import ref
from casetrail.documents.families import NUMBERED
from casetrail.documents.models import Family, IssuedDocument, NumberPattern
from casetrail.documents.writes import default_pattern
from casetrail.lib.numbers import id_or_none
from casetrail.org.models import Agency, Role
from casetrail.org.selectors import officer_for_request
from casetrail.records.models import Record


def document_for_user(*, user: Any, document_id: int | str, pdf: bool = False) -> IssuedDocument:
    """The issued document if ``user`` may read its case; 404 otherwise (never revealing that it
    exists). ``pdf``: the caller hands out the PDF, which prints the party's personal data whole,
    so only those who may see it unmasked get it (403 for the others)."""
    pk = id_or_none(document_id)
    case_id = (
        IssuedDocument.objects.filter(pk=pk).values_list("case_id", flat=True).first()
        if pk is not None
        else None
    )
    if case_id is None:
        raise Http404("文书不存在")
    case = case_for_user(user=user, case_id=case_id)
    assert pk is not None  # found by it above
    if pdf and not may_see_personal_data(officer=officer_for_request(user), case=case):
        raise PermissionDenied("文书含当事人个人信息，仅本案承办人员和监督人员可以下载")
    document = IssuedDocument.objects.select_related("blob", "issued_by", "record").get(pk=pk)
    document.case = case
    return document


def case_for_print(*, user: Any, case_id: int | str) -> Case:
    """The case whose documents ``user`` may print together: 404 unless they may read the case,
    403 unless they may see its personal data (the documents print it whole)."""
    case = case_for_user(user=user, case_id=case_id)
    if not may_see_personal_data(officer=officer_for_request(user), case=case):
        raise PermissionDenied("文书含当事人个人信息，仅本案承办人员和监督人员可以打印")
    return case


def issued_for_record(record_id: int) -> IssuedDocument | None:
    return (
        IssuedDocument.objects.select_related("blob", "issued_by", "withdrawal__by")
        .filter(record_id=record_id)
        .first()
    )


def receipts_of(record: Record) -> list[Record]:
    """The 送达回证 of the case that prove ``record`` served (its ``document`` field)."""
    receipts = record.case.records.filter(kind="service_receipt").order_by("created_at", "id")
    return [r for r in receipts if ref(r, "document") == record.pk]


@dataclass(frozen=True)
class PatternInForce:
    """The 文号 pattern of one numbered family: the one the administrator set last (``row``),
    else the zero-configuration default; ``history`` are the earlier ones, newest first."""

    family: str
    label: str
    pattern: str
    row: NumberPattern | None
    history: list[NumberPattern]
    example: str


def patterns_for_admin(*, user: Any) -> list[PatternInForce]:
    """The agency's 文号 patterns (系统管理员 only: 403 for others). Two queries."""
    officer = officer_for_request(user)
    if not officer.has_role(Role.ADMIN):
        raise PermissionDenied("只有本机关的系统管理员可以设置文号格式")
    agency = Agency.objects.get(pk=officer.agency_id)
    rows = list(
        NumberPattern.objects.filter(agency=agency)
        .select_related("set_by")
        .order_by("-set_at", "-id")
    )
    year = timezone.localdate().year
    out = []
    order = [str(f) for f in Family]
    for family in sorted(NUMBERED, key=order.index):
        mine = [r for r in rows if r.family == family]
        text = mine[0].pattern if mine else default_pattern(agency, family)
        out.append(
            PatternInForce(
                family=family,
                label=Family(family).label,
                pattern=text,
                row=mine[0] if mine else None,
                history=mine[1:],
                example=text.format(year=year, n=1),
            )
        )
    return out
