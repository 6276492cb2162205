from django.urls import path

from casetrail.access import api

urlpatterns = [
    path(
        "cases/<int:case_id>/copy-requests/",
        api.CaseCopyRequestsAPI.as_view(),
        name="api-case-copy-requests",
    ),
    path("copies/<int:request_id>/", api.CopyRequestAPI.as_view(), name="api-copy"),
    path(
        "copies/<int:request_id>/decisions/",
        api.CopyDecisionsAPI.as_view(),
        name="api-copy-decisions",
    ),
    path(
        "copies/<int:request_id>/items/<int:item_id>/redaction/",
        api.CopyRedactionAPI.as_view(),
        name="api-copy-redaction",
    ),
    path(
        "copies/<int:request_id>/packages/", api.CopyPackageAPI.as_view(), name="api-copy-packages"
    ),
    path("copies/d/<str:token>/", api.CopyDownloadAPI.as_view(), name="api-copy-download"),
]
