"""The node's department keys: creation, rotation, compromise, and signing.

Private keys are stored wrapped under the master key's key-encryption subkey (see
`zhengzhao.seals.wrapping`); an unwrapped key is kept in memory for the life of the
process, keyed by its row, so that a batch of thousands of licenses unwraps it once.

A key signs only inside its window. `KeyRing.signer_at` hands out the key whose window
holds the moment a document is signed at, which becomes the proof's ``created``, so
that key and time always agree. Signing and key changes of one department are
ordered by a lock on the department (`zhengzhao.storage.keys.lock_department_keys`):
a rotation that commits first is seen by the signer, and a rotation that waits for a
signer starts its key after every signature already made. A retired key's private
part is erased as soon as its window has ended; its public key stays on the trust
list for what it signed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection

from zhengzhao.errors import Conflict, NoActiveKey, NotFound, SigningKeyChanged
from zhengzhao.model.parties import Department
from zhengzhao.model.time import to_rfc3339
from zhengzhao.seals.algorithms import Algorithm, SigningKey
from zhengzhao.seals.keys import KeyRecord, KeyState
from zhengzhao.seals.wrapping import unwrap_private_key, wrap_private_key
from zhengzhao.storage import keys as key_store
from zhengzhao.storage import status_lists as status_list_store
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
        starts: datetime | None = None,
    ) -> KeyRecord:
        """Start a new key for ``department``, retiring its active key.

        The new key starts at ``now``, or just after the department's latest
        signature when one was made at or after ``now`` (a signer that held the
        department before this rotation did), so that no signature falls outside
        its key's window. The retired key keeps verifying what it signed; its
        private part is erased once its window has ended. ``starts`` sets the start
        of a department's first key instead, for a library built with its history
        (the demo's); no later key takes one. Raises `Conflict` for a start that is
        not after the current key's, or a ``starts`` for a department that has keys.
        """
        key_store.lock_department_keys(conn, department.id, exclusive=True)
        previous = key_store.active_key(conn, department.id)
        start = now
        if starts is not None:
            if key_store.keys_of_department(conn, department.id):
                raise Conflict(
                    f"department {department.credit_code} has keys already; only its"
                    " first key may be given its start"
                )
            start = starts
        elif previous is not None:
            start = _rotation_start(conn, department, now=now)
            if start <= previous.valid_from:
                raise Conflict(
                    "a new key must start after the current key's start"
                    f" ({previous.valid_from.isoformat()})"
                )
            key_store.close_key(conn, previous.id, valid_until=start)
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
            valid_from=start,
            now=now,
        )
        self._after_key_change(conn, department, now=now)
        logger.info(
            "key %s of department %s created (%s), signing from %s",
            sequence,
            department.credit_code,
            algorithm.value,
            start.isoformat(),
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
        key_store.lock_department_keys(conn, department.id, exclusive=True)
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
        self._forget(record.id)
        self._after_key_change(conn, department, now=since)
        logger.warning(
            "key %s of department %s marked compromised since %s",
            sequence,
            department.credit_code,
            since.isoformat(),
        )
        updated = key_store.key_by_id(conn, record.id)
        assert updated is not None
        return updated

    def signer_at(
        self, conn: Connection, department: Department, *, at: datetime
    ) -> tuple[KeyRecord, SigningKey]:
        """The department's key whose window holds ``at``, and its private key, to
        sign a document whose proof says it was ``created`` at ``at``.

        Holds the department's shared lock until the transaction ends. Raises
        `SigningKeyChanged` when the key of ``at`` was retired while the caller
        waited (sending the request again signs with the next key), `NoActiveKey`
        when no key of the department may sign at ``at``.
        """
        key_store.lock_department_keys(conn, department.id, exclusive=False)
        keys = key_store.keys_of_department(conn, department.id)
        self._erase_ended(conn, keys, at=at)
        record = next((key for key in keys if key.trusted_at(at)), None)
        if record is None:
            raise _no_key(department, keys, at)
        if record.wrapped_private_key is None:
            if record.state is KeyState.RETIRED:
                raise _key_changed(department, record, at)
            raise _no_key(department, keys, at)
        return record, self._unwrapped(department, record)

    def signer(
        self, conn: Connection, department: Department
    ) -> tuple[KeyRecord, SigningKey]:
        """The department's active key record and its unwrapped private key, whatever
        its window: for tools that need the current key itself. Anything that signs
        a document uses `signer_at`."""
        record = key_store.active_key(conn, department.id)
        if record is None or record.wrapped_private_key is None:
            raise _no_key(department, [], None)
        return record, self._unwrapped(department, record)

    def _unwrapped(self, department: Department, record: KeyRecord) -> SigningKey:
        assert record.wrapped_private_key is not None
        with self._lock:
            cached = self._signers.get(record.id)
        if cached is not None:
            return cached
        signing_key = unwrap_private_key(
            kek=self._kek,
            key_id=wrapping_label(department.credit_code, record.sequence),
            algorithm=Algorithm(record.algorithm),
            blob=record.wrapped_private_key,
        )
        with self._lock:
            self._signers[record.id] = signing_key
        return signing_key

    def _after_key_change(
        self, conn: Connection, department: Department, *, now: datetime
    ) -> None:
        """Erase what may sign no more, re-sign the department's status lists when
        next asked (a list signed by a key no longer trusted would fail every
        license of the department), and tell the trust list's cache."""
        self._erase_ended(
            conn, key_store.keys_of_department(conn, department.id), at=now
        )
        status_list_store.mark_issuer_stale(conn, department.id)
        note_key_change(conn)

    def _erase_ended(
        self, conn: Connection, keys: Sequence[KeyRecord], *, at: datetime
    ) -> None:
        """Erase the private part of every key of ``keys`` whose window ended by
        ``at``: nothing may be signed with it any more."""
        for key in keys:
            if key.wrapped_private_key is not None and _ended(key, at=at):
                key_store.erase_private_key(conn, key.id)
                self._forget(key.id)
                logger.info(
                    "private key %s of department %s erased: its window ended at %s",
                    key.sequence,
                    key.department_code,
                    key.valid_until.isoformat() if key.valid_until else "",
                )

    def _forget(self, key_id: int) -> None:
        with self._lock:
            self._signers.pop(key_id, None)


#: How far after the department's latest signature a rotation starts its key when
#: that signature is no earlier than the rotation's own time: the smallest step of
#: the stored times.
_AFTER_LATEST = timedelta(microseconds=1)


def _rotation_start(
    conn: Connection, department: Department, *, now: datetime
) -> datetime:
    """When a rotation at ``now`` starts the next key: ``now``, unless the department
    signed something at or after ``now`` (a signer that held the department's lock
    before the rotation, with a later clock reading); then just after that."""
    latest = key_store.latest_signature(conn, department.id, since=now)
    return now if latest is None else max(now, latest + _AFTER_LATEST)


def _ended(key: KeyRecord, *, at: datetime) -> bool:
    """Whether ``key``'s window, or its trust, ended by ``at``."""
    if key.compromised_at is not None and key.compromised_at <= at:
        return True
    return key.valid_until is not None and key.valid_until <= at


def _no_key(
    department: Department, keys: Sequence[KeyRecord], at: datetime | None
) -> NoActiveKey:
    code = department.credit_code
    if at is not None and keys and all(at < key.valid_from for key in keys):
        return NoActiveKey(
            f"department {code} had no key at {to_rfc3339(at)}: its first key signs"
            f" from {to_rfc3339(keys[0].valid_from)}, and nothing is signed with a"
            " time before its key's start"
        )
    return NoActiveKey(
        f"department {code} has no active signing key (its last one was compromised"
        f" or closed); start the next with `zhengzhao keys rotate {code}` or POST"
        f" /v1/departments/{code}/keys"
    )


def _key_changed(
    department: Department, record: KeyRecord, at: datetime
) -> SigningKeyChanged:
    until = to_rfc3339(record.valid_until) if record.valid_until else "its end"
    return SigningKeyChanged(
        f"key {record.sequence} of department {department.credit_code}, whose window"
        f" holds {to_rfc3339(at)}, was retired at {until} while this request waited"
        " and signs nothing more; send the request again to sign it with the"
        " department's current key"
    )
