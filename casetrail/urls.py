"""URL map: the web UI, the API under /api/, OpenAPI schema and locally served docs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = "CaseTrail 系统管理"
admin.site.site_title = "CaseTrail"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("casetrail.oversight.urls")),
    path("", include("casetrail.records.urls")),
    path("", include("casetrail.compliance.urls")),
    path("", include("casetrail.start.urls")),
    path("", include("casetrail.decisions.urls")),
    path("", include("casetrail.cases.urls")),
    path("", include("casetrail.approvals.urls")),
    path("", include("casetrail.evidence.urls")),
    path("", include("casetrail.ledger.urls")),
    path("", include("casetrail.org.urls")),
    # Before cases: /api/cases/<id>/records/ must not be taken for a case step.
    path("api/", include("casetrail.oversight.api_urls")),
    path("api/", include("casetrail.records.api_urls")),
    path("api/", include("casetrail.compliance.api_urls")),
    path("api/", include("casetrail.start.api_urls")),
    path("api/", include("casetrail.decisions.api_urls")),
    path("api/", include("casetrail.cases.api_urls")),
    path("api/", include("casetrail.approvals.api_urls")),
    path("api/", include("casetrail.evidence.api_urls")),
    path("api/", include("casetrail.ledger.api_urls")),
    path("api/", include("casetrail.org.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

# The site's own Chinese error pages (JSON under /api/), never Django's English defaults.
handler400 = "casetrail.lib.middleware.bad_request"
handler403 = "casetrail.lib.middleware.permission_denied"
handler404 = "casetrail.lib.middleware.page_not_found"
handler500 = "casetrail.lib.middleware.server_error"
