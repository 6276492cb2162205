"""The whole 调用单 path over HTTP with the personas (第三十二条): 张承办 registers a party's
agent's request with the 授权委托书, 王审核 reviews, 赵局长 decides item by item and approves,
张承办 makes the redacted 询问笔录 and the package, the agent downloads it through the link (counted
in the disclosure register, refused past its count) and what arrives checks: the bag's manifests,
the ledger extract, the watermark, no personal data left in the redaction."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import bagit
import pytest
from pypdf import PdfReader

from casetrail.access.models import CopyPackage, CopyReceipt, CopyRequest, Redaction
from casetrail.access.tests.conftest import ADDRESS, AGENT, AGENT_LETTER, PHONE, items_for
from casetrail.conftest import VALID_ID, client_for
from casetrail.documents.models import IssuedDocument
from casetrail.evidence.storage import blob_store
from casetrail.ledger.models import LedgerEntry


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def register_over_the_page(case) -> CopyRequest:
    zhang = client_for("zhang")
    page = zhang.get(f"/cases/{case.pk}/copy-requests/new/")
    assert page.status_code == 200
    assert "个人信息：被询问人" in page.content.decode()  # what is marked is shown
    choice = {f"item_{i['kind']}_{i['id']}": i["proposed"] for i in items_for(case)}
    letter = io.BytesIO(AGENT_LETTER)
    letter.name = "授权委托书.pdf"
    r = zhang.post(
        f"/cases/{case.pk}/copy-requests/new/",
        {**AGENT, **choice, "opinion": "附授权委托书，建议同意", "authority_file": letter},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    return CopyRequest.objects.get(case=case)


def test_it_takes_a_copy_request_from_registration_to_a_checked_download(
    copy_case, personas, tmp_path
):
    case = copy_case
    copy = register_over_the_page(case)
    assert copy.number.startswith("调用〔") and copy.authority is not None
    assert copy.items.count() == 3

    r = client_for("wang").post(
        f"/api/approvals/{copy.chain_id}/decide/",
        {"outcome": "approve", "opinion": "同意"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    # 赵局长 may not approve before deciding every item.
    zhao = client_for("zhao")
    refused = zhao.post(
        f"/api/approvals/{copy.chain_id}/decide/",
        {"outcome": "approve", "opinion": "同意"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "decision_missing"
    confirm = zhao.post(f"/approvals/{copy.chain_id}/", {"outcome": "approve", "opinion": "同意"})
    assert confirm.status_code == 400 and "尚未决定" in confirm.content.decode()
    page = zhao.get(f"/copies/{copy.pk}/")
    assert page.status_code == 200 and "局长逐项决定" in page.content.decode()
    form = {}
    for item in copy.items.all():
        form[f"d_{item.pk}"] = item.proposed
        form[f"r_{item.pk}"] = "被询问人的身份证号、电话属个人隐私（第三十三条）"
    assert zhao.post(f"/copies/{copy.pk}/decide/", form).status_code == 302
    r = zhao.post(
        f"/api/approvals/{copy.chain_id}/decide/",
        {"outcome": "approve", "opinion": "同意复制，笔录隐去个人信息"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()

    zhang = client_for("zhang")
    interview = copy.items.get(kind="record")
    r = zhang.post(
        f"/copies/{copy.pk}/items/{interview.pk}/redact/", {"reason": "第三十三条：个人隐私"}
    )
    assert r.status_code == 302, r.content.decode()[:1500]
    redaction = Redaction.objects.get(item=interview)
    assert redaction.approved_by == personas["zhao"]
    redacted_pdf = b"".join(blob_store().iter_bytes(redaction.blob.sha256))
    text = text_of(redacted_pdf)
    assert "周某" in text  # the name stays
    for secret in (VALID_ID, PHONE, ADDRESS[6:]):
        assert secret not in text
    entry = LedgerEntry.objects.get(subject=f"redaction:{redaction.pk}")
    facts = json.loads(entry.canonical)["payload"]
    assert facts["original"]["seq"] == redaction.original_seq
    assert facts["derived"]["sha256"] == redaction.blob.sha256

    r = zhang.post(
        f"/api/copies/{copy.pk}/packages/",
        {"recipient": "王律师", "days": 3, "uses": 2},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    link = r.json()["link"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    package = CopyPackage.objects.get(request=copy)
    assert package.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(package.files)

    anonymous = client_for(None)
    got = anonymous.get(f"/copies/d/{token}/")
    assert got.status_code == 200
    data = b"".join(got.streaming_content)
    assert CopyReceipt.objects.filter(package=package).count() == 1
    check_package(data, tmp_path, case)

    assert anonymous.get(f"/api/copies/d/{token}/").status_code == 200
    before = LedgerEntry.objects.count()
    used_up = anonymous.get(f"/api/copies/d/{token}/")
    assert used_up.status_code == 410 and used_up.json()["code"] == "link_used_up"
    assert LedgerEntry.objects.count() == before
    assert CopyReceipt.objects.filter(package=package).count() == 2

    # The case page shows who received copies.
    section = zhang.get(f"/cases/{case.pk}/section/documents/").content.decode()
    assert "王律师" in section and copy.number in section
    assert f"/copies/{copy.pk}/" in section  # beside the 调用单's form too
    api = zhang.get(f"/api/cases/{case.pk}/").json()
    assert api["copies"][0]["receipts"][0]["recipient"] == "王律师"


def check_package(data: bytes, tmp_path: Path, case) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        z.extractall(tmp_path / "got")
    (root,) = list((tmp_path / "got").iterdir())
    bag = bagit.Bag(str(root))
    bag.validate()  # every payload file against manifest-sha256
    for line in (root / "manifest-sm3.txt").read_text().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.new("sm3", (root / name).read_bytes()).hexdigest() == digest, name
    assert "casetrail-verify" in (root / "README.html").read_text()
    described = json.loads((root / "data" / "copy.json").read_text())
    entries = root / "data" / "ledger" / "entries"
    assert (root / "data" / "ledger" / "checkpoint").is_file()
    for item in described["items"]:
        assert item["disposition"] in ("given", "redacted")
        original = json.loads((entries / f"{item['original']['entry']}.json").read_text())
        assert (
            root / "data" / "ledger" / "proofs" / f"{item['original']['entry']}.tlog-proof"
        ).is_file()
        if "redaction" in item:
            redaction = json.loads((entries / f"{item['redaction']['entry']}.json").read_text())
            assert redaction["payload"]["original"]["sha256"] == item["original"]["sha256"]
            assert original["seq"] == item["original"]["entry"]
    own = json.loads((entries / f"{described['package_entry']}.json").read_text())
    delivered = {f["path"]: f["sha256"] for f in own["payload"]["rows"][0]["files"]}
    for item in described["items"]:
        path = root / item["file"]["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == delivered[item["file"]["path"]]
    decision = next(i for i in described["items"] if i["kind"] == "document")
    pdf = (root / decision["file"]["path"]).read_bytes()
    issued = IssuedDocument.objects.get(case=case)
    original = b"".join(blob_store().iter_bytes(issued.blob.sha256))
    assert pdf.startswith(original)  # the sealed revision stays; the watermark is an update
    assert "仅供王律师使用" in text_of(pdf)
    assert "调用〔" in text_of((root / "data" / "调用单.pdf").read_bytes())
    offline_check(root, tmp_path)


def offline_check(root: Path, tmp_path: Path) -> None:
    """The offline verifier (casetrail-verify) passes the package, follows each watermarked copy
    to the file it is made from, and fails a copy with one byte changed."""
    import shutil

    from casetrail_verify.package import check_package

    report = check_package(root)
    assert report.ok, [f.__dict__ for f in report.findings]
    assert any("源自原件" in line for line in report.passed), report.passed
    tampered = tmp_path / "tampered"
    shutil.copytree(root, tampered)
    victim = next((tampered / "data" / "items").iterdir())
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 1
    victim.write_bytes(bytes(data))
    assert not check_package(tampered).ok


def test_it_exports_a_package_to_a_folder_from_the_cli(copy_case, personas, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from casetrail.access.actions import redaction_create
    from casetrail.access.tests.conftest import approved

    copy = approved(copy_case, personas)
    item = copy.items.get(proposed="redacted")
    item.request = copy
    usb = tmp_path / "usb"
    with pytest.raises(SystemExit) as refused:
        call_command("copy_export", copy.number, "--to", str(usb), "--by", "zhang")
    assert refused.value.code == 1  # the redaction the 局长 asked for is not made yet
    assert not usb.exists() or not any(usb.iterdir())
    redaction_create(item=item, officer=personas["zhang"], reason="第三十三条")
    out = StringIO()
    call_command("copy_export", copy.number, "--to", str(usb), "--by", "zhang", stdout=out)
    (bag,) = list(usb.iterdir())
    bagit.Bag(str(bag)).validate()
    assert (bag / "README.html").is_file() and "已导出" in out.getvalue()
    receipt = CopyReceipt.objects.get(package__request=copy)
    assert receipt.by == personas["zhang"]
    assert LedgerEntry.objects.filter(subject=f"copy-package:{receipt.package_id}").count() == 2


def test_it_logs_the_read_of_marked_material_it_packages(copy_case, personas):
    """第三十三条: a 个人隐私 mark on the 笔录 — packaging it is a read, reason 调用, by the handler."""
    from casetrail.access.actions import redaction_create
    from casetrail.access.delivery import make_package
    from casetrail.access.tests.conftest import SAID, approved
    from casetrail.cases.models import MarkedRead
    from casetrail.records.actions import material_mark

    interview = copy_case.records.get(kind="interview_record", fields__content=SAID)
    material_mark(
        target=f"record:{interview.pk}",
        officer=personas["zhang"],
        kind="privacy",
        reason="被询问人隐私",
    )
    copy = approved(copy_case, personas)
    assert any("个人隐私" in m for m in copy.items.get(kind="record").marks)  # shown as marked
    item = copy.items.get(proposed="redacted")
    item.request = copy
    redaction_create(item=item, officer=personas["li"], reason="第三十三条")
    assert not MarkedRead.objects.exists()
    make_package(request=copy, officer=personas["li"], recipient="王律师")
    (read,) = MarkedRead.objects.all()
    assert (read.officer, read.reason, read.target) == (
        personas["li"],
        "copy",
        f"record:{interview.pk}",
    )


def test_it_enters_a_copy_of_an_archived_case_in_the_archive_use_register(personas, evidence_store):
    """第三十一条 with 第三十二条: a copy made of an archived 案卷 is a 复制 in its use register,
    naming the package and the 局长 who approved the 调用单."""
    from casetrail.access.delivery import make_package
    from casetrail.access.tests.conftest import decide_all, register
    from casetrail.approvals.actions import approval_decide
    from casetrail.archive.models import Use
    from casetrail.archive.tests.builders import archived_case
    from casetrail.documents.models import IssuedDocument

    case_file = archived_case(personas)
    case = case_file.case
    document = IssuedDocument.objects.filter(case=case).first()
    copy = register(
        case,
        personas,
        items=[{"kind": "document", "id": document.pk, "proposed": "given"}],
        requester_kind="party",
        requester=case.parties.first().name,
    )
    approval_decide(chain=copy.chain, officer=personas["wang"], outcome="approve", opinion="同意")
    decide_all(copy, personas)
    approval_decide(chain=copy.chain, officer=personas["zhao"], outcome="approve", opinion="批准")
    copy.refresh_from_db()
    package, _, _ = make_package(request=copy, officer=personas["zhang"], recipient="当事人")
    (use,) = Use.objects.filter(case_file=case_file)
    assert (use.kind, use.source, use.approved_by) == (
        "copy",
        f"copy-package:{package.pk}",
        "赵局长",
    )
