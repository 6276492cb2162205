"""Background work: poster frames and thumbnails (django-tasks; the db worker runs them)."""

from __future__ import annotations

import logging
import os
import tempfile

from django.utils import timezone
from django_tasks import task

from casetrail.evidence.destroyed import purge_destroyed as purge
from casetrail.evidence.media import make_poster as render_poster
from casetrail.evidence.models import Blob, Poster
from casetrail.evidence.storage import blob_store, poster_key

log = logging.getLogger(__name__)


@task()
def make_poster(*, blob_id: int) -> str:
    """Render the poster frame (video) or thumbnail (photo) of a blob into the store."""
    blob = Blob.objects.get(pk=blob_id)
    store = blob_store()
    key = poster_key(blob.sha256)
    # Before the try: a read inside a transaction is a programming error, not a damaged file.
    store.reading(f"blob {blob.sha256[:12]}…")
    try:
        if store.is_file:
            data = render_poster(str(store.path(blob.sha256)), blob.media_type)
        else:  # decode from a local temporary copy, streamed down in bounded chunks
            with tempfile.NamedTemporaryFile(suffix=".media") as tmp:
                for block in store.iter_bytes(blob.sha256):
                    tmp.write(block)
                tmp.flush()
                os.fsync(tmp.fileno())
                data = render_poster(tmp.name, blob.media_type)
    except Exception as exc:  # a damaged file must not break the worker; the page shows none
        log.warning("poster of blob %s failed: %s", blob.sha256, exc)
        Poster.objects.update_or_create(
            blob=blob, defaults={"key": "", "made_at": timezone.now(), "error": str(exc)[:300]}
        )
        return ""
    if data is None:
        return ""
    store.put_derived(key, data)
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        width, height = im.size
    Poster.objects.update_or_create(
        blob=blob,
        defaults={
            "key": key,
            "width": width,
            "height": height,
            "made_at": timezone.now(),
            "error": "",
        },
    )
    return key


@task()
def purge_destroyed() -> int:
    """Daily: delete the bytes of destroyed blobs a dead process left in the store."""
    return purge()
