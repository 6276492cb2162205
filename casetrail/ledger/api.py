"""Proof API: checkpoints, entries, inclusion and consistency proofs, C2SP tlog-proof downloads.
A court or party checks a copy offline with these and the published public key."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.ledger import selectors
from casetrail.ledger.keys import public_key
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
