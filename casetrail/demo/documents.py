"""The demo's 文书 on paper (issue 11): the agency's 文号 patterns, and every served document of the
three demo cases issued as a sealed PDF/A with its 文号, so a newcomer can print one at once.

Idempotent like the rest of the demo: a pattern already set is kept, a document already issued is
returned as it was (``documents.issuing.issue``)."""

from __future__ import annotations

from casetrail.cases.models import Case
from casetrail.compliance.engine import ref
from casetrail.compliance.service import SERVICE_RECORDS
from casetrail.documents.actions import document_pattern_set
from casetrail.documents.issuing import issue
from casetrail.documents.models import NumberPattern
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer
from casetrail.records.models import Record

PATTERNS = {
    "decision": "陵民罚决〔{year}〕{n}号",
    "notice": "陵民罚告〔{year}〕{n}号",
    "demand": "陵民催〔{year}〕{n}号",
}


def set_patterns(admin: Officer) -> None:
    for family, pattern in PATTERNS.items():
        if not NumberPattern.objects.filter(agency_id=admin.agency_id, family=family).exists():
            document_pattern_set(officer=admin, family=family, pattern=pattern)


def served_documents(case: Case) -> list[Record]:
    """The latest version of every document of the case that a service record names."""
    ids = {ref(r, "document") for r in case.records.filter(kind__in=SERVICE_RECORDS)}
    records = Record.objects.filter(case=case, pk__in=[i for i in ids if i is not None])
    latest = []
    for record in records.order_by("created_at", "id"):
        while record.replaced_by.exists():
            record = record.replaced_by.get()
        latest.append(record)
    return latest


def issue_demo_documents(personas: dict[str, Officer], cases: list[Case]) -> tuple[int, list[str]]:
    """Issue the served documents of ``cases`` by each case's first handler. Returns (how many
    are issued in all, the refusals as text) — a refusal leaves the rest to be issued."""
    if "admin" in personas:
        set_patterns(personas["admin"])
    issued, refused = 0, []
    for case in cases:
        handler = case.assignments.select_related("officer").order_by("id").first()
        if handler is None:
            continue
        for record in served_documents(case):
            try:
                issue(record=record, officer=handler.officer)
            except ActionError as err:
                refused.append(f"{case.label} {record.title}：{err.message}")
            else:
                issued += 1
    return issued, refused
