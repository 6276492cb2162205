from django.urls import path

from casetrail.compliance import api

urlpatterns = [
    path("cases/<int:case_id>/compliance/", api.ComplianceAPI.as_view(), name="api-compliance"),
    path("cases/<int:case_id>/exemptions/", api.ExemptionAPI.as_view(), name="api-exemption"),
    path("exemptions/", api.ExemptionListAPI.as_view(), name="api-exemption-list"),
    path("holidays/", api.HolidayScheduleAPI.as_view(), name="api-holidays"),
]
