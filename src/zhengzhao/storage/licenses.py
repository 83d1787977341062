"""Licenses and their events.

Holder identifiers and signed documents arrive here already encrypted; this module only
stores and finds bytes.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, func, select

from zhengzhao.model.license import Encumbrance, HolderKind, License, LicenseStatus
from zhengzhao.model.lifecycle import EventKind, LicenseEvent
from zhengzhao.storage.tables import departments, license_events, licenses, log_outbox

__all__ = [
    "NewEvent",
    "NewLicense",
    "StoredLicense",
    "count_licenses",
    "events_of",
    "existing_identifiers",
    "indexes_with_status",
    "insert_events",
    "insert_licenses",
    "latest_event_time",
    "license_by_identifier",
    "licenses_by_identifiers",
    "licenses_in_order",
    "licenses_of_holder",
    "next_event_sequence",
    "update_state",
]

_successor = licenses.alias("successor")
_predecessor = licenses.alias("predecessor")


@dataclass(frozen=True, kw_only=True)
class NewLicense:
    """Everything stored for a new license version."""

    identifier: str
    type_code: str
    type_version: int
    issuer_id: int
    holder_kind: HolderKind
    holder_index: str
    holder_cipher: bytes
    serial: str
    version: int
    paper_number: str | None
    valid_from: date
    valid_until: date | None
    status: LicenseStatus
    encumbrance: Encumbrance | None
    status_index: int
    supersedes_id: int | None
    key_id: int
    document_cipher: bytes
    issued_at: datetime
    #: The date of issue (ZZBFRQ) the credential states.
    issue_date: date | None = None
    #: The holder's credit code passed only in lenient mode.
    holder_code_lenient: bool = False


@dataclass(frozen=True, kw_only=True)
class StoredLicense:
    """A stored license version with the bytes only its owner can decrypt."""

    row_id: int
    issuer_id: int
    key_id: int
    license: License
    holder_cipher: bytes
    document_cipher: bytes
    #: Identifier of the version that replaced this one, if any.
    superseded_by: str | None
    #: The date of issue (ZZBFRQ) the credential states; None for licenses stored
    #: before it was kept.
    issue_date: date | None = None


@dataclass(frozen=True, kw_only=True)
class NewEvent:
    """A signed event to store, with the transparency-log leaf that commits to it."""

    license_row_id: int
    sequence: int
    kind: EventKind
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    reason: str | None
    document: str
    document_hash: str
    #: The event's log leaf; stored in the log outbox in the same statement batch.
    leaf: bytes


def _query() -> Select[Any]:
    return (
        select(
            licenses,
            departments.c.credit_code.label("issuer_code"),
            _predecessor.c.identifier.label("supersedes"),
            _successor.c.identifier.label("superseded_by"),
        )
        .join(departments, departments.c.id == licenses.c.issuer_id)
        .outerjoin(_predecessor, _predecessor.c.id == licenses.c.supersedes_id)
        .outerjoin(_successor, _successor.c.supersedes_id == licenses.c.id)
    )


def _stored(row: Any) -> StoredLicense:
    record = License(
        identifier=row.identifier,
        type_code=row.type_code,
        type_version=row.type_version,
        issuer_code=row.issuer_code,
        holder_kind=HolderKind(row.holder_kind),
        serial=row.serial,
        version=row.version,
        paper_number=row.paper_number,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        status=LicenseStatus(row.status),
        encumbrance=Encumbrance(row.encumbrance) if row.encumbrance else None,
        status_index=row.status_index,
        supersedes=row.supersedes,
        issued_at=row.issued_at,
        updated_at=row.updated_at,
    )
    return StoredLicense(
        row_id=row.id,
        issuer_id=row.issuer_id,
        key_id=row.key_id,
        license=record,
        holder_cipher=row.holder_cipher,
        document_cipher=row.document_cipher,
        superseded_by=row.superseded_by,
        issue_date=row.issue_date,
    )


def insert_licenses(conn: Connection, items: Sequence[NewLicense]) -> list[int]:
    """Insert license versions in one statement; return their row ids in order."""
    if not items:
        return []
    rows = [
        {
            "identifier": item.identifier,
            "type_code": item.type_code,
            "type_version": item.type_version,
            "issuer_id": item.issuer_id,
            "holder_kind": item.holder_kind.value,
            "holder_index": item.holder_index,
            "holder_cipher": item.holder_cipher,
            "serial": item.serial,
            "version": item.version,
            "paper_number": item.paper_number,
            "valid_from": item.valid_from,
            "valid_until": item.valid_until,
            "status": item.status.value,
            "encumbrance": item.encumbrance.value if item.encumbrance else None,
            "status_index": item.status_index,
            "supersedes_id": item.supersedes_id,
            "key_id": item.key_id,
            "document_cipher": item.document_cipher,
            "issued_at": item.issued_at,
            "updated_at": item.issued_at,
            "issue_date": item.issue_date,
            "holder_code_lenient": item.holder_code_lenient,
        }
        for item in items
    ]
    result = conn.execute(
        licenses.insert().returning(licenses.c.id, sort_by_parameter_order=True), rows
    )
    return [int(row_id) for row_id in result.scalars()]


# Hot statements are built once: building and keying a statement costs more than
# running it on SQLite.
_BY_IDENTIFIER = _query().where(licenses.c.identifier == bindparam("identifier"))
_BY_IDENTIFIER_FOR_UPDATE = _BY_IDENTIFIER.with_for_update(of=licenses)
_NEXT_SEQUENCE = select(func.max(license_events.c.sequence)).where(
    license_events.c.license_id == bindparam("license_id")
)
_UPDATE_STATE = (
    licenses.update()
    .where(licenses.c.id == bindparam("row_id"))
    .values(
        status=bindparam("status"),
        encumbrance=bindparam("encumbrance"),
        updated_at=bindparam("updated_at"),
    )
)


def license_by_identifier(
    conn: Connection, identifier: str, *, for_update: bool = False
) -> StoredLicense | None:
    lock = for_update and conn.dialect.name == "postgresql"
    query = _BY_IDENTIFIER_FOR_UPDATE if lock else _BY_IDENTIFIER
    row = conn.execute(query, {"identifier": identifier}).first()
    return _stored(row) if row else None


#: Identifiers per lookup: under SQLite's old limit of 999 bound parameters.
_LOOKUP_CHUNK = 500


def licenses_by_identifiers(
    conn: Connection, identifiers: Collection[str], *, for_update: bool = False
) -> dict[str, StoredLicense]:
    """Identifier → stored version, for those of ``identifiers`` the library has;
    with ``for_update``, locked (on PostgreSQL) in identifier order, so that two
    transactions locking overlapping sets cannot deadlock."""
    found: dict[str, StoredLicense] = {}
    wanted = sorted(identifiers)
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        query = _query().where(
            licenses.c.identifier.in_(wanted[start : start + _LOOKUP_CHUNK])
        )
        if for_update and conn.dialect.name == "postgresql":
            query = query.order_by(licenses.c.identifier).with_for_update(of=licenses)
        for row in conn.execute(query):
            found[row.identifier] = _stored(row)
    return found


def existing_identifiers(conn: Connection, identifiers: Sequence[str]) -> set[str]:
    """Which of ``identifiers`` a stored license version has."""
    found: set[str] = set()
    for start in range(0, len(identifiers), _LOOKUP_CHUNK):
        chunk = identifiers[start : start + _LOOKUP_CHUNK]
        rows = conn.execute(
            select(licenses.c.identifier).where(licenses.c.identifier.in_(chunk))
        )
        found.update(row.identifier for row in rows)
    return found


def licenses_of_holder(
    conn: Connection,
    holder_index: str,
    *,
    issuer_id: int | None = None,
    after_row_id: int = 0,
    limit: int = 100,
) -> list[StoredLicense]:
    """A holder's license versions in row order, from after ``after_row_id``."""
    query = (
        _query()
        .where(licenses.c.holder_index == holder_index, licenses.c.id > after_row_id)
        .order_by(licenses.c.id)
        .limit(limit)
    )
    if issuer_id is not None:
        query = query.where(licenses.c.issuer_id == issuer_id)
    return [_stored(row) for row in conn.execute(query)]


