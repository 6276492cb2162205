"""C2SP signed notes, checkpoints and tlog proofs (Ed25519)."""

from __future__ import annotations

import base64

import pytest

from casetrail.lib import merkle
from casetrail.lib.signed_note import (
    Checkpoint,
    Ed25519Signer,
    Ed25519Verifier,
    InvalidSignatureError,
    MalformedNoteError,
    NoteError,
    NoteSignature,
    UnverifiedNoteError,
    format_checkpoint,
    format_tlog_proof,
    generate_keys,
    is_valid_key_name,
    key_id,
    open_checkpoint,
    open_note,
    parse_checkpoint,
    parse_note,
    parse_tlog_proof,
    sign_checkpoint,
    sign_note,
    verify_tlog_proof,
)

# The c2sp.org/signed-note example (vectors/README.md).
EXAMPLE_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
EXAMPLE_TEXT = "This is an example message.\n"
EXAMPLE_SIG = (
    "\u2014 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
EXAMPLE_NOTE = EXAMPLE_TEXT + "\n" + EXAMPLE_SIG

ORIGIN = "casetrail.example/ledger"


def _example_verifier() -> Ed25519Verifier:
    return Ed25519Verifier.from_vkey(EXAMPLE_VKEY)


# --- the spec example ---------------------------------------------------------------------


def test_it_accepts_the_spec_example() -> None:
    verifier = _example_verifier()
    assert verifier.key_id == 0x530D903A
    assert verifier.vkey() == EXAMPLE_VKEY
    text, sigs = open_note(EXAMPLE_NOTE, [verifier])
    assert text == EXAMPLE_TEXT
    assert [(s.name, s.key_id) for s in sigs] == [("example.com/foo", 0x530D903A)]


def test_it_accepts_the_spec_example_as_bytes() -> None:
    text, _ = open_note(EXAMPLE_NOTE.encode("utf-8"), [_example_verifier()])
    assert text == EXAMPLE_TEXT


def test_it_rejects_a_one_character_change_of_the_text() -> None:
    tampered = EXAMPLE_NOTE.replace("example message", "example messagE")
    with pytest.raises(InvalidSignatureError, match=r"example\.com/foo"):
        open_note(tampered, [_example_verifier()])


def test_it_ignores_signatures_by_unknown_keys() -> None:
    other = Ed25519Signer.generate("witness.example/w1")
    same_name = Ed25519Signer.generate("example.com/foo")  # same name, different key ID
    extra = [
        NoteSignature(other.name, other.key_id, other.sign(EXAMPLE_TEXT.encode())).line(),
        # Garbage signature by an unknown key: never checked.
        NoteSignature(same_name.name, same_name.key_id, b"\x00" * 64).line(),
    ]
    note = EXAMPLE_NOTE + "".join(extra)
    text, sigs = open_note(note, [_example_verifier()])
    assert text == EXAMPLE_TEXT
    assert [s.name for s in sigs] == ["example.com/foo"]


def test_it_rejects_a_note_with_no_known_valid_signature() -> None:
    stranger = Ed25519Signer.generate("example.com/bar")
    with pytest.raises(UnverifiedNoteError):
        open_note(EXAMPLE_NOTE, [stranger.verifier()])
    with pytest.raises(UnverifiedNoteError):
        open_note(EXAMPLE_NOTE, [])


def test_it_rejects_an_invalid_signature_by_a_known_key_even_beside_a_valid_one() -> None:
    verifier = _example_verifier()
    forged = NoteSignature("example.com/foo", verifier.key_id, b"\x01" * 64).line()
    with pytest.raises(InvalidSignatureError):
        open_note(EXAMPLE_NOTE + forged, [verifier])


# --- keys ---------------------------------------------------------------------------------


def test_it_computes_the_key_id_from_name_type_and_key() -> None:
    raw = base64.b64decode("AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
    assert key_id("example.com/foo", raw) == 0x530D903A


def test_it_round_trips_signer_and_verifier_keys() -> None:
    # Enough keys that some base64 encodings contain '+', the field separator.
    keys = [generate_keys(ORIGIN) for _ in range(40)]
    assert any("+" in vkey.split("+", 2)[2] for _, vkey in keys)
    for skey, vkey in keys:
        signer = Ed25519Signer.from_skey(skey)
        verifier = Ed25519Verifier.from_vkey(vkey)
        assert skey.startswith(f"PRIVATE+KEY+{ORIGIN}+{signer.key_id:08x}+")
        assert signer.skey() == skey
        assert signer.vkey() == vkey
        assert (verifier.name, verifier.key_id) == (signer.name, signer.key_id)


@pytest.mark.parametrize(
    "vkey",
    [
        "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # wrong ID
        "example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # wrong name
        "example.com/foo+530d903a+AukyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # type 0x02
        "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # upper hex
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U",  # bad base64
        "example.com/foo+530d903a",
        "example com+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
    ],
)
def test_it_rejects_bad_verifier_keys(vkey: str) -> None:
    with pytest.raises(ValueError):
        Ed25519Verifier.from_vkey(vkey)


def test_it_rejects_a_signer_key_whose_id_does_not_match() -> None:
    skey, _ = generate_keys(ORIGIN)
    parts = skey.split("+", 4)
    parts[3] = f"{(int(parts[3], 16) ^ 1):08x}"
    with pytest.raises(ValueError, match="does not match"):
        Ed25519Signer.from_skey("+".join(parts))


def test_it_validates_key_names() -> None:
    assert is_valid_key_name("example.com/log42")
    assert is_valid_key_name("案件.example/日志")
    for bad in ("", "a b", "a+b", "a\u00a0b", "a\u3000b", "a\tb", "a\nb"):
        assert not is_valid_key_name(bad)


# --- signing ------------------------------------------------------------------------------


def test_it_signs_and_opens_notes_with_several_keys() -> None:
    log = Ed25519Signer.generate(ORIGIN)
    witness = Ed25519Signer.generate("witness.example/w1")
    text = "第一行\n\nline after a blank line\n"
    note = sign_note(text, [log, witness])
    assert note.startswith(text + "\n\u2014 " + ORIGIN + " ")
    opened, sigs = open_note(note, [log.verifier(), witness.verifier()])
    assert opened == text
    assert [s.name for s in sigs] == [ORIGIN, "witness.example/w1"]
    # Each verifier alone is enough.
    assert open_note(note, [witness.verifier()])[0] == text


def test_it_keeps_existing_signatures_when_cosigning() -> None:
    log = Ed25519Signer.generate(ORIGIN)
    witness = Ed25519Signer.generate("witness.example/w1")
    note = sign_note("tree head\n", [log])
    text, existing = parse_note(note)
    cosigned = sign_note(text, [witness], existing=existing)
    _, sigs = open_note(cosigned, [log.verifier(), witness.verifier()])
    assert {s.name for s in sigs} == {ORIGIN, "witness.example/w1"}


@pytest.mark.parametrize("text", ["no final newline", "", "tab\there\n", "cr\r\n", "x\ud800\n"])
def test_it_refuses_to_sign_malformed_text(text: str) -> None:
    with pytest.raises(MalformedNoteError):
        sign_note(text, [Ed25519Signer.generate(ORIGIN)])


# --- malformed notes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "note",
    [
        EXAMPLE_TEXT + EXAMPLE_SIG,  # no blank line
        EXAMPLE_TEXT + "\n" + EXAMPLE_SIG[:-1],  # no final newline
        EXAMPLE_TEXT + "\n",  # no signatures
        EXAMPLE_TEXT + "\n" + EXAMPLE_SIG.replace("\u2014", "-"),  # hyphen, not em dash
        EXAMPLE_TEXT + "\n" + EXAMPLE_SIG.replace("\u2014 ", "\u2014"),
        EXAMPLE_TEXT + "\n" + EXAMPLE_SIG.replace("foo ", "foo"),  # no space before base64
        EXAMPLE_TEXT + "\n" + EXAMPLE_SIG.replace("=\n", "\n"),  # bad padding
        EXAMPLE_TEXT + "\n" + EXAMPLE_SIG.replace("foo ", "foo  "),
        EXAMPLE_TEXT + "\n" + "\u2014 example.com/foo AAAAAA==\n",  # shorter than 5 bytes
        EXAMPLE_TEXT.replace("example", "\x07example") + "\n" + EXAMPLE_SIG,  # control char
        EXAMPLE_TEXT + "\n" + EXAMPLE_SIG + "\n",  # trailing blank line
    ],
)
def test_it_rejects_malformed_notes(note: str) -> None:
    with pytest.raises(MalformedNoteError):
        open_note(note, [_example_verifier()])


def test_it_rejects_invalid_utf8() -> None:
    with pytest.raises(MalformedNoteError, match="UTF-8"):
        open_note(b"caf\xe9\n\n" + EXAMPLE_SIG.encode(), [_example_verifier()])


def test_it_limits_the_number_of_signatures() -> None:
    stranger = Ed25519Signer.generate("stranger.example")
    filler = NoteSignature(stranger.name, stranger.key_id, b"\x00" * 64).line()
    open_note(EXAMPLE_NOTE + filler * 99, [_example_verifier()])
    with pytest.raises(MalformedNoteError, match="more than 100"):
        open_note(EXAMPLE_NOTE + filler * 100, [_example_verifier()])


# --- checkpoints --------------------------------------------------------------------------


ROOT = bytes(range(32))


def test_it_formats_and_parses_checkpoints() -> None:
    text = format_checkpoint(ORIGIN, 20852163, ROOT, ["ext one"])
    assert text == f"{ORIGIN}\n20852163\n{base64.b64encode(ROOT).decode()}\next one\n"
    assert parse_checkpoint(text) == Checkpoint(ORIGIN, 20852163, ROOT, ("ext one",))
    assert parse_checkpoint(format_checkpoint(ORIGIN, 0, ROOT)).size == 0


def test_it_parses_the_spec_checkpoint() -> None:
    text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    checkpoint = parse_checkpoint(text)
    assert (checkpoint.origin, checkpoint.size, len(checkpoint.root)) == (
        "example.com/behind-the-sofa",
        20852163,
        32,
    )


@pytest.mark.parametrize(
    "text",
    [
        f"{ORIGIN}\n5\n",  # no root line
        f"{ORIGIN}\n05\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",  # leading zero
        f"{ORIGIN}\n-5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        f"{ORIGIN}\n+5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        f"{ORIGIN}\n18446744073709551616\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        f"{ORIGIN}\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n",  # no padding
        f"{ORIGIN}\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=\n",  # non-canonical
        f"{ORIGIN}\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n",  # 31 bytes
        f"{ORIGIN}\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\next\n",  # empty ext
        "\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",  # empty origin
        f"{ORIGIN}\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",  # no final newline
    ],
)
def test_it_rejects_malformed_checkpoints(text: str) -> None:
    with pytest.raises(MalformedNoteError):
        parse_checkpoint(text)


def test_it_signs_and_opens_checkpoints_checking_the_origin() -> None:
    log = Ed25519Signer.generate(ORIGIN)
    note = sign_checkpoint(Checkpoint(ORIGIN, 7, ROOT), [log])
    checkpoint, sigs = open_checkpoint(note, [log.verifier()], origin=ORIGIN)
    assert checkpoint == Checkpoint(ORIGIN, 7, ROOT)
    assert sigs[0].name == ORIGIN
    with pytest.raises(NoteError, match="origin"):
        open_checkpoint(note, [log.verifier()], origin="other.example/log")


# --- tlog proofs --------------------------------------------------------------------------


def _logged(h: str, count: int, index: int) -> tuple[Ed25519Signer, str, bytes]:
    leaf_hashes = [merkle.leaf_hash(h, f"record {i}".encode()) for i in range(count)]
    log = Ed25519Signer.generate(ORIGIN)
    signed = sign_checkpoint(Checkpoint(ORIGIN, count, merkle.root(h, leaf_hashes)), [log])
    proof = merkle.inclusion_proof(h, leaf_hashes, index)
    return log, format_tlog_proof(index, proof, signed, extra=b"ctx"), leaf_hashes[index]


@pytest.mark.parametrize("h", ["sha256", "sm3"])
def test_it_formats_parses_and_verifies_tlog_proofs(h: str) -> None:
    log, text, leaf = _logged(h, 11, 6)
    lines = text.split("\n")
    assert lines[:3] == ["c2sp.org/tlog-proof@v1", "extra Y3R4", "index 6"]
    parsed = parse_tlog_proof(text)
    assert parsed.index == 6 and parsed.extra == b"ctx" and len(parsed.proof) == 4
    assert parsed.checkpoint.startswith(ORIGIN + "\n11\n")
    checkpoint = verify_tlog_proof(text, leaf, [log.verifier()], origin=ORIGIN, hash_name=h)
    assert checkpoint.size == 11
    with pytest.raises(merkle.ProofError):
        verify_tlog_proof(text, b"\x00" * 32, [log.verifier()], origin=ORIGIN, hash_name=h)
    with pytest.raises(UnverifiedNoteError):
        verify_tlog_proof(text, leaf, [], origin=ORIGIN, hash_name=h)


def test_it_handles_a_tlog_proof_for_a_one_leaf_tree() -> None:
    log, text, leaf = _logged("sha256", 1, 0)
    assert "index 0\n\n" + ORIGIN + "\n1\n" in text
    assert parse_tlog_proof(text).proof == ()
    verify_tlog_proof(text, leaf, [log.verifier()], origin=ORIGIN)


def test_it_omits_the_extra_line_when_there_is_none() -> None:
    log = Ed25519Signer.generate(ORIGIN)
    signed = sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), [log])
    text = format_tlog_proof(0, [], signed)
    assert text.startswith("c2sp.org/tlog-proof@v1\nindex 0\n\n")
    assert parse_tlog_proof(text).extra is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"), "starts with"),
        (lambda t: t.replace("index 6", "index 06"), "leading zeros"),
        (lambda t: t.replace("index 6\n", ""), "index"),
        (lambda t: t.replace("extra Y3R4", "extra "), "empty"),
        (lambda t: t.replace("\n\n", "\n", 1), "base64|bytes"),
        (lambda t: t.split("\n\n")[0] + "\n", "blank line"),
    ],
)
def test_it_rejects_malformed_tlog_proofs(change: object, message: str) -> None:
    assert callable(change)
    _, text, _ = _logged("sha256", 11, 6)
    with pytest.raises(MalformedNoteError, match=message):
        parse_tlog_proof(change(text))
