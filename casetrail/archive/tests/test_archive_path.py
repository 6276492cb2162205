"""The whole path of a closed case to 已归档 and its package: 立卷 by 刘档案, 四性检测, 归档审批
confirmed by 王审核, the AIP validated as a BagIt bag and exported."""

from __future__ import annotations

import bagit
import pikepdf
import pytest

from casetrail.archive import actions, service
from casetrail.archive.models import FileStatus, ItemKind, Package
from casetrail.archive.tests.builders import approve_archiving, closed_case
from casetrail.cases.models import Stage
from casetrail.evidence.storage import blob_store
from casetrail.ledger.models import LedgerEntry
from casetrail_verify.package import check_package

pytestmark = pytest.mark.django_db


def test_it_archives_a_closed_case_and_exports_a_valid_bag(personas, evidence_store, tmp_path):
    case = closed_case(personas)
    assert case.stage == Stage.CLOSED
    liu = personas["liu"]

    f = actions.archive_assemble(case=case, officer=liu)
    assert f.status == FileStatus.DRAFT and f.version == 1
    # 全宗号 by default Q + the agency's number (not 1 on PostgreSQL, whose sequences run on).
    assert f.archive_code.startswith(f"Q{case.agency_id:03d}-ZF·")
    documents = list(f.items.exclude(kind=ItemKind.MEDIA).order_by("seq"))
    assert documents and documents[0].start_page == 1
    with pikepdf.open(blob_store().path(f.pdf.sha256)) as pdf:
        titles = [item.title for item in pdf.open_outline().root]
        assert titles[0] == "封面" and titles[-1] == "卷内备考表"
        assert len(pdf.pages) > f.pages
        # 页号 on the documents' pages only: drawn from the digit forms over the page's content.
        outline = list(pdf.open_outline().root)
        first_doc = outline[2].destination[0]
        numbered = [
            i
            for i, page in enumerate(pdf.pages)
            if any(str(k).startswith("/Pg") for k in page.Resources.get("/XObject", {}).keys())
        ]
        assert len(numbered) == f.pages and pdf.pages[numbered[0]].objgen == first_doc.objgen

    report = service.check(case_file=f, officer=liu)
    failed = [(r.code, r.target, r.detail) for r in report.results.filter(passed=False)]
    assert report.passed, failed

    chain = actions.archive_submit(case_file=f, officer=liu, opinion="已立卷，提请归档")
    f.refresh_from_db()
    assert f.status == FileStatus.SUBMITTED and f.chain_id == chain.pk
    approve_archiving(case, personas)
    case.refresh_from_db()
    f.refresh_from_db()
    assert case.stage == Stage.ARCHIVED
    assert f.status == FileStatus.ARCHIVED and f.checked_by == personas["wang"]

    package = service.package(case_file=f, officer=liu)
    assert Package.objects.filter(case_file=f).count() == 1
    entry = LedgerEntry.objects.filter(subject=f"package:{package.pk}").get()
    assert package.blob.sha256 in entry.canonical
    dest = service.export(package=package, dest=tmp_path / "aip")
    bag = bagit.Bag(str(dest))
    bag.validate()
    assert (dest / "manifest-sm3.txt").exists() and (dest / "manifest-sha512.txt").exists()
    assert (dest / "data" / "casefile.pdf").exists()
    assert (dest / "data" / "ledger" / "checkpoint").exists()
    assert list((dest / "data" / "ledger" / "proofs").iterdir())
    # The offline verifier a court uses finds the bag, the extract and the files' entries sound.
    verified = check_package(dest)
    assert verified.ok, verified.findings
    assert any("记录在所附日志条目中" in line for line in verified.passed)

    (dest / "data" / "stray.txt").write_text("not in the manifest")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(dest)).validate()
