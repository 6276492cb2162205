from django.urls import path

from casetrail.cases import api

urlpatterns = [
    path("worklist/", api.WorklistAPI.as_view(), name="api-worklist"),
    path("catalogue/", api.CatalogueAPI.as_view(), name="api-catalogue"),
    path("cases/", api.CaseListAPI.as_view(), name="api-case-list"),
    path("cases/ex-officio/", api.StartExOfficioAPI.as_view(), name="api-case-ex-officio"),
    path("cases/applications/", api.RegisterApplicationAPI.as_view(), name="api-case-application"),
    path("cases/complaints/", api.RegisterComplaintAPI.as_view(), name="api-case-complaint"),
    path("cases/<int:case_id>/", api.CaseDetailAPI.as_view(), name="api-case-detail"),
    path("cases/<int:case_id>/<slug:act>/", api.CaseActAPI.as_view(), name="api-case-act"),
]
