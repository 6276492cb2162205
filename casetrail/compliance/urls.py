from django.urls import path

from casetrail.compliance import views

urlpatterns = [
    path("cases/<int:case_id>/exemptions/new/", views.exemption_new, name="exemption-new"),
    path("compliance/exemptions/", views.exemption_list, name="exemption-list"),
    path("compliance/deadlines/", views.deadline_list, name="deadline-list"),
    path("compliance/holidays/", views.holidays, name="holidays"),
]