def update_state(
    conn: Connection,
    row_id: int,
    *,
    status: LicenseStatus,
    encumbrance: Encumbrance | None,
    now: datetime,
) -> None:
    conn.execute(
        _UPDATE_STATE,
        {
            "row_id": row_id,
            "status": status.value,
            "encumbrance": encumbrance.value if encumbrance else None,
            "updated_at": now,
        },
    )


def indexes_with_status(
    conn: Connection,
    issuer_id: int,
    statuses: Sequence[LicenseStatus],
    *,
    first: int,
    last: int,
) -> list[int]:
    """Positions in ``[first, last]`` of an issuer's licenses in ``statuses``."""
    rows = conn.execute(
        select(licenses.c.status_index).where(
            and_(
                licenses.c.issuer_id == issuer_id,
                licenses.c.status_index.between(first, last),
                licenses.c.status.in_([s.value for s in statuses]),
            )
        )
    )
    return [int(index) for index in rows.scalars()]


def count_licenses(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(licenses)).scalar_one())


def insert_events(conn: Connection, items: Sequence[NewEvent]) -> None:
    """Store events and queue their log leaves, so that no event exists unlogged."""
    if not items:
        return
    result = conn.execute(
        license_events.insert().returning(
            license_events.c.id, sort_by_parameter_order=True
        ),
        [
            {
                "license_id": item.license_row_id,
                "sequence": item.sequence,
                "kind": item.kind.value,
                "occurred_at": item.occurred_at,
                "recorded_at": item.recorded_at,
                "actor": item.actor,
                "reason": item.reason,
                "document": item.document,
                "document_hash": item.document_hash,
            }
            for item in items
        ],
    )
    conn.execute(
        log_outbox.insert(),
        [
            {"event_id": event_id, "leaf": item.leaf, "created_at": item.recorded_at}
            for event_id, item in zip(result.scalars(), items, strict=True)
        ],
    )


