"""Checking that a license is in a log, from the proof that travels with it.

A license's log proof is the JSON a node returns under ``log`` in a license response,
in an export, and at ``/log/proofs/license/<id>``::

    {"license": "<identifier>", "size": <tree size>,
     "checkpoint": "<signed checkpoint note>",
     "events": [{"sequence": 1, "event": "issued", "index": <leaf index>,
                 "leaf": "<base64 leaf>", "leafHash": "<base64>",
                 "inclusionProof": ["<base64 hash>", ...]}, ...]}

`check_license_proof` needs nothing but the log's origin and verifier key: it opens the
checkpoint, decodes each leaf, checks that the leaves are about this license, that
the `issued` leaf commits to exactly this credential, and that every inclusion proof
leads to the checkpoint's root.

`check_record_proof` does the same for an access record's document and the proof a
holder receives with it (``GET /v1/me/access-records/<id>``)::

    {"index": <leaf index>, "leaf": "<base64>", "leafHash": "<base64>",
     "inclusionProof": [...], "size": <tree size>, "checkpoint": "<note>"}
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

from zhengzhao.errors import InvalidDocument, LogProofInvalid
from zhengzhao.seals.jcs import canonicalize
from zhengzhao.translog.leaves import read_access_leaf, read_leaf
from zhengzhao.translog.merkle import leaf_hash, verify_inclusion
from zhengzhao.translog.note import Checkpoint, NoteVerifier, open_note

__all__ = [
    "LoggedLicense",
    "check_license_proof",
    "check_record_proof",
    "credential_hash",
]


def credential_hash(document: dict[str, Any]) -> str:
    """SHA-256 (hex) of a credential's JCS bytes, as `issued` leaves carry it."""
    return hashlib.sha256(canonicalize(document)).hexdigest()


@dataclass(frozen=True, kw_only=True)
class LoggedLicense:
    """What a checked log proof established."""

    origin: str
    size: int
    #: Leaf index of the license's `issued` event.
    issued_index: int
    #: Event kinds proved, in log order.
    events: tuple[str, ...]


def check_license_proof(
    proof: Any, *, document: dict[str, Any], origin: str, verifier: NoteVerifier
) -> LoggedLicense:
    """Check ``proof`` for credential ``document`` against log ``origin``'s key.

    Raises `LogProofInvalid` when a proof does not lead to the signed root or the
    log committed to another credential, `NoteInvalid` for a bad checkpoint
    signature, and `InvalidDocument` for a malformed proof.
    """
    if not isinstance(proof, dict):
        raise InvalidDocument("the log proof is not a JSON object")
    try:
        note = str(proof["checkpoint"])
        events = list(proof["events"])
    except (KeyError, TypeError) as exc:
        raise InvalidDocument(f"the log proof lacks {exc}") from exc
    checkpoint = Checkpoint.parse(open_note(note, [verifier]).body)
    if checkpoint.origin != origin:
        raise LogProofInvalid(
            f"the checkpoint is of log {checkpoint.origin!r}, not {origin!r}"
        )
    identifier = _identifier(document)
    wanted = credential_hash(document)
    issued_index: int | None = None
    kinds = []
    for entry in events:
        index, leaf, path = _event(entry)
        decoded = read_leaf(leaf)
        if decoded.license != identifier:
            raise LogProofInvalid(
                f"leaf {index} is about license {decoded.license}, not {identifier}"
            )
        verify_inclusion(
            leaf_hash=leaf_hash(leaf),
            index=index,
            size=checkpoint.size,
            proof=path,
            root=checkpoint.root_hash,
        )
        if decoded.credential_hash is not None:
            if decoded.credential_hash != wanted:
                raise LogProofInvalid(
                    f"the log's leaf {index} commits to another credential for"
                    f" {identifier}: this document was changed or never logged"
                )
            issued_index = index
        kinds.append(decoded.event)
    if issued_index is None:
        raise LogProofInvalid(f"the proof holds no issuance leaf of {identifier}")
    return LoggedLicense(
        origin=checkpoint.origin,
        size=checkpoint.size,
        issued_index=issued_index,
        events=tuple(kinds),
    )


def _identifier(document: dict[str, Any]) -> str:
    subject = document.get("credentialSubject")
    license_ = subject.get("license") if isinstance(subject, dict) else None
    identifier = license_.get("identifier") if isinstance(license_, dict) else None
    if not isinstance(identifier, str):
        raise InvalidDocument("the credential names no license identifier")
    return identifier


def _event(entry: Any) -> tuple[int, bytes, list[bytes]]:
    try:
        index = entry["index"]
        if type(index) is not int:
            raise TypeError("index is not an integer")
        leaf = base64.b64decode(entry["leaf"], validate=True)
        path = [base64.b64decode(h, validate=True) for h in entry["inclusionProof"]]
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise InvalidDocument(f"malformed event in the log proof: {exc}") from exc
    return index, leaf, path


def check_record_proof(
    proof: Any, *, document: dict[str, Any], origin: str, verifier: NoteVerifier
) -> int:
    """Check that log ``origin`` holds access record ``document``; its leaf index.

    Raises `LogProofInvalid` when the leaf is about another record, commits to
    another document, or does not lead to the signed root; `NoteInvalid` for a bad
    checkpoint signature and `InvalidDocument` for a malformed proof.
    """
    if not isinstance(proof, dict):
        raise InvalidDocument("the log proof is not a JSON object")
    try:
        note = str(proof["checkpoint"])
    except KeyError as exc:
        raise InvalidDocument(f"the log proof lacks {exc}") from exc
    checkpoint = Checkpoint.parse(open_note(note, [verifier]).body)
    if checkpoint.origin != origin:
        raise LogProofInvalid(
            f"the checkpoint is of log {checkpoint.origin!r}, not {origin!r}"
        )
    index, leaf, path = _event(proof)
    decoded = read_access_leaf(leaf)
    if decoded.record != document.get("id"):
        raise LogProofInvalid(
            f"leaf {index} is about access record {decoded.record}, not"
            f" {document.get('id')}"
        )
    if decoded.record_hash != hashlib.sha256(canonicalize(document)).hexdigest():
        raise LogProofInvalid(
            f"the log's leaf {index} commits to another document for access record"
            f" {decoded.record}: this one was changed"
        )
    verify_inclusion(
        leaf_hash=leaf_hash(leaf),
        index=index,
        size=checkpoint.size,
        proof=path,
        root=checkpoint.root_hash,
    )
    return index
