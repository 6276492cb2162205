"""Writes of the access app (第三十二、三十三条). Every public function is a ledgered action.

- ``copy_request_register``: the handler registers a 调用单 (who asks, with which authority, for
  what, which items, what is marked in them) and opens its chain 审核人 → 局长.
- ``copy_decisions_set``: the 局长, while the chain waits for them, decides per item: given,
  redacted or withheld, with reasons. Approving the chain fixes the latest decisions.
- ``redaction_create``: the handler derives the redacted copy of an item the 局长 decided to give
  redacted; the original is never touched.
- ``copy_package_make``: the handler makes the copy package of an approved 调用单 for a recipient
  (a link that expires and is used a set number of times, or a folder).
- ``copy_receipt_record``: one delivery (a download through the link, a folder written), the
  disclosure register's row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from casetrail.access.av_redaction import Span, parse_av, redact_av
from casetrail.access.kinds import COPY_CHAIN, FORM
from casetrail.access.models import (
    CopyDecision,
    CopyItem,
    CopyPackage,
    CopyReceipt,
    CopyRequest,
    Delivery,
    Disposition,
    ItemKind,
    Method,
    Redaction,
    Requester,
)
from casetrail.access.originals import original_of
from casetrail.access.redaction import (
    blanked_fields,
    parse_boxes,
    redact_image,
    redact_pdf,
    redacted_printed,
)
from casetrail.access.rules import require_decider, require_fulfiller, token_hash
from casetrail.access.selectors import (
    approving_step,
    binding_decisions,
    candidates,
)
from casetrail.access.writes import blob_bytes, store_derived
from casetrail.approvals.models import StepRole
from casetrail.approvals.writes import open_chain
from casetrail.cases.models import Case
from casetrail.cases.writes import locked, require_assigned, require_handler
from casetrail.documents.fonts import FontMissing
from casetrail.documents.render import render
from casetrail.evidence.models import Kind
from casetrail.evidence.storage import upload_before
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.lib.numbers import parse_int
from casetrail.lib.outside import known_inside_transaction
from casetrail.lib.text import clean_text
from casetrail.org.models import Agency, Officer
from casetrail.records.writes import add_record

MAX_AUTHORITY_BYTES = 20 * 1024 * 1024
AUTHORITY_TYPES = {"application/pdf", "image/jpeg", "image/png"}


class AccessAction(ActionName):
    REGISTER = "copy.register"
    DECIDE = "copy.decide"
    REDACT = "copy.redact"
    PACKAGE = "copy.package"
    DELIVER = "copy.deliver"


@dataclass(frozen=True)
class Authority:
    """The 授权委托书 or the court's letter as uploaded: its bytes and media type."""

    data: bytes
    media_type: str


def _clean_items(case: Case, raw: Any) -> list[tuple[str, int, str, str, list[str]]]:
    """(kind, id, label, proposed, marks) of each item asked for: each an item of this case
    (``candidates``), none twice, a proposal among given / redacted / withheld."""
    if not isinstance(raw, list) or not raw:
        raise ActionError("items_required", "请选定申请复制的材料", field="items")
    offered = {c.key: c for c in candidates(case)}
    out: list[tuple[str, int, str, str, list[str]]] = []
    seen: set[str] = set()
    for n, entry in enumerate(raw, 1):
        entry = entry if isinstance(entry, dict) else {}
        kind = str(entry.get("kind") or "")
        try:
            pk = parse_int(entry.get("id"), minimum=1)
        except ActionError:
            pk = 0
        key = f"{kind}:{pk}"
        candidate = offered.get(key)
        if candidate is None:
            raise ActionError(
                "item_not_in_case", f"第{n}项材料不是本案的记录、文书或音像", field="items"
            )
        if key in seen:
            raise ActionError("duplicate_item", f"第{n}项材料重复", field="items")
        seen.add(key)
        proposed = str(entry.get("proposed") or Disposition.GIVEN)
        if proposed not in Disposition.values:
            raise ActionError(
                "invalid_disposition",
                "处理建议应为：提供、删除保密部分后提供或不予提供",
                field="items",
            )
        out.append((kind, pk, candidate.label, proposed, candidate.marks))
    return out


