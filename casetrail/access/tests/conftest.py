"""A case carried to 送达执行 with what a party's agent asks copies of: the issued 行政执法决定书, a
询问笔录 whose interviewee has an ID number, a mobile number and an address (and says them in the
answers), a video and a photo; the copy packages under a throw-away folder."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from casetrail.access.actions import copy_decisions_set, copy_request_register
from casetrail.access.models import CopyRequest
from casetrail.approvals.actions import approval_decide
from casetrail.cases.models import Case
from casetrail.compliance.tests.builders import make
from casetrail.conftest import VALID_ID, film
from casetrail.decisions.tests.builders import to_service
from casetrail.documents.issuing import issue
from casetrail.documents.tests.conftest import set_patterns

PHONE = "13912345678"
ADDRESS = "山西省晋城市陵川县崇文镇某街12号"
SAID = f"问：请说明身份。答：我叫周某，身份证号{VALID_ID}，电话{PHONE}。"
AGENT_LETTER = b"%PDF-1.4\n% authority letter\n"


@pytest.fixture(autouse=True)
def _copy_settings(settings: Any, tmp_path: Path, tmp_path_factory: Any) -> None:
    settings.CASETRAIL_COPY_DIR = tmp_path / "copies"
    settings.CASETRAIL_SEAL_KEY_DIR = tmp_path_factory.getbasetemp() / "seal-keys"
    settings.CASETRAIL_DOCUMENT_TSA_URL = ""
    settings.CASETRAIL_TSA_URL = ""


def photo(case: Case, officer: Any) -> Any:
    from PIL import Image

    from casetrail.evidence.actions import RecordInput, evidence_record_create
    from casetrail.evidence.ingest import store_bytes

    image = Image.new("RGB", (120, 80), (200, 200, 200))
    out = io.BytesIO()
    image.save(out, "PNG")
    blob = store_bytes(officer=officer, data=out.getvalue(), media_type="image/png")
    return evidence_record_create(
        officer=officer,
        blob=blob,
        media={"width": 120, "height": 80},
        file_name="scene.png",
        data=RecordInput(
            kind="photo",
            informed="told",
            informed_how="口头告知",
            description="现场照片",
            recorded_end=timezone.now(),
            time_reason="照片无拍摄时间",
            case=case,
        ),
    )


@pytest.fixture
def copy_case(open_case: Case, personas: dict[str, Any], evidence_store: Any) -> Case:
    make(
        open_case,
        personas,
        "interview_record",
        interviewee={"name": "周某", "id_number": VALID_ID, "phone": PHONE, "address": ADDRESS},
        content=SAID,
    )
    film(open_case, personas["zhang"], "询问过程")
    set_patterns(personas)
    case = to_service(open_case, personas)
    issue(record=case.records.get(kind="administrative_decision"), officer=personas["zhang"])
    return case


def items_for(case: Case) -> list[dict[str, Any]]:
    """The decision (given), the 询问笔录 (redacted) and the video (given)."""
    from casetrail.documents.models import IssuedDocument
    from casetrail.evidence.models import Item

    interview = case.records.filter(kind="interview_record", fields__content=SAID).get()
    return [
        {"kind": "document", "id": IssuedDocument.objects.get(case=case).pk, "proposed": "given"},
        {"kind": "record", "id": interview.pk, "proposed": "redacted"},
        {
            "kind": "media",
            "id": Item.objects.filter(link__case=case).first().pk,
            "proposed": "given",
        },
    ]


AGENT = {
    "requester_kind": "agent",
    "requester": "王律师",
    "requester_phone": "13800000000",
    "authority": "周某签署的授权委托书（2026年11月）",
    "purpose": "申请行政复议需要",
}


def register(
    case: Case, personas: dict[str, Any], items: list[dict[str, Any]] | None = None, **over: Any
) -> CopyRequest:
    """张承办 registers the agent's request for ``items`` (default ``items_for``)."""
    from casetrail.access.actions import Authority

    return copy_request_register(
        case=case,
        officer=personas["zhang"],
        fields={**AGENT, **over},
        items=items if items is not None else items_for(case),
        opinion="申请人为当事人的代理人，附授权委托书，建议同意复制",
        authority=Authority(AGENT_LETTER, "application/pdf"),
    )


def decide_all(copy: CopyRequest, personas: dict[str, Any]) -> None:
    copy_decisions_set(
        request=copy,
        officer=personas["zhao"],
        decisions=[
            {
                "item": i.pk,
                "disposition": i.proposed,
                "reason": "被询问人身份证号、电话属个人隐私（第三十三条）"
                if i.proposed != "given"
                else "",
            }
            for i in copy.items.all()
        ],
    )


def approved(
    case: Case, personas: dict[str, Any], items: list[dict[str, Any]] | None = None
) -> CopyRequest:
    """Registered, reviewed by 王审核, decided by 赵局长 as proposed, and approved."""
    copy = register(case, personas, items)
    approval_decide(chain=copy.chain, officer=personas["wang"], outcome="approve", opinion="同意")
    decide_all(copy, personas)
    approval_decide(
        chain=copy.chain, officer=personas["zhao"], outcome="approve", opinion="批准复制"
    )
    copy.refresh_from_db()
    copy.chain.refresh_from_db()
    return copy
