from django.urls import path

from casetrail.start import views

urlpatterns = [
    path("cases/new/ex-officio/", views.case_new_ex_officio, name="case-new-ex-officio"),
    path("cases/new/application/", views.case_new_application, name="case-new-application"),
    path("cases/new/complaint/", views.case_new_complaint, name="case-new-complaint"),
    path("cases/new/on-the-spot/", views.case_new_on_the_spot, name="case-new-on-the-spot"),
]