def _check_requester(case: Case, kind: str, name: str, authority: Authority | None) -> None:
    """第三十二条: the party itself, its agent with the 授权委托书, or a court with its letter."""
    if kind not in Requester.values:
        raise ActionError(
            "invalid_requester_kind",
            "申请人应为当事人、当事人的代理人或人民法院",
            field="requester_kind",
        )
    if kind == Requester.PARTY and not case.parties.filter(name=name).exists():
        raise ActionError(
            "not_a_party",
            "申请人不是本案当事人：当事人的代理人须附授权委托书，人民法院须附调取函（第三十二条）",
            field="requester",
            status=403,
        )
    if kind in (Requester.AGENT, Requester.COURT):
        if authority is None or not authority.data:
            what = "授权委托书" if kind == Requester.AGENT else "人民法院的调取函"
            raise ActionError(
                "authority_required", f"请附{what}扫描件（第三十二条）", field="authority_file"
            )
        if len(authority.data) > MAX_AUTHORITY_BYTES:
            raise ActionError("file_too_large", "文件不得超过20MB", field="authority_file")
        if authority.media_type not in AUTHORITY_TYPES:
            raise ActionError(
                "invalid_file_type", "扫描件应为 PDF、JPEG 或 PNG 文件", field="authority_file"
            )


def _next_number(agency: Agency, now: dt.datetime) -> tuple[str, int, int]:
    Agency.objects.select_for_update(no_key=True).filter(
        pk=agency.pk
    ).first()  # numbers drawn one at a time
    year = timezone.localdate(now).year
    last = (
        CopyRequest.objects.filter(agency=agency, year=year)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    seq = (last or 0) + 1
    return f"调用〔{year}〕{seq}号", year, seq


def _letter_upload(**kwargs: Any) -> dict[str, Any]:
    """Before the transaction: the authority letter's bytes uploaded (content-addressed; an
    orphan when the registration is then refused, listed by ``verify-blobs``)."""
    authority = kwargs.get("authority")
    if authority is None or not authority.data or len(authority.data) > MAX_AUTHORITY_BYTES:
        return {}  # none, or one the action refuses
    return upload_before(authority.data)


@action(AccessAction.REGISTER, before=_letter_upload)
def copy_request_register(
    act: Act,
    /,
    *,
    case: Case,
    officer: Officer,
    fields: dict[str, Any],
    items: list[dict[str, Any]],
    opinion: str,
    authority: Authority | None = None,
) -> CopyRequest:
    """Register a 调用单 (第三十二条) and open its chain: 审核人 → 局长 (第六条). ``fields`` are the
    form's (catalogue ``copy_request``); ``items`` name what is asked for, each
    ``{"kind": "record"|"document"|"media", "id": …, "proposed": "given"|"redacted"|"withheld"}``.
    Refused (nothing written): not a handler of the case (403), a requester without authority
    (a "party" not of the case: 403 ``not_a_party``; an agent or a court without its letter:
    ``authority_required``), no items or an item of another case, another 调用单 of the case still
    in its chain."""
    case = locked(case)
    require_handler(officer, timezone.localdate())
    require_assigned(case, officer)
    kind = str(fields.get("requester_kind") or "")
    name = clean_text(
        str(fields.get("requester") or ""), where="申请人", field="requester", limit=100
    )
    _check_requester(case, kind, name, authority)
    cleaned = _clean_items(case, items)
    now = timezone.now()
    form = {**fields, "items": [label for _, _, label, _, _ in cleaned]}
    record = add_record(case=case, kind=FORM, officer=officer, fields=form, now=now)
    chain, first = open_chain(
        case=case,
        kind=COPY_CHAIN,
        record=record,
        proposer=officer,
        opinion=opinion,
        requires_legal=False,
        plan=[StepRole.REVIEW, StepRole.DECIDE],
        now=now,
    )
    number, year, seq = _next_number(case.agency, now)
    letter = (
        store_derived(
            agency_id=case.agency_id, data=authority.data, media_type=authority.media_type
        )
        if authority is not None and kind != Requester.PARTY
        else None
    )
    request = CopyRequest.objects.create(
        agency=case.agency,
        case=case,
        number=number,
        year=year,
        seq=seq,
        record=record,
        chain=chain,
        requester_kind=kind,
        requester=record.fields.get("requester", name),
        purpose=record.fields.get("purpose", ""),
        authority=letter,
        registered_by=officer,
        registered_at=now,
    )
    rows: list[Any] = [record, chain, first, request, *([letter] if letter else [])]
    for item_kind, pk, label, proposed, marks in cleaned:
        rows.append(
            CopyItem.objects.create(
                request=request,
                kind=item_kind,
                record_id=pk if item_kind == ItemKind.RECORD else None,
                document_id=pk if item_kind == ItemKind.DOCUMENT else None,
                media_id=pk if item_kind == ItemKind.MEDIA else None,
                label=label[:200],
                marks=marks,
                proposed=proposed,
            )
        )
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"copy:{request.pk}",
        rows=rows,
        case=case.pk,
    )
    return request


