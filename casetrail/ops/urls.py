from django.urls import path

from casetrail.ops import views

urlpatterns = [
    path("ops/recovery/", views.recovery_list, name="ops-recovery-list"),
    path("ops/recovery/<int:recovery_id>/", views.recovery_detail, name="ops-recovery"),
]
