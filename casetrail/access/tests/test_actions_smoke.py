"""The 调用单 path through the actions, end to end to a package on disk (fast check of the parts;
the HTTP path with the personas is test_path.py)."""

from __future__ import annotations

import zipfile

import pytest

from casetrail.access.actions import redaction_create
from casetrail.access.delivery import download, make_package
from casetrail.access.package import package_path
from casetrail.access.tests.conftest import approved


@pytest.mark.django_db
def test_it_builds_a_package_from_an_approved_request(copy_case, personas):
    copy = approved(copy_case, personas)
    item = copy.items.get(proposed="redacted")
    item.request = copy
    redaction_create(item=item, officer=personas["zhang"], reason="第三十三条 个人隐私")
    package, token, _ = make_package(request=copy, officer=personas["zhang"], recipient="王律师")
    path = package_path(package)
    assert path.is_file()
    names = zipfile.ZipFile(path).namelist()
    assert any(n.endswith("README.html") for n in names), names
    assert any("/data/ledger/checkpoint" in n for n in names), names
    pkg, _path = download(token=token)
    assert pkg.receipts.count() == 1
