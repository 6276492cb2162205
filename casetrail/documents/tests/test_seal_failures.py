"""The seal's failures, typed and against real servers: a TSA that is down or silent refuses the
issue with ``tsa_failed`` (nothing issued, the 文号 given back), a TSA that answers gives a PAdES
B-T seal pyHanko's validator accepts with the TSA's certificate, and a missing key is named."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from casetrail.documents.issuing import issue
from casetrail.documents.models import IssuedDocument, NumberCounter
from casetrail.documents.seal import certificate, key_paths
from casetrail.documents.tests.test_issue import pdf_of
from casetrail.documents.tests.test_numbers import notices
from casetrail.ledger.tests.test_tsa import tsa  # noqa: F401 - the local OpenSSL TSA
from casetrail.lib.errors import ActionError

pytestmark = pytest.mark.real_clock


@pytest.fixture
def silent_tsa() -> Iterator[str]:
    """A TSA address that takes the connection and never answers (the kernel queues it)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"


def _refused_then_given_back(case, personas, settings, url):  # type: ignore[no-untyped-def]
    first, second = notices(case, personas, 2)
    settings.CASETRAIL_DOCUMENT_TSA_URL = url
    with pytest.raises(ActionError) as err:
        issue(record=first, officer=personas["zhang"])
    assert err.value.code == "tsa_failed"
    assert err.value.status == 503
    assert "时间戳服务" in err.value.message
    assert not IssuedDocument.objects.exists()
    settings.CASETRAIL_DOCUMENT_TSA_URL = ""
    document, _ = issue(record=second, officer=personas["zhang"])
    assert document.number_seq == 1  # the refused issue's number was given back
    assert NumberCounter.objects.get(family="notice").last == 1


def test_it_refuses_with_tsa_failed_when_the_tsa_is_down(open_case, personas, patterns, settings):
    # Port 9 (discard): nothing listens, the connection is refused.
    _refused_then_given_back(open_case, personas, settings, "http://127.0.0.1:9/")


def test_it_gives_up_on_a_silent_tsa_after_the_configured_timeout(
    open_case, personas, patterns, settings, silent_tsa
):
    settings.CASETRAIL_TSA_TIMEOUT = 1
    _refused_then_given_back(open_case, personas, settings, silent_tsa)


def test_it_seals_pades_b_t_with_a_tsa_that_answers(
    open_case,
    personas,
    patterns,
    settings,
    tsa,  # noqa: F811
):
    settings.CASETRAIL_DOCUMENT_TSA_URL = tsa.url
    (notice,) = notices(open_case, personas, 1)
    document, _ = issue(record=notice, officer=personas["zhang"])
    assert document.timestamped and document.doc_no
    seal_root = asn1_x509.Certificate.load(
        certificate(document.agency).public_bytes(serialization.Encoding.DER)
    )
    tsa_root = asn1_x509.Certificate.load(_der_of(tsa.cert.read_bytes()))
    (signature,) = PdfFileReader(io.BytesIO(pdf_of(document))).embedded_signatures
    status = validate_pdf_signature(
        signature,
        ValidationContext(trust_roots=[seal_root]),
        ts_validation_context=ValidationContext(trust_roots=[tsa_root]),
    )
    assert status.intact and status.valid and status.trusted
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.valid
    assert status.timestamp_validity.trusted


def _der_of(pem: bytes) -> bytes:
    from cryptography import x509

    return x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)


def test_it_names_a_missing_seal_key_and_issues_nothing(open_case, personas, patterns, settings):
    (notice,) = notices(open_case, personas, 1)
    settings.CASETRAIL_SEAL_KEY_AUTOCREATE = False
    key_path, _cert = key_paths(open_case.agency)
    if key_path.exists():
        key_path.unlink()
    with pytest.raises(ActionError) as err:
        issue(record=notice, officer=personas["zhang"])
    assert err.value.code == "seal_key_missing"
    assert "签章密钥" in err.value.message
    assert not IssuedDocument.objects.exists()
    assert not NumberCounter.objects.filter(family="notice", last__gt=0).exists()
