from django.urls import path

from casetrail.oversight import publication_views as pv
from casetrail.oversight import report_views as rv
from casetrail.oversight import sample_views as sv
from casetrail.oversight import views

urlpatterns = [
    path("oversight/", views.dashboard_view, name="oversight-dashboard"),
    path("oversight/cases/", views.dashboard_cases, name="oversight-cases"),
    path("oversight/findings/", views.finding_list, name="finding-list"),
    path("oversight/findings/refresh/", views.finding_refresh, name="finding-refresh"),
    path("oversight/findings/<int:finding_id>/", views.finding_detail, name="finding-detail"),
    path(
        "oversight/findings/<int:finding_id>/<slug:move>/",
        views.finding_move,
        name="finding-move",
    ),
    path("oversight/publications/", pv.publication_list, name="publication-list"),
    path("oversight/publications/policy/", pv.publication_policy, name="publication-policy"),
    path("oversight/publications/new/<int:record_id>/", pv.publication_new, name="publication-new"),
    path(
        "oversight/publications/<int:publication_id>/approve/",
        pv.publication_approve_view,
        name="publication-approve",
    ),
    path(
        "oversight/publications/<int:publication_id>/withdraw/",
        pv.publication_withdraw_view,
        name="publication-withdraw",
    ),
    path("oversight/samples/", sv.sample_list, name="sample-list"),
    path("oversight/samples/<int:sample_id>/", sv.sample_detail, name="sample-detail"),
    path(
        "oversight/samples/<int:sample_id>/review/<int:case_id>/",
        sv.sample_review_view,
        name="sample-review",
    ),
    path("oversight/reports/", rv.report_list, name="report-list"),
    path("oversight/reports/<int:report_id>/", rv.report_detail, name="report-detail"),
    path("oversight/reports/<int:report_id>/xlsx/", rv.report_download, name="report-xlsx"),
    path("oversight/reports/<int:report_id>/pdf/", rv.report_pdf_download, name="report-pdf"),
    # 公示 to the public: no login; only what is published and not yet taken down.
    path("public/decisions/", pv.public_list, name="public-decisions"),
    path("public/decisions.json", pv.public_feed_json, name="public-decisions-json"),
    path("public/decisions.csv", pv.public_feed_csv, name="public-decisions-csv"),
    path("public/decisions/<int:publication_id>/", pv.public_detail, name="public-decision"),
]
