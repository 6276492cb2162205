from django.urls import path

from casetrail.start import api

urlpatterns = [
    path("cases/ex-officio/", api.StartExOfficioAPI.as_view(), name="api-case-ex-officio"),
    path("cases/applications/", api.RegisterApplicationAPI.as_view(), name="api-case-application"),
    path("cases/complaints/", api.RegisterComplaintAPI.as_view(), name="api-case-complaint"),
    path("cases/on-the-spot/", api.StartOnTheSpotAPI.as_view(), name="api-case-on-the-spot"),
]
