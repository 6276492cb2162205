"""Web UI of evidence: upload (tus, with progress, speed and resume), the inbox of recordings not yet
in a case, an item's page with its player and access log, playback with HTTP Range, devices."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casetrail.cases.reading import ObjectRead, object_read
from casetrail.cases.selectors import ReadState
from casetrail.evidence import actions
from casetrail.evidence.destroyed import gone, gone_response
from casetrail.evidence.forms import (
    AgencyDevicePolicyForm,
    DeviceForm,
    DeviceUpdateForm,
    LinkForm,
    RecordForm,
)
from casetrail.evidence.http_range import blob_response
from casetrail.evidence.ingest import complete
from casetrail.evidence.models import AccessLog, Item, Upload
from casetrail.evidence.selectors import (
    accesses_of,
    as_seen,
    evidence_for_user,
    inbox_for,
    upload_for_user,
)
from casetrail.evidence.storage import blob_store
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.lib.numbers import id_or_none
from casetrail.org.actions import agency_settings_change
from casetrail.org.models import Device, Officer, Role
from casetrail.org.selectors import officer_for_request


@login_required
@require_GET
def upload_page(request: HttpRequest) -> HttpResponse:
    officer = officer_for_request(request.user)
    case_id = request.GET.get("case") or ""
    form = RecordForm(officer=officer, case_id=id_or_none(case_id))
    from django.conf import settings

    return render(
        request,
        "evidence/upload.html",
        {"form": form, "max_size": settings.CASETRAIL_UPLOAD_MAX_BYTES},
    )


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    officer = officer_for_request(request.user)
    return render(request, "evidence/inbox.html", inbox_for(officer=officer))


@login_required
@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    officer = officer_for_request(request.user)
    item = evidence_for_user(user=request.user, item_id=item_id)
    actions.evidence_view(item=item, officer=officer)
    link = getattr(item, "link", None)
    may_link = link is None and officer.pk in (item.uploaded_by_id, item.officer_id)
    read = item_read(request, officer=officer, item=item, via="page")
    return render(
        request,
        "evidence/item_detail.html",
        {
            "item": as_seen(officer=officer, items=[item], states=read_states(item, read))[0],
            "ask_reason": read is not None and read.ask_reason,
            "case": link.case if link is not None else None,
            "link": link,
            "link_form": LinkForm(officer=officer) if may_link else None,
            "accesses": accesses_of(item=item),
        },
    )


@login_required
@require_POST
def item_link(request: HttpRequest, item_id: int) -> HttpResponse:
    from casetrail.cases.selectors import case_for_user

    officer = officer_for_request(request.user)
    item = evidence_for_user(user=request.user, item_id=item_id)
    form = LinkForm(request.POST, officer=officer)
    if form.is_valid():
        case = case_for_user(user=request.user, case_id=form.cleaned_data["case"])
        try:
            actions.evidence_link(item=item, case=case, officer=officer)
        except ActionError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, f"已归入案件 {case.label}")
            return redirect("case-detail", case_id=case.pk)
    else:
        messages.error(request, "请选择要归入的案件")
    return redirect("evidence-detail", item_id=item.pk)


def item_read(request: HttpRequest, *, officer: Officer, item: Item, via: str) -> ObjectRead | None:
    """The read of an item in a case (its marks, the reader's reason, the read logged — see
    ``casetrail.cases.reading``); None for an item in no case (it carries no mark)."""
    link = getattr(item, "link", None)
    if link is None:
        return None
    return object_read(
        request, officer=officer, case=link.case, target=f"evidence:{item.pk}", via=via
    )


def read_states(item: Item, read: ObjectRead | None) -> dict[int, ReadState]:
    """The reader's state of the item's case, for ``as_seen``."""
    link = getattr(item, "link", None)
    return {link.case_id: read.state} if read is not None and link is not None else {}


def access_of_media_request(
    *, download: bool, range_header: str, media_type: str, fetch_dest: str
) -> AccessLog.What | None:
    """What a request for an item's bytes is, for the access log (第三十三条), or None when it is
    part of an access already logged:

    - ``?download=1`` → 下载;
    - a photo shown inside its page (``Sec-Fetch-Dest: image``) → None: the page logged 查看;
      a photo opened on its own → 查看;
    - audio/video: the players load nothing before 播放 is pressed (``preload="none"``), so the
      first request of a playback (no Range, or a Range from byte 0) → 播放; the player's later
      seeking requests → None.
    """
    if download:
        return AccessLog.What.DOWNLOAD
    if media_type.startswith("image/"):
        return None if fetch_dest == "image" else AccessLog.What.VIEW
    if not range_header or range_header.replace(" ", "").startswith("bytes=0-"):
        return AccessLog.What.PLAY
    return None


def media_response(request: HttpRequest, item_id: int) -> HttpResponseBase:
    """Stream the original with HTTP Range; a play (first request of a playback) or a download is
    logged, the player's further seeking Range requests are not logged again."""
    officer = officer_for_request(request.user)
    item = evidence_for_user(user=request.user, item_id=item_id)
    download = request.GET.get("download") == "1"
    rng = request.headers.get("Range", "")
    what = access_of_media_request(
        download=download,
        range_header=rng,
        media_type=item.blob.media_type,
        fetch_dest=request.headers.get("Sec-Fetch-Dest", ""),
    )
    if gone(item.blob.sha256):
        return gone_response(request)  # 410 destroyed: lawfully deleted, nothing to log
    read = item_read(request, officer=officer, item=item, via="download" if download else "media")
    if read is not None and read.withheld:
        # 第三十三条: a marked item's bytes go only to a reader allowed who gave the reason.
        message = (
            "该音像记录已标记为"
            + "、".join(read.marks)
            + "，须有权人员说明查阅事由后才能播放或下载"
        )
        if request.path.startswith("/api/"):
            raise ActionError("marked_withheld", message, status=403)
        raise PermissionDenied(message)
    if what is not None:
        actions.ACCESS_ACTIONS[what](item=item, officer=officer)
    return blob_response(
        request,
        blob_store(),
        sha256=item.blob.sha256,
        size=item.blob.size,
        content_type=item.blob.media_type,
        filename=item.file_name,
        attachment=download,
    )