@action(AccessAction.DECIDE)
def copy_decisions_set(
    act: Act, /, *, request: CopyRequest, officer: Officer, decisions: list[dict[str, Any]]
) -> list[CopyDecision]:
    """The 局长's decision on every item of the 调用单 (第三十二条): ``[{"item": id,
    "disposition": "given"|"redacted"|"withheld", "reason": "…"}]``, one per item; a reason is
    required to redact or withhold. Only the one who may now take the chain's 批准 step (403);
    made again before approving, the latest binds."""
    require_decider(request, officer)
    items = {i.pk: i for i in request.items.all()}
    given: dict[int, dict[str, Any]] = {}
    for entry in decisions if isinstance(decisions, list) else []:
        entry = entry if isinstance(entry, dict) else {}
        try:
            pk = parse_int(entry.get("item"), minimum=1)
        except ActionError:
            pk = 0
        if pk not in items:
            raise ActionError(
                "item_not_in_request", "决定中的材料不属于该调用单", field="decisions"
            )
        if pk in given:
            raise ActionError("duplicate_item", "同一材料只能有一个决定", field="decisions")
        given[pk] = entry
    missing = [items[pk].label for pk in items if pk not in given]
    if missing:
        raise ActionError(
            "decision_missing",
            "请对每一项材料作出决定：" + "、".join(missing),
            details=missing,
            field="decisions",
        )
    now = timezone.now()
    rows = []
    for pk, entry in given.items():
        disposition = str(entry.get("disposition") or "")
        if disposition not in Disposition.values:
            raise ActionError(
                "invalid_disposition",
                "决定应为：提供、删除保密部分后提供或不予提供",
                field="decisions",
            )
        text = clean_text(
            str(entry.get("reason") or ""), where="理由", field="decisions", limit=300
        )
        if disposition != Disposition.GIVEN and not text:
            raise ActionError(
                "reason_required",
                f"“{items[pk].label}”{Disposition(disposition).label}，须说明理由（第三十三条）",
                field="decisions",
            )
        rows.append(
            CopyDecision.objects.create(
                item=items[pk],
                disposition=disposition,
                reason=text or "无保密内容",
                decided_by=officer,
                decided_at=now,
            )
        )
    act.record(
        agency=request.agency_id,
        actor=officer,
        subject=f"copy:{request.pk}",
        rows=rows,
        case=request.case_id,
    )
    return rows


def _derived(
    item: CopyItem, request: Any, original: Any, regions: Any, now: dt.datetime
) -> tuple[str, list[Any], bytes, str]:
    """The redacted copy of ``item`` made from ``original``: (method, regions as recorded, bytes,
    media type). Reads the original; re-encodes audio/video (seconds to minutes)."""
    if item.kind == ItemKind.RECORD and item.record is not None:
        method = Method.FIELDS
        region_facts: list[Any] = blanked_fields(item.record)
        try:
            pages = render(
                redacted_printed(
                    record=item.record, case=request.case, record_seq=original.seq, now=now
                )
            )
        except FontMissing as exc:
            raise ActionError("font_missing", str(exc), status=503) from None
        data, media_type = pages.pdf, "application/pdf"
    elif original.blob is not None and original.media_type == "application/pdf":
        boxes = parse_boxes(regions, pdf=True)
        method, region_facts = Method.PDF, [b.as_json() for b in boxes]
        data, media_type = redact_pdf(blob_bytes(original.blob), boxes), "application/pdf"
    elif item.kind == ItemKind.MEDIA and item.media is not None and item.media.kind == Kind.PHOTO:
        assert original.blob is not None
        boxes = parse_boxes(regions, pdf=False)
        method, region_facts = Method.IMAGE, [b.as_json() for b in boxes]
        data, media_type = redact_image(blob_bytes(original.blob), boxes)
    elif item.kind == ItemKind.MEDIA and item.media is not None:
        assert original.blob is not None
        shapes, mutes = parse_av(regions)
        method = Method.AV
        region_facts = [
            {
                "regions": [
                    {"x0": r.x0, "y0": r.y0, "x1": r.x1, "y1": r.y1, **_times(r.span)}
                    for r in shapes
                ],
                "mute": [_times(m) for m in mutes],
            }
        ]
        data, media_type = redact_av(blob_bytes(original.blob), shapes, mutes), "video/mp4"
    else:
        raise ActionError("redaction_not_supported", "该材料不能制作删除处理件", status=409)
    return method, region_facts, data, media_type


