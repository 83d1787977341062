"""Signed notes, vkeys and checkpoints: Go's sumdb/note vectors, C2SP examples."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import given
from hypothesis import strategies as st

from zhengzhao.errors import InvalidRequest, NoteInvalid
from zhengzhao.seals.algorithms import Algorithm, SigningKey
from zhengzhao.translog.note import (
    Checkpoint,
    CosignatureVerifier,
    NoteSigner,
    NoteVerifier,
    open_note,
    sign_note,
    verifier_from_vkey,
)

VECTORS = Path(__file__).parent / "vectors"
GO = json.loads((VECTORS / "sumdb_note.json").read_text())
C2SP = json.loads((VECTORS / "c2sp_examples.json").read_text())

TEXT = GO["text"]
PETER_VKEY = GO["peter"]["vkey"]
PETER_LINE = GO["peter"]["signature_line"]
ENOCH_LINE = GO["enoch"]["signature_line"]
PETER = NoteVerifier.from_vkey(PETER_VKEY)
ENOCH = NoteVerifier.from_vkey(GO["enoch"]["vkey"])
SIGNED = f"{TEXT}\n{PETER_LINE}\n"


def _peter_signer() -> NoteSigner:
    # Go's signer key: "PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || seed)>".
    seed = base64.b64decode(GO["peter"]["skey"].split("+", 4)[4])[1:]
    private = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    return NoteSigner("PeterNeumann", SigningKey(Algorithm.ED25519, private))


def _vkey(name: str, material: bytes) -> str:
    """A vkey with the key ID its name and material give, whatever the material."""
    key_id = hashlib.sha256(name.encode() + b"\n" + material).digest()[:4]
    return f"{name}+{key_id.hex()}+{base64.b64encode(material).decode()}"


def _signer(name: str = "example.com/log") -> NoteSigner:
    return NoteSigner(name, SigningKey.generate(Algorithm.ED25519))


# --- Go's sumdb/note vectors -----------------------------------------------------


def test_note_signer_from_the_go_seed_has_the_published_vkey() -> None:
    signer = _peter_signer()

    assert signer.verifier_key == PETER_VKEY
    assert signer.key_id.hex() == "c74f20a3"


def test_sign_note_reproduces_the_go_signed_note() -> None:
    assert sign_note(TEXT, [_peter_signer()]) == SIGNED


def test_open_note_verifies_the_go_note() -> None:
    opened = open_note(SIGNED, [PETER])

    assert opened.body == TEXT
    assert opened.verified_by == ("PeterNeumann",)
    assert opened.text == SIGNED


def test_open_note_ignores_signatures_of_unknown_keys() -> None:
    opened = open_note(f"{TEXT}\n{PETER_LINE}\n{ENOCH_LINE}\n", [PETER])

    assert opened.verified_by == ("PeterNeumann",)
    assert opened.signature_lines == (PETER_LINE, ENOCH_LINE)


def test_open_note_verifies_every_known_signer() -> None:
    opened = open_note(f"{TEXT}\n{PETER_LINE}\n{ENOCH_LINE}\n", [ENOCH, PETER])

    assert opened.verified_by == ("PeterNeumann", "EnochRoot")


def test_open_note_without_a_known_signature_is_refused() -> None:
    note = f"{TEXT}\n{PETER_LINE}\n{ENOCH_LINE}\n"

    with pytest.raises(NoteInvalid, match="signed by EnochRoot, PeterNeumann"):
        open_note(note, [])


def test_open_note_keeps_repeated_and_unknown_lines_for_serving() -> None:
    # Go's TestOpen "duplicated verified and unverified signatures".
    bad_enoch = ENOCH_LINE[:60] + "ABCD" + ENOCH_LINE[60:]
    lines = [PETER_LINE, PETER_LINE, ENOCH_LINE, ENOCH_LINE, bad_enoch]

    opened = open_note(TEXT + "\n" + "".join(f"{x}\n" for x in lines), [PETER])

    assert opened.verified_by == ("PeterNeumann",)
    assert opened.signature_lines == tuple(lines)


def test_open_note_with_two_trusted_keys_of_one_name_and_key_id_is_refused() -> None:
    class Colliding(NoteVerifier):
        # A key ID is only 32 bits: another key can share it, and Go refuses too.
        @property
        def key_id(self) -> bytes:
            return PETER.key_id

    twin = Colliding("PeterNeumann", ENOCH.public_key)

    with pytest.raises(NoteInvalid, match="two trusted keys share name PeterNeumann"):
        open_note(SIGNED, [PETER, twin])


def test_open_note_of_text_that_is_not_unicode_is_refused() -> None:
    with pytest.raises(NoteInvalid, match="valid UTF-8"):
        open_note("\ud800" + SIGNED, [PETER])


def test_note_verifier_repr_shows_its_vkey() -> None:
    assert repr(PETER) == f"<NoteVerifier {PETER_VKEY}>"


def test_open_note_with_a_verifier_listed_twice_verifies() -> None:
    assert open_note(SIGNED, [PETER, NoteVerifier.from_vkey(PETER_VKEY)]).verified_by


@pytest.mark.parametrize(
    "message",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_LINE,
        "\x01" + TEXT + "\n" + PETER_LINE + "\n",
        TEXT + "\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZI=\n",
        TEXT + "\n" + PETER_LINE + "\nUnexpected line.\n",
        TEXT + "\n" + PETER_LINE.replace("\u2014", "-") + "\n",
        TEXT + "\n\u2014 PeterNeumann\n",
        TEXT + "\n\u2014 PeterNeumann x08g\n",  # too short for a key ID and signature
        TEXT + "\n\u2014 PeterNeumann not base64!\n",
    ],
    ids=range(10),
)
def test_open_note_malformed_message_is_refused(message: str) -> None:
    with pytest.raises(NoteInvalid):
        open_note(message, [PETER])


def test_open_note_of_bytes_that_are_not_utf8_is_refused() -> None:
    with pytest.raises(NoteInvalid, match="must be UTF-8"):
        open_note(b"\xff" + SIGNED.encode(), [PETER])


def test_open_note_over_100_signatures_is_refused() -> None:
    with pytest.raises(NoteInvalid, match="101 signatures; we read at most 100"):
        open_note(TEXT + "\n" + f"{PETER_LINE}\n" * 101, [PETER])


# --- tampering -------------------------------------------------------------------


def test_open_note_with_the_text_changed_is_refused() -> None:
    tampered = SIGNED.replace("cryptography", "cryptographY")

    with pytest.raises(NoteInvalid, match="PeterNeumann\\+c74f20a3 does not verify"):
        open_note(tampered, [PETER])


@pytest.mark.parametrize("position", [0, 3, 4, 35, 67])
def test_open_note_with_a_signature_byte_changed_is_refused(position: int) -> None:
    name, encoded = PETER_LINE.split(" ")[1:]
    blob = bytearray(base64.b64decode(encoded))
    blob[position] ^= 0x01
    line = f"\u2014 {name} {base64.b64encode(blob).decode()}"

    # A changed key ID makes the signature one of an unknown key: still refused.
    with pytest.raises(
        NoteInvalid, match=r"does not verify|no signature of a known key"
    ):
        open_note(f"{TEXT}\n{line}\n", [PETER])


def test_open_note_with_the_key_name_changed_is_refused() -> None:
    renamed = SIGNED.replace("PeterNeumann", "CarmenSandiego")

    with pytest.raises(NoteInvalid, match="no signature of a known key"):
        open_note(renamed, [PETER])


def test_open_note_with_a_bad_signature_beside_a_good_one_is_refused() -> None:
    bad = PETER_LINE[:60] + "ABCD" + PETER_LINE[60:]

    with pytest.raises(NoteInvalid, match="does not verify"):
        open_note(f"{TEXT}\n{PETER_LINE}\n{bad}\n", [PETER])


# --- verifier keys ---------------------------------------------------------------


@pytest.mark.parametrize(
    "vkey",
    [PETER_VKEY, GO["enoch"]["vkey"], C2SP["vkeys"]["note"]["vkey"]],
)
def test_note_verifier_from_vkey_round_trips(vkey: str) -> None:
    # The last one has a "+" inside its base64.
    verifier = NoteVerifier.from_vkey(vkey)

    assert verifier.verifier_key == vkey
    assert verifier.key_id.hex() == vkey.split("+")[1]


def test_note_verifier_refuses_every_mangled_go_vkey() -> None:
    # Go's TestNewVerifier: every proper substring and every byte plus one.
    manglings = {
        PETER_VKEY[i:j]
        for i in range(len(PETER_VKEY) + 1)
        for j in range(i + 1, len(PETER_VKEY) + 1)
    } - {PETER_VKEY}
    manglings |= {
        PETER_VKEY[:i] + chr(ord(PETER_VKEY[i]) + 1) + PETER_VKEY[i + 1 :]
        for i in range(len(PETER_VKEY))
    }

    accepted = []
    for mangled in manglings:
        try:
            NoteVerifier.from_vkey(mangled)
        except NoteInvalid:
            continue
        accepted.append(mangled)

    assert accepted == []


@pytest.mark.parametrize(
    ("vkey", "reason"),
    [
        (GO["bad_vkeys"][0]["vkey"], "not canonical base64"),
        (_vkey("PeterNeumann", bytes([1]) + bytes(33)), "not an Ed25519 key"),
        (GO["bad_vkeys"][1]["vkey"], "of type 0x65; a NoteVerifier needs type 0x01"),
        (C2SP["vkeys"]["cosignature"]["vkey"], "of type 0x04"),
        ("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq", "not a verifier key"),
        ("PeterNeumann+00000000+" + PETER_VKEY.split("+")[2], "names key ID 00000000"),
        ("Peter Neumann+c74f20a3+" + PETER_VKEY.split("+")[2], "not a note key name"),
    ],
)
def test_note_verifier_refuses_bad_vkeys(vkey: str, reason: str) -> None:
    with pytest.raises(NoteInvalid, match=reason):
        NoteVerifier.from_vkey(vkey)


def test_verifier_from_vkey_picks_the_verifier_by_type() -> None:
    note = verifier_from_vkey(PETER_VKEY)
    cosigner = verifier_from_vkey(C2SP["vkeys"]["cosignature"]["vkey"])

    assert isinstance(note, NoteVerifier)
    assert isinstance(cosigner, CosignatureVerifier)
    assert cosigner.key_id.hex() == C2SP["vkeys"]["cosignature"]["key_id"]


# --- signers and signing ---------------------------------------------------------


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\u00a0b", "a\tb", "a\u3000b"])
def test_note_signer_with_a_bad_name_is_refused(name: str) -> None:
    with pytest.raises(NoteInvalid, match="not a note key name"):
        _signer(name)


def test_note_signer_with_a_key_not_ed25519_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="note keys are Ed25519"):
        NoteSigner("example.com/log", SigningKey.generate(Algorithm.ECDSA_P256))


@pytest.mark.parametrize(
    ("body", "reason"),
    [("no newline", "ends with a newline"), ("tab\there\n", "control characters")],
)
def test_sign_note_refuses_a_bad_text(body: str, reason: str) -> None:
    with pytest.raises(NoteInvalid, match=reason):
        sign_note(body, [_signer()])


def test_sign_note_without_signers_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="at least one signer"):
        sign_note(TEXT, [])


def test_sign_note_text_with_blank_lines_opens_to_the_same_text() -> None:
    body = C2SP["signed_note"]["body"]
    signer = _signer()

    opened = open_note(sign_note(body, [signer]), [signer.verifier()])

    assert opened.body == body


def test_open_note_of_the_spec_example_parses_but_needs_a_known_key() -> None:
    with pytest.raises(NoteInvalid, match=r"signed by quasimodo\.example/salvatore"):
        open_note(C2SP["signed_note"]["note"], [PETER])


# --- checkpoints -----------------------------------------------------------------


def test_checkpoint_parses_the_spec_example() -> None:
    example = C2SP["checkpoint"]
    body = example["note"].split("\n\n")[0] + "\n"

    checkpoint = Checkpoint.parse(body)

    assert checkpoint.origin == example["origin"]
    assert checkpoint.size == example["size"]
    assert checkpoint.root_hash == base64.b64decode(example["root_hash"])
    assert checkpoint.extensions == ()
    assert checkpoint.body() == body


def test_checkpoint_with_spaces_in_its_origin_parses() -> None:
    # The Go checksum database's origin; tlog-checkpoint only recommends URLs.
    body = (
        "go.sum database tree\n15067302\ngJyioq6dwR9n+NjEWORfYmH+ubeYm3kH42BBQ0bTpYI=\n"
    )

    assert Checkpoint.parse(body).origin == "go.sum database tree"


@given(
    origin=st.text(
        st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
    ),
    size=st.integers(min_value=0, max_value=2**64 - 1),
    root_hash=st.binary(min_size=32, max_size=32),
    extensions=st.lists(
        st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1),
        max_size=3,
    ),
)
def test_checkpoint_body_then_parse_round_trips(
    origin: str, size: int, root_hash: bytes, extensions: list[str]
) -> None:
    checkpoint = Checkpoint(origin, size, root_hash, tuple(extensions))

    assert Checkpoint.parse(checkpoint.body()) == checkpoint


def test_signed_checkpoint_opens_to_the_same_checkpoint() -> None:
    signer = _signer()
    checkpoint = Checkpoint("example.com/log", 7, bytes(range(32)), ("ext",))

    opened = open_note(sign_note(checkpoint.body(), [signer]), [signer.verifier()])

    assert Checkpoint.parse(opened.body) == checkpoint


ROOT = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (f"log\n5\n{ROOT}", "must end with a newline"),
        ("log\n5\n", "has 2 lines; it needs at least 3"),
        (f"\n5\n{ROOT}\n", "must be one non-empty line"),
        (f"log\n5\n{ROOT}\n\n", "must be one non-empty line"),  # empty extension
        (f"log\n05\n{ROOT}\n", "'05' is not a decimal number without leading zeros"),
        (f"log\n-1\n{ROOT}\n", "not a decimal number"),
        (f"log\n+1\n{ROOT}\n", "not a decimal number"),
        (f"log\n 1\n{ROOT}\n", "not a decimal number"),
        (f"log\n1_0\n{ROOT}\n", "not a decimal number"),
        (f"log\n\u0661\n{ROOT}\n", "not a decimal number"),  # Arabic-Indic one
        (f"log\n{2**64}\n{ROOT}\n", "is not a uint64"),
        ("log\n5\nnot base64!\n", "root hash is not base64"),
        (f"log\n5\n{ROOT[:-2]}J=\n", "not canonical base64"),  # non-zero pad bits
        (f"log\n5\n{base64.b64encode(bytes(31)).decode()}\n", "is 31 bytes"),
        (f"lo\tg\n5\n{ROOT}\n", "control characters"),
    ],
)
def test_checkpoint_parse_refuses_malformed_bodies(body: str, reason: str) -> None:
    with pytest.raises(NoteInvalid, match=reason):
        Checkpoint.parse(body)


@pytest.mark.parametrize(
    ("origin", "size", "root_hash", "reason"),
    [
        ("log", -1, bytes(32), "is not a uint64"),
        ("log", True, bytes(32), "is not a uint64"),
        ("log", 1, bytes(33), "is 33 bytes"),
        ("a\nb", 1, bytes(32), "one non-empty line"),
    ],
)
def test_checkpoint_with_bad_fields_is_refused(
    origin: str, size: int, root_hash: bytes, reason: str
) -> None:
    with pytest.raises(NoteInvalid, match=reason):
        Checkpoint(origin, size, root_hash)
