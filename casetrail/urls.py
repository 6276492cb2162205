"""URL map: the web UI, the API under /api/, OpenAPI schema and locally served docs."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, HttpRequest
from django.urls import include, path
from django.views.decorators.cache import cache_control
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, IsAuthenticated

# Issue 15: the schema and its docs describe every endpoint; outside debug (and the demo, which a
# newcomer tries on their own machine) only for logged-in users.
_docs_open = settings.DEBUG or settings.DEMO
_schema = SpectacularAPIView.as_view(
    permission_classes=[AllowAny if _docs_open else IsAuthenticated]
)
# The split view serves Swagger UI's start-up code as a file: no inline script (CSP script-src 'self').
_docs = SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[AllowAny])

admin.site.site_header = "CaseTrail 系统管理"
admin.site.site_title = "CaseTrail"


@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> FileResponse:
    """The site's icon (an SVG of our own) at the address every browser asks for first."""
    found = finders.find("casetrail/favicon.svg")
    return FileResponse(open(str(found), "rb"), content_type="image/svg+xml")


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("casetrail.ops.urls")),
    path("", include("casetrail.oversight.urls")),
    path("", include("casetrail.records.urls")),
    path("", include("casetrail.archive.urls")),
    path("", include("casetrail.documents.urls")),
    path("", include("casetrail.access.urls")),
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
    path("api/", include("casetrail.archive.api_urls")),
    path("api/", include("casetrail.documents.api_urls")),
    path("api/", include("casetrail.access.api_urls")),
    path("api/", include("casetrail.compliance.api_urls")),
    path("api/", include("casetrail.start.api_urls")),
    path("api/", include("casetrail.decisions.api_urls")),
    path("api/", include("casetrail.cases.api_urls")),
    path("api/", include("casetrail.approvals.api_urls")),
    path("api/", include("casetrail.evidence.api_urls")),
    path("api/", include("casetrail.ledger.api_urls")),
    path("api/", include("casetrail.org.api_urls")),
    path("api/schema/", _schema, name="schema"),
    path("api/docs/", _docs if _docs_open else login_required(_docs), name="api-docs"),
]

# The site's own Chinese error pages (JSON under /api/), never Django's English defaults.
handler400 = "casetrail.lib.middleware.bad_request"
handler403 = "casetrail.lib.middleware.permission_denied"
handler404 = "casetrail.lib.middleware.page_not_found"
handler500 = "casetrail.lib.middleware.server_error"
