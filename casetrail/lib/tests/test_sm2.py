"""SM2 note signatures: the GB/T 32918.2-2016 Annex A example (its test curve, ID ALICE123@YAHOO.COM,
fixed k), the default user ID of GB/T 35276, signed-note key IDs, and OpenSSL 3 agreeing both ways
(`openssl pkeyutl -rawin -digest sm3 -pkeyopt distid:1234567812345678`)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from gmssl import sm2 as gmssl_sm2

from casetrail.lib.signed_note import key_id, open_note, sign_note
from casetrail.lib.sm2 import (
    SM2_TYPE,
    SM2Signer,
    SM2Verifier,
    der_signature,
    digest,
    z_value,
)

# GB/T 32918.2-2016 附录 A（A.2）: the Fp-256 example curve and values.
ANNEX_CURVE = {
    "p": "8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3",
    "a": "787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498",
    "b": "63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A",
    "g": "421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D"
    "0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2",
    "n": "8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7",
}
D_A = "128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263"
K = "6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F"
X_A = "0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A"
Y_A = "7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857"
E = "B524F552CD82B8B028476E005C377FB19A87E6FC682D48BB5D42E3D9B9EFFE76"
R = "40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1"
S = "6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7"


def test_it_reproduces_the_signature_example_of_gb_t_32918():
    impl = gmssl_sm2.CryptSM2(private_key=D_A, public_key="", ecc_table=ANNEX_CURVE)
    public = impl._kg(int(D_A, 16), ANNEX_CURVE["g"]).upper()
    assert public == X_A + Y_A
    e = digest(
        b"message digest",
        b"\x04" + bytes.fromhex(public),
        user_id=b"ALICE123@YAHOO.COM",
        curve=ANNEX_CURVE,
    )
    assert e.hex().upper() == E
    signer = gmssl_sm2.CryptSM2(private_key=D_A, public_key=public, ecc_table=ANNEX_CURVE)
    assert signer.sign(e, K).upper() == R + S
    assert signer.verify((R + S).lower(), e)


def test_it_uses_the_default_user_id_of_gb_t_35276():
    key = SM2Signer.generate("casetrail/x/sm3").verifier().public_bytes
    assert z_value(key) == z_value(key, user_id=b"1234567812345678")
    assert z_value(key) != z_value(key, user_id=b"")


def test_it_signs_note_lines_under_the_documented_key_type():
    signer = SM2Signer.generate("casetrail/11140524MB1234567J/sm3")
    verifier = SM2Verifier.from_vkey(signer.vkey())
    assert signer.key_id == key_id(signer.name, SM2_TYPE + verifier.public_bytes)
    assert SM2_TYPE == b"\xffGB/T32918-SM2-SM3\x00"
    text = "casetrail/11140524MB1234567J/sm3\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
    note = sign_note(text, [signer])
    assert open_note(note, [verifier])[0] == text
    assert not verifier.verify(b"other", signer.sign(text.encode()))
    assert SM2Signer.from_skey(signer.skey()).vkey() == signer.vkey()
    with pytest.raises(ValueError):
        SM2Verifier.from_vkey(signer.vkey().replace("+", "+0", 1))


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_it_agrees_with_openssl_both_ways(tmp_path):
    signer = SM2Signer.generate("casetrail/x/sm3")
    message = b"casetrail/x/sm3\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
    (tmp_path / "key.pem").write_bytes(signer.pem())
    (tmp_path / "msg").write_bytes(message)
    (tmp_path / "ours.sig").write_bytes(der_signature(signer.sign(message)))
    subprocess.run(
        ["openssl", "pkey", "-in", tmp_path / "key.pem", "-pubout", "-out", tmp_path / "pub.pem"],
        check=True,
        capture_output=True,
    )
    sm3 = ["-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678"]
    result = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            tmp_path / "pub.pem",
            *sm3,
            "-in",
            tmp_path / "msg",
            "-sigfile",
            tmp_path / "ours.sig",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and "Verified Successfully" in result.stdout, result.stderr
    subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-sign",
            "-inkey",
            tmp_path / "key.pem",
            *sm3,
            "-in",
            tmp_path / "msg",
            "-out",
            tmp_path / "theirs.sig",
        ],
        check=True,
        capture_output=True,
    )
    r, s = decode_dss_signature((tmp_path / "theirs.sig").read_bytes())
    theirs = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert signer.verifier().verify(message, theirs)
