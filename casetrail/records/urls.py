from django.urls import path

from casetrail.records import views

urlpatterns = [
    path("cases/<int:case_id>/records/new/", views.record_choose, name="record-choose"),
    path("cases/<int:case_id>/records/new/<slug:kind>/", views.record_new, name="record-new"),
    path("records/<int:record_id>/attach/", views.record_attach_view, name="record-attach"),
    path("records/<int:record_id>/correct/", views.record_correct_view, name="record-correct"),
]
