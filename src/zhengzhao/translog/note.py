"""Signed notes, checkpoints and cosignatures, as C2SP specifies them.

- c2sp.org/signed-note: a text ending in a newline, a blank line, then one line per
  signature, ``— <key name> <base64(key ID || signature)>`` (U+2014 em dash). The
  key ID is ``SHA-256(key name || 0x0A || type || public key)[:4]``, with type 0x01
  for Ed25519. A verifier key ("vkey") is ``<name>+<key ID in hex>+<base64(type ||
  public key)>``.
- c2sp.org/tlog-checkpoint: the text is the log's origin, the tree size in decimal,
  the base64 root hash, then optional extension lines.
- c2sp.org/tlog-cosignature: a witness signs ``cosignature/v1\\ntime <t>\\n`` followed
  by the checkpoint text with an Ed25519 key of type 0x04; the signature is key ID ||
  uint64 big-endian t || Ed25519 signature.

Every failure raises `NoteInvalid`, except arguments out of range (`InvalidRequest`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Final, Protocol, Self

from zhengzhao.errors import (
    InvalidDocument,
    InvalidRequest,
    NoteInvalid,
    SignatureInvalid,
)
from zhengzhao.seals.algorithms import Algorithm, VerifyingKey

__all__ = [
    "COSIGNATURE_TYPE",
    "ED25519_TYPE",
    "Checkpoint",
    "CosignatureSigner",
    "CosignatureVerifier",
    "Ed25519Key",
    "NoteSigner",
    "NoteVerifier",
    "OpenedNote",
    "open_note",
    "read_note",
    "sign_note",
    "verifier_from_vkey",
    "verify_cosignature",
]

#: signed-note, "Signature types": Ed25519 signatures over the note text.
ED25519_TYPE: Final = 0x01
#: signed-note and tlog-cosignature: timestamped Ed25519 witness cosignatures.
COSIGNATURE_TYPE: Final = 0x04
#: signed-note: "the first four bytes in the signature are the uint32 key ID".
_KEY_ID_SIZE = 4
#: tlog-cosignature: ``u64 timestamp``, at most 2**63 - 1.
_TIMESTAMP_SIZE = 8
_MAX_TIMESTAMP = (1 << 63) - 1
#: RFC 8032 section 5.1.6.
_ED25519_SIGNATURE_SIZE = 64
#: signed-note: verifiers "MUST accept at least up to 16 signatures"; Go's
#: golang.org/x/mod/sumdb/note stops at 100, and so do we.
_MAX_SIGNATURES = 100
#: RFC 9162 section 4.10: tree sizes are uint64.
_MAX_TREE_SIZE = (1 << 64) - 1
_ROOT_HASH_SIZE = 32
_SIGNATURE_PREFIX = "\u2014 "
_COSIGNATURE_HEADER = "cosignature/v1\n"
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")
_KEY_ID_HEX = re.compile(r"[0-9a-fA-F]{8}")


class Ed25519Key(Protocol):
    """A private Ed25519 key: a `SigningKey`, or one an HSM holds."""

    @property
    def algorithm(self) -> Algorithm: ...

    def sign(self, data: bytes) -> bytes: ...

    def public_key(self) -> VerifyingKey: ...


@dataclass(frozen=True)
class Checkpoint:
    """A log's signed tree head, as the text of a note (c2sp.org/tlog-checkpoint)."""

    #: The log's identity, the first line; we use the schema-less URL of the log.
    origin: str
    #: The number of leaves in the tree.
    size: int
    #: The RFC 9162 Merkle Tree Hash of those leaves (32 bytes).
    root_hash: bytes
    #: Opaque lines after the root hash; the spec advises against them.
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for line in (self.origin, *self.extensions):
            _check_line(line)
        if type(self.size) is not int or not 0 <= self.size <= _MAX_TREE_SIZE:
            raise NoteInvalid(f"checkpoint size {self.size!r} is not a uint64")
        if len(self.root_hash) != _ROOT_HASH_SIZE:
            raise NoteInvalid(
                f"the checkpoint root hash is {len(self.root_hash)} bytes; a SHA-256"
                f" root is {_ROOT_HASH_SIZE}"
            )

    def body(self) -> str:
        """The note text: one line per field, each ending in a newline."""
        root = base64.b64encode(self.root_hash).decode()
        lines = (self.origin, str(self.size), root, *self.extensions)
        return "".join(f"{line}\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Read a checkpoint text; raise `NoteInvalid` naming the line at fault.

        The size must be decimal without leading zeros, the root hash canonical
        base64 of 32 bytes, and no line may be empty.
        """
        if not body.endswith("\n"):
            raise NoteInvalid("a checkpoint text must end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise NoteInvalid(
                f"the checkpoint has {len(lines)} lines; it needs at least 3: origin,"
                " tree size and root hash"
            )
        if _DECIMAL.fullmatch(lines[1]) is None:
            raise NoteInvalid(
                f"checkpoint size {lines[1]!r} is not a decimal number without"
                " leading zeros"
            )
        root_hash = _b64decode(lines[2], "the checkpoint root hash")
        return cls(lines[0], int(lines[1]), root_hash, tuple(lines[3:]))


class _NamedKey:
    """A public Ed25519 key under a note key name, of one signature type."""

    signature_type: ClassVar[int]

    def __init__(self, name: str, public_key: bytes) -> None:
        _check_name(name)
        try:
            self._key = VerifyingKey.from_public_bytes(Algorithm.ED25519, public_key)
        except InvalidDocument as exc:
            raise NoteInvalid(f"the key of {name!r} is not an Ed25519 key") from exc
        self._name = name
        self._key_id = _key_id(name, self.signature_type, public_key)

    @property
    def name(self) -> str:
        """The key name that signature lines carry."""
        return self._name

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID: SHA-256(name || 0x0A || type || public key)[:4]."""
        return self._key_id

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key."""
        return self._key.public_bytes()

    @property
    def verifier_key(self) -> str:
        """``<name>+<key ID hex>+<base64(type || public key)>``."""
        material = base64.b64encode(bytes([self.signature_type]) + self.public_key)
        return f"{self._name}+{self._key_id.hex()}+{material.decode()}"

    @classmethod
    def from_vkey(cls, text: str) -> Self:
        """Read a verifier key of this class's type; raise `NoteInvalid` if malformed.

        Checks the three parts, the type byte, the key length and that the key ID
        is the one the name and key give.
        """
        name, key_id_hex, raw = _parse_vkey(text)
        if raw[0] != cls.signature_type:
            raise NoteInvalid(
                f"verifier key {name!r} is of type 0x{raw[0]:02x}; a {cls.__name__}"
                f" needs type 0x{cls.signature_type:02x}"
            )
        key = cls(name, raw[1:])
        if key.key_id.hex() != key_id_hex.lower():
            raise NoteInvalid(
                f"verifier key {name!r} names key ID {key_id_hex}, but its name and"
                f" key give {key.key_id.hex()}"
            )
        return key

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.verifier_key}>"


class NoteVerifier(_NamedKey):
    """Verifies Ed25519 note signatures (type 0x01) of one key."""

    signature_type = ED25519_TYPE

    def verify(self, body: str, signature: bytes) -> int | None:
        """Check ``signature`` (no key ID) over ``body``; raise `NoteInvalid`."""
        try:
            self._key.verify(signature, body.encode())
        except SignatureInvalid as exc:
            raise NoteInvalid(
                f"the signature of {self.name}+{self.key_id.hex()} does not verify:"
                " the note was changed after signing, or signed by another key"
            ) from exc
        return None


class CosignatureVerifier(_NamedKey):
    """Verifies a witness's Ed25519 cosignatures (type 0x04, tlog-cosignature)."""

    signature_type = COSIGNATURE_TYPE

    def verify(self, body: str, signature: bytes) -> int:
        """Check ``signature`` (timestamp || Ed25519, no key ID); return its time."""
        if len(signature) != _TIMESTAMP_SIZE + _ED25519_SIGNATURE_SIZE:
            raise NoteInvalid(
                f"the cosignature of {self.name} is {len(signature) + _KEY_ID_SIZE}"
                " bytes; an Ed25519 cosignature is 76 (key ID, time, signature)"
            )
        timestamp = int.from_bytes(signature[:_TIMESTAMP_SIZE], "big")
        if timestamp > _MAX_TIMESTAMP:
            raise NoteInvalid(f"cosignature time {timestamp} is above 2**63 - 1")
        try:
            self._key.verify(signature[_TIMESTAMP_SIZE:], _cosigned(body, timestamp))
        except SignatureInvalid as exc:
            raise NoteInvalid(
                f"the cosignature of {self.name}+{self.key_id.hex()} at time"
                f" {timestamp} does not verify for this checkpoint"
            ) from exc
        return timestamp


class _Signer:
    """An Ed25519 private key under a note key name."""

    _verifier_class: ClassVar[type[_NamedKey]]

    def __init__(self, name: str, private_key: Ed25519Key) -> None:
        if private_key.algorithm is not Algorithm.ED25519:
            raise InvalidRequest(
                f"note keys are Ed25519; the key given is {private_key.algorithm}"
            )
        public = private_key.public_key().public_bytes()
        self._public = self._verifier_class(name, public)
        self._private = private_key

    @property
    def name(self) -> str:
        """The key name in signature lines."""
        return self._public.name

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID of the public key."""
        return self._public.key_id

    @property
    def verifier_key(self) -> str:
        """The vkey to give to those who verify this signer's signatures."""
        return self._public.verifier_key

    def _line(self, signature: bytes) -> str:
        blob = base64.b64encode(self.key_id + signature).decode()
        return f"{_SIGNATURE_PREFIX}{self.name} {blob}"


class NoteSigner(_Signer):
    """Signs note texts with Ed25519 (signed-note type 0x01)."""

    _verifier_class = NoteVerifier

    def verifier(self) -> NoteVerifier:
        """The verifier of this signer's signatures."""
        return NoteVerifier(self.name, self._public.public_key)

    def signature_line(self, body: str) -> str:
        """The signature line for ``body``, without its final newline."""
        return self._line(self._private.sign(body.encode()))


class CosignatureSigner(_Signer):
    """A witness's key: signs tlog-cosignature/v1 cosignatures (type 0x04)."""

    _verifier_class = CosignatureVerifier

    def verifier(self) -> CosignatureVerifier:
        """The verifier of this witness's cosignatures."""
        return CosignatureVerifier(self.name, self._public.public_key)

    def cosign(self, checkpoint_body: str, *, timestamp: int) -> str:
        """The cosignature line for a checkpoint at ``timestamp`` (POSIX seconds).

        Raises `NoteInvalid` if the body is not a checkpoint, `InvalidRequest` if
        the time is not between 0 and 2**63 - 1. No newline at the end.
        """
        Checkpoint.parse(checkpoint_body)
        if type(timestamp) is not int or not 0 <= timestamp <= _MAX_TIMESTAMP:
            raise InvalidRequest(f"cosignature time {timestamp!r} is not 0..2**63-1")
        signature = self._private.sign(_cosigned(checkpoint_body, timestamp))
        return self._line(timestamp.to_bytes(_TIMESTAMP_SIZE, "big") + signature)


@dataclass(frozen=True)
class OpenedNote:
    """A note whose signatures by known keys all verified."""

    #: The note text, ending in its newline (for a checkpoint, `Checkpoint.parse` it).
    body: str
    #: Names of the known keys whose signatures verified, in order of appearance.
    verified_by: tuple[str, ...]
    #: Every signature line as received, known or not, without newlines.
    signature_lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The note again, to serve: body, blank line, signature lines."""
        return self.body + "\n" + "".join(f"{line}\n" for line in self.signature_lines)


def sign_note(body: str, signers: Sequence[NoteSigner]) -> str:
    """The signed note: ``body``, a blank line, one signature line per signer.

    Raises `NoteInvalid` if the body does not end in a newline or holds control
    characters, and `InvalidRequest` without signers.
    """
    _check_text(body)
    if not body.endswith("\n"):
        raise NoteInvalid("a note text ends with a newline; this one does not")
    if not signers:
        raise InvalidRequest("a signed note needs at least one signer")
    lines = [signer.signature_line(body) for signer in signers]
    return OpenedNote(body, (), tuple(lines)).text


def read_note(text: str | bytes) -> tuple[str, tuple[str, ...]]:
    """The body and signature lines of a signed note, checking its form only.

    Raises `NoteInvalid` when it is not a signed note at all; no signature is
    checked (`open_note` does that).
    """
    body, lines = _split_note(_as_text(text))
    for line in lines:
        _parse_signature_line(line)
    return body, tuple(lines)


def open_note(
    text: str | bytes, verifiers: Sequence[NoteVerifier | CosignatureVerifier]
) -> OpenedNote:
    """Parse a signed note and check the signatures of the known keys.

    Signatures whose (name, key ID) no verifier has are ignored, as signed-note
    requires; a known key's signature that fails rejects the whole note, and so
    does a note with no verified signature. Raises `NoteInvalid`.
    """
    body, lines = _split_note(_as_text(text))
    known = _index(verifiers)
    verified: dict[str, None] = {}
    for line in lines:
        name, blob = _parse_signature_line(line)
        verifier = known.get((name, blob[:_KEY_ID_SIZE]))
        if verifier is not None:
            verifier.verify(body, blob[_KEY_ID_SIZE:])
            verified[name] = None
    if not verified:
        signed_by = ", ".join(sorted({_parse_signature_line(x)[0] for x in lines}))
        raise NoteInvalid(
            f"the note carries no signature of a known key; it is signed by {signed_by}"
        )
    return OpenedNote(body, tuple(verified), tuple(lines))


def verify_cosignature(
    line_or_blob: str | bytes,
    checkpoint_body: str,
    vkey: str | CosignatureVerifier,
    *,
    now: int | None = None,
) -> int:
    """Check one witness cosignature and return its time (POSIX seconds).

    ``line_or_blob`` is a signature line or its decoded bytes (key ID || time ||
    signature). With ``now``, a time after it is refused. Raises `NoteInvalid`.
    """
    if isinstance(vkey, str):
        vkey = CosignatureVerifier.from_vkey(vkey)
    verifier = vkey
    if isinstance(line_or_blob, str):
        name, blob = _parse_signature_line(line_or_blob)
        if name != verifier.name:
            raise NoteInvalid(f"the line is signed by {name}, not by {verifier.name}")
    else:
        blob = line_or_blob
    if blob[:_KEY_ID_SIZE] != verifier.key_id:
        raise NoteInvalid(
            f"the cosignature's key ID is {blob[:_KEY_ID_SIZE].hex()}, but"
            f" {verifier.name}'s cosigning key has {verifier.key_id.hex()}"
        )
    timestamp = verifier.verify(checkpoint_body, blob[_KEY_ID_SIZE:])
    if now is not None and timestamp > now:
        raise NoteInvalid(
            f"the cosignature of {verifier.name} is dated {timestamp}, after {now}"
        )
    return timestamp


def verifier_from_vkey(text: str) -> NoteVerifier | CosignatureVerifier:
    """A verifier for a vkey of type 0x01 (note) or 0x04 (cosignature)."""
    if _parse_vkey(text)[2][0] == COSIGNATURE_TYPE:
        return CosignatureVerifier.from_vkey(text)
    return NoteVerifier.from_vkey(text)


# --- helpers ---------------------------------------------------------------------


def _key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    material = name.encode() + b"\n" + bytes([signature_type]) + public_key
    return hashlib.sha256(material).digest()[:_KEY_ID_SIZE]


def _cosigned(body: str, timestamp: int) -> bytes:
    return f"{_COSIGNATURE_HEADER}time {timestamp}\n{body}".encode()


def _parse_vkey(text: str) -> tuple[str, str, bytes]:
    """(name, key ID hex, type || public key) of ``<name>+<key ID hex>+<base64>``."""
    name, _, rest = text.partition("+")
    key_id_hex, _, material = rest.partition("+")
    if _KEY_ID_HEX.fullmatch(key_id_hex) is None or not material:
        raise NoteInvalid(
            f"{text!r} is not a verifier key: expected <name>+<8 hex>+<base64>"
        )
    return name, key_id_hex, _b64decode(material, "the verifier key")


def _as_text(text: str | bytes) -> str:
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteInvalid("a signed note must be UTF-8; this one is not") from exc


def _split_note(text: str) -> tuple[str, list[str]]:
    """The body and the signature lines; the last blank line separates them."""
    _check_text(text)
    split = text.rfind("\n\n")
    if split < 0 or not text.endswith("\n") or split + 2 == len(text):
        raise NoteInvalid(
            "a signed note is a text, a blank line and signature lines each ending"
            " in a newline; this one is not"
        )
    lines = text[split + 2 : -1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise NoteInvalid(
            f"the note has {len(lines)} signatures; we read at most {_MAX_SIGNATURES}"
        )
    return text[: split + 1], lines


def _parse_signature_line(line: str) -> tuple[str, bytes]:
    """(key name, key ID || signature) of ``— <name> <base64>``."""
    name, _, encoded = line.removeprefix(_SIGNATURE_PREFIX).partition(" ")
    if not line.startswith(_SIGNATURE_PREFIX) or not encoded:
        raise NoteInvalid(f"{line!r} is not a signature line: — <key name> <base64>")
    _check_name(name)
    blob = _b64decode(encoded, f"the signature of {name}")
    if len(blob) <= _KEY_ID_SIZE:
        raise NoteInvalid(f"the signature of {name} is too short to hold a signature")
    return name, blob


def _index(
    verifiers: Sequence[NoteVerifier | CosignatureVerifier],
) -> dict[tuple[str, bytes], NoteVerifier | CosignatureVerifier]:
    known: dict[tuple[str, bytes], NoteVerifier | CosignatureVerifier] = {}
    for verifier in verifiers:
        key = (verifier.name, verifier.key_id)
        other = known.setdefault(key, verifier)
        if other.verifier_key != verifier.verifier_key:
            raise NoteInvalid(
                f"two trusted keys share name {verifier.name} and key ID"
                f" {verifier.key_id.hex()}; a signature could not tell them apart"
            )
    return known


def _b64decode(text: str, what: str) -> bytes:
    """Decode canonical standard base64 (RFC 4648 section 4) of at least one byte."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NoteInvalid(f"{what} is not base64: {text!r}") from exc
    if not raw or base64.b64encode(raw).decode() != text:
        raise NoteInvalid(f"{what} is not canonical base64 of any bytes: {text!r}")
    return raw


def _check_text(text: str) -> None:
    """signed-note: no ASCII control characters but newline, and valid UTF-8."""
    if any(ord(char) < 0x20 and char != "\n" for char in text):
        raise NoteInvalid("a signed note must not hold control characters but newline")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NoteInvalid("a signed note must be valid UTF-8") from exc


def _check_line(line: str) -> None:
    _check_text(line)
    if not line or "\n" in line:
        raise NoteInvalid(f"checkpoint line {line!r} must be one non-empty line")


def _check_name(name: str) -> None:
    """signed-note: key names are non-empty, without Unicode spaces or ``+``."""
    if not name or any(c.isspace() or c == "+" or ord(c) < 0x20 for c in name):
        raise NoteInvalid(
            f"{name!r} is not a note key name: it must be non-empty, without spaces"
            " or '+'"
        )
    _check_text(name)
