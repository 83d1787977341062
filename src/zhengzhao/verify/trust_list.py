"""The trust list: every department key a node vouches for, to check signatures offline.

A verifier that holds a node's trust list needs nothing else to check who signed a
license. Each entry is a verification method (W3C Controlled Identifiers, type
``Multikey``) with both public key forms, its controller (the department, by URL and
credit code), its algorithm, its signing window and its state::

    {"type": "ZhengzhaoTrustList", "version": 1, "node": {...}, "generatedAt": "...",
     "verificationMethods": [{"id": ".../v1/departments/<code>#key-1",
        "type": "Multikey", "controller": ".../v1/departments/<code>",
        "controllerCode": "<code>", "controllerName": "...",
        "publicKeyMultibase": "zDn...", "publicKeyJwk": {...},
        "algorithm": "ecdsa-p256", "validFrom": "...", "validUntil": null,
        "state": "active", "compromisedAt": null}, ...],
     "log": {"origin": "<checkpoint origin>", "verifierKey": "<name+hash+base64>",
             "witnesses": ["<witness cosignature vkey>", ...]}}

A key is trusted for a signature made at time *t* when *t* lies in its window and
before any compromise. Window and compromise times carry fractions of a second when
they have them, as proofs' ``created`` times do, so that a signature made in the
last second of a window is judged by the same instant the node signed at. A
compromised key also carries ``revoked`` (W3C Controlled Identifiers v1.0), so that a
generic verifier distrusts it too.

``log`` names the node's transparency log and its C2SP verifier key, with which the
log proofs that travel with licenses are checked; it is absent until the log has
signed its first checkpoint. ``witnesses``, present when the node has witnesses,
holds their cosignature verifier keys (C2SP tlog-cosignature), with which the
cosignatures served beside each checkpoint are checked.

``annotatedCopies`` is the node's own key, controlled by the node (its base URL),
that signs the annotated copies shares hand out (`zhengzhao.sharing.copies`)::

    "annotatedCopies": {"id": "<base>/v1/trust-list#annotated-copies",
        "type": "Multikey", "controller": "<base>", "publicKeyMultibase": "zDn...",
        "publicKeyJwk": {...}, "algorithm": "ecdsa-p256", "validFrom": "..."}

It is absent until the server first starts (or a copy is first made).

NOTE: Controlled Identifiers forbids one verification method to hold the same key in
two forms; an entry here carries both ``publicKeyMultibase`` and ``publicKeyJwk`` so
that verifiers of either kind can use the list. Take one of them, not both, when
presenting an entry as a verification method elsewhere.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from zhengzhao.errors import InvalidDocument, NotFound, ZhengzhaoError
from zhengzhao.model.parties import Department
from zhengzhao.model.time import to_rfc3339
from zhengzhao.seals.algorithms import Algorithm, VerifyingKey
from zhengzhao.seals.keyring import KEYS_VERSION
from zhengzhao.seals.keys import (
    KeyRecord,
    KeyState,
    department_url,
    trusted_at,
    verification_method_id,
)
from zhengzhao.seals.multikey import (
    public_key_from_multibase,
    public_key_jwk,
    public_key_multibase,
)
from zhengzhao.sharing.copy_key import copy_method_id, public_copy_key
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import keys as key_store
from zhengzhao.storage import log as log_store
from zhengzhao.storage.counters import peek
from zhengzhao.translog.keys import LOG_KEY
from zhengzhao.translog.note import CosignatureVerifier, NoteVerifier

__all__ = [
    "TRUST_LIST_TYPE",
    "TrustList",
    "TrustedCopyKey",
    "TrustedKey",
    "TrustedLog",
    "build_trust_list",
    "node_trust_list",
]

TRUST_LIST_TYPE = "ZhengzhaoTrustList"
TRUST_LIST_VERSION = 1


def build_trust_list(
    keys: Iterable[KeyRecord],
    departments: Mapping[int, Department],
    *,
    node_name: str,
    base_url: str,
    generated_at: datetime,
    log: dict[str, Any] | None = None,
    copy_key: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The trust list document for ``keys`` (and the node's log and copy key, when
    given)."""
    methods = []
    for key in keys:
        department = departments[key.department_id]
        public = VerifyingKey.from_public_bytes(
            Algorithm(key.algorithm), key.public_key
        )
        methods.append(
            {
                "id": verification_method_id(
                    base_url, key.department_code, key.sequence
                ),
                "type": "Multikey",
                "controller": department_url(base_url, key.department_code),
                "controllerCode": department.credit_code,
                "controllerName": department.name,
                "publicKeyMultibase": public_key_multibase(public),
                "publicKeyJwk": public_key_jwk(public),
                "algorithm": key.algorithm,
                "validFrom": _instant(key.valid_from),
                "validUntil": _instant(key.valid_until) if key.valid_until else None,
                "state": key.state.value,
                "compromisedAt": (
                    _instant(key.compromised_at) if key.compromised_at else None
                ),
            }
        )
        if key.compromised_at is not None:
            methods[-1]["revoked"] = _instant(key.compromised_at)
    document: dict[str, Any] = {
        "type": TRUST_LIST_TYPE,
        "version": TRUST_LIST_VERSION,
        "node": {"name": node_name, "url": base_url},
        "generatedAt": to_rfc3339(generated_at),
        "verificationMethods": methods,
    }
    if log is not None:
        document["log"] = log
    if copy_key is not None:
        document["annotatedCopies"] = copy_key
    return document


