from django.urls import path

from casetrail.approvals import api

urlpatterns = [
    path("approvals/", api.ApprovalListAPI.as_view(), name="api-approval-list"),
    path("approvals/checklist/", api.LegalChecklistAPI.as_view(), name="api-approval-checklist"),
    path("approvals/<int:chain_id>/", api.ApprovalDetailAPI.as_view(), name="api-approval-detail"),
    path(
        "approvals/<int:chain_id>/decide/",
        api.ApprovalDecideAPI.as_view(),
        name="api-approval-decide",
    ),
    path(
        "approvals/<int:chain_id>/resubmit/",
        api.ApprovalResubmitAPI.as_view(),
        name="api-approval-resubmit",
    ),
]
