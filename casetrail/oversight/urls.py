from django.urls import path

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
]
