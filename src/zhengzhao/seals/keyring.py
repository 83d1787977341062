"""The node's department keys: creation, rotation, compromise, and signing.

Private keys are stored wrapped under the master key's key-encryption subkey (see
`zhengzhao.seals.wrapping`); an unwrapped key is kept in memory for the life of the
process, keyed by its row, so that a batch of thousands of licenses unwraps it once.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import Connection

from zhengzhao.errors import Conflict, NoActiveKey, NotFound
from zhengzhao.model.parties import Department
from zhengzhao.seals.algorithms import Algorithm, SigningKey
from zhengzhao.seals.keys import KeyRecord, KeyState
from zhengzhao.seals.wrapping import unwrap_private_key, wrap_private_key
from zhengzhao.storage import keys as key_store
from zhengzhao.storage.counters import allocate

__all__ = ["KEYS_VERSION", "KeyRing", "note_key_change", "wrapping_label"]

logger = logging.getLogger(__name__)


#: Counter bumped by every change to any key, so that caches of the trust list know
#: when they are stale.
KEYS_VERSION = "keys-version"


def note_key_change(conn: Connection) -> None:
    allocate(conn, KEYS_VERSION)


def wrapping_label(department_code: str, sequence: int) -> str:
    """The associated data that binds a wrapped key to its department and number."""
    return f"{department_code}#key-{sequence}"


class KeyRing:
    """Creates department keys and hands out their signers."""

    def __init__(self, *, kek: bytes) -> None:
        self._kek = kek
        self._signers: dict[int, SigningKey] = {}
        self._lock = threading.Lock()

    def create_key(
        self,
        conn: Connection,
        department: Department,
        *,
        algorithm: Algorithm,
        now: datetime,
    ) -> KeyRecord:
        """Start a new key for ``department``, retiring its active key from ``now``.

        The retired key keeps verifying what it signed before ``now``.
        """
        previous = key_store.active_key(conn, department.id)
        if previous is not None:
            if now <= previous.valid_from:
                raise Conflict(
                    "a new key must start after the current key's start"
                    f" ({previous.valid_from.isoformat()})"
                )
            key_store.close_key(conn, previous.id, valid_until=now)
        sequence = key_store.next_key_sequence(conn, department.id)
        signing_key = SigningKey.generate(algorithm)
        wrapped = wrap_private_key(
            kek=self._kek,
            key_id=wrapping_label(department.credit_code, sequence),
            private_key=signing_key,
        )
        key_id = key_store.insert_key(
            conn,
            department_id=department.id,
            sequence=sequence,
            algorithm=algorithm.value,
            public_key=signing_key.public_key().public_bytes(),
            wrapped_private_key=wrapped,
            valid_from=now,
            now=now,
        )
        note_key_change(conn)
        logger.info(
            "key %s of department %s created (%s)",
            sequence,
            department.credit_code,
            algorithm.value,
        )
        record = key_store.key_by_id(conn, key_id)
        assert record is not None
        return record

    def mark_compromised(
        self,
        conn: Connection,
        department: Department,
        sequence: int,
        *,
        since: datetime,
    ) -> KeyRecord:
        """Distrust all key ``sequence`` signed from ``since``, and destroy it."""
        record = next(
            (
                k
                for k in key_store.keys_of_department(conn, department.id)
                if k.sequence == sequence
            ),
            None,
        )
        if record is None:
            raise NotFound(
                f"department {department.credit_code} has no key number {sequence}"
            )
        if record.state is KeyState.ACTIVE:
            key_store.close_key(conn, record.id, valid_until=since)
        key_store.mark_compromised(conn, record.id, since=since)
        note_key_change(conn)
        with self._lock:
            self._signers.pop(record.id, None)
        logger.warning(
            "key %s of department %s marked compromised since %s",
            sequence,
            department.credit_code,
            since.isoformat(),
        )
        updated = key_store.key_by_id(conn, record.id)
        assert updated is not None
        return updated

    def signer(
        self, conn: Connection, department: Department
    ) -> tuple[KeyRecord, SigningKey]:
        """The department's active key record and its unwrapped private key."""
        record = key_store.active_key(conn, department.id)
        if record is None or record.wrapped_private_key is None:
            raise NoActiveKey(
                f"department {department.credit_code} has no active signing key (its"
                " last one was compromised or closed); start the next with"
                f" `zhengzhao keys rotate {department.credit_code}` or POST"
                f" /v1/departments/{department.credit_code}/keys"
            )
        with self._lock:
            cached = self._signers.get(record.id)
        if cached is not None:
            return record, cached
        signing_key = unwrap_private_key(
            kek=self._kek,
            key_id=wrapping_label(department.credit_code, record.sequence),
            algorithm=Algorithm(record.algorithm),
            blob=record.wrapped_private_key,
        )
        with self._lock:
            self._signers[record.id] = signing_key
        return record, signing_key
