"""Reads of evidence, and ``evidence_for_user`` — the one access function for items.

An item linked to a case is readable by whoever may read the case (``case_for_user``); an unlinked
item only by its uploader, its recording officer and the agency's supervisors. Anything else is 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from casetrail.cases.models import Case, Confidentiality, Mark
from casetrail.cases.selectors import ReadState, case_for_user, may_read_marked, visible_cases
from casetrail.evidence.models import AccessLog, Item, ItemLink, UnlinkedItem, Upload
from casetrail.lib.masking import mask_text, withheld_text
from casetrail.lib.numbers import id_or_none
from casetrail.org.models import Officer, Role
from casetrail.org.selectors import officer_for_request

ITEM_RELATED = ("blob", "blob__poster", "device", "officer", "uploaded_by", "link", "link__case")


def _items() -> QuerySet[Item]:
    return Item.objects.select_related(*ITEM_RELATED)


def evidence_for_user(*, user: Any, item_id: int | str) -> Item:
    officer = officer_for_request(user)
    pk = id_or_none(item_id)
    if pk is None:
        raise Http404("音像记录不存在")
    item = _items().filter(pk=pk, agency_id=officer.agency_id).first()
    if item is None:
        raise Http404("音像记录不存在")
    link = getattr(item, "link", None)
    if link is not None:
        case_for_user(user=user, case_id=link.case_id)  # 404 unless the case is readable
        return item
    if officer.pk in (item.uploaded_by_id, item.officer_id) or officer.has_role(Role.SUPERVISOR):
        return item
    raise Http404("音像记录不存在")


def visible_items(*, officer: Officer) -> QuerySet[Item]:
    """Items of cases the officer may read, plus the officer's own unlinked ones (supervisors:
    every unlinked item of the agency)."""
    cases = visible_cases(officer=officer).values("pk")
    q = Q(link__case__in=cases)
    if officer.has_role(Role.SUPERVISOR):
        q |= Q(link__isnull=True)
    else:
        q |= Q(link__isnull=True) & (Q(uploaded_by=officer) | Q(officer=officer))
    return _items().filter(agency_id=officer.agency_id).filter(q)


def items_of_case(*, case: Case) -> list[Item]:
    return list(_items().filter(link__case=case).order_by("recorded_end", "id"))


# Uploads waiting for details listed (and counted) at most.
PENDING_SHOWN = 100


def _waiting(officer: Officer) -> QuerySet[UnlinkedItem]:
    # Through the projection of unlinked items (kept by triggers): a handler's few waiting items,
    # not every item they ever recorded checked for a link (issue 18).
    return UnlinkedItem.objects.filter(agency_id=officer.agency_id).filter(
        Q(uploaded_by=officer) | Q(officer=officer)
    )


def _pending(officer: Officer) -> QuerySet[Upload]:
    return Upload.objects.filter(
        officer=officer, state__in=[Upload.State.NEEDS_DETAILS, Upload.State.RECEIVING]
    )


def inbox_for(*, officer: Officer) -> dict[str, Any]:
    """The officer's recordings not yet in a case, and uploads waiting for details."""
    waiting = _waiting(officer)
    unlinked = list(_items().filter(pk__in=waiting.values("item_id")).order_by("-uploaded_at"))
    pending = list(_pending(officer).order_by("-updated_at")[:PENDING_SHOWN])
    return {"unlinked": unlinked, "pending": pending}


def inbox_counts(*, officer: Officer) -> dict[str, int]:
    """How many items ``inbox_for`` lists, without reading them: what the worklist's button
    shows. Counted in the projection and the uploads' own indexes (every item has its blob and
    officers, so the count is the list's length)."""
    return {
        "unlinked": _waiting(officer).count(),
        "pending": _pending(officer).order_by()[:PENDING_SHOWN].count(),
    }


