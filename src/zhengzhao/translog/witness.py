"""A witness (C2SP tlog-witness and tlog-cosignature): cosigns only consistent views.

For each log it knows (by origin, with the log's verifier keys) a witness remembers
the latest checkpoint it cosigned. It cosigns a new checkpoint only if the checkpoint
is signed by the log, the submitter's old size is the one it holds, and a consistency
proof shows that the new tree extends the old one.

Only what proves a split view is kept as evidence: two checkpoints, both signed by
the log, that no append-only log can both have. That is a checkpoint of the size
the witness holds with another root, or a larger one whose consistency proof leads
to its signed root but begins that tree with another root than the one cosigned
(`merkle.forked_prefix`). Such a refusal is logged as an error, kept with both views
and the proof, and answered with the evidence; at most `MAX_EVIDENCE` distinct views
of a log are kept, each once. A proof that merely fails (anyone can send a genuine
checkpoint with junk lines) proves nothing about the log: it is refused, and
nothing is kept.

Refusals and the HTTP statuses tlog-witness gives them:

- malformed request (an old size that is not plain ASCII digits without leading
  zeros, a malformed note or checkpoint, a non-empty proof between equal sizes),
  or old size beyond the new size: `InvalidRequest` (400);
- unknown origin: `NotFound` (404); no valid signature of the log: `PermissionDenied`
  (403);
- old size not the one held: `WitnessSizeMismatch` (409, with the size held);
- the same size with another root, or a proof that shows another old tree:
  `SplitView` (409);
- any other consistency proof that fails: `LogProofInvalid` (422).
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from zhengzhao.errors import (
    InvalidRequest,
    LogProofInvalid,
    NoteInvalid,
    NotFound,
    PermissionDenied,
    SplitView,
    WitnessSizeMismatch,
)
from zhengzhao.storage import witness as witness_store
from zhengzhao.storage.engine import Database
from zhengzhao.translog.merkle import forked_prefix, verify_consistency
from zhengzhao.translog.note import (
    Checkpoint,
    CosignatureSigner,
    NoteVerifier,
    open_note,
    read_note,
)

__all__ = ["AddCheckpoint", "Witness", "WitnessedLog", "parse_add_checkpoint"]

logger = logging.getLogger(__name__)

#: tlog-witness: "The client MUST NOT send more than 63 consistency proof lines."
MAX_PROOF_LINES = 63
#: Distinct split views kept per log. One proves the fork; a few dozen show what
#: else was shown, and a flood of replays cannot fill the database (each request
#: is at most 64 KiB).
MAX_EVIDENCE = 32
#: A tree size in ASCII decimal without leading zeros (`str.isdigit` would take
#: other scripts' digits too).
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}", re.ASCII)


@dataclass(frozen=True)
class WitnessedLog:
    """A log this witness follows: its origin and the keys that sign it."""

    origin: str
    verifiers: tuple[NoteVerifier, ...]


@dataclass(frozen=True)
class AddCheckpoint:
    """A parsed add-checkpoint request."""

    old_size: int
    proof: list[bytes]
    #: The signed checkpoint note as submitted.
    note: str


def parse_add_checkpoint(body: str) -> AddCheckpoint:
    """Read the request body; raises `InvalidRequest` when it is malformed."""
    head, separator, note = body.partition("\n\n")
    if not separator:
        raise InvalidRequest("the request has no empty line before the checkpoint")
    lines = head.split("\n")
    old_line, proof_lines = lines[0], lines[1:]
    number = old_line.removeprefix("old ")
    if old_line == number or not _SIZE.fullmatch(number):
        raise InvalidRequest(f"the first line must be `old <size>`; got {old_line!r}")
    if len(proof_lines) > MAX_PROOF_LINES:
        raise InvalidRequest(f"more than {MAX_PROOF_LINES} consistency proof lines")
    try:
        proof = [base64.b64decode(line, validate=True) for line in proof_lines]
    except (binascii.Error, ValueError) as exc:
        raise InvalidRequest(f"a consistency proof line is not base64: {exc}") from exc
    if any(len(item) != 32 for item in proof):
        raise InvalidRequest("every consistency proof line must hold a 32-byte hash")
    return AddCheckpoint(old_size=int(number), proof=proof, note=note)


class Witness:
    """Checks and cosigns checkpoints of the logs it knows."""

    def __init__(
        self,
        *,
        database: Database,
        signer: CosignatureSigner,
        logs: Mapping[str, WitnessedLog],
    ) -> None:
        self._database = database
        self._signer = signer
        self._logs = dict(logs)

    @property
    def verifier_key(self) -> str:
        return self._signer.verifier_key

    def add_checkpoint(self, body: str, *, now: datetime) -> str:
        """Cosign the submitted checkpoint; returns the cosignature lines."""
        request = parse_add_checkpoint(body)
        checkpoint = self._open(request.note)
        if request.old_size > checkpoint.size:
            raise InvalidRequest(
                f"old size {request.old_size} is beyond the checkpoint's size"
                f" {checkpoint.size}"
            )
        if request.old_size == checkpoint.size and request.proof:
            raise InvalidRequest(
                f"the old size is the checkpoint's size {checkpoint.size}: the"
                f" consistency proof must be empty, not {len(request.proof)} lines"
            )
        try:
            with self._database.transaction() as conn:
                witness_store.lock_origin(conn, checkpoint.origin)
                held = witness_store.latest_cosigned(conn, checkpoint.origin)
                _check_extends(held, request, checkpoint)
                self._save(conn, held, request.note, checkpoint, now)
        except SplitView as refusal:
            self._keep_evidence(checkpoint.origin, body, refusal, now)
            raise
        except LogProofInvalid as refusal:
            logger.info("refused a checkpoint of %s: %s", checkpoint.origin, refusal)
            raise
        return (
            self._signer.cosign(checkpoint.body(), timestamp=int(now.timestamp()))
            + "\n"
        )

    @staticmethod
    def _save(
        conn: Connection,
        held: witness_store.WitnessedCheckpoint | None,
        note: str,
        checkpoint: Checkpoint,
        now: datetime,
    ) -> None:
        saved = witness_store.save_cosigned(
            conn,
            witness_store.WitnessedCheckpoint(
                origin=checkpoint.origin,
                size=checkpoint.size,
                root_hash=checkpoint.root_hash,
                note=note,
            ),
            previous_size=held.size if held else None,
            now=now,
        )
        if not saved:
            # Only a writer that bypassed `lock_origin` can get here.
            moved = witness_store.latest_cosigned(conn, checkpoint.origin)
            size = moved.size if moved else 0
            raise WitnessSizeMismatch(
                f"this witness's size for {checkpoint.origin} moved to {size} while"
                " the request was checked; send it again from that size",
                size=size,
            )

    def evidence(self) -> list[witness_store.Evidence]:
        """Every refusal that showed a log misbehaving, oldest first."""
        with self._database.reading() as conn:
            return witness_store.evidence(conn)

    def _open(self, note: str) -> Checkpoint:
        """The checkpoint of a known log, with a valid signature of that log."""
        origin = note.split("\n", 1)[0]
        log = self._logs.get(origin)
        if log is None:
            raise NotFound(f"this witness does not follow the log {origin!r}")
        try:
            body, _lines = read_note(note)
            Checkpoint.parse(body)
        except NoteInvalid as exc:
            raise InvalidRequest(
                f"the checkpoint of {origin} is malformed: {exc.message}"
            ) from exc
        try:
            opened = open_note(note, log.verifiers)
        except NoteInvalid as exc:
            raise PermissionDenied(
                f"the checkpoint carries no valid signature of {origin}: {exc.message}"
            ) from exc
        return Checkpoint.parse(opened.body)

    def _keep_evidence(
        self, origin: str, body: str, refusal: SplitView, now: datetime
    ) -> None:
        # The refused request's transaction rolled back; the evidence gets its own.
        with self._database.transaction() as conn:
            witness_store.lock_origin(conn, origin)
            held = witness_store.latest_cosigned(conn, origin)
            assert held is not None
            kept = witness_store.evidence(conn, origin=origin)
            refusal.details.update({"cosigned": held.note, "offered": body})
            if any(_same_views(item, held.note, body) for item in kept):
                logger.info("a split view of %s already kept was offered again", origin)
                return
            if len(kept) >= MAX_EVIDENCE:
                logger.warning(
                    "a split view of %s was not kept: %d are kept already",
                    origin,
                    len(kept),
                )
                return
            witness_store.record_evidence(
                conn,
                witness_store.Evidence(
                    origin=origin,
                    reason=refusal.message,
                    cosigned_note=held.note,
                    offered_request=body,
                    received_at=now,
                ),
            )
        logger.error(
            "REFUSED a checkpoint of %s that does not extend the cosigned size %d: %s\n"
            "cosigned:\n%s\noffered:\n%s",
            origin,
            held.size,
            refusal.message,
            held.note,
            body,
        )


def _same_views(item: witness_store.Evidence, cosigned: str, offered: str) -> bool:
    """Whether ``item`` kept these two views already: the same cosigned checkpoint
    and the same signed checkpoint text offered (whatever other signature lines
    came with it)."""
    if item.cosigned_note != cosigned:
        return False
    try:
        kept = read_note(parse_add_checkpoint(item.offered_request).note)[0]
        new = read_note(parse_add_checkpoint(offered).note)[0]
    except (InvalidRequest, NoteInvalid):
        return item.offered_request == offered
    return kept == new


def _check_extends(
    held: witness_store.WitnessedCheckpoint | None,
    request: AddCheckpoint,
    checkpoint: Checkpoint,
) -> None:
    held_size = held.size if held else 0
    if request.old_size != held_size:
        raise WitnessSizeMismatch(
            f"this witness last cosigned size {held_size} of {checkpoint.origin},"
            f" not {request.old_size}",
            size=held_size,
        )
    if held is None or held.size == 0:
        if request.proof:
            raise InvalidRequest("a proof from size 0 must be empty")
        return
    if held.size == checkpoint.size:
        if held.root_hash != checkpoint.root_hash:
            raise SplitView(
                f"split view of {checkpoint.origin}: two different trees of size"
                f" {checkpoint.size}"
            )
        return
    try:
        verify_consistency(
            old_size=held.size,
            new_size=checkpoint.size,
            old_root=held.root_hash,
            new_root=checkpoint.root_hash,
            proof=request.proof,
        )
    except LogProofInvalid as exc:
        other = forked_prefix(
            old_size=held.size,
            new_size=checkpoint.size,
            old_root=held.root_hash,
            new_root=checkpoint.root_hash,
            proof=request.proof,
        )
        if other is not None:
            raise SplitView(
                f"split view of {checkpoint.origin}: the consistency proof leads to"
                f" the signed root of size {checkpoint.size}, whose first"
                f" {held.size} leaves have the root {other.hex()}, not the cosigned"
                f" {held.root_hash.hex()}"
            ) from exc
        raise LogProofInvalid(
            f"size {checkpoint.size} of {checkpoint.origin} is not shown to extend the"
            f" cosigned size {held.size}: {exc.message}; a proof that fails proves"
            " nothing, so nothing was kept"
        ) from exc
