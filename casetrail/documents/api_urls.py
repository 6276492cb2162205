from django.urls import path

from casetrail.documents import api

urlpatterns = [
    path(
        "records/<int:record_id>/document/",
        api.RecordDocumentAPI.as_view(),
        name="api-record-document",
    ),
    path("documents/<int:document_id>/pdf/", api.DocumentPdfAPI.as_view(), name="api-document-pdf"),
    path("documents/verify/", api.DocumentVerifyAPI.as_view(), name="api-document-verify"),
]