@login_required
@require_GET
def item_media(request: HttpRequest, item_id: int) -> HttpResponseBase:
    return media_response(request, item_id)


@login_required
@require_GET
def item_poster(request: HttpRequest, item_id: int) -> HttpResponseBase:
    item = evidence_for_user(user=request.user, item_id=item_id)
    read = item_read(request, officer=officer_for_request(request.user), item=item, via="media")
    if read is not None and read.withheld:
        raise Http404("封面帧不存在")  # a marked item's frame shows its content
    if gone(item.blob.sha256):
        return gone_response(request)
    poster = getattr(item.blob, "poster", None)
    if poster is None or not poster.key:
        raise Http404("暂无封面")
    response = FileResponse(blob_store().open_derived(poster.key), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def upload_complete(request: HttpRequest, upload_id: str) -> HttpResponse:
    """Enter what an upload still lacks (a late recording's reason, a time …) to make its record."""
    officer = officer_for_request(request.user)
    upload = upload_for_user(user=request.user, upload_id=upload_id)
    if upload.state == Upload.State.DONE and upload.item_id:
        return redirect("evidence-detail", item_id=upload.item_id)
    if upload.state != Upload.State.NEEDS_DETAILS:
        raise Http404("该上传不需要补充信息")
    initial = {k: v for k, v in upload.metadata.items() if k in RecordForm.base_fields}
    form = RecordForm(request.POST or None, officer=officer, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                complete(upload=upload, officer=officer, meta=form.metadata())
            except ActionError as err:
                apply_error(form, err)
            else:
                upload.refresh_from_db()
                messages.success(request, "音像记录已登记")
                return redirect("evidence-detail", item_id=upload.item_id)
        status = 400
    # Why the record was not made yet (an unbound form takes no errors: shown above it).
    waiting = upload.error_message if request.method == "GET" else ""
    return render(
        request,
        "evidence/upload_complete.html",
        {"form": form, "upload": upload, "waiting": waiting},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def devices(request: HttpRequest) -> HttpResponse:
    officer = officer_for_request(request.user)
    may_manage = officer.has_role(Role.ADMIN) or officer.has_role(Role.SUPERVISOR)
    form = DeviceForm(request.POST or None, officer=officer) if may_manage else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("只有系统管理员或监督人员可以登记设备")
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.device_register(
                    officer=officer,
                    serial=d["serial"],
                    model=d["model"],
                    kind=d["kind"],
                    assigned_to=d["officer"],
                    clock=d["clock"],
                )
            except ActionError as err:
                apply_error(form, err)
            else:
                messages.success(request, "设备已登记")
                return redirect("evidence-devices")
        status = 400
    rows = Device.objects.filter(agency_id=officer.agency_id).select_related("officer")
    return render(
        request,
        "evidence/devices.html",
        {
            "devices": rows,
            "form": form,
            "may_manage": may_manage,
            "required": officer.agency.requires_av_device,
            "policy_form": _policy_form(officer),
        },
        status=status,
    )


def _policy_form(officer: Officer, data: Any = None) -> AgencyDevicePolicyForm | None:
    """The agency's device setting, offered to its administrators only."""
    if not officer.has_role(Role.ADMIN):
        return None
    return AgencyDevicePolicyForm(
        data, initial={"av_device_required": not officer.agency.requires_av_device}
    )


@login_required
@require_POST
def device_policy(request: HttpRequest) -> HttpResponse:
    """本机关是否要求音像记录注明记录设备 (administrators; 第三十七条)."""
    officer = officer_for_request(request.user)
    form = _policy_form(officer, request.POST)
    if form is None:
        raise PermissionDenied("只有系统管理员可以变更机关设置")
    if form.is_valid():
        try:
            agency_settings_change(
                by=officer,
                av_device_required=form.cleaned_data["av_device_required"],
                reason=form.cleaned_data["reason"],
            )
        except ActionError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, "机关设置已变更")
    else:
        messages.error(request, "请填写变更原因")
    return redirect("evidence-devices")


@login_required
@require_http_methods(["GET", "POST"])
def device_edit(request: HttpRequest, device_id: int) -> HttpResponse:
    officer = officer_for_request(request.user)
    device = Device.objects.filter(pk=device_id, agency_id=officer.agency_id).first()
    if device is None:
        raise Http404("设备不存在")
    if not (officer.has_role(Role.ADMIN) or officer.has_role(Role.SUPERVISOR)):
        raise PermissionDenied("只有系统管理员或监督人员可以变更设备")
    form = DeviceUpdateForm(
        request.POST or None,
        officer=officer,
        initial={"officer": device.officer_id, "status": device.status, "clock": device.clock},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.device_update(
                    officer=officer,
                    device=device,
                    assigned_to=form.cleaned_data["officer"],
                    status=form.cleaned_data["status"],
                    clock=form.cleaned_data["clock"],
                )
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect("evidence-devices")
        status = 400
    return render(
        request, "form.html", {"form": form, "title": f"变更设备 {device.serial}"}, status=status
    )