def copy_key_entry(
    key: VerifyingKey, *, base_url: str, valid_from: datetime | None
) -> dict[str, Any]:
    """The trust list's ``annotatedCopies`` entry for the node's copy key."""
    entry: dict[str, Any] = {
        "id": copy_method_id(base_url),
        "type": "Multikey",
        "controller": base_url,
        "publicKeyMultibase": public_key_multibase(key),
        "publicKeyJwk": public_key_jwk(key),
        "algorithm": key.algorithm.value,
    }
    if valid_from is not None:
        entry["validFrom"] = to_rfc3339(valid_from)
    return entry


def node_trust_list(
    conn: Connection,
    *,
    node_name: str,
    base_url: str,
    log_origin: str,
    now: datetime,
    witness_keys: Sequence[str] = (),
) -> dict[str, Any]:
    """The trust list of every key this node holds, and of its log and the
    witnesses (``witness_keys``, cosignature verifier keys) that cosign it."""
    departments = {d.id: d for d in department_store.list_departments(conn)}
    log_key = log_store.node_key(conn, LOG_KEY)
    copy_key = public_copy_key(conn)
    return build_trust_list(
        key_store.all_keys(conn),
        departments,
        node_name=node_name,
        base_url=base_url,
        generated_at=now,
        log=(
            None
            if log_key is None
            else {
                "origin": log_origin,
                "verifierKey": NoteVerifier(
                    log_key.name, log_key.public_key
                ).verifier_key,
                **({"witnesses": list(witness_keys)} if witness_keys else {}),
            }
        ),
        copy_key=(
            None
            if copy_key is None
            else copy_key_entry(copy_key[0], base_url=base_url, valid_from=copy_key[1])
        ),
    )


class TrustListCache:
    """This node's trust list, rebuilt only when a key changed.

    Every key change bumps a counter in the same transaction; reading the counter is
    the one query a cached answer costs.
    """

    def __init__(
        self,
        *,
        node_name: str,
        base_url: str,
        log_origin: str,
        witness_keys: Sequence[str] = (),
    ) -> None:
        self._node_name = node_name
        self._base_url = base_url
        self._log_origin = log_origin
        self._witness_keys = tuple(witness_keys)
        self._lock = threading.Lock()
        self._cached: tuple[int, dict[str, Any], TrustList] | None = None

    def current(
        self, conn: Connection, *, now: datetime
    ) -> tuple[dict[str, Any], TrustList]:
        """The trust list document and its parsed form."""
        version = peek(conn, KEYS_VERSION)
        with self._lock:
            cached = self._cached
        if cached is not None and cached[0] == version:
            return cached[1], cached[2]
        document = node_trust_list(
            conn,
            node_name=self._node_name,
            base_url=self._base_url,
            log_origin=self._log_origin,
            now=now,
            witness_keys=self._witness_keys,
        )
        parsed = TrustList.from_json(document)
        with self._lock:
            self._cached = (version, document, parsed)
        return document, parsed


@dataclass(frozen=True, kw_only=True)
class TrustedKey:
    """One verification method of a trust list, ready to verify with."""

    id: str
    #: URL and credit code of the department that controls the key.
    controller: str
    controller_code: str
    controller_name: str
    algorithm: Algorithm
    public_key: VerifyingKey
    valid_from: datetime
    valid_until: datetime | None
    state: KeyState
    compromised_at: datetime | None

    def trusted_at(self, moment: datetime) -> bool:
        """Whether a signature made at ``moment`` by this key is to be trusted."""
        return trusted_at(
            moment,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            compromised_at=self.compromised_at,
        )