def next_event_sequence(conn: Connection, license_row_id: int) -> int:
    latest = conn.execute(_NEXT_SEQUENCE, {"license_id": license_row_id}).scalar_one()
    return int(latest or 0) + 1


def latest_event_time(conn: Connection, license_row_id: int) -> datetime | None:
    """When the latest event after issuance happened on a license version; None
    when it has none. (The `issued` event carries the time it was recorded.)"""
    value = conn.execute(
        select(func.max(license_events.c.occurred_at)).where(
            license_events.c.license_id == license_row_id,
            license_events.c.kind != EventKind.ISSUED.value,
        )
    ).scalar()
    return value if isinstance(value, datetime) else None


def events_of(conn: Connection, license_row_id: int) -> list[LicenseEvent]:
    rows = conn.execute(
        select(license_events, licenses.c.identifier)
        .join(licenses, licenses.c.id == license_events.c.license_id)
        .where(license_events.c.license_id == license_row_id)
        .order_by(license_events.c.sequence)
    )
    return [
        LicenseEvent(
            license_identifier=row.identifier,
            sequence=row.sequence,
            kind=EventKind(row.kind),
            occurred_at=row.occurred_at,
            recorded_at=row.recorded_at,
            actor=row.actor,
            reason=row.reason,
            document=row.document,
            document_hash=row.document_hash,
        )
        for row in rows
    ]


def licenses_in_order(
    conn: Connection, *, after_row_id: int = 0, limit: int = 1000
) -> list[StoredLicense]:
    """License versions in row order, for exports and audits."""
    query = (
        _query()
        .where(licenses.c.id > after_row_id)
        .order_by(licenses.c.id)
        .limit(limit)
    )
    return [_stored(row) for row in conn.execute(query)]
