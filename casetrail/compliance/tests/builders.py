"""Test builders: make catalogue records with plausible values, move cases between stages."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from PIL import Image

from casetrail.cases.actions import case_advance
from casetrail.cases.models import Case
from casetrail.records.actions import OfficerPresent, SignatureInput, record_create
from casetrail.records.catalogue import CATALOGUE
from casetrail.records.models import Record


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (40, 16), 255).save(buf, "PNG")
    return buf.getvalue()


def value_for(case: Case, f: Any, personas: dict[str, Any]) -> Any:
    now = timezone.localtime()
    if f.type in ("text", "longtext", "legal_basis"):
        return "测试内容"
    if f.type == "person":
        return {"name": "测试人"}
    if f.type == "date":
        return now.date().isoformat()
    if f.type == "datetime":
        return (now - dt.timedelta(minutes=2)).isoformat()
    if f.type == "bool":
        return True
    if f.type == "list":
        return ["一项"]
    if f.type == "number":
        return 1
    if f.type == "money":
        return "100.00"
    if f.type == "choice":
        return f.choices[0][0]
    if f.type == "party":
        return case.parties.first().pk
    if f.type == "officer":
        return personas["zhang"].pk
    if f.type == "officers":
        return [personas["zhang"].pk, personas["li"].pk]
    if f.type in ("document", "documents"):
        target = case.records.filter(kind__in=f.refers_to).order_by("-id").first()
        if f.type == "documents":
            return [target.pk] if target else []
        return target.pk if target else None
    raise AssertionError(f.type)


def sigs(kind: str) -> list[SignatureInput]:
    """Every signature the catalogue entry of ``kind`` requires, drawn."""
    return [
        SignatureInput(s.key, "签名人", "drawn", image=png()) for s in CATALOGUE[kind].signatures
    ]


def make(case: Case, personas: dict[str, Any], kind: str, **fields: Any) -> Record:
    """A valid record of ``kind`` (fields given override the generated ones; fields required
    only under a condition are filled when it holds)."""
    doc = CATALOGUE[kind]
    values = {f.name: value_for(case, f, personas) for f in doc.fields if f.required}
    values.update(fields)
    for f in doc.fields:
        if f.required_if and f.required_if.met(values) and f.name not in values:
            values[f.name] = value_for(case, f, personas)
    return record_create(
        case=case,
        officer=personas["zhang"],
        kind=kind,
        fields=values,
        officers_present=[
            OfficerPresent(personas["zhang"].pk, True),
            OfficerPresent(personas["li"].pk, True),
        ][: max(doc.officers_min, 0) or 0]
        if doc.officers_min
        else [],
        signatures=sigs(kind),
    )


def investigated(case: Case, personas: dict[str, Any], *, interview: bool = True) -> None:
    """What a case needs before 审查决定 and its penalty decision (R12): an investigation record
    (a 询问笔录 unless ``interview`` is False because the case has one), and the party told of the
    proposed penalty and heard — here the party declined to state."""
    if interview:
        make(case, personas, "interview_record")
    notice = make(case, personas, "rights_notice")
    make(case, personas, "service_receipt", document=notice.pk)  # served (R44)
    make(case, personas, "statement_waiver", rights_notice=notice.pk)


def advance(case: Case, personas: dict[str, Any], to: str) -> None:
    """Move the case on; into 结案 through an approved 结案审批 (第六条), as the law has it."""
    if to == "closed":
        from casetrail.decisions.tests.other_chains.builders import close

        close(case, personas)
        return
    case_advance(case=case, officer=personas["zhang"], to_stage=to, reason="测试推进")
    case.refresh_from_db()


def unfilmed_sampling(case: Case, personas: dict[str, Any]) -> Record:
    """张承办 samples for half an hour's ten minutes without filming it (R13 asks for a film): the
    sampling notice, with its item list."""
    now = timezone.localtime()
    sampling = make(
        case,
        personas,
        "sampling_notice",
        started_at=(now - dt.timedelta(minutes=30)).isoformat(),
        ended_at=(now - dt.timedelta(minutes=20)).isoformat(),
    )
    make(case, personas, "item_list", source=sampling.pk)
    return sampling


def returned_by_post(case: Case, personas: dict[str, Any], document: Record) -> Record:
    """``document`` sent by post and returned (查无此人): the 邮寄送达 record, served in no way."""
    return make(
        case,
        personas,
        "mail_service_record",
        document=document.pk,
        outcome="returned",
        return_reason="查无此人",
    )
