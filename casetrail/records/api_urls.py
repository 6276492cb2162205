from django.urls import path

from casetrail.records import api

urlpatterns = [
    path("catalogue/", api.CatalogueAPI.as_view(), name="api-catalogue"),
    path(
        "catalogue/<slug:code>/<int:version>/",
        api.CatalogueVersionAPI.as_view(),
        name="api-catalogue-version",
    ),
    path("cases/<int:case_id>/records/", api.RecordCreateAPI.as_view(), name="api-record-create"),
    path("records/<int:record_id>/", api.RecordDetailAPI.as_view(), name="api-record-detail"),
    path(
        "records/<int:record_id>/attachments/",
        api.RecordAttachAPI.as_view(),
        name="api-record-attach",
    ),
    path(
        "records/<int:record_id>/correct/",
        api.RecordCorrectAPI.as_view(),
        name="api-record-correct",
    ),
]
