from django.urls import path

from casetrail.cases import views

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("cases/", views.cases_index, name="case-list"),
    path("cases/<int:case_id>/", views.case_detail, name="case-detail"),
    path("cases/<int:case_id>/section/<slug:section>/", views.case_detail, name="case-section"),
    path(
        "cases/<int:case_id>/print/timeline/", views.case_timeline_print, name="case-timeline-print"
    ),
    path("cases/<int:case_id>/reason/", views.case_read_reason, name="case-read-reason"),
    path("cases/<int:case_id>/<slug:act>/", views.case_act, name="case-act"),
]
