"""#18: the redacted copy is made from its original and uploaded before the action's transaction
(a video's re-encoding takes seconds to minutes: no lock is held meanwhile)."""

from __future__ import annotations

from casetrail.access.actions import redaction_create
from casetrail.access.tests.conftest import approved, photo
from casetrail.evidence.storage import blob_store


def test_it_makes_and_uploads_the_redacted_copy_before_the_transaction(
    copy_case, personas, blob_uploads
):
    picture = photo(copy_case, personas["zhang"])
    copy = approved(
        copy_case, personas, [{"kind": "media", "id": picture.pk, "proposed": "redacted"}]
    )
    blob_uploads.clear()  # the photo's and the request's own
    item = copy.items.get(kind="media")
    row = redaction_create(
        item=item,
        officer=personas["zhang"],
        reason="第三十三条",
        regions=[{"x0": 0, "y0": 0, "x1": 40, "y1": 30}],
    )
    assert blob_uploads == [(row.blob.sha256, [])]
    assert blob_store().exists(row.blob.sha256) and row.blob.sha256 != row.original_sha256
