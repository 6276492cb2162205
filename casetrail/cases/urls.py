from django.urls import path

from casetrail.cases import views

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("cases/", views.cases_index, name="case-list"),
    path("cases/new/ex-officio/", views.case_new_ex_officio, name="case-new-ex-officio"),
    path("cases/new/application/", views.case_new_application, name="case-new-application"),
    path("cases/new/complaint/", views.case_new_complaint, name="case-new-complaint"),
    path("cases/<int:case_id>/", views.case_detail, name="case-detail"),
    path("cases/<int:case_id>/<slug:act>/", views.case_act, name="case-act"),
]
