"""REST API of the decision on a case: where it stands (``GET /api/cases/<id>/decision/``). It is
proposed through the case's act (``POST /api/cases/<id>/decision-proposal/``) and decided step by
step through the approvals API (``/api/approvals/<id>/decide/``, ``…/resubmit/``)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.cases.selectors import case_for_user, case_page
from casetrail.decisions.panels import api
from casetrail.org.selectors import officer_for_request


class DecisionAPI(APIView):
    """处理决定：审批状态、须经法制审核的理由（行政处罚法第五十八条）、事先告知及期限、提出行政处罚
    决定前还需办理的事项，以及历次处理决定审批的全部环节。简易程序案件返回 null。"""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, case_id: int) -> Response:
        officer = officer_for_request(request.user)
        case = case_for_user(user=request.user, case_id=case_id)
        return Response(api(case_page(officer=officer, case=case)))
