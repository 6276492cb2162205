"""WSGI entry point for gunicorn (`casetrail run`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.settings")
application = get_wsgi_application()

# Issue 15: no serving with the embedded SECRET_KEY unless CASETRAIL_DEBUG or the demo is on.
from casetrail.org.checks import refuse_unsafe_start  # noqa: E402  (needs the apps loaded)

refuse_unsafe_start()
