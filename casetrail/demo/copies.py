"""The demo's fulfilled 调用单 (issue 13 item 8, 第三十二条): 钱某's agent, a lawyer with 钱某's
授权委托书, asks for copies of the 行政执法决定书, the 询问笔录 of 钱某 and a video of the ordinary
case, for an administrative review. 张承办 registers it, 王审核 reviews, 赵局长 decides item by
item (the decision and the video given, the 笔录 given with the interviewee's ID number, phone
and address blanked, 第三十三条) and approves, 张承办 makes the redacted 笔录 and the package with a
download link — so a newcomer downloads a copy package and checks it offline with
``casetrail-verify``.

Idempotent: a case that already has a 调用单 is left as it is (the link was shown when it was
made; a new package can be made from the 调用单's page).
"""

from __future__ import annotations

import io

from casetrail.access.actions import (
    Authority,
    copy_decisions_set,
    copy_request_register,
    redaction_create,
)
from casetrail.access.delivery import make_package
from casetrail.access.models import CopyRequest
from casetrail.approvals.actions import approval_decide
from casetrail.cases.models import Case
from casetrail.documents.models import IssuedDocument
from casetrail.evidence.models import Item
from casetrail.org.models import Officer

AGENT = "李某律师（山西某律师事务所）"


def _letter() -> bytes:
    """A one-page stand-in for the scanned 授权委托书 (a grey page as PDF)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (595, 842), (235, 235, 235)).save(out, "PDF", resolution=72)
    return out.getvalue()


def load_copies(personas: dict[str, Officer], case: Case | None) -> str:
    """Run the copy step on ``case`` (the demo's ordinary case); returns one line for the
    demo's output, with the download link's path when it was made now."""
    if case is None:
        return "调用：未找到演示案件，跳过"
    existing = CopyRequest.objects.filter(case=case).first()
    if existing is not None:
        return f"调用：{existing.number} 已办结（复制件包可在 /copies/{existing.pk}/ 重新制作）"
    document = IssuedDocument.objects.filter(
        case=case, record__kind="administrative_decision"
    ).first()
    interview = case.records.filter(kind="interview_record", replaced_by__isnull=True).first()
    video = Item.objects.filter(link__case=case, kind="video").order_by("id").first()
    if document is None or interview is None or video is None:
        return "调用：演示案件缺少已签发的决定书、询问笔录或视频，跳过"
    zhang, wang, zhao = personas["zhang"], personas["wang"], personas["zhao"]
    handler = zhang if case.assignments.filter(officer=zhang).exists() else None
    if handler is None:
        first = case.assignments.select_related("officer").first()
        if first is None:
            return "调用：演示案件没有承办人，跳过"
        handler = first.officer
    party = case.parties.first()
    copy = copy_request_register(
        case=case,
        officer=handler,
        fields={
            "requester_kind": "agent",
            "requester": AGENT,
            "requester_phone": "13803561111",
            "authority": f"{party.name if party else '当事人'}签署的授权委托书",
            "purpose": "申请行政复议，需要处罚决定书、询问笔录和现场视频",
        },
        items=[
            {"kind": "document", "id": document.pk, "proposed": "given"},
            {"kind": "record", "id": interview.pk, "proposed": "redacted"},
            {"kind": "media", "id": video.pk, "proposed": "given"},
        ],
        opinion="申请人为当事人委托的律师，附授权委托书；笔录中被询问人的身份证号、电话、住址属个人隐私，建议隐去后提供",
        authority=Authority(_letter(), "application/pdf"),
    )
    approval_decide(
        chain=copy.chain, officer=wang, outcome="approve", opinion="同意，笔录隐去个人信息"
    )
    copy_decisions_set(
        request=copy,
        officer=zhao,
        decisions=[
            {
                "item": item.pk,
                "disposition": item.proposed,
                "reason": (
                    "被询问人的身份证号、电话、住址属个人隐私（第三十三条）"
                    if item.proposed == "redacted"
                    else ""
                ),
            }
            for item in copy.items.all()
        ],
    )
    approval_decide(chain=copy.chain, officer=zhao, outcome="approve", opinion="同意复制")
    copy.refresh_from_db()
    for item in copy.items.filter(proposed="redacted"):
        item.request = copy
        redaction_create(item=item, officer=handler, reason="第三十三条：被询问人的个人隐私")
    _package, token, _ = make_package(
        request=copy, officer=handler, recipient=AGENT, days=30, uses=10
    )
    return (
        f"调用：{copy.number}（{AGENT}），复制件包下载链接 /copies/d/{token}/"
        "（30天内可下载10次；解压后用 casetrail-verify 核验）"
    )
