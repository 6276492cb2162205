"""The demo's oversight step (issue 16 item 6), after the three demo cases, through the actions:

- a late recording (第三十条): a patrol clip recorded 30 hours ago, uploaded today with its reason
  — the one finding the clean demo cases honestly produce — and 孙监督's 责令改正 on it;
- the 公示 of the three demo decisions: drafted by 孙监督, approved (published) by 赵局长;
- an 抽查 of the month the demo cases closed in, with the first drawn case reviewed;
- the 评议考核 report of the year.

Idempotent: each part is skipped when it is already there.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.demo.media import video_mp4
from casetrail.evidence.actions import RecordInput, evidence_record_create
from casetrail.evidence.ingest import store_bytes
from casetrail.evidence.media import probe
from casetrail.evidence.models import Item
from casetrail.org.models import Officer
from casetrail.oversight.actions import (
    finding_order,
    publication_approve,
    publication_prepare,
    report_issue,
    sample_draw,
    sample_review,
)
from casetrail.oversight.checklists import CHECKLIST
from casetrail.oversight.models import (
    EvaluationReport,
    Finding,
    FindingState,
    Publication,
    Sample,
)
from casetrail.oversight.publishing import DECISION
from casetrail.oversight.refresh import refresh
from casetrail.records.models import Record

LATE_CLIP = "夜间巡查录像（执法记录仪存储卡损坏，修复后补传）"


def _late_recording(zhang: Officer) -> None:
    if Item.objects.filter(agency_id=zhang.agency_id, description=LATE_CLIP).exists():
        return
    data = video_mp4(4242, created=timezone.now() - dt.timedelta(hours=30))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "patrol.mp4"
        path.write_bytes(data)
        media = probe(path)
    blob = store_bytes(officer=zhang, data=data, media_type=media.pop("media_type"))
    evidence_record_create(
        officer=zhang,
        blob=blob,
        media=media,
        file_name="patrol.mp4",
        data=RecordInput(
            kind="video",
            place="陵川县崇文镇",
            informed="no_party",
            informed_how="",
            description=LATE_CLIP,
            late_reason="执法记录仪存储卡损坏，经修复后于次日补传",
        ),
    )


def _publish(cases: list[Case], sun: Officer, zhao: Officer) -> None:
    decisions = Record.objects.filter(case__in=cases, kind=DECISION).exclude(
        pk__in=Record.objects.filter(replaces__isnull=False).values("replaces_id")
    )
    for record in decisions.order_by("pk"):
        # A decision is published with its 文号, drawn when it is issued (none when the demo was
        # loaded with CASETRAIL_DEMO_DOCUMENTS=0).
        if Publication.objects.filter(decision=record).exists() or not record.doc_no:
            continue
        draft = publication_prepare(case=record.case, decision=record, officer=sun)
        publication_approve(publication=draft, officer=zhao)


def _sample(cases: list[Case], sun: Officer) -> None:
    closed = [c.closed_at for c in cases if c.closed_at]
    if not closed:
        return
    period = timezone.localtime(max(closed)).strftime("%Y-%m")
    if Sample.objects.filter(agency_id=sun.agency_id, period=period).exists():
        return
    sample = sample_draw(officer=sun, period=period, size=2)
    first = Case.objects.get(pk=sample.drawn[0])
    sample_review(
        sample=sample,
        case=first,
        officer=sun,
        results=[{"item": c.code, "result": "ok", "note": ""} for c in CHECKLIST],
        conclusion="案卷齐全，程序合法，音像记录完整",
    )


def load_oversight(personas: dict[str, Officer], cases: list[Case]) -> str:
    """Run the oversight step; returns a one-line summary."""
    sun, zhao, zhang = personas["sun"], personas["zhao"], personas["zhang"]
    _late_recording(zhang)
    refresh(agency=sun.agency)
    for finding in Finding.objects.filter(
        agency_id=sun.agency_id, kind="late_upload", state=FindingState.OPEN
    ):
        finding_order(
            finding=finding,
            officer=sun,
            text="说明延迟上传原因，建立执法记录仪存储卡定期检查制度",
            deadline=timezone.localdate() + dt.timedelta(days=10),
        )
    _publish(cases, sun, zhao)
    _sample(cases, sun)
    year = timezone.localdate().year
    if not EvaluationReport.objects.filter(agency_id=sun.agency_id, period=str(year)).exists():
        report_issue(officer=sun, period=str(year))
    findings = Finding.objects.filter(agency_id=sun.agency_id).count()
    published = Publication.objects.filter(agency_id=sun.agency_id, state="published").count()
    return (
        f"监督：发现 {findings} 项（/oversight/findings/），公示决定 {published} 件"
        f"（/public/decisions/），抽查与评议考核见 /oversight/"
    )