def late_recordings_for(officer: Officer) -> list[Item]:
    """第三十条 findings: recordings uploaded more than 24 h after they ended. Handlers see their own
    (uploaded or recorded); supervisors see the agency's."""
    items = Item.objects.filter(agency_id=officer.agency_id, late=True)
    if not officer.has_role(Role.SUPERVISOR):
        items = items.filter(Q(uploaded_by=officer) | Q(officer=officer))
    # The ids first (the late items' partial index), the items with what they show only when
    # there are any: the usual answer is none, and building the seven-table query alone cost
    # more than the page's other reads (issue 18).
    ids = list(items.order_by("-uploaded_at").values_list("pk", flat=True)[:100])
    if not ids:
        return []
    found = {i.pk: i for i in _items().filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def accesses_of(*, item: Item) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(item=item).select_related("officer")[:200]


def linkable_cases(*, officer: Officer) -> QuerySet[Case]:
    from casetrail.cases.models import Stage

    return (
        Case.objects.filter(agency_id=officer.agency_id, assignments__officer=officer)
        .exclude(stage__in=[Stage.CLOSED, Stage.ARCHIVED])
        .order_by("-created_at")
    )


def upload_for_user(*, user: Any, upload_id: Any) -> Upload:
    import uuid

    officer = officer_for_request(user)
    try:
        pk = uuid.UUID(str(upload_id))
    except ValueError:
        raise Http404("上传不存在") from None
    upload = Upload.objects.filter(pk=pk, officer=officer).first()
    if upload is None:
        raise Http404("上传不存在")
    return upload


# An item's free text, where an uploader may have typed a person's ID or phone number.
ITEM_TEXTS = frozenset(
    {"place", "informed_how", "description", "late_reason", "time_reason", "original_name"}
)


class ItemView:
    """An item as one viewer may see it: its free text with ID and phone numbers masked unless
    the viewer may read its case's personal data (``may_read_marked``). Everything else is the
    item's own."""

    def __init__(
        self, item: Item, *, masked: bool, marks: list[str] | None = None, withheld: str = ""
    ) -> None:
        self.item = item
        self.masked = masked
        self.marks = marks or []
        # 第三十三条: a marked item the viewer may not read (yet): its text and its bytes are
        # withheld — no player, no poster — and this stands in for them.
        self.withheld = withheld

    @property
    def playable(self) -> str:
        return "" if self.withheld else self.item.playable

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.item, name)
        if name in ITEM_TEXTS and isinstance(value, str) and value:
            if self.withheld:
                return self.withheld
            if self.masked:
                return mask_text(value)
        return value


def as_seen(
    *, officer: Officer, items: list[Item], states: dict[int, ReadState] | None = None
) -> list[ItemView]:
    """``items`` as ``officer`` may see them: the access function asked once per case (or the
    ``states`` the caller read with the request, by case id), marked items withheld unless the
    reader may read them and gave a reason. An item in no case is seen only by its uploader, its
    recorder and the supervisors: whole (it can carry no mark before it is in a case)."""
    states = dict(states or {})
    linked = [i.pk for i in items if getattr(i, "link", None) is not None]
    marks: dict[int, list[str]] = {}
    for mark in Mark.objects.filter(target__in=[f"evidence:{pk}" for pk in linked]):
        marks.setdefault(int(mark.target.partition(":")[2]), []).append(mark.get_kind_display())
    out = []
    for item in items:
        link = getattr(item, "link", None) if hasattr(item, "link") else None
        if link is None:
            out.append(ItemView(item, masked=False))
            continue
        if link.case_id not in states:
            states[link.case_id] = ReadState(
                may=may_read_marked(officer=officer, case=link.case),
                secret=link.case.confidentiality == Confidentiality.SECRET,
            )
        state = states[link.case_id]
        labels = marks.get(item.pk, [])
        withheld = withheld_text(labels) if labels and not state.unlocked else ""
        out.append(ItemView(item, masked=not state.personal, marks=labels, withheld=withheld))
    return out


def case_of_item(ident: str, agency_id: int) -> int | None:
    """The case an item ("evidence:<id>") is linked to now (registered with the ledger, so an
    entry written before the link is read under the case's rule)."""
    if not ident.isdigit():
        return None
    return (
        ItemLink.objects.filter(item_id=int(ident), item__agency_id=agency_id)
        .values_list("case_id", flat=True)
        .first()
    )


def case_of_blob(ident: str, agency_id: int) -> int | None:
    """The case the agency's item of these bytes ("blob:<sha256>") is linked to now."""
    return (
        ItemLink.objects.filter(item__blob__sha256=ident, item__agency_id=agency_id)
        .values_list("case_id", flat=True)
        .first()
    )
