from django.urls import path

from casetrail.cases import api

urlpatterns = [
    path("worklist/", api.WorklistAPI.as_view(), name="api-worklist"),
    path("cases/", api.CaseListAPI.as_view(), name="api-case-list"),
    path("cases/<int:case_id>/", api.CaseDetailAPI.as_view(), name="api-case-detail"),
    path("cases/<int:case_id>/<slug:act>/", api.CaseActAPI.as_view(), name="api-case-act"),
]
