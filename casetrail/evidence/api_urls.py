from django.urls import path, re_path

from casetrail.evidence import api, tus

urlpatterns = [
    path("uploads/", tus.uploads, name="tus-uploads"),
    re_path(
        r"^uploads/(?P<upload_id>[0-9a-fA-F-]{32,36})/?$", tus.upload_resource, name="tus-upload"
    ),
    path("evidence/", api.EvidenceListAPI.as_view(), name="api-evidence-list"),
    path("evidence/inbox/", api.InboxAPI.as_view(), name="api-evidence-inbox"),
    path("evidence/late/", api.LateAPI.as_view(), name="api-evidence-late"),
    path("evidence/uploads/<str:upload_id>/", api.UploadStatusAPI.as_view(), name="api-upload"),
    path(
        "evidence/uploads/<str:upload_id>/complete/",
        api.UploadCompleteAPI.as_view(),
        name="api-upload-complete",
    ),
    path("evidence/<int:item_id>/", api.EvidenceDetailAPI.as_view(), name="api-evidence-detail"),
    path("evidence/<int:item_id>/media", api.EvidenceMediaAPI.as_view(), name="api-evidence-media"),
    path("evidence/<int:item_id>/link/", api.EvidenceLinkAPI.as_view(), name="api-evidence-link"),
    path("devices/", api.DeviceListAPI.as_view(), name="api-devices"),
    path("devices/policy/", api.DevicePolicyAPI.as_view(), name="api-device-policy"),
    path("devices/<int:device_id>/", api.DeviceDetailAPI.as_view(), name="api-device"),
]
