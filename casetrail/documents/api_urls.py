from django.urls import path

from casetrail.documents import api

urlpatterns = [
    path(
        "records/<int:record_id>/document/",
        api.RecordDocumentAPI.as_view(),
        name="api-record-document",
    ),
    path("documents/<int:document_id>/pdf/", api.DocumentPdfAPI.as_view(), name="api-document-pdf"),
    path(
        "cases/<int:case_id>/documents/pdf/",
        api.CaseDocumentsPdfAPI.as_view(),
        name="api-case-documents-pdf",
    ),
    path("documents/verify/", api.DocumentVerifyAPI.as_view(), name="api-document-verify"),
    path(
        "documents/<int:document_id>/receipt/",
        api.ReceiptScanAPI.as_view(),
        name="api-document-receipt",
    ),
    path("documents/patterns/", api.PatternsAPI.as_view(), name="api-document-patterns"),
    path(
        "documents/<int:document_id>/withdraw/",
        api.DocumentWithdrawAPI.as_view(),
        name="api-document-withdraw",
    ),
]
