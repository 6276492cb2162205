"""A refused submission of a document's form keeps what the user did: the drawn signature (sent
back and drawn again), an uploaded scan (kept by its digest), the typed values and the officers
ticked; each signature error sits in its own pad; a missing drawing asks for the signature."""

from __future__ import annotations

import base64
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casetrail.conftest import client_for
from casetrail.records.models import Record, RecordSignature
from casetrail.records.tests.test_record_create import DOC, png, test_doc  # noqa: F401

URL = "/cases/{}/records/new/" + DOC.code + "/"


def form_data(case, personas, **over):
    now = timezone.localtime()
    data = {
        "started_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ended_at": now.strftime("%Y-%m-%dT%H:%M"),
        "place": "某养老院东楼",
        "findings": "未见备案证明",
        "party": case.parties.first().pk,
        "present": [personas["zhang"].pk, personas["li"].pk],
        f"shown_{personas['zhang'].pk}": "on",
        f"shown_{personas['li'].pk}": "on",
        "sig_officers_name": "张承办、李承办",
        "sig_officers_method": "drawn",
        "sig_officers_image": "data:image/png;base64," + base64.b64encode(png()).decode(),
        "sig_party_name": "周某",
        "sig_party_method": "refused",
        "sig_party_reason": "当事人拒绝签名",
    }
    data.update(over)
    return data


def test_it_keeps_a_drawn_signature_through_a_deliberate_error(open_case, personas, evidence_store):
    zhang = client_for("zhang")
    data = form_data(open_case, personas, sig_party_reason="")  # the deliberate error
    r = zhang.post(URL.format(open_case.pk), data)
    assert r.status_code == 400
    page = r.content.decode()
    # The officers' drawing comes back in its hidden input, to be drawn again on the canvas.
    assert f'name="sig_officers_image" value="{data["sig_officers_image"]}"' in page
    # The error sits in the party's pad, not at the top of the form.
    pad = page[page.index('id="sig_party"') :]
    pad = pad[: pad.index("</div>\n", pad.index("拒签理由（须记录）"))]
    assert "拒签理由" in pad and 'class="errorlist"' in pad
    assert "has-error" in page[page.index('id="sig_party"') - 80 : page.index('id="sig_party"')]
    # Typed values, the chosen method and the officers ticked survive.
    assert 'value="某养老院东楼"' in page and 'value="周某"' in page
    assert 'name="sig_party_method" value="refused" checked' in page
    assert (
        f'name="present" value="{personas["zhang"].pk}" id="present_{personas["zhang"].pk}" checked'
        in page
    )
    assert not Record.objects.filter(kind=DOC.code).exists()
    # Sent again as the page now stands (reason given), the kept drawing is the signature.
    r = zhang.post(URL.format(open_case.pk), {**data, "sig_party_reason": "当事人拒绝签名"})
    assert r.status_code == 302
    sig = RecordSignature.objects.get(record__kind=DOC.code, key="officers")
    assert sig.method == "drawn" and sig.blob is not None


def test_it_keeps_an_uploaded_scan_by_its_digest(open_case, personas, evidence_store):
    zhang = client_for("zhang")
    scan = SimpleUploadedFile("sign.png", png(), content_type="image/png")
    data = form_data(
        open_case,
        personas,
        sig_officers_method="scan",
        sig_officers_image="",
        sig_officers_scan=scan,
        place="",  # the deliberate error: a required field left empty
    )
    r = zhang.post(URL.format(open_case.pk), data)
    assert r.status_code == 400
    page = r.content.decode()
    from casetrail.evidence.models import Blob

    sha = Blob.objects.get(size=len(png()), media_type="image/png").sha256
    assert f'name="sig_officers_scan_sha256" value="{sha}"' in page and "已上传扫描件" in page
    resent = {k: v for k, v in data.items() if k != "sig_officers_scan"}
    r = zhang.post(
        URL.format(open_case.pk),
        {**resent, "place": "某养老院东楼", "sig_officers_scan_sha256": sha},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    sig = RecordSignature.objects.get(record__kind=DOC.code, key="officers")
    assert sig.method == "scan" and sig.blob.sha256 == sha


def test_it_asks_for_the_signature_when_nothing_was_drawn(open_case, personas, evidence_store):
    data = form_data(
        open_case,
        personas,
        sig_party_method="drawn",
        sig_party_image="",
        sig_party_reason="",
    )
    r = client_for("zhang").post(URL.format(open_case.pk), data)
    assert r.status_code == 400
    page = r.content.decode()
    assert "当事人签名：请当事人签名或记录拒签理由" in page
    assert "签名图像应为 PNG" not in page
    assert not Record.objects.filter(kind=DOC.code).exists()


def test_it_keeps_the_on_the_spot_signatures_through_an_error(personas):
    from casetrail.start.tests.test_start_on_the_spot import page_data

    data = page_data(personas, place="")  # the deliberate error: the place left out
    r = client_for("zhang").post("/cases/new/on-the-spot/", data)
    assert r.status_code == 400
    page = r.content.decode()
    kept = [k for k in data if k.endswith("_image")]
    assert kept and all(f'name="{k}" value="{data[k]}"' in page for k in kept)
