from django.urls import path

from casetrail.decisions import api

# Before the cases app's /api/cases/<id>/<act>/ (casetrail/urls.py includes decisions first).
urlpatterns = [
    path("cases/<int:case_id>/decision/", api.DecisionAPI.as_view(), name="api-case-decision"),
]
