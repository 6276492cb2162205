"""Web UI of the archive: the custodian's 档案 page (cases waiting for 立卷归档 with their 30-day
deadline, files archived), a case's 案卷 page (items, 四性检测 report, versions, package, 移交)
and its steps; the 案卷 PDF and the package downloads."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from casetrail.archive import actions, service
from casetrail.archive.forms import (
    AttachForm,
    DestructionForm,
    HoldForm,
    SettingsForm,
    SubmitForm,
    TransferForm,
    UseForm,
)
from casetrail.archive.models import CaseFile
from casetrail.archive.policy import GROUPS, Policy, policy_of
from casetrail.archive.selectors import (
    archived_files,
    case_file_for_user,
    file_page,
    is_custodian,
    package_for_user,
    waiting_ids,
    waiting_rows,
)
from casetrail.cases.selectors import case_for_user
from casetrail.evidence.destroyed import gone, gone_response
from casetrail.evidence.storage import blob_store
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.lib.numbers import id_or_none
from casetrail.lib.paging import CappedPaginator
from casetrail.org.models import Officer, Role
from casetrail.org.selectors import officer_for_request


@contextlib.contextmanager
def _uploaded(upload: Any) -> Iterator[Path]:
    """The uploaded file on disk, streamed chunk by chunk (the action moves it into the store)."""
    with tempfile.TemporaryDirectory(prefix="archive-upload-") as tmp:
        path = Path(tmp) / "upload.pdf"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        yield path


def _material(form: AttachForm) -> dict[str, Any]:
    """What the custodian says of an uploaded PDF (附件 or 附卷 material)."""
    return {k: form.cleaned_data[k] for k in ("title", "responsible", "date", "reason")}


# Cases on one page of 待立卷归档 on the archive's home page.
WAITING_PER_PAGE = 50


@login_required
def archive_home(request: HttpRequest) -> HttpResponse:
    officer = officer_for_request(request.user)
    custodian = is_custodian(officer)
    context: dict[str, Any] = {"custodian": custodian, "waiting": [], "archived": []}
    if custodian:
        # Every case waiting, paged and counted to 1,000 like the case list (the worklist shows
        # the 20 most urgent): the page reads its own rows, not every closed case.
        paginator = CappedPaginator(waiting_ids(officer), WAITING_PER_PAGE)
        page = paginator.get_page(id_or_none(request.GET.get("page")) or 1)
        context.update(
            page=page,
            waiting=waiting_rows(list(page.object_list)),
            archived=archived_files(officer),
        )
    return render(request, "archive/home.html", context)


def _page(
    request: HttpRequest, case_id: int, *, error: str = "", status: int = 200, **forms: object
) -> HttpResponse:
    page = file_page(user=request.user, case_id=case_id)
    context = {
        "p": page,
        "case": page.case,
        "error": error,
        "submit_form": SubmitForm(),
        "attach_form": AttachForm(),
        "transfer_form": TransferForm(),
        "use_form": UseForm(),
        "hold_form": HoldForm(),
        "destruction_form": DestructionForm(),
        **forms,
    }
    return render(request, "archive/case.html", context, status=status)


@login_required
def archive_case(request: HttpRequest, case_id: int) -> HttpResponse:
    return _page(request, case_id)


def _run(request: HttpRequest, case_id: int, fn: Callable[[], object]) -> HttpResponse:
    try:
        fn()
    except ActionError as err:
        return _page(request, case_id, error=err.message, status=err.status)
    return redirect("archive-case", case_id=case_id)


@login_required
@require_POST
def archive_assemble_view(request: HttpRequest, case_id: int) -> HttpResponse:
    officer = officer_for_request(request.user)
    case = case_for_user(user=request.user, case_id=case_id)
    return _run(request, case.pk, lambda: actions.archive_assemble(case=case, officer=officer))


def _current(request: HttpRequest, case_id: int) -> tuple[Officer, CaseFile]:
    officer = officer_for_request(request.user)
    page = file_page(user=request.user, case_id=case_id)
    if page.file is None:
        raise ActionError("no_case_file", "本案尚未立卷", status=409)
    return officer, page.file


@login_required
@require_POST
def archive_check_view(request: HttpRequest, case_id: int) -> HttpResponse:
    def run() -> None:
        officer, f = _current(request, case_id)
        service.check(case_file=f, officer=officer)

    return _run(request, case_id, run)


@login_required
@require_POST
def archive_submit_view(request: HttpRequest, case_id: int) -> HttpResponse:
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return _page(request, case_id, error="请检查立卷意见", status=400, submit_form=form)

    def run() -> None:
        officer, f = _current(request, case_id)
        actions.archive_submit(case_file=f, officer=officer, opinion=form.cleaned_data["opinion"])

    return _run(request, case_id, run)


@login_required
@require_POST
def archive_attach_view(request: HttpRequest, case_id: int) -> HttpResponse:
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, case_id, error="请检查附件信息", status=400, attach_form=form)
    officer = officer_for_request(request.user)
    case = case_for_user(user=request.user, case_id=case_id)

    def run() -> None:
        with _uploaded(form.cleaned_data["file"]) as path:
            actions.archive_attach(
                case=case,
                officer=officer,
                path=path,
                **_material(form),
            )

    return _run(request, case_id, run)


@login_required
@require_POST
def archive_package_view(request: HttpRequest, case_id: int) -> HttpResponse:
    def run() -> None:
        officer, f = _current(request, case_id)
        service.package(case_file=f, officer=officer)

    return _run(request, case_id, run)


@login_required
@require_POST
def archive_transfer_view(request: HttpRequest, case_id: int) -> HttpResponse:
    form = TransferForm(request.POST)
    if not form.is_valid():
        return _page(
            request, case_id, error="请填写接收单位和接收人", status=400, transfer_form=form
        )

    def run() -> None:
        officer, f = _current(request, case_id)
        package = service.latest_package(f)
        if package is None:
            raise ActionError("no_package", "请先生成归档信息包", status=409)
        actions.archive_transfer(package=package, officer=officer, **form.cleaned_data)

    return _run(request, case_id, run)


@login_required
def case_file_pdf(request: HttpRequest, file_id: int) -> HttpResponse | FileResponse:
    f = case_file_for_user(user=request.user, file_id=file_id, download=True)
    assert f.pdf is not None
    if gone(f.pdf.sha256):
        return gone_response(request)
    response = FileResponse(blob_store().iter_bytes(f.pdf.sha256), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(f.archive_code + '.pdf')}"
    response["Content-Length"] = str(f.pdf.size)
    return response


@login_required
def package_download(request: HttpRequest, package_id: int) -> HttpResponse | StreamingHttpResponse:
    package = package_for_user(user=request.user, package_id=package_id)
    if gone(package.blob.sha256):
        return gone_response(request)
    response = StreamingHttpResponse(
        blob_store().iter_bytes(package.blob.sha256), content_type="application/x-tar"
    )
    name = quote(f"{package.case_file.archive_code}.tar")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    response["Content-Length"] = str(package.blob.size)
    return response


@login_required
@require_POST
def archive_use_view(request: HttpRequest, case_id: int) -> HttpResponse:
    form = UseForm(request.POST)
    if not form.is_valid():
        return _page(request, case_id, error="请检查利用登记", status=400, use_form=form)

    def run() -> None:
        officer, f = _current(request, case_id)
        actions.archive_use_record(case_file=f, officer=officer, **form.cleaned_data)

    return _run(request, case_id, run)


@login_required
@require_POST
def archive_use_return_view(request: HttpRequest, case_id: int, use_id: int) -> HttpResponse:
    def run() -> None:
        officer, f = _current(request, case_id)
        use = f.uses.filter(pk=use_id).first()
        if use is None:
            raise ActionError("no_such_use", "没有该利用登记", status=404)
        actions.archive_use_return(use=use, officer=officer)

    return _run(request, case_id, run)


@login_required
@require_POST
def archive_addition_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """附卷: the material is proposed; it joins the 案卷 only when the 附卷审批 is approved."""
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, case_id, error="请检查附卷材料", status=400, attach_form=form)

    def run() -> None:
        officer, f = _current(request, case_id)
        with _uploaded(form.cleaned_data["file"]) as path:
            actions.archive_addition_propose(
                case_file=f,
                officer=officer,
                path=path,
                **_material(form),
            )

    return _run(request, case_id, run)


@login_required
@require_POST
def archive_hold_view(request: HttpRequest, case_id: int) -> HttpResponse:
    form = HoldForm(request.POST)
    if not form.is_valid():
        return _page(
            request, case_id, error="请填写诉讼保全的类别和事由", status=400, hold_form=form
        )
    officer = officer_for_request(request.user)
    case = case_for_user(user=request.user, case_id=case_id)
    return _run(
        request,
        case_id,
        lambda: actions.archive_hold_place(case=case, officer=officer, **form.cleaned_data),
    )


@login_required
@require_POST
def archive_hold_release_view(request: HttpRequest, case_id: int, hold_id: int) -> HttpResponse:
    officer = officer_for_request(request.user)
    case = case_for_user(user=request.user, case_id=case_id)

    def run() -> None:
        hold = case.legal_holds.filter(pk=hold_id).first()
        if hold is None:
            raise ActionError("no_such_hold", "没有该诉讼保全", status=404)
        reason = str(request.POST.get("reason", ""))
        actions.archive_hold_release(hold=hold, officer=officer, reason=reason)

    return _run(request, case_id, run)


@login_required
@require_POST
def archive_destruction_view(request: HttpRequest, case_id: int) -> HttpResponse:
    form = DestructionForm(request.POST)
    if not form.is_valid():
        return _page(request, case_id, error="请填写鉴定意见", status=400, destruction_form=form)

    def run() -> None:
        officer, f = _current(request, case_id)
        actions.archive_destruction_propose(
            case_file=f,
            officer=officer,
            appraisal=form.cleaned_data["appraisal"],
        )

    return _run(request, case_id, run)


@login_required
@require_http_methods(["GET", "POST"])
def archive_settings(request: HttpRequest) -> HttpResponse:
    """档案设置: what the agency's 档号, formats, order and 保管期限 rules are (every officer of the
    agency reads them, as the API does); 系统管理员 and 档案管理员 change them (ledgered, the older
    settings kept)."""
    officer = officer_for_request(request.user)
    policy = policy_of(officer.agency)
    may_change = officer.has_role(Role.ADMIN) or officer.has_role(Role.CUSTODIAN)
    initial = {
        **dataclasses.asdict(policy),
        "formats": "\n".join(policy.formats),
        "order": "\n".join(policy.order),
        "retention_rules": json.dumps(policy.retention_rules, ensure_ascii=False, indent=1),
    }
    form = SettingsForm(request.POST or None, initial=initial) if may_change else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("只有系统管理员或档案管理员可以修改档案设置")
        status = 400
        if form.is_valid():
            try:
                actions.archive_settings_set(officer=officer, policy=Policy(**form.cleaned_data))
            except ActionError as err:
                apply_error(form, err)
            else:
                messages.success(request, "档案设置已保存")
                return redirect("archive-settings")
    context = {
        "policy": policy,
        "groups": [(code, GROUPS[code][0]) for code in policy.order if code in GROUPS],
        "form": form,
    }
    return render(request, "archive/settings.html", context, status=status)
