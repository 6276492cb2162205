"""Building blocks of the start that write inside an action (``@step``): the documents officers
make on the spot in a summary case (第二十一条; 行政处罚法第五十二条) — the 简易程序记录, the 当场
行政处罚决定书 and its 送达回证 — each validated by its catalogue entry and signed in its slots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from casetrail.cases.models import Case, Party, Stage
from casetrail.cases.writes import move_stage
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import step
from casetrail.org.models import Officer
from casetrail.records.catalogue import doc_type
from casetrail.records.models import Record, RecordSignature
from casetrail.records.writes import (
    OfficerPresent,
    SignatureInput,
    add_record,
    check_officers_present,
    signature_rows,
)
from casetrail.start.summary import OnTheSpot, Statement

# The documents made on the spot, in the order they are made; each is signed in its own slots.
ON_THE_SPOT_DOCUMENTS = ("summary_procedure_record", "administrative_decision", "service_receipt")


def _refused_receipt(signatures: list[SignatureInput]) -> bool:
    return any(
        s.key == "recipient" and s.method == RecordSignature.Method.REFUSED for s in signatures
    )


def _steps(spot: OnTheSpot, officers: list[Officer], refused: bool) -> str:
    """第二十一条（二）: the steps taken, as the record of what this action did."""
    shown = "、".join(f"{o.name}（执法证件编号{o.certificate_no}）" for o in officers)
    steps = [
        f"执法人员{shown}向当事人出示执法证件、表明身份",
        "告知当事人拟作出行政处罚的内容及事实、理由、依据和依法享有的陈述、申辩权",
        "听取当事人陈述、申辩并进行复核"
        if spot.statement == Statement.STATED
        else "当事人放弃陈述、申辩",
        f"填写预定格式、编有号码的行政处罚决定书（{spot.doc_no}）并当场交付当事人"
        + ("，当事人拒绝签收，已在送达回证上注明" if refused else "，当事人签收"),
    ]
    if spot.collected and spot.amount is not None:
        steps.append(
            f"当场收缴罚款{spot.amount:.2f}元，出具财政部门统一制发的专用票据（{spot.receipt_no}）"
        )
    return "；".join(steps) + "。"


def _signer(spot: OnTheSpot, party: Party) -> tuple[dict[str, str] | None, str]:
    """Who received the decision for the party: the person themselves, or for an organisation
    its representative (or the person named instead, as its agent)."""
    if party.kind == Party.Kind.PERSON:
        return None, "self"
    name = spot.signer_name.strip() or party.representative
    if not name:
        raise ActionError(
            "signer_required",
            "当事人为组织的，请填写当场签收决定书的法定代表人、负责人或者其委托的人员",
            field="signer_name",
        )
    relation = "representative" if name == party.representative else "agent"
    return {"name": name}, relation


def _signed(
    kind: str, record: Record, signatures: dict[str, list[SignatureInput]], now: dt.datetime
) -> list[Any]:
    return [
        record,
        *signature_rows(
            doc=doc_type(kind), record=record, signatures=signatures.get(kind, []), now=now
        ),
    ]


@step
def on_the_spot_documents(
    *,
    case: Case,
    officer: Officer,
    party: Party,
    officers: list[Officer],
    spot: OnTheSpot,
    signatures: dict[str, list[SignatureInput]],
    now: dt.datetime,
) -> list[Any]:
    """The 简易程序记录 and the 当场行政处罚决定书 in 审查决定, then the case in 送达执行 with the
    送达回证 of the decision handed over on the spot (行政处罚法第五十二条). Returns every row."""
    unknown = set(signatures) - set(ON_THE_SPOT_DOCUMENTS)
    if unknown:
        raise ActionError(
            "unknown_document",
            f"当场处罚没有这些文书：{'、'.join(sorted(unknown))}"
            f"（可签：{'、'.join(ON_THE_SPOT_DOCUMENTS)}）",
            field="signatures",
        )
    signer, relation = _signer(spot, party)
    refused = _refused_receipt(signatures.get("service_receipt", []))
    stated = spot.statement == Statement.STATED
    present = check_officers_present(
        doc_type("summary_procedure_record"), case, [OfficerPresent(o.pk, True) for o in officers]
    )
    rows: list[Any] = [
        move_stage(
            case=case,
            officer=officer,
            to_stage=Stage.DECISION,
            reason="适用简易程序，当场作出行政处罚决定（行政处罚法第五十一条）",
            now=now,
        )
    ]
    record = add_record(
        case=case,
        kind="summary_procedure_record",
        officer=officer,
        now=now,
        officers_present=present,
        fields={
            "made_at": spot.decided_at,
            "place": spot.place,
            "party": party.pk,
            "conditions": spot.conditions,
            "steps": _steps(spot, officers, refused),
            "documents": [
                f"当场行政处罚决定书（{spot.doc_no}）",
                "送达回证（当场交付）",
                *spot.documents,
            ],
            "facts": spot.facts,
            "legal_basis": spot.legal_basis,
            "penalty": spot.penalty,
            "penalty_amount": spot.amount,
            "decision": spot.decision,
            "rights_told": spot.rights_told,
            "statement": spot.statement,
            "statements": spot.statements if stated else "",
            "review": spot.review if stated else "",
            "adopted": spot.adopted if stated else "",
            "adoption_reasons": spot.adoption_reasons if stated else "",
            "collected_on_spot": spot.collected,
            "collection_ground": spot.collection_ground if spot.collected else "",
            "collection_ground_details": spot.collection_ground_details if spot.collected else "",
            "party_requested": spot.party_requested if spot.collected else False,
            "receipt_no": spot.receipt_no if spot.collected else "",
            "other": spot.other,
            "contentious": spot.contentious,
        },
    )
    rows += _signed("summary_procedure_record", record, signatures, now)
    decision = add_record(
        case=case,
        kind="administrative_decision",
        officer=officer,
        now=now,
        fields={
            "spot_form_no": spot.doc_no,
            "decided_at": spot.decided_at,
            "party": party.pk,
            "facts": spot.facts,
            "evidence": spot.evidence,
            "legal_basis": spot.legal_basis,
            "reasons": spot.reasons,
            "decision": spot.decision,
            "penalty_amount": spot.amount,
            "performance_manner": (
                f"当场缴纳，专用票据编号{spot.receipt_no}（行政处罚法第六十八至七十条）"
                if spot.collected
                else spot.performance_manner
            ),
            "review_body": spot.review_body,
            "review_period": spot.review_period,
            "litigation_court": spot.litigation_court,
            "litigation_period": spot.litigation_period,
        },
    )
    rows += _signed("administrative_decision", decision, signatures, now)
    rows.append(
        move_stage(
            case=case,
            officer=officer,
            to_stage=Stage.SERVICE,
            reason="行政处罚决定书已当场交付当事人（行政处罚法第五十二条）",
            now=now,
        )
    )
    receipt = add_record(
        case=case,
        kind="service_receipt",
        officer=officer,
        now=now,
        fields={
            "document": decision.pk,
            "recipient": {"name": party.name},
            "party": party.pk,
            "signer": signer,
            "signer_relation": relation,
            "method": "direct",
            "place": spot.place,
            "served_at": spot.decided_at,
            "server": [o.pk for o in officers],
        },
    )
    rows += _signed("service_receipt", receipt, signatures, now)
    return rows
