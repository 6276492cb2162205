"""Proof API: checkpoints, entries, inclusion and consistency proofs, C2SP tlog-proof downloads.
A court or party checks a copy offline with these and the published public key."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.ledger import selectors
from casetrail.ledger.keys import public_key
from casetrail.ledger.publication import verifier_keys
from casetrail.ledger.witnesses import witnessed_note
from casetrail.lib.errors import ActionError


class CheckpointAPI(APIView):
    """最新签名检查点（C2SP signed note，text/plain）。"""

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR})
    def get(self, request: Request, agency: str) -> HttpResponse:
        ledger = selectors.ledger_for_user(user=request.user, agency_code=agency)
        checkpoint = selectors.latest_checkpoint(ledger)
        if checkpoint is None:
            raise ActionError("no_checkpoint_yet", "该日志尚无签名检查点", status=404)
        return HttpResponse(checkpoint.note, content_type="text/plain; charset=utf-8")


class PublicKeyAPI(APIView):
    """检查点验证公钥（C2SP vkey）。"""

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR})
    def get(self, request: Request, agency: str) -> HttpResponse:
        ledger = selectors.ledger_for_user(user=request.user, agency_code=agency)
        return HttpResponse(public_key(ledger) + "\n", content_type="text/plain; charset=utf-8")


class EntryAPI(APIView):
    """一个日志条目的规范 JSON（RFC 8785），即计算叶子哈希的原文。"""

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
    def get(self, request: Request, agency: str, seq: int) -> HttpResponse:
        ledger = selectors.ledger_for_user(user=request.user, agency_code=agency)
        entry = selectors.entry_for_user(user=request.user, ledger=ledger, seq=seq, raw=True)
        shown, _ = selectors.entry_read(request, ledger=ledger, entry=entry)
        if not shown:
            raise ActionError(
                "read_reason_required",
                "该条目涉及涉密或个人隐私材料（第三十三条），请以 reason 参数或 X-Read-Reason "
                "请求头说明查阅事由：办案、审核、监督或调用",
                field="reason",
            )
        # The exact bytes that were hashed: served as stored, not re-serialised.
        return HttpResponse(entry.canonical.encode("utf-8"), content_type="application/json")


class TlogProofAPI(APIView):
    """下载一个条目的 C2SP tlog-proof（含最新签名检查点），可离线核验。"""

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR})
    def get(self, request: Request, agency: str, seq: int) -> HttpResponse:
        ledger = selectors.ledger_for_user(user=request.user, agency_code=agency)
        selectors.entry_for_user(user=request.user, ledger=ledger, seq=seq)
        response = HttpResponse(
            selectors.tlog_proof(ledger=ledger, index=seq), content_type="text/plain; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{agency}-{seq}.tlog-proof"'
        return response


class InclusionProofAPI(APIView):
    """包含证明：条目 index 在大小为 size 的树中。"""

    @extend_schema(
        parameters=[
            OpenApiParameter("index", int, required=True),
            OpenApiParameter("size", int, required=True),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, agency: str) -> Response:
        ledger = selectors.ledger_for_user(user=request.user, agency_code=agency)
        index = selectors.parse_size(request.query_params.get("index"), "index")
        size = selectors.parse_size(request.query_params.get("size"), "size")
        return Response(selectors.inclusion(ledger=ledger, index=index, size=size))


class ConsistencyProofAPI(APIView):
    """一致性证明：大小 second 的树是大小 first 的树的延续。"""

    @extend_schema(
        parameters=[
            OpenApiParameter("first", int, required=True),
            OpenApiParameter("second", int, required=True),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, agency: str) -> Response:
        ledger = selectors.ledger_for_user(user=request.user, agency_code=agency)
        first = selectors.parse_size(request.query_params.get("first"), "first")
        second = selectors.parse_size(request.query_params.get("second"), "second")
        return Response(selectors.consistency(ledger=ledger, first=first, second=second))


class PublicAPI(APIView):
    """Public, read-only (第三十五条（三）): no login, no session, nothing but hashes and keys."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]


def _text(body: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"  # any outside verifier may fetch it
    return response


class PublicCheckpointAPI(PublicAPI):
    """公开：最新签名检查点及见证方副署（C2SP signed note，无需登录）。"""

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR}, auth=[])
    def get(self, request: Request, agency: str) -> HttpResponse:
        ledger = selectors.ledger_public(agency_code=agency)
        checkpoint = selectors.latest_checkpoint(ledger)
        if checkpoint is None:
            raise ActionError("no_checkpoint_yet", "该日志尚无签名检查点", status=404)
        return _text(witnessed_note(checkpoint))


class PublicCheckpointAtAPI(PublicAPI):
    """公开：指定大小的签名检查点及见证方副署。"""

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR}, auth=[])
    def get(self, request: Request, agency: str, size: int) -> HttpResponse:
        ledger = selectors.ledger_public(agency_code=agency)
        return _text(witnessed_note(selectors.checkpoint_public(ledger=ledger, size=size)))


class PublicTimestampAPI(PublicAPI):
    """公开：检查点的 RFC 3161 时间戳应答（DER），可用 openssl ts -verify 核验。"""

    @extend_schema(responses={(200, "application/timestamp-reply"): OpenApiTypes.BINARY}, auth=[])
    def get(self, request: Request, agency: str, size: int) -> HttpResponse:
        ledger = selectors.ledger_public(agency_code=agency)
        checkpoint = selectors.checkpoint_public(ledger=ledger, size=size)
        if checkpoint.timestamp_token is None:
            raise ActionError("no_timestamp", "该检查点没有时间戳（未配置时间戳服务）", status=404)
        response = HttpResponse(
            bytes(checkpoint.timestamp_token), content_type="application/timestamp-reply"
        )
        response["Content-Disposition"] = f'attachment; filename="{agency}-{size}.tsr"'
        return response


class PublicKeysAPI(PublicAPI):
    """公开：核验所需的公钥（本日志的已登记公钥，其后为各见证方公钥，每行一个 C2SP vkey）。"""

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR}, auth=[])
    def get(self, request: Request, agency: str) -> HttpResponse:
        ledger = selectors.ledger_public(agency_code=agency)
        return _text("".join(k + "\n" for k in verifier_keys(ledger)))
