"""Collecting witness cosignatures for the log's checkpoints (C2SP tlog-witness,
client side).

The node sends its latest checkpoint, with a consistency proof from the size the
witness last cosigned, to every configured witness that has not cosigned it yet,
verifies the cosignature lines that come back against the witness's key, and stores
them; the checkpoint endpoint then serves the latest cosigned checkpoint with them
appended.

`CosigningThread` does this in its own thread, never in the sequencer's: a slow or
hung witness delays its own cosignature, not the next checkpoint. Each witness is
asked in its own worker, with `WITNESS_TIMEOUT`; a witness still busy with an
earlier request is not asked again until it answers or times out, and then only for
the latest checkpoint (checkpoints signed in between are skipped, as tlog-witness
allows: a witness only needs the latest).

A witness that refuses a checkpoint because it does not extend what the witness
cosigned (a split view, a failed proof, or a witness that holds a larger tree than
this log) is evidence that this log forked or was rolled back: it is logged at
ERROR with both views.

The node remembers each witness's last size in memory only: after a restart its first
request says `old 0`, the witness answers 409 with its real size, and the node
retries once with the right proof, as the protocol intends.
"""

from __future__ import annotations

import base64
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

import httpx

from zhengzhao.config import WitnessEndpoint
from zhengzhao.errors import NoteInvalid, SplitView, ZhengzhaoError
from zhengzhao.model.time import Clock
from zhengzhao.node import Node
from zhengzhao.storage import log as log_store
from zhengzhao.translog.note import CosignatureVerifier, verify_cosignature
from zhengzhao.translog.sequencer import Integration
from zhengzhao.translog.service import consistency

__all__ = ["Cosigner", "CosigningThread", "add_checkpoint_body"]

logger = logging.getLogger(__name__)

