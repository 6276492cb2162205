from django.urls import path

from casetrail.evidence import views

urlpatterns = [
    path("evidence/upload/", views.upload_page, name="evidence-upload"),
    path("evidence/inbox/", views.inbox, name="evidence-inbox"),
    path("evidence/devices/", views.devices, name="evidence-devices"),
    path("evidence/devices/policy/", views.device_policy, name="evidence-device-policy"),
    path("evidence/devices/<int:device_id>/", views.device_edit, name="evidence-device-edit"),
    path(
        "evidence/uploads/<str:upload_id>/complete/",
        views.upload_complete,
        name="evidence-upload-complete",
    ),
    path("evidence/<int:item_id>/", views.item_detail, name="evidence-detail"),
    path("evidence/<int:item_id>/media", views.item_media, name="evidence-media"),
    path("evidence/<int:item_id>/poster", views.item_poster, name="evidence-poster"),
    path("evidence/<int:item_id>/link/", views.item_link, name="evidence-link"),
]
