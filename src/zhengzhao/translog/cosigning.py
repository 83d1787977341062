"""Collecting witness cosignatures for new checkpoints (C2SP tlog-witness, client side).

After each integration the node sends the new checkpoint, with a consistency proof
from the size the witness last cosigned, to every configured witness, verifies the
cosignature lines that come back against the witness's key, and stores them; the
checkpoint endpoint then serves the checkpoint with them appended.

The node remembers each witness's last size in memory only: after a restart its first
request says `old 0`, the witness answers 409 with its real size, and the node
retries once with the right proof, as the protocol intends.
"""

from __future__ import annotations

import base64
import logging
from datetime import datetime

import httpx

from zhengzhao.config import WitnessEndpoint
from zhengzhao.errors import NoteInvalid
from zhengzhao.model.time import Clock
from zhengzhao.node import Node
from zhengzhao.storage import log as log_store
from zhengzhao.translog.note import CosignatureVerifier, verify_cosignature
from zhengzhao.translog.sequencer import Integration
from zhengzhao.translog.service import consistency

__all__ = ["Cosigner", "add_checkpoint_body"]

logger = logging.getLogger(__name__)

#: Seconds to wait for a witness; a slow witness must not hold up the sequencer long.
WITNESS_TIMEOUT = 5.0
SIZE_MEDIA_TYPE = "text/x.tlog.size"


def add_checkpoint_body(old_size: int, proof: list[bytes], checkpoint_note: str) -> str:
    """The body of a tlog-witness add-checkpoint request."""
    lines = [f"old {old_size}\n"]
    lines += [base64.b64encode(item).decode() + "\n" for item in proof]
    return "".join(lines) + "\n" + checkpoint_note


def _signed_by(line: str, verifier: CosignatureVerifier) -> bool:
    """Whether a signature line names this witness key (name and key ID)."""
    prefix = f"\u2014 {verifier.name} "
    if not line.startswith(prefix):
        return False
    try:
        blob = base64.b64decode(line[len(prefix) :], validate=True)
    except ValueError:
        return False
    return blob[:4] == verifier.key_id


def _body_of(note: str) -> str:
    return note[: note.index("\n\n") + 1]


class Cosigner:
    """Asks the configured witnesses to cosign each new checkpoint."""

    def __init__(self, node: Node, *, clock: Clock) -> None:
        self._node = node
        self._clock = clock
        self._known_sizes: dict[str, int] = {}

    def request(self, step: Integration) -> None:
        """Collect cosignatures for the checkpoint of ``step``; never raises."""
        for witness in self._node.settings.witnesses:
            try:
                self._cosign(witness, step.checkpoint, step.new_size)
            except (httpx.HTTPError, NoteInvalid, ValueError) as exc:
                logger.warning(
                    "witness %s did not cosign size %d: %s",
                    witness.url,
                    step.new_size,
                    exc,
                )

    def request_latest(self) -> None:
        """Collect missing cosignatures of the latest checkpoint (after a restart,
        or after checkpoints signed offline by `zhengzhao log sequence`)."""
        with self._node.database.reading() as conn:
            latest = log_store.latest_checkpoint(conn)
            if latest is None:
                return
            have = log_store.cosignatures(conn, latest.size)
        missing = [
            witness
            for witness in self._node.settings.witnesses
            if not any(
                _signed_by(line, CosignatureVerifier.from_vkey(witness.vkey))
                for line in have
            )
        ]
        for witness in missing:
            try:
                self._cosign(witness, latest.note, latest.size)
            except (httpx.HTTPError, NoteInvalid, ValueError) as exc:
                logger.warning("witness %s did not cosign: %s", witness.url, exc)

    def _cosign(self, witness: WitnessEndpoint, note: str, size: int) -> None:
        verifier = CosignatureVerifier.from_vkey(witness.vkey)
        with httpx.Client(timeout=WITNESS_TIMEOUT) as client:
            response = self._post(client, witness, note, size)
            if response.status_code == 409 and response.headers.get(
                "content-type", ""
            ).startswith(SIZE_MEDIA_TYPE):
                self._known_sizes[witness.url] = int(response.text.strip())
                response = self._post(client, witness, note, size)
        if response.status_code != 200:
            raise ValueError(f"HTTP {response.status_code}: {response.text.strip()}")
        body = _body_of(note)
        stored = 0
        now = self._clock.now()
        for line in response.text.splitlines():
            if not _signed_by(line, verifier):
                continue  # another key of the witness: ignored, as the protocol says
            verify_cosignature(line, body, verifier, now=int(now.timestamp()) + 60)
            self._store(size, verifier.name, line, now)
            stored += 1
        if not stored:
            raise NoteInvalid("the witness answered without a cosignature of its key")
        self._known_sizes[witness.url] = size
        logger.info("witness %s cosigned size %d", verifier.name, size)

    def _post(
        self, client: httpx.Client, witness: WitnessEndpoint, note: str, size: int
    ) -> httpx.Response:
        old = self._known_sizes.get(witness.url, 0)
        if old > size:
            raise ValueError(
                f"the witness has cosigned size {old}, larger than this log's {size}:"
                " the log was rolled back or forked"
            )
        proof = consistency(self._node, old, size)
        return client.post(
            f"{witness.url.rstrip('/')}/add-checkpoint",
            content=add_checkpoint_body(old, proof, note),
        )

    def _store(self, size: int, witness: str, line: str, now: datetime) -> None:
        with self._node.database.transaction() as conn:
            log_store.add_cosignature(
                conn, size=size, witness=witness, signature=line, now=now
            )
