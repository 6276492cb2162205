"""Expiry of abandoned uploads and the part-file lock: the sweep never removes a part file that a
request holds, and an upload past its Upload-Expires is gone for every request."""

from __future__ import annotations

import datetime as dt
import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from casetrail.conftest import client_for
from casetrail.evidence import partfiles, uploads
from casetrail.evidence.models import Upload
from casetrail.evidence.tests.helpers import TUS, create, head, patch
from casetrail.evidence.tests.test_uploads import meta

pytestmark = pytest.mark.usefixtures("evidence_store")


def _started(client: Any, sent: bytes = b"abcde") -> tuple[str, Upload]:
    url = create(client, 10, meta())["Location"]
    assert patch(client, url, 0, sent).status_code == 204
    return url, Upload.objects.get(pk=url.rsplit("/", 1)[-1])


def _past_expiry(upload: Upload) -> None:
    Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))


def test_it_skips_an_upload_whose_part_file_is_locked_and_expires_it_once_released(
    personas: Any,
) -> None:
    zhang = client_for("zhang")
    url, upload = _started(zhang)
    _past_expiry(upload)
    with partfiles.locked(upload.part_path) as writer:  # as a PATCH writing it holds it
        assert writer is not None
        assert uploads.expire_uploads() == 0
        upload.refresh_from_db()
        assert upload.state == Upload.State.RECEIVING and upload.part_path.exists()
        # Meanwhile others are told it is in use, not that it is gone.
        assert patch(zhang, url, 5, b"fghij").status_code == 423
        r = head(zhang, url)
        assert r.status_code == 200 and r["Upload-Offset"] == "5"
        assert zhang.generic("DELETE", url, headers=TUS).status_code == 423
    assert uploads.expire_uploads() == 1
    upload.refresh_from_db()
    assert upload.state == Upload.State.EXPIRED and not upload.part_path.exists()
    assert head(zhang, url).status_code == 410


def test_it_answers_410_to_a_patch_and_a_head_past_the_expiry_before_the_sweep(
    personas: Any,
) -> None:
    zhang = client_for("zhang")
    for method in ("HEAD", "PATCH", "DELETE"):
        url, upload = _started(zhang)
        _past_expiry(upload)
        if method == "PATCH":
            r = patch(zhang, url, 5, b"fghij")
        else:
            r = zhang.generic(method, url, headers=TUS)
        assert r.status_code == 410 and r["Tus-Resumable"] == "1.0.0"
        if method != "HEAD":  # a HEAD answer has no body
            assert r.json() == {
                "code": "gone",
                "message": "该上传已过期（超过 Upload-Expires 未续传），请重新上传",
            }
        upload.refresh_from_db()
        assert upload.state == Upload.State.EXPIRED and upload.offset == 5
        assert not upload.part_path.exists()
        assert uploads.expire_uploads() == 0  # nothing left for the sweep


def test_it_answers_410_when_the_sweep_expired_the_upload_while_the_request_waited(
    personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request read the upload (receiving, not yet expired), then the sweep expired it before
    the request got the lock: the request reads the state again and answers 410."""
    zhang = client_for("zhang")
    real = partfiles.locked

    @contextmanager
    def sweep_first(path: Path) -> Iterator[partfiles.PartFile | None]:
        monkeypatch.setattr(partfiles, "locked", real)
        Upload.objects.filter(pk=path.stem).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
        assert uploads.expire_uploads() == 1
        with real(path) as part:
            yield part

    for request in (lambda url: head(zhang, url), lambda url: patch(zhang, url, 5, b"fghij")):
        url, upload = _started(zhang)
        monkeypatch.setattr(partfiles, "locked", sweep_first)
        assert request(url).status_code == 410
        upload.refresh_from_db()
        assert upload.state == Upload.State.EXPIRED and not upload.part_path.exists()


def test_it_gives_no_part_file_to_a_request_that_opened_it_before_it_was_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request opens the part file, the holder of the lock removes it and lets go, then the
    request gets the lock: it holds a removed file, and must not write into it."""
    path = tmp_path / "u.part"
    partfiles.create(path)
    holder = partfiles.locked(path)
    held = holder.__enter__()
    assert held is not None
    real_flock = fcntl.flock

    def after_the_holder_is_done(fd: int, operation: int) -> None:
        monkeypatch.setattr(fcntl, "flock", real_flock)
        held.remove()
        holder.__exit__(None, None, None)
        real_flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", after_the_holder_is_done)
    with partfiles.locked(path) as late:
        assert late is None
    assert not path.exists()


def test_it_extends_the_expiry_while_a_patch_keeps_writing(personas: Any) -> None:
    zhang = client_for("zhang")
    url, upload = _started(zhang)
    Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() + dt.timedelta(minutes=1))
    r = patch(zhang, url, 5, b"fg")
    assert r.status_code == 204
    expires = parsedate_to_datetime(r["Upload-Expires"])
    assert expires > timezone.now() + dt.timedelta(hours=1)
    assert uploads.expire_uploads() == 0
