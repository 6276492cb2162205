from django.urls import path

from casetrail.archive import api

urlpatterns = [
    path("cases/<int:case_id>/archive/", api.CaseFileAPI.as_view(), name="api-case-file"),
    path(
        "cases/<int:case_id>/archive/<slug:step>/",
        api.CaseFileStepAPI.as_view(),
        name="api-case-file-step",
    ),
]
