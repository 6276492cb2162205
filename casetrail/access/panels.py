"""The access app's part of a case (registered from ``AccessConfig.ready()``): the 调用与复制
section — every 调用单 with its state, and the disclosure register (who received which copy,
when, how) — the ``copies`` key of ``/api/cases/<id>/``, and 登记调用单 beside the case's steps."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from casetrail.access.kinds import FORM
from casetrail.access.models import CopyRequest
from casetrail.access.selectors import requests_of_case
from casetrail.cases.hooks import CasePage, Panel
from casetrail.org.models import Officer
from casetrail.records.models import Record


def _requests(page: CasePage) -> list[CopyRequest]:
    if "copies" not in page.memo:
        page.memo["copies"] = requests_of_case(page.case)
    out: list[CopyRequest] = page.memo["copies"]
    return out


def receipts_of(requests: list[CopyRequest]) -> list[dict[str, Any]]:
    """The disclosure register of the case: each delivery, newest last."""
    rows = []
    for r in requests:
        for p in r.packages.all():
            for receipt in p.receipts.all():
                rows.append(
                    {
                        "request": r,
                        "package": p,
                        "receipt": receipt,
                        "how": "下载" if receipt.by_id is None else "导出到文件夹",
                        "at": receipt.at,
                        "id": receipt.pk,
                    }
                )
    rows.sort(key=lambda row: (row["at"], row["id"]))
    return rows


def panel(page: CasePage) -> dict[str, Any] | None:
    requests = _requests(page)
    if not requests and not page.is_assigned:
        return None
    return {"requests": requests, "receipts": receipts_of(requests)}


def api(page: CasePage) -> list[dict[str, Any]]:
    return [
        {
            "id": r.pk,
            "number": r.number,
            "requester": r.requester,
            "requester_kind": r.requester_kind,
            "status": r.chain.status,
            "receipts": [
                {
                    "package": p.pk,
                    "recipient": p.recipient,
                    "at": receipt.at,
                    "delivery": p.delivery,
                }
                for p in r.packages.all()
                for receipt in p.receipts.all()
            ],
        }
        for r in _requests(page)
    ]


def record_links(record: Record, officer: Officer) -> list[tuple[str, str]]:
    """Beside a 调用单's form (on the case's records and its chain): its page, where the 局长
    decides per item and the handler carries it out."""
    if record.kind != FORM:
        return []
    copy = (
        CopyRequest.objects.filter(Q(record=record) | Q(chain__record=record))
        .values_list("pk", flat=True)
        .first()
    )
    return [(reverse("copy-detail", args=[copy]), "调用单页面（逐项决定、复制）")] if copy else []


def case_links(page: CasePage) -> list[tuple[str, str]]:
    if not page.is_assigned:
        return []
    return [(reverse("copy-register", args=[page.case.pk]), "登记调用单")]


PANEL = Panel("copies", 80, "access/_panel_copies.html", panel, section="documents")
