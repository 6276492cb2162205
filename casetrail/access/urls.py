from django.urls import path

from casetrail.access import views

urlpatterns = [
    path("cases/<int:case_id>/copy-requests/new/", views.copy_register, name="copy-register"),
    path("copies/<int:request_id>/", views.copy_detail, name="copy-detail"),
    path("copies/<int:request_id>/decide/", views.copy_decide, name="copy-decide"),
    path(
        "copies/<int:request_id>/items/<int:item_id>/redact/",
        views.copy_redact,
        name="copy-redact",
    ),
    path("copies/<int:request_id>/package/", views.copy_package, name="copy-package"),
    path(
        "copies/<int:request_id>/redactions/<int:redaction_id>/",
        views.redaction_file,
        name="copy-redaction-file",
    ),
    path("copies/d/<str:token>/", views.copy_download, name="copy-download"),
]
