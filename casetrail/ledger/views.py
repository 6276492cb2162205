"""Web UI of the ledger: an entry with its proof (linked from each record on the case page), and
the supervisors' verification report."""

from __future__ import annotations

import base64
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from casetrail.ledger import selectors
from casetrail.ledger.actions import verification_request
from casetrail.ledger.keys import public_key
from casetrail.ledger.models import VerificationRun
from casetrail.ledger.witnesses import witness_status
from casetrail.lib import merkle
from casetrail.lib.htmx import HtmxHttpRequest
from casetrail.org.models import Role
from casetrail.org.selectors import officer_for_request


@login_required
def entry_detail(request: HttpRequest, agency: str, seq: int) -> HttpResponse:
    ledger = selectors.ledger_for_user(user=request.user, agency_code=agency)
    entry = selectors.entry_for_user(user=request.user, ledger=ledger, seq=seq)
    ask = False
    try:
        selectors.entry_for_user(user=request.user, ledger=ledger, seq=seq, raw=True)
        # 第三十三条: marked material (or a 涉密 case's) only with the read reason, logged.
        raw, ask = selectors.entry_read(request, ledger=ledger, entry=entry)
    except Http404:
        raw = False  # shown with personal data masked; the exact bytes are not offered
    case_id = selectors.case_of_entry(entry, ledger.agency_id)
    checkpoint = selectors.latest_checkpoint(ledger)
    proof = None
    if checkpoint is not None and checkpoint.size > seq:
        proof = selectors.inclusion(ledger=ledger, index=seq, size=checkpoint.size)
        # Show that it verifies, with the same code a court would run.
        merkle.verify_inclusion(
            ledger.hash_name,
            seq,
            checkpoint.size,
            selectors.leaf_hash_of(ledger, seq),
            [base64.b64decode(p) for p in proof["proof"]],
            bytes(checkpoint.root),
        )
    return render(
        request,
        "ledger/entry_detail.html",
        {
            "ledger": ledger,
            "entry": entry,
            "checkpoint": checkpoint,
            "proof": proof,
            "pretty": json.dumps(
                entry.entry if raw else selectors.masked(entry.entry), ensure_ascii=False, indent=2
            ),
            "raw": raw,
            "case_url": selectors.case_link(case_id),
            "ask_reason": ask,
            "case": {"pk": case_id},
            "leaf": selectors.leaf_hash_of(ledger, seq).hex(),
            "vkey": public_key(ledger),
            "every": settings.CASETRAIL_CHECKPOINT_EVERY,
            "seconds": settings.CASETRAIL_CHECKPOINT_SECONDS,
        },
    )


def _supervisor(request: HttpRequest):  # type: ignore[no-untyped-def]
    officer = officer_for_request(request.user)
    if not officer.has_role(Role.SUPERVISOR):
        raise PermissionDenied("核验报告仅对监督人员开放")
    return officer


@login_required
@require_http_methods(["GET", "POST"])
def verification_list(request: HttpRequest) -> HttpResponse:
    officer = _supervisor(request)
    if request.method == "POST":
        run = verification_request(officer=officer)
        return redirect("verification-detail", run_id=run.pk)
    runs = VerificationRun.objects.filter(agency_id=officer.agency_id).select_related(
        "requested_by"
    )[:20]
    return render(
        request,
        "ledger/verification_list.html",
        {"runs": runs, "witnessing": witness_status(officer.agency_id)},
    )


@login_required
def verification_detail(request: HtmxHttpRequest, run_id: int) -> HttpResponse:
    officer = _supervisor(request)
    run = get_object_or_404(VerificationRun, pk=run_id, agency_id=officer.agency_id)
    template = "ledger/verification_detail.html"
    if request.htmx:
        template += "#report"
    return render(request, template, {"run": run})
