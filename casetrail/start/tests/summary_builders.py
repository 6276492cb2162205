"""Builders for the summary procedure's tests: the body of an on-the-spot start as the officers'
tablet would send it, and the same start made directly through the action."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.compliance.tests.builders import png
from casetrail.conftest import VALID_ID, client_for
from casetrail.org.models import Officer

PNG64 = base64.b64encode(png()).decode()
PERSON = {
    "kind": "person",
    "name": "周某",
    "id_number": VALID_ID,
    "phone": "13912345678",
    "address": "山西省晋城市陵川县崇文镇某街12号",
}
ORGANISATION = {
    "kind": "organisation",
    "name": "陵川县康乐颐养院",
    "credit_code": "52140524MJ0123456K",
    "representative": "刘某某",
}


def drawn(key: str, name: str) -> dict[str, str]:
    return {"key": key, "name": name, "method": "drawn", "image": PNG64}


def signatures(party: str = "周某", refuse_receipt: bool = False) -> dict[str, list[Any]]:
    recipient = (
        {"key": "recipient", "name": party, "method": "refused", "refusal_reason": "拒绝签收"}
        if refuse_receipt
        else drawn("recipient", party)
    )
    return {
        "summary_procedure_record": [drawn("officers", "张承办、李承办"), drawn("party", party)],
        "administrative_decision": [drawn("other", "陵川县民政局")],
        "service_receipt": [recipient, drawn("server", "张承办、李承办")],
    }


def body(personas: dict[str, Officer], **overrides: Any) -> dict[str, Any]:
    """张承办 and 李承办 fine 周某 200 yuan on the spot; the party declines to state."""
    zhang, li = personas["zhang"], personas["li"]
    party = overrides.get("party", PERSON)
    values: dict[str, Any] = {
        "unit": zhang.unit_id,
        "title": "周某在公共墓地外违规焚烧祭祀用品案",
        "category": "funeral",
        "officers": [zhang.pk, li.pk],
        "party": party,
        "certificates_shown": True,
        "decided_at": (timezone.now() - dt.timedelta(minutes=10)).isoformat(),
        "place": "陵川县崇文镇公墓路口",
        "doc_no": "陵民当罚〔2026〕0001号",
        "conditions": "违法事实确凿并有法定依据，对公民处二百元以下罚款，符合行政处罚法第五十一条",
        "facts": "当事人在公墓入口外道路上焚烧纸钱等祭祀用品。",
        "evidence": ["现场照片", "当事人陈述"],
        "legal_basis": "《山西省殡葬管理条例》第二十八条",
        "reasons": "违法事实清楚，当事人当场认可。",
        "penalty": "fine",
        "amount": "200.00",
        "decision": "罚款人民币200元。",
        "rights_told": True,
        "statement": "declined",
        "review_body": "陵川县人民政府",
        "review_period": "自收到本决定书之日起六十日内",
        "litigation_court": "陵川县人民法院",
        "litigation_period": "自收到本决定书之日起六个月内",
        "signatures": signatures(party["name"]),
    }
    values.update(overrides)
    return values


def post(personas: dict[str, Officer], who: str = "zhang", **overrides: Any) -> Any:
    return client_for(who).post(
        "/api/cases/on-the-spot/", body(personas, **overrides), content_type="application/json"
    )


def on_the_spot(personas: dict[str, Officer], **overrides: Any) -> Case:
    """A summary case decided on the spot, through the API."""
    r = post(personas, **overrides)
    assert r.status_code == 201, r.content
    return Case.objects.get(pk=r.json()["id"])
