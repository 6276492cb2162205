"""公示 beside a 行政执法决定书 on the case page (registered with ``records.links`` from
``OversightConfig.ready()``): 拟写公示 for a handler of the case or a supervisor while the decision
has no publication; the public page once it is published."""

from __future__ import annotations

from django.urls import reverse

from casetrail.org.models import Officer, Role
from casetrail.oversight.models import Publication, PublicationState
from casetrail.oversight.publishing import DECISION
from casetrail.records.models import Record


def publication_links(record: Record, officer: Officer) -> list[tuple[str, str]]:
    if record.kind != DECISION or record.case.agency_id != officer.agency_id:
        return []
    publication = Publication.objects.filter(decision=record).only("pk", "state").first()
    if publication is not None:
        if publication.state == PublicationState.PUBLISHED:
            return [(reverse("public-decision", args=[publication.pk]), "公示（已公示）")]
        return []  # waiting for the 负责人, or withdrawn: on the publication list
    may = (
        officer.has_role(Role.SUPERVISOR)
        or record.case.assignments.filter(officer=officer).exists()
    )
    return [(reverse("publication-new", args=[record.pk]), "拟写公示")] if may else []