def _redaction_checks(item: CopyItem, officer: Officer, reason: str) -> tuple[Any, Any, str]:
    """(the 调用单, the approving step, the reason cleaned), or the refusal."""
    request = item.request
    require_fulfiller(request, officer)
    decision = binding_decisions(request).get(item.pk)
    step = approving_step(request.chain)
    if decision is None or decision.disposition != Disposition.REDACTED or step is None:
        raise ActionError(
            "redaction_not_approved",
            "局长未决定该材料“删除保密部分后提供”，不能制作删除处理件（无批准人）",
            status=409,
        )
    text = clean_text(reason or "", where="删除理由", field="reason", limit=300)
    if not text:
        raise ActionError(
            "reason_required", "请写明删除的理由和法律依据（如第三十三条）", field="reason"
        )
    return request, step, text


def _redacted_before(**kwargs: Any) -> dict[str, Any]:
    """Before the transaction (#18): the checks, then the redacted copy made from the original
    and uploaded — no transaction open while the original is read, re-encoded and stored. The
    action uses it when the original it reads under its lock is the same."""
    item: CopyItem = kwargs["item"]
    _redaction_checks(item, kwargs["officer"], kwargs.get("reason") or "")
    original = original_of(item)
    now = timezone.now()
    derived = _derived(item, item.request, original, kwargs.get("regions"), now)
    return {**upload_before(derived[2]), "redacted": (original.sha256, now, derived)}


@action(AccessAction.REDACT, before=_redacted_before)
def redaction_create(
    act: Act,
    /,
    *,
    item: CopyItem,
    officer: Officer,
    reason: str,
    regions: Any = None,
) -> Redaction:
    """Derive the redacted copy of ``item`` (the original untouched): a record rendered with its
    personal parts blanked; an issued PDF with ``regions`` (page, x0, y0, x1, y1 in points from
    the top left) burned in; a photo with ``regions`` (x0, y0, x1, y1 pixels) filled. The
    approver is the 局长 who decided the item is given redacted. Refused: no approved 调用单, the
    item not decided redacted (no approver), no reason, regions invalid. Audio/video:
    ``regions`` is ``{"regions": [{x0, y0, x1, y1, t0, t1}], "mute": [{t0, t1}]}`` (pixels,
    seconds): re-encoded with the same length and timestamps."""
    request, step, text = _redaction_checks(item, officer, reason)
    original = original_of(item)
    prepared = act.prepared.get("redacted")
    if prepared is not None and prepared[0] == original.sha256:
        _, now, (method, region_facts, data, media_type) = prepared
        blob = store_derived(agency_id=request.agency_id, data=data, media_type=media_type)
    else:
        # The original changed between the two reads (or no hook ran): made again here, from
        # what is read under the lock, and stored inside the transaction.
        now = timezone.now()
        with known_inside_transaction("access redaction: the original changed meanwhile"):
            method, region_facts, data, media_type = _derived(item, request, original, regions, now)
            blob = store_derived(agency_id=request.agency_id, data=data, media_type=media_type)
    row = Redaction.objects.create(
        item=item,
        method=method,
        original_sha256=original.sha256,
        original_sm3=original.sm3,
        original_seq=original.seq,
        blob=blob,
        regions=region_facts,
        reason=text,
        approved_by=step.officer,
        made_by=officer,
        made_at=now,
    )
    act.record(
        agency=request.agency_id,
        actor=officer,
        subject=f"redaction:{row.pk}",
        rows=[row, blob],
        case=request.case_id,
        original={"seq": original.seq, "sha256": original.sha256, "sm3": original.sm3},
        # The shape casetrail-verify links a redaction by: the derived file's digest beside its
        # original's (a record's "digest" is that of its entry's bytes, named by ``original``).
        derived={
            "sha256": blob.sha256,
            "sm3": blob.sm3,
            "size": blob.size,
            "original_sha256": original.sha256,
            "original_seq": original.seq,
        },
    )
    return row


