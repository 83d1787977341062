"""The node's log key: Ed25519, as C2SP signed notes require, wrapped at rest.

The key is created with the first checkpoint and named after the log's origin, as
C2SP tlog-checkpoint recommends. Its verifier key (`name+hash+base64`) is what
`zhengzhao log vkey` prints and what the trust list carries.

The stored public key is trusted only as far as the wrapped private key (which
only the master key opens) makes it: `unwrap_log_key` refuses a stored public key
that someone swapped, so the node neither signs nor audits with it.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import Connection

from zhengzhao.errors import LogKeyMismatch
from zhengzhao.seals.algorithms import Algorithm, SigningKey
from zhengzhao.seals.keyring import note_key_change
from zhengzhao.seals.wrapping import unwrap_private_key, wrap_private_key
from zhengzhao.storage import log as log_store
from zhengzhao.translog.note import NoteSigner, NoteVerifier

__all__ = ["LOG_KEY", "LogKeys", "unwrap_log_key"]

#: `node_keys.purpose` of the log key.
LOG_KEY = "log"
_LABEL = f"node:{LOG_KEY}"


def unwrap_log_key(stored: log_store.StoredNodeKey, *, kek: bytes) -> SigningKey:
    """The log's private key from its stored record.

    Raises `KeyDecryptionFailed` when ``kek`` does not open it, and
    `LogKeyMismatch` when the stored public key is not its public half.
    """
    key = unwrap_private_key(
        kek=kek,
        key_id=_LABEL,
        algorithm=Algorithm(stored.algorithm),
        blob=stored.wrapped_private_key,
    )
    if key.public_key().public_bytes() != stored.public_key:
        raise LogKeyMismatch(
            f"the stored public key of the log {stored.name} is not the public half"
            " of the node's wrapped log key: it was replaced in the database; restore"
            " node_keys from a backup and run `zhengzhao log audit --vkey` with the"
            " key the trust list published"
        )
    return key


class LogKeys:
    """Finds or creates the log's signing key, and keeps it unwrapped in memory.

    Only a key read back from the database is kept: a key created in a transaction
    that then rolls back is never used again.
    """

    def __init__(self, *, kek: bytes, origin: str) -> None:
        self._kek = kek
        self._origin = origin
        self._signer: NoteSigner | None = None
        self._lock = threading.Lock()

    def signer(self, conn: Connection, *, now: datetime) -> NoteSigner:
        """The log's note signer, creating its key in ``conn``'s transaction if new.

        Raises `LogKeyMismatch` when the stored public key was swapped.
        """
        with self._lock:
            if self._signer is not None:
                return self._signer
        stored = log_store.node_key(conn, LOG_KEY)
        if stored is None:
            created = self._create(conn, now=now)
            if created is not None:
                return created  # not kept: its transaction has not committed
            stored = log_store.node_key(conn, LOG_KEY)
            assert stored is not None  # another transaction stored it first
        signer = NoteSigner(stored.name, unwrap_log_key(stored, kek=self._kek))
        with self._lock:
            self._signer = signer
        return signer

    def verifier_key(self, conn: Connection) -> str | None:
        """The log's verifier key, or None before the log has a key."""
        stored = log_store.node_key(conn, LOG_KEY)
        if stored is None:
            return None
        return NoteVerifier(stored.name, stored.public_key).verifier_key

    def _create(self, conn: Connection, *, now: datetime) -> NoteSigner | None:
        """Store a new log key in ``conn``'s transaction; None when another
        transaction stored one first."""
        key = SigningKey.generate(Algorithm.ED25519)
        stored = log_store.insert_node_key_if_absent(
            conn,
            log_store.StoredNodeKey(
                purpose=LOG_KEY,
                name=self._origin,
                algorithm=Algorithm.ED25519.value,
                public_key=key.public_key().public_bytes(),
                wrapped_private_key=wrap_private_key(
                    kek=self._kek, key_id=_LABEL, private_key=key
                ),
            ),
            now=now,
        )
        if not stored:
            return None
        note_key_change(conn)  # the trust list now names the log's key
        return NoteSigner(self._origin, key)
