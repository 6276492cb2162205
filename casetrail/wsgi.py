"""WSGI entry point for gunicorn (`casetrail run`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetrail.settings")
application = get_wsgi_application()

# Issue 15: no serving with the embedded SECRET_KEY unless CASETRAIL_DEBUG or the demo is on.
from casetrail.org.checks import refuse_unsafe_start  # noqa: E402  (needs the apps loaded)

refuse_unsafe_start()


def freeze_loaded_objects() -> int:
    """Move every object alive once the project is loaded (modules, models, the URLconf and the
    views, forms and serializers it imports) out of the collector's reach; returns how many.

    Issue 18: those ≈ 170,000 objects live as long as the process, yet the cyclic garbage
    collector walked them all at each full collection — one every few dozen requests, 130 ms at
    10^5 cases, landing on whichever request allocated last. Frozen, a full collection walks only
    what requests made since (``gc.freeze``, CPython ≥ 3.7)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every view module now, not per request)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


freeze_loaded_objects()
