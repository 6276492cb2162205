from django.urls import path

from casetrail.ledger import views

urlpatterns = [
    path("ledger/<str:agency>/entries/<int:seq>/", views.entry_detail, name="ledger-entry"),
    path("verification/", views.verification_list, name="verification-list"),
    path("verification/<int:run_id>/", views.verification_detail, name="verification-detail"),
]
