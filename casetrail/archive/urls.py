from django.urls import path

from casetrail.archive import views

urlpatterns = [
    path("archive/", views.archive_home, name="archive-home"),
    path("archive/settings/", views.archive_settings, name="archive-settings"),
    path("cases/<int:case_id>/archive/", views.archive_case, name="archive-case"),
    path(
        "cases/<int:case_id>/archive/assemble/",
        views.archive_assemble_view,
        name="archive-assemble",
    ),
    path("cases/<int:case_id>/archive/attach/", views.archive_attach_view, name="archive-attach"),
    path("cases/<int:case_id>/archive/check/", views.archive_check_view, name="archive-check"),
    path("cases/<int:case_id>/archive/submit/", views.archive_submit_view, name="archive-submit"),
    path(
        "cases/<int:case_id>/archive/package/", views.archive_package_view, name="archive-package"
    ),
    path(
        "cases/<int:case_id>/archive/transfer/",
        views.archive_transfer_view,
        name="archive-transfer",
    ),
    path("cases/<int:case_id>/archive/uses/", views.archive_use_view, name="archive-use"),
    path(
        "cases/<int:case_id>/archive/addition/",
        views.archive_addition_view,
        name="archive-addition",
    ),
    path(
        "cases/<int:case_id>/archive/uses/<int:use_id>/return/",
        views.archive_use_return_view,
        name="archive-use-return",
    ),
    path("cases/<int:case_id>/archive/holds/", views.archive_hold_view, name="archive-hold"),
    path(
        "cases/<int:case_id>/archive/holds/<int:hold_id>/release/",
        views.archive_hold_release_view,
        name="archive-hold-release",
    ),
    path(
        "cases/<int:case_id>/archive/destruction/",
        views.archive_destruction_view,
        name="archive-destruction",
    ),
    path("archive/files/<int:file_id>/pdf/", views.case_file_pdf, name="archive-file-pdf"),
    path(
        "archive/packages/<int:package_id>/",
        views.package_download,
        name="archive-package-download",
    ),
]
