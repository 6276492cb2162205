"""Reading a case's marked material (第三十三条): the reason the reader chose and the read log.

Marked material is a record or media item carrying a ``Mark`` (商业秘密, 个人隐私), and the
protected material of a 涉密 case. Those the access function allows (``may_read_marked``) read it
only after choosing why — 办案, 审核, 监督 or 调用 — once per case per session: the web UI asks
with a small form (``/cases/<id>/reason/``) and keeps the answer in the login session; the API
takes ``reason`` (query or form parameter) or the ``X-Read-Reason`` header on each call and
refuses marked material without it (``read_reason_required``). Every such read is a
``MarkedRead`` row and a ledger entry, one per reader, case, session and reason — not one per
page view (README, *保密与个人信息*: what a read costs).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from casetrail.cases.actions import marked_read_record
from casetrail.cases.models import Case, Confidentiality, Mark, MarkedRead, ReadReason
from casetrail.cases.selectors import ReadState, marks_of, may_read_marked
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer
from casetrail.org.selectors import officer_for_request

SESSION_KEY = "casetrail_read_reasons"
HEADER = "X-Read-Reason"
# The reason as people may send it: its code or its Chinese name.
_BY_NAME = {r.value: r.value for r in ReadReason} | {str(r.label): r.value for r in ReadReason}


def parse_reason(value: Any) -> str | None:
    """The reason code for ``value`` (a code or a Chinese name), None when empty; ActionError
    ``invalid_read_reason`` for anything else."""
    text = str(value or "").strip()
    if not text:
        return None
    if text not in _BY_NAME:
        raise ActionError(
            "invalid_read_reason", "查阅事由应为：办案、审核、监督或调用", field="reason"
        )
    return _BY_NAME[text]


def _is_api(request: Any) -> bool:
    return str(getattr(request, "path", "")).startswith("/api/")


def reason_for(request: Any, case: Case) -> str | None:
    """The reason the reader gave for reading ``case``'s marked material: on the API the request's
    own ``reason`` parameter or header; on the web the one chosen in this session."""
    if _is_api(request):
        given = request.headers.get(HEADER) or request.GET.get("reason")
        if not given and request.method == "POST":
            given = request.POST.get("reason")
        return parse_reason(given)
    session = getattr(request, "session", None)
    chosen = (session.get(SESSION_KEY) or {}) if session is not None else {}
    return chosen.get(str(case.pk))


def choose_reason(request: Any, case: Case, reason: str) -> None:
    """Keep the reason chosen on the web for the rest of the session."""
    code = parse_reason(reason)
    if code is None:
        raise ActionError("read_reason_required", "请选择查阅事由", field="reason")
    chosen = dict(request.session.get(SESSION_KEY) or {})
    chosen[str(case.pk)] = code
    request.session[SESSION_KEY] = chosen


def session_digest(request: Any) -> str:
    """Which session a read belongs to, as a digest (never the key itself): the login session on
    the web, the token on the API."""
    session = getattr(request, "session", None)
    key = session.session_key if session is not None else None
    if _is_api(request) and request.headers.get("Authorization"):
        key = request.headers["Authorization"]
    if not key and session is not None:
        session.save()
        key = session.session_key
    return hashlib.sha256(str(key or "").encode()).hexdigest()


def is_marked_case(case: Case) -> bool:
    """A 涉密 case: all its protected material is marked."""
    return case.confidentiality == Confidentiality.SECRET


def note_read(
    request: Any, *, officer: Officer, case: Case, reason: str, via: str, target: str = ""
) -> MarkedRead | None:
    """Log a read of ``case``'s marked material for ``reason`` — once per reader, case, session
    and reason (a later read in the same session adds nothing). Returns the new row, if any."""
    session = session_digest(request)
    seen = MarkedRead.objects.filter(
        case=case, officer=officer, session=session, reason=reason
    ).exists()
    if seen:
        return None
    return marked_read_record(
        case=case, officer=officer, reason=reason, session=session, via=via, target=target
    )


def require_reason(request: Any, case: Case) -> str:
    """The reason for an API read of marked material, or ActionError ``read_reason_required``."""
    reason = reason_for(request, case)
    if reason is None:
        raise ActionError(
            "read_reason_required",
            "该材料已标记为涉密或个人隐私（第三十三条），请以 reason 参数或 X-Read-Reason 请求头"
            "说明查阅事由：办案、审核、监督或调用",
            field="reason",
        )
    return reason


def read_state(request: Any, *, officer: Officer, case: Case) -> ReadState:
    """What the requesting viewer may see of ``case``'s protected material now."""
    may = may_read_marked(officer=officer, case=case)
    return ReadState(
        may=may, reason=reason_for(request, case) if may else None, secret=is_marked_case(case)
    )


def log_page_read(
    request: Any, *, officer: Officer, case: Case, state: ReadState, via: str, target: str = ""
) -> None:
    """After a page or API answer that showed the case's marked material (a reason was given and
    the case is 涉密 or has marks), log the read (once per session and reason)."""
    if state.reason is None or not state.may:
        return
    if state.secret or Mark.objects.filter(case=case).exclude(target="").exists():
        note_read(request, officer=officer, case=case, reason=state.reason, via=via, target=target)


@dataclass(frozen=True)
class ObjectRead:
    """One object of a case (a record, a media item, a ledger entry) as its reader may see it:
    the read state and the object's mark labels."""

    state: ReadState
    marks: list[str]

    @property
    def withheld(self) -> bool:
        """The object's content is withheld: it is marked and the reader may not read it, or has
        not given a reason yet."""
        return bool(self.marks) and not self.state.unlocked

    @property
    def personal(self) -> bool:
        return self.state.personal and not self.withheld

    @property
    def ask_reason(self) -> bool:
        """The reader may read it once they say why (the web shows the reason prompt)."""
        return self.state.needs_reason and (bool(self.marks) or self.state.secret)


def object_read(request: Any, *, officer: Officer, case: Case, target: str, via: str) -> ObjectRead:
    """The read of one object of ``case`` (its ledger subject ``target``): whether its content is
    shown, masked or withheld, and — when marked material is shown — the read logged with its
    reason (once per session). On the API a reader allowed to read a marked object must give the
    reason: ActionError ``read_reason_required`` otherwise."""
    marks = [m.get_kind_display() for m in marks_of(case=case, target=target)]
    state = read_state(request, officer=officer, case=case)
    if marks and state.needs_reason and _is_api(request):
        require_reason(request, case)
    if state.reason is not None and state.may and (marks or state.secret):
        note_read(request, officer=officer, case=case, reason=state.reason, via=via, target=target)
    return ObjectRead(state, marks)


def ledger_read_gate(request: Any, *, case_id: int, subject: str) -> tuple[bool, bool]:
    """The ledger's read gate (registered from ``CasesConfig.ready()``): an entry about a marked
    record or item, or of a 涉密 case, is shown whole only with the read reason, and logged."""
    case = Case.objects.get(pk=case_id)
    officer = officer_for_request(request.user)
    read = object_read(request, officer=officer, case=case, target=subject, via="ledger")
    return read.personal, read.ask_reason