#: Seconds a witness gets to connect and to answer: a witness on a healthy path
#: answers in milliseconds, and a hung one only delays its own cosignature.
WITNESS_TIMEOUT = 2.0
#: Seconds between rounds when no new checkpoint comes: how soon a witness that was
#: down is asked again.
RETRY_INTERVAL = 10.0
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
    """Asks the configured witnesses to cosign the latest checkpoint."""

    def __init__(
        self, node: Node, *, clock: Clock, timeout: float = WITNESS_TIMEOUT
    ) -> None:
        self._node = node
        self._clock = clock
        self._timeout = timeout
        self._known_sizes: dict[str, int] = {}

    def cosign_latest(self) -> None:
        """Ask every witness that has not cosigned the latest checkpoint, all at
        once, and wait for their answers; never raises."""
        latest, missing = self.missing()
        if latest is None or not missing:
            return
        with ThreadPoolExecutor(len(missing)) as pool:
            for witness in missing:
                pool.submit(self.ask, witness, latest)

    def missing(
        self,
    ) -> tuple[log_store.StoredCheckpoint | None, list[WitnessEndpoint]]:
        """The latest checkpoint, and the witnesses without a cosignature of it."""
        with self._node.database.reading() as conn:
            latest = log_store.latest_checkpoint(conn)
            if latest is None:
                return None, []
            have = log_store.cosignatures(conn, latest.size)
        return latest, [
            witness
            for witness in self._node.settings.witnesses
            if not any(
                _signed_by(line, CosignatureVerifier.from_vkey(witness.vkey))
                for line in have
            )
        ]

    def ask(self, witness: WitnessEndpoint, latest: log_store.StoredCheckpoint) -> None:
        """Ask one witness to cosign ``latest``; logs the outcome, never raises: it
        runs in a worker whose exceptions nobody would see."""
        try:
            self._cosign(witness, latest.note, latest.size)
        except SplitView as exc:
            logger.error(
                "witness %s says this log forked or went back: %s\n"
                "this log's checkpoint:\n%s\nthe witness answered:\n%s",
                witness.url,
                exc.message,
                latest.note,
                exc.details.get("answer", ""),
            )
        except (httpx.HTTPError, ZhengzhaoError, ValueError) as exc:
            # ZhengzhaoError: a malformed answer (NoteInvalid), or the node's own log
            # unable to make the proof (LogStoreDamaged, NotFound).
            logger.warning(
                "witness %s did not cosign size %d: %s", witness.url, latest.size, exc
            )
        except Exception:
            logger.exception(
                "asking witness %s to cosign size %d failed", witness.url, latest.size
            )

    def _cosign(self, witness: WitnessEndpoint, note: str, size: int) -> None:
        verifier = CosignatureVerifier.from_vkey(witness.vkey)
        with httpx.Client(timeout=self._timeout) as client:
            response = self._post(client, witness, note, size)
            if response.status_code == 409 and _is_size(response):
                self._known_sizes[witness.url] = int(response.text.strip())
                response = self._post(client, witness, note, size)
        if response.status_code == 422 or (
            response.status_code == 409 and not _is_size(response)
        ):
            raise SplitView(
                f"the witness refused size {size} with HTTP {response.status_code}",
                details={"answer": response.text},
            )
        if response.status_code != 200:
            raise ValueError(f"HTTP {response.status_code}: {response.text.strip()}")
        stored = self._store_lines(response.text, note, size, verifier)
        if not stored:
            raise NoteInvalid("the witness answered without a cosignature of its key")
        self._known_sizes[witness.url] = size
        logger.info("witness %s cosigned size %d", verifier.name, size)

    def _post(
        self, client: httpx.Client, witness: WitnessEndpoint, note: str, size: int
    ) -> httpx.Response:
        old = self._known_sizes.get(witness.url, 0)
        if old > size:
            raise SplitView(
                f"the witness has cosigned size {old}, larger than this log's {size}:"
                " the log was rolled back or forked",
                details={"answer": f"{old}\n"},
            )
        proof = consistency(self._node, old, size)
        return client.post(
            f"{witness.url.rstrip('/')}/add-checkpoint",
            content=add_checkpoint_body(old, proof, note),
        )

    def _store_lines(
        self, text: str, note: str, size: int, verifier: CosignatureVerifier
    ) -> int:
        body = _body_of(note)
        now = self._clock.now()
        stored = 0
        for line in text.splitlines():
            if not _signed_by(line, verifier):
                continue  # another key of the witness: ignored, as the protocol says
            verify_cosignature(line, body, verifier, now=int(now.timestamp()) + 60)
            self._store(size, verifier.name, line, now)
            stored += 1
        return stored

    def _store(self, size: int, witness: str, line: str, now: datetime) -> None:
        with self._node.database.transaction() as conn:
            log_store.add_cosignature(
                conn, size=size, witness=witness, signature=line, now=now
            )


def _is_size(response: httpx.Response) -> bool:
    media_type = str(response.headers.get("content-type", ""))
    return media_type.startswith(SIZE_MEDIA_TYPE)


class CosigningThread:
    """Collects cosignatures of the latest checkpoint in the background.

    `notify` (the sequencer's ``on_checkpoint``) only wakes the thread; a round
    then asks each witness without a cosignature of the latest checkpoint, in its
    own worker, unless that witness is still busy with an earlier request.
    """

    def __init__(
        self,
        node: Node,
        *,
        clock: Clock,
        timeout: float = WITNESS_TIMEOUT,
        retry: float = RETRY_INTERVAL,
    ) -> None:
        self._cosigner = Cosigner(node, clock=clock, timeout=timeout)
        self._retry = retry
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._busy: dict[str, Future[None]] = {}
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, len(node.settings.witnesses)),
            thread_name_prefix="log-witness",
        )
        self._thread = threading.Thread(
            target=self._run, name="log-cosigning", daemon=True
        )

    def notify(self, _step: Integration | None = None) -> None:
        """A new checkpoint was signed: ask the witnesses soon."""
        self._wake.set()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop asking; a request under way ends within its timeout."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self._round()
            except Exception:
                # A lost database connection, say: the next round tries again.
                logger.exception("collecting witness cosignatures failed; retrying")
            self._wake.wait(self._retry)

    def _round(self) -> None:
        latest, missing = self._cosigner.missing()
        if latest is None:
            return
        for witness in missing:
            busy = self._busy.get(witness.url)
            if busy is not None and not busy.done():
                continue  # it has not answered the last one yet
            self._busy[witness.url] = self._pool.submit(
                self._cosigner.ask, witness, latest
            )
