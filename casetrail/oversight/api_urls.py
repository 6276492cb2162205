from django.urls import path

from casetrail.oversight import api

urlpatterns = [
    path("findings/", api.FindingListAPI.as_view(), name="api-finding-list"),
    path("findings/refresh/", api.FindingRefreshAPI.as_view(), name="api-finding-refresh"),
    path("findings/<int:finding_id>/", api.FindingAPI.as_view(), name="api-finding"),
    path(
        "findings/<int:finding_id>/<slug:move>/",
        api.FindingMoveAPI.as_view(),
        name="api-finding-move",
    ),
    path("publications/", api.PublicationListAPI.as_view(), name="api-publication-list"),
    path("publications/policy/", api.PublicationPolicyAPI.as_view(), name="api-publication-policy"),
    path(
        "publications/<int:publication_id>/approve/",
        api.PublicationApproveAPI.as_view(),
        name="api-publication-approve",
    ),
    path(
        "publications/<int:publication_id>/withdraw/",
        api.PublicationWithdrawAPI.as_view(),
        name="api-publication-withdraw",
    ),
    path("samples/", api.SampleListAPI.as_view(), name="api-sample-list"),
    path("samples/<int:sample_id>/", api.SampleAPI.as_view(), name="api-sample"),
    path(
        "samples/<int:sample_id>/reviews/", api.SampleReviewAPI.as_view(), name="api-sample-review"
    ),
    path("reports/", api.ReportListAPI.as_view(), name="api-report-list"),
    path("reports/<int:report_id>/", api.ReportAPI.as_view(), name="api-report"),
]
