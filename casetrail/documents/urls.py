from django.urls import path

from casetrail.documents import views

urlpatterns = [
    path("records/<int:record_id>/document/", views.document_record, name="document-record"),
    path(
        "records/<int:record_id>/document/issue/",
        views.document_issue_view,
        name="document-issue",
    ),
    path(
        "records/<int:record_id>/document/receipt/",
        views.blank_receipt_pdf,
        name="document-blank-receipt",
    ),
    path(
        "records/<int:record_id>/document/receipt/scan/",
        views.receipt_scan_view,
        name="document-receipt-scan",
    ),
    path("documents/<int:document_id>/pdf/", views.document_pdf, name="document-pdf"),
    path("cases/<int:case_id>/documents/pdf/", views.case_documents_pdf, name="case-documents-pdf"),
    path("documents/verify/", views.document_verify, name="document-verify"),
    path("documents/numbers/", views.document_patterns, name="document-patterns"),
    path(
        "documents/<int:document_id>/withdraw/",
        views.document_withdraw_view,
        name="document-withdraw",
    ),
]
