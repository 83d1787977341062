"""Witness cosignatures (c2sp.org/tlog-cosignature): format, round trip, tampering."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from zhengzhao.errors import InvalidRequest, NoteInvalid
from zhengzhao.seals.algorithms import Algorithm, SigningKey
from zhengzhao.translog.note import (
    Checkpoint,
    CosignatureSigner,
    CosignatureVerifier,
    NoteSigner,
    NoteVerifier,
    open_note,
    sign_note,
    verify_cosignature,
)

C2SP = json.loads(
    (Path(__file__).parent / "vectors" / "c2sp_examples.json").read_text()
)
EXAMPLE = C2SP["cosignature"]
#: The checkpoint of the tlog-cosignature example (its text, without signatures).
BODY = EXAMPLE["signed_message"].split("\n", 2)[2]
TIME = EXAMPLE["timestamp"]
WITNESS = "witness.example.com/w1"


def _key(seed: int) -> SigningKey:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
    return SigningKey(Algorithm.ED25519, private)


def _blob(line: str) -> bytes:
    return base64.b64decode(line.split(" ")[2])


def _line(name: str, blob: bytes) -> str:
    return f"\u2014 {name} {base64.b64encode(blob).decode()}"


COSIGNER = CosignatureSigner(WITNESS, _key(1))
LINE = COSIGNER.cosign(BODY, timestamp=TIME)


def test_cosign_then_verify_returns_the_time() -> None:
    assert verify_cosignature(LINE, BODY, COSIGNER.verifier_key) == TIME


def test_cosignature_signs_the_message_the_spec_shows() -> None:
    public = _key(1).public_key().public_bytes()
    blob = _blob(LINE)

    # The spec's own rendering of the signed message, verified with pyca directly.
    ed25519.Ed25519PublicKey.from_public_bytes(public).verify(
        blob[12:], EXAMPLE["signed_message"].encode()
    )


def test_cosignature_blob_is_key_id_time_and_signature_as_in_the_spec() -> None:
    public = _key(1).public_key().public_bytes()
    blob = _blob(LINE)
    spec_blob = _blob(EXAMPLE["witness_line"])

    assert len(blob) == len(spec_blob) == 4 + 8 + 64
    assert (
        blob[:4] == hashlib.sha256(WITNESS.encode() + b"\n\x04" + public).digest()[:4]
    )
    # The spec's example line carries the same time in the same 8 bytes.
    assert blob[4:12] == spec_blob[4:12] == TIME.to_bytes(8, "big")


def test_cosignature_vkey_is_type_4_and_round_trips() -> None:
    vkey = COSIGNER.verifier_key
    material = base64.b64decode(vkey.split("+")[2])

    assert material[0] == 0x04
    assert CosignatureVerifier.from_vkey(vkey).verifier_key == vkey


def test_verify_cosignature_takes_the_blob_and_a_verifier() -> None:
    assert verify_cosignature(_blob(LINE), BODY, COSIGNER.verifier()) == TIME


def test_verify_cosignature_for_another_checkpoint_is_refused() -> None:
    other = Checkpoint.parse(BODY)
    other = Checkpoint(other.origin, other.size + 1, other.root_hash)

    with pytest.raises(NoteInvalid, match=f"at time {TIME} does not verify"):
        verify_cosignature(LINE, other.body(), COSIGNER.verifier_key)


def test_verify_cosignature_with_another_time_is_refused() -> None:
    blob = bytearray(_blob(LINE))
    blob[11] ^= 0x01

    with pytest.raises(NoteInvalid, match=f"at time {TIME ^ 1} does not verify"):
        verify_cosignature(bytes(blob), BODY, COSIGNER.verifier_key)


@pytest.mark.parametrize("position", [12, 40, 75])
def test_verify_cosignature_with_a_signature_byte_changed_is_refused(
    position: int,
) -> None:
    blob = bytearray(_blob(LINE))
    blob[position] ^= 0x01

    with pytest.raises(NoteInvalid, match="does not verify"):
        verify_cosignature(bytes(blob), BODY, COSIGNER.verifier_key)


def test_verify_cosignature_with_another_key_of_the_same_name_is_refused() -> None:
    other = CosignatureSigner(WITNESS, _key(2))

    with pytest.raises(NoteInvalid, match="key ID"):
        verify_cosignature(LINE, BODY, other.verifier_key)


def test_verify_cosignature_by_another_witness_name_is_refused() -> None:
    other = CosignatureSigner("witness.example.com/w2", _key(1))

    with pytest.raises(
        NoteInvalid, match=r"signed by witness\.example\.com/w1, not by"
    ):
        verify_cosignature(LINE, BODY, other.verifier_key)


def test_verify_cosignature_dated_after_now_is_refused() -> None:
    assert verify_cosignature(LINE, BODY, COSIGNER.verifier_key, now=TIME) == TIME
    with pytest.raises(NoteInvalid, match=f"dated {TIME}, after {TIME - 1}"):
        verify_cosignature(LINE, BODY, COSIGNER.verifier_key, now=TIME - 1)


def test_verify_cosignature_of_the_wrong_length_is_refused() -> None:
    blob = _blob(LINE)

    with pytest.raises(NoteInvalid, match="is 75 bytes; an Ed25519 cosignature is 76"):
        verify_cosignature(blob[:-1], BODY, COSIGNER.verifier_key)


def test_verify_cosignature_with_time_above_2_63_is_refused() -> None:
    blob = _blob(LINE)
    forged = blob[:4] + (1 << 63).to_bytes(8, "big") + blob[12:]

    with pytest.raises(NoteInvalid, match=re.escape("above 2**63 - 1")):
        verify_cosignature(forged, BODY, COSIGNER.verifier_key)


@pytest.mark.parametrize("timestamp", [-1, 1 << 63])
def test_cosign_with_time_out_of_range_is_refused(timestamp: int) -> None:
    with pytest.raises(InvalidRequest, match=re.escape("is not 0..2**63-1")):
        COSIGNER.cosign(BODY, timestamp=timestamp)


def test_cosign_refuses_a_text_that_is_no_checkpoint() -> None:
    with pytest.raises(NoteInvalid, match="needs at least 3"):
        COSIGNER.cosign("just a note\n", timestamp=TIME)


def test_published_witness_vkey_parses_with_its_key_id() -> None:
    published = C2SP["vkeys"]["cosignature"]

    verifier = CosignatureVerifier.from_vkey(published["vkey"])

    assert verifier.key_id.hex() == published["key_id"]
    assert verifier.verifier_key == published["vkey"]


def test_cosignature_verifier_refuses_a_note_vkey() -> None:
    with pytest.raises(NoteInvalid, match="type 0x01; a CosignatureVerifier needs"):
        CosignatureVerifier.from_vkey(C2SP["vkeys"]["note"]["vkey"])


# --- cosignatures inside notes ---------------------------------------------------


def test_open_note_verifies_witness_cosignatures_appended_to_a_checkpoint() -> None:
    log = NoteSigner("example.com/behind-the-sofa", _key(3))
    note = sign_note(BODY, [log]) + LINE + "\n"

    opened = open_note(note, [log.verifier(), COSIGNER.verifier()])

    assert opened.verified_by == ("example.com/behind-the-sofa", WITNESS)
    assert opened.signature_lines[1] == LINE


def test_a_note_key_does_not_verify_a_cosignature_by_the_same_key() -> None:
    # Types 0x01 and 0x04 give different key IDs: a cosignature is never taken for
    # a plain signature of the checkpoint, and the other way round.
    same_key = NoteVerifier(WITNESS, _key(1).public_key().public_bytes())
    log = NoteSigner("example.com/behind-the-sofa", _key(3))
    note = sign_note(BODY, [log]) + LINE + "\n"

    assert same_key.key_id != COSIGNER.key_id
    with pytest.raises(NoteInvalid, match="no signature of a known key"):
        open_note(note, [same_key])


def test_open_note_with_a_tampered_cosignature_is_refused() -> None:
    log = NoteSigner("example.com/behind-the-sofa", _key(3))
    blob = bytearray(_blob(LINE))
    blob[50] ^= 0x01
    note = sign_note(BODY, [log]) + _line(WITNESS, bytes(blob)) + "\n"

    with pytest.raises(NoteInvalid, match=r"cosignature of witness\.example\.com/w1"):
        open_note(note, [log.verifier(), COSIGNER.verifier()])