@dataclass(frozen=True, kw_only=True)
class TrustedCopyKey:
    """The key with which a node signs annotated copies."""

    id: str
    #: The node's base URL: the issuer every copy it signs names.
    controller: str
    public_key: VerifyingKey


@dataclass(frozen=True)
class TrustedLog:
    """A node's transparency log: the origin its checkpoints carry, its key, and
    the keys of the witnesses that cosign its checkpoints."""

    origin: str
    verifier: NoteVerifier
    witnesses: tuple[CosignatureVerifier, ...] = ()


class TrustList:
    """A parsed trust list: find a key by its verification method id."""

    def __init__(
        self,
        keys: Iterable[TrustedKey],
        *,
        node_url: str | None = None,
        log: TrustedLog | None = None,
        copy_key: TrustedCopyKey | None = None,
    ) -> None:
        self._keys = {key.id: key for key in keys}
        self.node_url = node_url
        self.log = log
        self.copy_key = copy_key

    def __len__(self) -> int:
        return len(self._keys)

    def key(self, method_id: str) -> TrustedKey:
        """The key ``method_id``; raises `NotFound` when the list does not hold it."""
        try:
            return self._keys[method_id]
        except KeyError:
            raise NotFound(f"the trust list has no key {method_id}") from None

    @classmethod
    def from_json(cls, document: Any) -> TrustList:
        """Parse a trust list document; raises `InvalidDocument`."""
        if not isinstance(document, dict) or document.get("type") != TRUST_LIST_TYPE:
            raise InvalidDocument(f"not a trust list: `type` must be {TRUST_LIST_TYPE}")
        if document.get("version") != TRUST_LIST_VERSION:
            raise InvalidDocument(
                f"trust list version {document.get('version')} is not supported"
            )
        try:
            keys = [_trusted_key(entry) for entry in document["verificationMethods"]]
            node_url = document.get("node", {}).get("url")
            copy_key = _copy_key(document.get("annotatedCopies"))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidDocument(f"malformed trust list entry: {exc}") from exc
        return cls(
            keys,
            node_url=node_url,
            log=_trusted_log(document.get("log")),
            copy_key=copy_key,
        )


def _copy_key(entry: Any) -> TrustedCopyKey | None:
    if entry is None:
        return None
    return TrustedCopyKey(
        id=str(entry["id"]),
        controller=str(entry["controller"]),
        public_key=public_key_from_multibase(entry["publicKeyMultibase"]),
    )


def _trusted_log(entry: Any) -> TrustedLog | None:
    if entry is None:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("origin"), str):
        raise InvalidDocument("the trust list's `log` needs an origin and verifierKey")
    try:
        verifier = NoteVerifier.from_vkey(str(entry.get("verifierKey")))
    except ZhengzhaoError as exc:
        raise InvalidDocument(f"the trust list's log key: {exc.message}") from exc
    listed = entry.get("witnesses", [])
    if not isinstance(listed, list):
        raise InvalidDocument("the trust list's log `witnesses` must be a list")
    try:
        witnesses = tuple(CosignatureVerifier.from_vkey(str(v)) for v in listed)
    except ZhengzhaoError as exc:
        raise InvalidDocument(f"the trust list's witness key: {exc.message}") from exc
    return TrustedLog(entry["origin"], verifier, witnesses)


def _trusted_key(entry: dict[str, Any]) -> TrustedKey:
    algorithm = Algorithm(entry["algorithm"])
    public_key = public_key_from_multibase(entry["publicKeyMultibase"])
    if public_key.algorithm is not algorithm:
        raise ValueError(f"key {entry['id']} is not an {algorithm.value} key")
    return TrustedKey(
        id=entry["id"],
        controller=entry["controller"],
        controller_code=entry["controllerCode"],
        controller_name=entry.get("controllerName", ""),
        algorithm=algorithm,
        public_key=public_key,
        valid_from=_time(entry["validFrom"]),
        valid_until=_time(entry.get("validUntil")),
        state=KeyState(entry["state"]),
        compromised_at=_time(entry.get("compromisedAt")),
    )


def _time(value: Any) -> Any:
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {value} has no time zone")
    return moment


def _instant(moment: datetime) -> str:
    """``moment`` in UTC, RFC 3339, to the microsecond when it has a fraction of a
    second (a key window's end is the instant the next key starts)."""
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    precision = "microseconds" if utc.microsecond else "seconds"
    return utc.isoformat(timespec=precision) + "Z"
