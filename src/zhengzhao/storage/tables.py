"""The tables of one node's library. Only `storage` knows these names.

Personal data is never stored in clear: holder identifiers and the signed license
documents (which carry them) are AES-GCM ciphertext, and a holder is found through
``holder_index``, a keyed hash of the identifier (a blind index).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB

__all__ = ["metadata"]

# Constraint names are fixed so that migrations can refer to them on both databases.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp, always timezone-aware UTC in Python, whatever the backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        value = value.astimezone(UTC)
        # SQLite keeps no zone: store UTC without one and restore it on the way out.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


Json = JSON().with_variant(JSONB(), "postgresql")
Id = BigInteger().with_variant(Integer(), "sqlite")

regions = Table(
    "regions",
    metadata,
    Column("code", String(6), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("level", String(16), nullable=False),
    Column("parent_code", String(6), ForeignKey("regions.code"), nullable=True),
)

departments = Table(
    "departments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("credit_code", String(18), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("name_en", String(200), nullable=True),
    Column("region_code", String(6), ForeignKey("regions.code"), nullable=False),
    Column("kind", String(64), nullable=False),
    # Warnings recorded when a pilot-era credit code was accepted in lenient mode.
    Column("code_warnings", Json, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    # Set when an operator deactivated the department: it issues nothing more.
    Column("deactivated_at", UTCDateTime(), nullable=True),
)

license_types = Table(
    "license_types",
    metadata,
    Column("code", String(21), primary_key=True),
    Column("name_zh", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("holder_kind", String(16), nullable=False),
    Column("authority_code", String(18), nullable=False),
    Column("authority_name", String(200), nullable=False),
    Column("department_kind", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

license_type_versions = Table(
    "license_type_versions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("type_code", String(21), ForeignKey("license_types.code"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("schema", Json, nullable=False),
    Column("validity", Json, nullable=False),
    Column("template", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("published_at", UTCDateTime(), nullable=True),
    Column("retired_at", UTCDateTime(), nullable=True),
    UniqueConstraint("type_code", "version"),
)

responsibilities = Table(
    "responsibilities",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("type_code", String(21), ForeignKey("license_types.code"), nullable=False),
    Column("region_code", String(6), ForeignKey("regions.code"), nullable=False),
    Column("department_kind", String(64), nullable=False),
    Column("department_level", String(16), nullable=False),
    UniqueConstraint("type_code", "region_code", "department_kind", "department_level"),
)

api_clients = Table(
    "api_clients",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("client_id", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("department_id", Id, ForeignKey("departments.id"), nullable=True),
    Column("demo", Boolean, nullable=False, default=False),
    # The using party a `using-party` client acts for.
    Column("party_id", Id, ForeignKey("using_parties.id"), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("disabled_at", UTCDateTime(), nullable=True),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("department_id", Id, ForeignKey("departments.id"), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("algorithm", String(16), nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("wrapped_private_key", LargeBinary, nullable=True),
    Column("valid_from", UTCDateTime(), nullable=False),
    Column("valid_until", UTCDateTime(), nullable=True),
    Column("state", String(16), nullable=False),
    Column("compromised_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("department_id", "sequence"),
)

licenses = Table(
    "licenses",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("identifier", String(120), nullable=False, unique=True),
    Column("type_code", String(21), ForeignKey("license_types.code"), nullable=False),
    Column("type_version", Integer, nullable=False),
    Column("issuer_id", Id, ForeignKey("departments.id"), nullable=False),
    Column("holder_kind", String(16), nullable=False),
    Column("holder_index", String(64), nullable=False, index=True),
    Column("holder_cipher", LargeBinary, nullable=False),
    Column("serial", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("paper_number", String(64), nullable=True),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=True),
    Column("status", String(16), nullable=False),
    Column("encumbrance", String(16), nullable=True),
    Column("status_index", Integer, nullable=False),
    Column("supersedes_id", Id, ForeignKey("licenses.id"), nullable=True, index=True),
    Column("key_id", Id, ForeignKey("signing_keys.id"), nullable=False),
    Column("document_cipher", LargeBinary, nullable=False),
    Column("issued_at", UTCDateTime(), nullable=False, index=True),
    Column("updated_at", UTCDateTime(), nullable=False),
    # The date of issue (ZZBFRQ) the department stated; null for licenses stored
    # before it was kept.
    Column("issue_date", Date, nullable=True),
    # Set when the holder's credit code passed only in lenient mode (a pilot-era code).
    Column("holder_code_lenient", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("issuer_id", "status_index"),
    Index(None, "type_code", "issuer_id", "paper_number"),
)

license_events = Table(
    "license_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("license_id", Id, ForeignKey("licenses.id"), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False, index=True),
    Column("actor", String(64), nullable=False),
    Column("reason", Text, nullable=True),
    Column("document", Text, nullable=False),
    Column("document_hash", String(64), nullable=False),
    UniqueConstraint("license_id", "sequence"),
)

counters = Table(
    "counters",
    metadata,
    Column("name", String(120), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

idempotency_records = Table(
    "idempotency_records",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

status_lists = Table(
    "status_lists",
    metadata,
    Column("issuer_id", Id, ForeignKey("departments.id"), primary_key=True),
    Column("purpose", String(16), primary_key=True),
    Column("page", Integer, primary_key=True),
    Column("document", Text, nullable=True),
    # Bumped by every status change on the page; the document is current while the
    # count it was generated from equals it.
    Column("changes", BigInteger, nullable=False),
    Column("generated_from", BigInteger, nullable=True),
    Column("generated_at", UTCDateTime(), nullable=True),
)

# The transparency log. An event's leaf is written to the outbox in the event's own
# transaction; the sequencer moves leaves from the outbox into the tree in batches,
# each batch with its tile hashes and its signed checkpoint in one transaction.

log_outbox = Table(
    "log_outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", Id, ForeignKey("license_events.id"), nullable=True, unique=True),
    Column("leaf", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    # Set instead of `event_id` for the leaf of an access record.
    Column(
        "access_record_id",
        Id,
        ForeignKey("access_records.id"),
        nullable=True,
        unique=True,
    ),
)

log_entries = Table(
    "log_entries",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", Id, ForeignKey("license_events.id"), nullable=True, unique=True),
    Column("leaf", LargeBinary, nullable=False),
    Column("integrated_at", UTCDateTime(), nullable=False),
    Column(
        "access_record_id",
        Id,
        ForeignKey("access_records.id"),
        nullable=True,
        unique=True,
    ),
)

# Hashes of complete subtrees at the heights tiles hold: level L holds subtrees of
# height 8·L (level 0: leaf hashes). Tiles are read straight from here.
log_hashes = Table(
    "log_hashes",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

log_checkpoints = Table(
    "log_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

log_cosignatures = Table(
    "log_cosignatures",
    metadata,
    Column("size", BigInteger, ForeignKey("log_checkpoints.size"), primary_key=True),
    Column("witness", String(200), primary_key=True),
    Column("signature", Text, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
)

node_keys = Table(
    "node_keys",
    metadata,
    Column("purpose", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("algorithm", String(16), nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("wrapped_private_key", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# A witness (C2SP tlog-witness) keeps, per log it witnesses, the latest checkpoint it
# cosigned, and the evidence of every refusal that shows misbehaviour.

witness_checkpoints = Table(
    "witness_checkpoints",
    metadata,
    Column("origin", String(255), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

witness_evidence = Table(
    "witness_evidence",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("origin", String(255), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("cosigned_note", Text, nullable=False),
    Column("offered_request", Text, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
)

# Gathering: a department's file of licenses, read in chunks. A batch is known by its
# department, type and content hash; `rows_done` is the committed resume point, written
# in the same transaction as the licenses of the chunk it ends.

gathering_batches = Table(
    "gathering_batches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("department_id", Id, ForeignKey("departments.id"), nullable=False),
    Column("type_code", String(21), ForeignKey("license_types.code"), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("format", String(16), nullable=False),
    Column("mapping", Json, nullable=True),
    # The sheet a workbook's batch reads (its title); "" for CSV and JSON Lines.
    Column("sheet", String(255), nullable=False, server_default=""),
    # SHA-256 of the column mapping's canonical JSON; "" for none. Part of the key:
    # the same file read through another mapping is another batch.
    Column("mapping_hash", String(64), nullable=False, server_default=""),
    Column("filename", String(255), nullable=True),
    Column("size", BigInteger, nullable=False),
    # `open` while rows remain, `stopped` after a run failed, `finished`.
    Column("state", String(16), nullable=False),
    # Why the last run stopped, for a `stopped` batch.
    Column("error", Text, nullable=True),
    Column("rows_done", BigInteger, nullable=False),
    Column("accepted", BigInteger, nullable=False),
    Column("unchanged", BigInteger, nullable=False),
    Column("updated", BigInteger, nullable=False),
    Column("rejected", BigInteger, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    UniqueConstraint(
        "department_id",
        "type_code",
        "content_hash",
        "sheet",
        "mapping_hash",
        name="uq_gathering_batches_identity",
    ),
)

# An uploaded file, kept in pieces so that any process can resume its batch, until
# the batch finishes; each piece is AES-256-GCM ciphertext (it holds ID numbers).
gathering_content = Table(
    "gathering_content",
    metadata,
    Column("batch_id", Id, ForeignKey("gathering_batches.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

gathering_rejections = Table(
    "gathering_rejections",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("batch_id", Id, ForeignKey("gathering_batches.id"), nullable=False),
    Column("row_number", BigInteger, nullable=False),
    Column("field", String(120), nullable=True),
    Column("value", Text, nullable=True),
    Column("reason", Text, nullable=False),
    # The row's ZZBH, so that a later license with it shows the row was fixed.
    Column("paper_number", String(64), nullable=True),
    # What the problem is about, for the quality assessment: `identifier` (CZZTDM
    # empty or failing its check), `schema` (a surface field) or `other`.
    Column("category", String(16), nullable=False, server_default="other"),
    # When the row's chunk committed, and the last license event stored then: only
    # an event stored after it (a greater id) can fix the row.
    Column("rejected_at", UTCDateTime(), nullable=False),
    Column("event_mark", BigInteger, nullable=False),
    Index(None, "batch_id", "row_number"),
)

# Live sync: single records that departmental systems push as their licenses change,
# each with its outcome, and the problems of every rejected push, which the
# department reads back.

gathering_pushes = Table(
    "gathering_pushes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("department_id", Id, ForeignKey("departments.id"), nullable=False),
    Column("type_code", String(21), ForeignKey("license_types.code"), nullable=False),
    Column("paper_number", String(64), nullable=True),
    # `accepted`, `updated`, `unchanged` or `rejected`.
    Column("outcome", String(16), nullable=False),
    # The license's newest version after the push; None for a rejected push.
    Column("license_identifier", String(120), nullable=True),
    Column("actor", String(64), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    # The last license event stored when the push was received: only a later event
    # (a greater id) can fix a rejected push.
    Column("event_mark", BigInteger, nullable=False),
    Index(None, "department_id", "outcome", "id"),
    Index(None, "outcome", "id"),
)

gathering_push_problems = Table(
    "gathering_push_problems",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("push_id", Id, ForeignKey("gathering_pushes.id"), nullable=False),
    Column("field", String(120), nullable=True),
    Column("value", Text, nullable=True),
    Column("reason", Text, nullable=False),
    # As a rejected row's: `identifier`, `schema` or `other`.
    Column("category", String(16), nullable=False, server_default="other"),
    Index(None, "push_id"),
)

# Oversight: the expected volumes of the responsibility list. A department declares
# how many licenses of a type its own system holds, as of a date; each declaration is
# kept, and an assessment uses the latest one standing at the month's end.

expected_volumes = Table(
    "expected_volumes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("department_id", Id, ForeignKey("departments.id"), nullable=False),
    Column("type_code", String(21), ForeignKey("license_types.code"), nullable=False),
    Column("region_code", String(6), ForeignKey("regions.code"), nullable=False),
    Column("expected", BigInteger, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    UniqueConstraint("department_id", "type_code", "as_of"),
)

# Sharing with consent. Service matters belong to a department; using parties (用证方)
# may serve some of them. Holders log in through an identity provider, appoint agents
# and grant authorizations; every share and check leaves an access record, which is
# also a transparency-log leaf. Holders are known by blind index, their identifiers
# and names kept as ciphertext bound to the row's public id.

service_matters = Table(
    "service_matters",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("department_id", Id, ForeignKey("departments.id"), nullable=False),
    Column("holder_kind", String(16), nullable=False),
    # The matter as `ServiceMatter.to_json` writes it.
    Column("definition", Json, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index(None, "department_id"),
)

using_parties = Table(
    "using_parties",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("credit_code", String(18), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column(
        "department_id", Id, ForeignKey("departments.id"), nullable=True, unique=True
    ),
    Column("clearance", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("disabled_at", UTCDateTime(), nullable=True),
)

using_party_matters = Table(
    "using_party_matters",
    metadata,
    Column("party_id", Id, ForeignKey("using_parties.id"), primary_key=True),
    Column("matter_id", Id, ForeignKey("service_matters.id"), primary_key=True),
)

holder_sessions = Table(
    "holder_sessions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("session_id", String(32), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("holder_kind", String(16), nullable=False),
    Column("holder_index", String(64), nullable=False),
    Column("holder_cipher", LargeBinary, nullable=False),
    Column("provider", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("ended_at", UTCDateTime(), nullable=True),
)

holder_agents = Table(
    "holder_agents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("public_id", String(40), nullable=False, unique=True),
    Column("holder_kind", String(16), nullable=False),
    Column("holder_index", String(64), nullable=False, index=True),
    Column("holder_cipher", LargeBinary, nullable=False),
    Column("agent_index", String(64), nullable=False, index=True),
    Column("agent_cipher", LargeBinary, nullable=False),
    Column("note", String(200), nullable=True),
    Column("appointed_at", UTCDateTime(), nullable=False),
    Column("withdrawn_at", UTCDateTime(), nullable=True),
)

authorizations = Table(
    "authorizations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("public_id", String(40), nullable=False, unique=True),
    Column("holder_kind", String(16), nullable=False),
    Column("holder_index", String(64), nullable=False),
    Column("holder_cipher", LargeBinary, nullable=False),
    Column("party_id", Id, ForeignKey("using_parties.id"), nullable=False),
    Column("matter_id", Id, ForeignKey("service_matters.id"), nullable=False),
    # [{"type_code": ..., "fields": [...]}, ...]: what the holder granted.
    Column("grants", Json, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("uses_allowed", Integer, nullable=False),
    Column("uses_left", Integer, nullable=False),
    Column("granted_at", UTCDateTime(), nullable=False),
    # The agent who granted or withdrew it in the holder's name, if one did.
    Column("granted_by_agent_id", Id, ForeignKey("holder_agents.id"), nullable=True),
    Column("withdrawn_at", UTCDateTime(), nullable=True),
    Column("withdrawn_by_agent_id", Id, ForeignKey("holder_agents.id"), nullable=True),
    Index(None, "holder_index", "id"),
)

# What the record document holds is rebuilt from these columns for the log's leaf
# and its audit, so every value the document names is stored here as it was then.
access_records = Table(
    "access_records",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("public_id", String(40), nullable=False, unique=True),
    Column("action", String(16), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("holder_kind", String(16), nullable=False),
    Column("holder_index", String(64), nullable=False),
    Column("holder_cipher", LargeBinary, nullable=False),
    Column("party_code", String(18), nullable=True),
    Column("party_name", String(200), nullable=True),
    Column("actor", String(80), nullable=False),
    Column("matter_code", String(64), nullable=True),
    Column("basis", String(16), nullable=False),
    Column("authorization_ref", String(40), nullable=True),
    Column("reason", Text, nullable=True),
    Column("outcome", String(48), nullable=False),
    Column("details", Json, nullable=False),
    Column("salt", LargeBinary(16), nullable=False),
    Index(None, "holder_index", "id"),
    Index(None, "party_code", "id"),
    Index(None, "action", "occurred_at"),
)

# Fixed-window counters of checks, per party and subject (a holder's blind index, or
# `*` for the party as a whole); `window_start` is in seconds since the epoch.
check_counters = Table(
    "check_counters",
    metadata,
    Column("party_id", Id, ForeignKey("using_parties.id"), primary_key=True),
    Column("subject", String(64), primary_key=True),
    Column("window_seconds", Integer, primary_key=True, autoincrement=False),
    Column("window_start", BigInteger, primary_key=True, autoincrement=False),
    Column("count", Integer, nullable=False),
)

# Which licenses each access record read: an index for counting the use of each
# issuer's licenses. The record's details, committed to by its log leaf, stay the
# account of what was read; these rows are written with the record and say no more.
access_record_licenses = Table(
    "access_record_licenses",
    metadata,
    Column("record_id", Id, ForeignKey("access_records.id"), primary_key=True),
    Column("license_id", Id, ForeignKey("licenses.id"), primary_key=True),
    Index(None, "license_id"),
)
