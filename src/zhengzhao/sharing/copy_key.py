"""The node's annotated-copy key: ECDSA P-256, the node's own seal on what it shares.

A share hands out copies of licenses the issuers signed, limited and masked, so the
issuers' proofs no longer hold; the node signs each copy with this key instead. The
key is made when the server starts (`CopyKeys.ensure`), or else with the first copy,
wrapped under the master key like every private key, and published in the trust list
(``annotatedCopies``), so that a copy can be checked offline. Made before any request
is served, the key's start precedes every copy's time: a share that waited behind the
first one cannot sign a copy dated before the key existed. NOTE: the key does not
rotate yet; a node that must replace it re-creates it by operator action, and copies
signed before stop verifying.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from zhengzhao.seals.algorithms import Algorithm, SigningKey, VerifyingKey
from zhengzhao.seals.keyring import note_key_change
from zhengzhao.seals.wrapping import unwrap_private_key, wrap_private_key
from zhengzhao.storage import log as log_store
from zhengzhao.storage.engine import Database

__all__ = ["COPY_KEY", "CopyKeys", "CopySigner", "copy_method_id", "public_copy_key"]

#: `node_keys.purpose` of the annotated-copy key.
COPY_KEY = "annotated-copy"
_ALGORITHM = Algorithm.ECDSA_P256


def copy_method_id(base_url: str) -> str:
    """The verification method id of the node's annotated-copy key."""
    return f"{base_url}/v1/trust-list#annotated-copies"


@dataclass(frozen=True)
class CopySigner:
    """The unwrapped key and the verification method naming it."""

    key: SigningKey
    method: str


class CopyKeys:
    """Finds or makes the copy key, keeping it unwrapped in memory once found."""

    def __init__(self, *, kek: bytes, base_url: str) -> None:
        self._kek = kek
        self._base_url = base_url
        self._signer: CopySigner | None = None
        self._lock = threading.Lock()

    def ensure(self, database: Database, *, now: datetime) -> None:
        """Make the copy key now, if there is none, in a transaction of its own."""
        with database.transaction() as conn:
            self.signer(conn, now=now)

    def signer(self, conn: Connection, *, now: datetime) -> CopySigner:
        """The copy signer, making the key in ``conn``'s transaction if there is
        none yet."""
        with self._lock:
            if self._signer is not None:
                return self._signer
        stored = log_store.node_key(conn, COPY_KEY)
        # A key made in this transaction is not kept in memory: were the transaction
        # rolled back, later copies would be signed with a key no one can verify.
        committed = stored is not None
        if stored is None:
            made = SigningKey.generate(_ALGORITHM)
            created = log_store.insert_node_key_if_absent(
                conn,
                log_store.StoredNodeKey(
                    purpose=COPY_KEY,
                    name=copy_method_id(self._base_url),
                    algorithm=_ALGORITHM.value,
                    public_key=made.public_key().public_bytes(),
                    wrapped_private_key=wrap_private_key(
                        kek=self._kek, key_id=f"node:{COPY_KEY}", private_key=made
                    ),
                ),
                now=now,
            )
            if created:
                note_key_change(conn)  # the trust list now names the copy key
            committed = not created
            stored = log_store.node_key(conn, COPY_KEY)
            assert stored is not None
        key = unwrap_private_key(
            kek=self._kek,
            key_id=f"node:{COPY_KEY}",
            algorithm=Algorithm(stored.algorithm),
            blob=stored.wrapped_private_key,
        )
        signer = CopySigner(key=key, method=copy_method_id(self._base_url))
        if committed:
            with self._lock:
                self._signer = signer
        return signer


def public_copy_key(conn: Connection) -> tuple[VerifyingKey, datetime | None] | None:
    """The copy key's public half and when it was made; None before the first copy."""
    stored = log_store.node_key(conn, COPY_KEY)
    if stored is None:
        return None
    public = VerifyingKey.from_public_bytes(
        Algorithm(stored.algorithm), stored.public_key
    )
    return public, stored.created_at