def _times(span: Span) -> dict[str, str]:
    """A span as the ledger keeps it (no floats in canonical JSON): seconds as decimal strings."""
    return {"t0": format(round(span.t0, 3), "g"), "t1": format(round(span.t1, 3), "g")}


@action(AccessAction.PACKAGE)
def copy_package_make(
    act: Act,
    /,
    *,
    request: CopyRequest,
    officer: Officer,
    recipient: str,
    delivery: str,
    files: list[dict[str, Any]],
    token: str | None = None,
    days: int | None = None,
    uses: int | None = None,
) -> CopyPackage:
    """Record a copy package of an approved 调用单 for ``recipient``: ``files`` are what the bag
    carries (path, sha256, sm3, size, and for an item its original's seq and digests), staged
    before by ``package.stage``. A link package keeps only the SHA-256 of its ``token`` and is
    valid ``days`` days for ``uses`` downloads. Refused: no approved 调用单 (409
    ``no_approved_request``), not a handler of the case (403)."""
    require_fulfiller(request, officer)
    who = clean_text(recipient or "", where="接收人", field="recipient", limit=100)
    if not who:
        raise ActionError("recipient_required", "请填写接收人", field="recipient")
    if delivery not in Delivery.values:
        raise ActionError(
            "invalid_delivery", "交付方式应为下载链接或导出到文件夹", field="delivery"
        )
    now = timezone.now()
    link = delivery == Delivery.LINK
    if link and not token:
        raise ActionError("token_required", "下载链接缺少令牌")
    days = (
        parse_int(days or settings.CASETRAIL_COPY_LINK_DAYS, minimum=1, maximum=90)
        if link
        else None
    )
    uses = (
        parse_int(uses or settings.CASETRAIL_COPY_LINK_USES, minimum=1, maximum=20)
        if link
        else None
    )
    package = CopyPackage.objects.create(
        request=request,
        recipient=who,
        delivery=delivery,
        token_sha256=token_hash(token) if link and token else None,
        expires_at=now + dt.timedelta(days=days) if days else None,
        max_uses=uses,
        files=files,
        made_by=officer,
        made_at=now,
    )
    act.record(
        agency=request.agency_id,
        actor=officer,
        subject=f"copy-package:{package.pk}",
        rows=[package],
        case=request.case_id,
        request=request.number,
    )
    return package


@action(AccessAction.DELIVER)
def copy_receipt_record(
    act: Act,
    /,
    *,
    package: CopyPackage,
    package_sha256: str,
    officer: Officer | None = None,
    address: str = "",
) -> CopyReceipt:
    """One delivery of ``package`` (调用记录, the disclosure register): a download through its link
    (no officer: the recipient) or a folder written by ``officer``. A link past its date
    (410 ``link_expired``) or its count (410 ``link_used_up``) is refused, nothing written."""
    package = (
        CopyPackage.objects.select_for_update(no_key=True, of=("self", "request"))
        .select_related("request")
        .get(pk=package.pk)
    )
    now = timezone.now()
    if package.delivery == Delivery.LINK:
        if package.expires_at is not None and now >= package.expires_at:
            raise ActionError("link_expired", "下载链接已过期，请联系办案机关", status=410)
        if package.max_uses is not None and package.receipts.count() >= package.max_uses:
            raise ActionError(
                "link_used_up", "下载链接已达到可下载次数，请联系办案机关", status=410
            )
    elif officer is None:
        raise ActionError("officer_required", "导出到文件夹须由办案人员操作", status=403)
    else:
        require_assigned(package.request.case, officer)
    receipt = CopyReceipt.objects.create(
        package=package, at=now, by=officer, address=address[:64], package_sha256=package_sha256
    )
    act.record(
        agency=package.request.agency_id,
        actor=officer,
        subject=f"copy-package:{package.pk}",
        rows=[receipt],
        case=package.request.case_id,
        recipient=package.recipient,
        request=package.request.number,
    )
    return receipt
