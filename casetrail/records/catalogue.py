"""The document catalogue: every document type is data — its fields, stage and the articles it serves.

Forms and validation are driven by these entries, in the UI and the API alike. This first part holds
the documents of the start of a case (第八、九条); the investigation, decision, service and execution
documents (第三至五章) join the same table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from casetrail.lib.errors import ActionError

FIELD_TYPES = ("text", "longtext", "date", "datetime", "bool", "list", "choice")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    must_be_true: bool = False  # a confirmation that must be ticked (e.g. applicant signed)


@dataclass(frozen=True)
class DocType:
    code: str
    title: str
    stage: str
    articles: tuple[str, ...]
    fields: tuple[Field, ...] = field(default_factory=tuple)


CATALOGUE: dict[str, DocType] = {}


def _add(doc: DocType) -> None:
    CATALOGUE[doc.code] = doc


_add(
    DocType(
        code="application_registration",
        title="行政执法申请登记",
        stage="start",
        articles=("第八条",),
        fields=(
            Field("received_at", "申请时间", "datetime"),
            Field("matter", "申请事项", "longtext"),
            Field("materials", "提交的申请材料", "list", help="每行一项"),
            Field("oral", "口头申请", "bool", required=False),
        ),
    )
)
_add(
    DocType(
        code="oral_application_record",
        title="口头申请笔录",
        stage="start",
        articles=("第八条",),
        fields=(
            Field("statement", "申请人口述内容", "longtext"),
            Field("applicant_signed", "申请人已阅读笔录并签名确认", "bool", must_be_true=True),
            Field("signed_at", "签名时间", "datetime"),
        ),
    )
)
_add(
    DocType(
        code="on_the_spot_correction",
        title="申请材料当场更正记录",
        stage="start",
        articles=("第八条",),
        fields=(
            Field("item", "更正的材料", "text"),
            Field("original", "原内容", "longtext"),
            Field("corrected", "更正后内容", "longtext"),
            Field("applicant_confirmed", "申请人当场确认更正", "bool", must_be_true=True),
        ),
    )
)
_add(
    DocType(
        code="supplement_notice",
        title="一次性告知补正材料通知书",
        stage="start",
        articles=("第八条",),
        fields=(
            Field("items", "需补正的全部内容", "list", help="每行一项，须一次列全"),
            Field("due_date", "补正期限", "date"),
            Field(
                "new_items_reason",
                "再次告知的理由（仅补正材料引出新问题时）",
                "longtext",
                required=False,
            ),
        ),
    )
)
_add(
    DocType(
        code="supplement_received",
        title="补正材料接收记录",
        stage="start",
        articles=("第八条",),
        fields=(
            Field("received_at", "接收时间", "datetime"),
            Field("items", "补正的材料", "list", help="每行一项"),
        ),
    )
)
_add(
    DocType(
        code="application_receipt",
        title="申请材料接收凭证（回执）",
        stage="start",
        articles=("第八条",),
        fields=(
            Field("issued_at", "出具时间", "datetime"),
            Field("materials", "接收的材料", "list", help="每行一项"),
        ),
    )
)
_add(
    DocType(
        code="application_decision",
        title="受理 / 不予受理决定",
        stage="start",
        articles=("第八条", "第六条"),
        fields=(
            Field(
                "decision", "决定", "choice", choices=(("accept", "受理"), ("refuse", "不予受理"))
            ),
            Field("reasons", "理由", "longtext"),
        ),
    )
)
_add(
    DocType(
        code="start_approval_form",
        title="程序启动审批表",
        stage="start",
        articles=("第九条", "第六条"),
        fields=(
            Field("reason", "启动原因", "longtext"),
            Field("party_facts", "当事人基本情况", "longtext"),
            Field("emergency", "情况紧急，先行启动、事后补报", "bool", required=False),
            Field("emergency_reason", "紧急情况说明", "longtext", required=False),
        ),
    )
)
_add(
    DocType(
        code="complaint_registration",
        title="投诉举报登记",
        stage="start",
        articles=("第九条",),
        fields=(
            Field("received_at", "收到时间", "datetime"),
            Field(
                "channel",
                "来源",
                "choice",
                choices=(
                    ("visit", "来访"),
                    ("phone", "来电"),
                    ("letter", "来信"),
                    ("online", "网络"),
                    ("referral", "转办"),
                ),
            ),
            Field("content", "投诉举报内容", "longtext"),
        ),
    )
)
_add(
    DocType(
        code="complaint_decision",
        title="不予启动执法程序决定",
        stage="start",
        articles=("第九条", "第六条"),
        fields=(Field("reasons", "经审查不启动的理由", "longtext"),),
    )
)
_add(
    DocType(
        code="complaint_notice",
        title="不予启动书面告知",
        stage="start",
        articles=("第九条",),
        fields=(
            Field("notified_at", "告知时间", "datetime"),
            Field(
                "method",
                "告知方式",
                "choice",
                choices=(
                    ("direct", "当面送交"),
                    ("mail", "邮寄"),
                    ("electronic", "电子方式"),
                ),
            ),
            Field("content", "告知内容", "longtext"),
        ),
    )
)


def doc_type(code: str) -> DocType:
    try:
        return CATALOGUE[code]
    except KeyError:
        raise ActionError("unknown_document_type", f"未知的文书类型：{code}") from None


def validate_catalogue() -> None:
    for code, doc in CATALOGUE.items():
        assert code == doc.code, code
        names = [f.name for f in doc.fields]
        if len(names) != len(set(names)):
            raise ValueError(f"catalogue {code}: duplicate field names")
        for f in doc.fields:
            if f.type not in FIELD_TYPES:
                raise ValueError(f"catalogue {code}.{f.name}: unknown type {f.type}")
            if f.type == "choice" and not f.choices:
                raise ValueError(f"catalogue {code}.{f.name}: a choice needs choices")


def _clean_value(doc: DocType, f: Field, raw: Any) -> Any:
    """Normalise one field to its JSON form (strings, lists, booleans), or raise ActionError."""
    missing = raw is None or raw == "" or raw == []
    where = f"{doc.title}·{f.label}"
    if f.type == "bool":
        value = raw in (True, "true", "on", "1", 1)
        if f.must_be_true and not value:
            raise ActionError("confirmation_required", f"{where}：须经确认后方可记录", field=f.name)
        return value
    if missing:
        if f.required:
            raise ActionError("field_required", f"{where}：必填", field=f.name)
        return [] if f.type == "list" else ""
    if f.type == "list":
        items = raw.splitlines() if isinstance(raw, str) else list(raw)
        cleaned = [str(i).strip() for i in items if str(i).strip()]
        if f.required and not cleaned:
            raise ActionError("field_required", f"{where}：至少填写一项", field=f.name)
        return cleaned
    if f.type == "date":
        day = raw if isinstance(raw, dt.date) else parse_date(str(raw))
        if day is None:
            raise ActionError("invalid_date", f"{where}：日期格式应为 YYYY-MM-DD", field=f.name)
        return day.isoformat()
    if f.type == "datetime":
        moment = raw if isinstance(raw, dt.datetime) else parse_datetime(str(raw))
        if moment is None:
            raise ActionError(
                "invalid_datetime", f"{where}：时间格式应为 YYYY-MM-DDTHH:MM", field=f.name
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if moment > timezone.now() + dt.timedelta(minutes=5):
            raise ActionError("datetime_in_future", f"{where}：不能晚于当前时间", field=f.name)
        return timezone.localtime(moment).isoformat()
    if f.type == "choice":
        if raw not in dict(f.choices):
            raise ActionError("invalid_choice", f"{where}：无效的选项 {raw}", field=f.name)
        return raw
    text = str(raw).strip()
    if f.required and not text:
        raise ActionError("field_required", f"{where}：必填", field=f.name)
    return text


def clean_fields(code: str, data: dict[str, Any]) -> dict[str, Any]:
    """Validate ``data`` against the catalogue entry and return the JSON-ready field values."""
    doc = doc_type(code)
    unknown = set(data) - {f.name for f in doc.fields}
    if unknown:
        raise ActionError(
            "unknown_field",
            f"{doc.title}：没有字段 {', '.join(sorted(unknown))}",
            field=sorted(unknown)[0],
        )
    return {f.name: _clean_value(doc, f, data.get(f.name)) for f in doc.fields}
