"""The sequencer: integrates queued leaves into the tree and signs checkpoints.

Events queue their leaves in the log outbox inside their own transactions. Each
integration then, in one transaction: takes the sequencer lock, reads up to
`BATCH` queued leaves in queue order, appends them as the next entries, stores the
tile hashes they complete, computes the new root, signs a checkpoint and removes the
leaves from the outbox. A crash at any moment leaves either the whole batch
integrated or none of it: no leaf is lost, duplicated or reordered.

`SequencerThread` runs integrations inside the server, every half of the maximum
merge delay (`Settings.log_merge_delay`), so that a leaf is in a signed checkpoint
within that delay while traffic flows. After each new checkpoint it only tells
``on_checkpoint``; witnesses are asked in their own thread
(`cosigning.CosigningThread`), so that no witness can hold up the next checkpoint.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from zhengzhao.model.time import Clock, SystemClock
from zhengzhao.node import Node
from zhengzhao.storage import log as log_store
from zhengzhao.translog.merkle import leaf_hash, root_hash
from zhengzhao.translog.note import Checkpoint, sign_note
from zhengzhao.translog.tiles import TiledHashReader, stored_hashes_after_append

__all__ = ["BATCH", "Integration", "SequencerThread", "integrate", "integrate_all"]

logger = logging.getLogger(__name__)

#: Leaves per integration: a batch of this size takes well under a second.
BATCH = 5_000


@dataclass(frozen=True)
class Integration:
    """What one integration did."""

    old_size: int
    new_size: int
    #: The new signed checkpoint note.
    checkpoint: str


class DatabaseHashes:
    """Tile-level hashes read from the log's tables (`tiles.StoredHashes`)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def read(self, level: int, start: int, end: int) -> list[bytes]:
        return log_store.read_hashes(self._conn, level, start, end)


def integrate(node: Node, *, now: datetime, batch: int = BATCH) -> Integration | None:
    """Integrate up to ``batch`` queued leaves; None when there was nothing to do.

    The first call on an empty log signs the checkpoint of the empty tree.
    """
    with node.database.transaction() as conn:
        log_store.lock_log(conn)
        latest = log_store.latest_checkpoint(conn)
        old_size = latest.size if latest else 0
        pending = log_store.pending(conn, limit=batch)
        if not pending and latest is not None:
            return None

        hashes = DatabaseHashes(conn)
        new_hashes = stored_hashes_after_append(
            old_size, [leaf_hash(item.leaf) for item in pending], hashes.read
        )
        log_store.insert_entries(conn, old_size, pending, now=now)
        log_store.insert_hashes(conn, new_hashes)
        new_size = old_size + len(pending)
        root = root_hash(new_size, TiledHashReader(hashes))
        checkpoint = Checkpoint(
            origin=node.settings.origin, size=new_size, root_hash=root
        )
        note = sign_note(checkpoint.body(), [node.log_keys.signer(conn, now=now)])
        log_store.insert_checkpoint(
            conn, size=new_size, root_hash=root, note=note, now=now
        )
        log_store.remove_pending(conn, [item.outbox_id for item in pending])
    logger.info("log integrated %d leaves: size %d", len(pending), new_size)
    return Integration(old_size=old_size, new_size=new_size, checkpoint=note)


def integrate_all(
    node: Node,
    *,
    clock: Clock,
    batch: int = BATCH,
    progress: Callable[[int], None] = lambda _count: None,
) -> int:
    """Integrate until the outbox is empty; returns how many leaves were added."""
    added = 0
    while (step := integrate(node, now=clock.now(), batch=batch)) is not None:
        added += step.new_size - step.old_size
        progress(step.new_size - step.old_size)
        if step.new_size == step.old_size:
            break
    return added


class SequencerThread:
    """Runs integrations in the background until stopped.

    ``on_checkpoint`` is called after each new checkpoint, in this thread: it must
    return at once (hand the work to another thread), and may not stop the loop.
    """

    def __init__(
        self,
        node: Node,
        *,
        clock: Clock | None = None,
        on_checkpoint: Callable[[Integration], None] = lambda _step: None,
        batch: int = BATCH,
    ) -> None:
        self._batch = batch
        self._node = node
        self._clock = clock or SystemClock()
        self._on_checkpoint = on_checkpoint
        self._interval = node.settings.log_merge_delay / 2
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="log-sequencer", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                step = integrate(self._node, now=self._clock.now(), batch=self._batch)
            except Exception:
                # The loop must outlive a failed batch (a lost database connection,
                # say): the batch rolled back and is retried on the next tick.
                logger.exception("log integration failed; retrying")
                step = None
            if step is not None:
                try:
                    self._on_checkpoint(step)
                except Exception:
                    logger.exception("log checkpoint hook failed")
                if step.new_size - step.old_size >= self._batch:
                    continue  # more may be waiting: no pause
            self._stop.wait(self._interval)
