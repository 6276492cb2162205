from django.urls import path

from casetrail.approvals import views

urlpatterns = [
    path("approvals/", views.waiting_list, name="approvals-waiting"),
    path("approvals/<int:chain_id>/", views.chain_detail, name="chain-detail"),
]
