"""The node's log key: Ed25519, as C2SP signed notes require, wrapped at rest.

The key is created with the first checkpoint and named after the log's origin, as
C2SP tlog-checkpoint recommends. Its verifier key (`name+hash+base64`) is what
`zhengzhao log vkey` prints and what the trust list carries.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import Connection

from zhengzhao.seals.algorithms import Algorithm, SigningKey
from zhengzhao.seals.keyring import note_key_change
from zhengzhao.seals.wrapping import unwrap_private_key, wrap_private_key
from zhengzhao.storage import log as log_store
from zhengzhao.translog.note import NoteSigner, NoteVerifier

__all__ = ["LOG_KEY", "LogKeys"]

#: `node_keys.purpose` of the log key.
LOG_KEY = "log"


class LogKeys:
    """Finds or creates the log's signing key, and keeps it unwrapped in memory."""

    def __init__(self, *, kek: bytes, origin: str) -> None:
        self._kek = kek
        self._origin = origin
        self._signer: NoteSigner | None = None
        self._lock = threading.Lock()

    def signer(self, conn: Connection, *, now: datetime) -> NoteSigner:
        """The log's note signer, creating its key in ``conn``'s transaction if new."""
        with self._lock:
            if self._signer is not None:
                return self._signer
        stored = log_store.node_key(conn, LOG_KEY)
        if stored is None:
            key = SigningKey.generate(Algorithm.ED25519)
            log_store.insert_node_key(
                conn,
                log_store.StoredNodeKey(
                    purpose=LOG_KEY,
                    name=self._origin,
                    algorithm=Algorithm.ED25519.value,
                    public_key=key.public_key().public_bytes(),
                    wrapped_private_key=wrap_private_key(
                        kek=self._kek, key_id=f"node:{LOG_KEY}", private_key=key
                    ),
                ),
                now=now,
            )
            note_key_change(conn)  # the trust list now names the log's key
            name = self._origin
        else:
            key = unwrap_private_key(
                kek=self._kek,
                key_id=f"node:{LOG_KEY}",
                algorithm=Algorithm(stored.algorithm),
                blob=stored.wrapped_private_key,
            )
            name = stored.name
        signer = NoteSigner(name, key)
        with self._lock:
            self._signer = signer
        return signer

    def verifier_key(self, conn: Connection) -> str | None:
        """The log's verifier key, or None before the log has a key."""
        stored = log_store.node_key(conn, LOG_KEY)
        if stored is None:
            return None
        return NoteVerifier(stored.name, stored.public_key).verifier_key
