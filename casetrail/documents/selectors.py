"""Reads of issued documents, through the case's access function (one per object type)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from casetrail.cases.models import Case
from casetrail.cases.selectors import case_for_user, may_see_personal_data
from casetrail.documents.models import IssuedDocument
from casetrail.lib.numbers import id_or_none
from casetrail.org.selectors import officer_for_request


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
        IssuedDocument.objects.select_related("blob", "issued_by")
        .filter(record_id=record_id)
        .first()
    )
