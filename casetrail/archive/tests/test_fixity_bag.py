"""Fixity checks the bag inside each stored package, not only its whole hash: a file inside the
AIP altered (same size, the package row kept) is a fixity failure naming that file, against each
of the bag's manifests (SHA-256, SHA-512, SM3), and raises the finding."""

from __future__ import annotations

import datetime as dt
import io
import os
import tarfile

import pytest
from django.utils import timezone

from casetrail.archive import fixity
from casetrail.archive.models import Package
from casetrail.archive.tests.builders import archived_case
from casetrail.conftest import client_for
from casetrail.evidence.storage import blob_store
from casetrail.oversight.models import Finding
from casetrail.oversight.refresh import refresh

pytestmark = pytest.mark.django_db


def _offset_of(path, member_name: str) -> tuple[int, int]:
    with tarfile.open(path, mode="r:") as tar:
        member = tar.getmember(member_name)
        return member.offset_data, member.size


def test_it_names_a_file_altered_inside_a_kept_package(personas, evidence_store):
    f = archived_case(personas)
    (first,) = fixity.run()
    assert first.passed, first.findings  # the intact bag passes every manifest

    package = Package.objects.get(case_file=f)
    path = blob_store().path(package.blob.sha256)
    start, size = _offset_of(path, "data/casefile.pdf")
    assert size > 100
    os.chmod(path, 0o644)
    with open(path, "r+b") as fh:  # one byte inside the 案卷 PDF, in place: the tar still reads
        fh.seek(start + size // 2)
        byte = fh.read(1)
        fh.seek(start + size // 2)
        fh.write(bytes([byte[0] ^ 0xFF]))
    os.chmod(path, 0o444)
    assert Package.objects.filter(pk=package.pk).exists()  # the record is kept

    (run,) = fixity.run(timezone.now() + dt.timedelta(days=7, minutes=1))
    assert not run.passed
    named = [line for line in run.findings if "data/casefile.pdf" in line]
    assert {a for a in ("sha256", "sha512", "sm3") if any(f"manifest-{a}" in n for n in named)} == {
        "sha256",
        "sha512",
        "sm3",
    }
    assert not any("metadata.xml" in line for line in run.findings)  # only the altered file
    refresh(agency=f.agency)
    finding = Finding.objects.get(kind="archive_fixity")
    assert finding.case_id == f.case_id
    assert "档案定期检测异常" in client_for("liu").get("/").content.decode()


def test_it_names_a_file_added_to_the_bag_without_its_manifest_line(personas, evidence_store):
    f = archived_case(personas)
    package = Package.objects.get(case_file=f)
    blob = package.blob
    path = blob_store().path(blob.sha256)
    # Rewrite the tar with a stray payload file appended (the row and its digests kept).
    data = io.BytesIO()
    with tarfile.open(path, mode="r:") as src, tarfile.open(fileobj=data, mode="w") as out:
        for member in src:
            out.addfile(member, src.extractfile(member) if member.isfile() else None)
        stray = tarfile.TarInfo("data/stray.txt")
        stray.size = 5
        out.addfile(stray, io.BytesIO(b"stray"))
    os.chmod(path, 0o644)
    path.write_bytes(data.getvalue())
    os.chmod(path, 0o444)
    (run,) = fixity.run()
    assert not run.passed
    assert any("data/stray.txt is not in manifest-sha256.txt" in line for line in run.findings)
