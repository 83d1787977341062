"""sharing with consent: matters, using parties, holders' sessions, agents and
authorizations, access records (logged), check counters

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TIME = sa.DateTime(timezone=True)


def _id() -> sa.Column[int]:
    return sa.Column("id", _ID, autoincrement=True, nullable=False)


def _holder(prefix: str = "holder") -> list[sa.Column[object]]:
    return [
        sa.Column(f"{prefix}_kind", sa.String(length=16), nullable=False),
        sa.Column(f"{prefix}_index", sa.String(length=64), nullable=False),
        sa.Column(f"{prefix}_cipher", sa.LargeBinary(), nullable=False),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    _matters_and_parties()
    _holders()
    _access_records()
    _links_from_existing_tables()


def _matters_and_parties() -> None:
    op.create_table(
        "service_matters",
        _id(),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("department_id", _ID, nullable=False),
        sa.Column("holder_kind", sa.String(length=16), nullable=False),
        sa.Column("definition", _JSON, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        _fk("service_matters", "department_id", "departments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_matters")),
        sa.UniqueConstraint("code", name=op.f("uq_service_matters_code")),
    )
    op.create_index(
        op.f("ix_service_matters_department_id"), "service_matters", ["department_id"]
    )
    op.create_table(
        "using_parties",
        _id(),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("department_id", _ID, nullable=True),
        sa.Column("clearance", sa.String(length=16), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.Column("disabled_at", _TIME, nullable=True),
        _fk("using_parties", "department_id", "departments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_using_parties")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_using_parties_credit_code")),
        sa.UniqueConstraint(
            "department_id", name=op.f("uq_using_parties_department_id")
        ),
    )
    op.create_table(
        "using_party_matters",
        sa.Column("party_id", _ID, nullable=False),
        sa.Column("matter_id", _ID, nullable=False),
        _fk("using_party_matters", "matter_id", "service_matters"),
        _fk("using_party_matters", "party_id", "using_parties"),
        sa.PrimaryKeyConstraint(
            "party_id", "matter_id", name=op.f("pk_using_party_matters")
        ),
    )
    op.create_table(
        "check_counters",
        sa.Column("party_id", _ID, nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("window_seconds", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("window_start", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        _fk("check_counters", "party_id", "using_parties"),
        sa.PrimaryKeyConstraint(
            "party_id",
            "subject",
            "window_seconds",
            "window_start",
            name=op.f("pk_check_counters"),
        ),
    )


def _holders() -> None:
    op.create_table(
        "holder_sessions",
        _id(),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        *_holder(),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("ended_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holder_sessions")),
        sa.UniqueConstraint("session_id", name=op.f("uq_holder_sessions_session_id")),
    )
    op.create_table(
        "holder_agents",
        _id(),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        *_holder(),
        *_holder("agent")[1:],
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("appointed_at", _TIME, nullable=False),
        sa.Column("withdrawn_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holder_agents")),
        sa.UniqueConstraint("public_id", name=op.f("uq_holder_agents_public_id")),
    )
    op.create_index(
        op.f("ix_holder_agents_agent_index"), "holder_agents", ["agent_index"]
    )
    op.create_index(
        op.f("ix_holder_agents_holder_index"), "holder_agents", ["holder_index"]
    )
    op.create_table(
        "authorizations",
        _id(),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        *_holder(),
        sa.Column("party_id", _ID, nullable=False),
        sa.Column("matter_id", _ID, nullable=False),
        sa.Column("grants", _JSON, nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("uses_allowed", sa.Integer(), nullable=False),
        sa.Column("uses_left", sa.Integer(), nullable=False),
        sa.Column("granted_at", _TIME, nullable=False),
        sa.Column("granted_by_agent_id", _ID, nullable=True),
        sa.Column("withdrawn_at", _TIME, nullable=True),
        sa.Column("withdrawn_by_agent_id", _ID, nullable=True),
        _fk("authorizations", "granted_by_agent_id", "holder_agents"),
        _fk("authorizations", "matter_id", "service_matters"),
        _fk("authorizations", "party_id", "using_parties"),
        _fk("authorizations", "withdrawn_by_agent_id", "holder_agents"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorizations")),
        sa.UniqueConstraint("public_id", name=op.f("uq_authorizations_public_id")),
    )
    op.create_index(
        op.f("ix_authorizations_holder_index_id"),
        "authorizations",
        ["holder_index", "id"],
    )


def _access_records() -> None:
    op.create_table(
        "access_records",
        _id(),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", _TIME, nullable=False),
        *_holder(),
        sa.Column("party_code", sa.String(length=18), nullable=True),
        sa.Column("party_name", sa.String(length=200), nullable=True),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("matter_code", sa.String(length=64), nullable=True),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("authorization_ref", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=48), nullable=False),
        sa.Column("details", _JSON, nullable=False),
        sa.Column("salt", sa.LargeBinary(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_records")),
        sa.UniqueConstraint("public_id", name=op.f("uq_access_records_public_id")),
    )
    op.create_index(
        op.f("ix_access_records_holder_index_id"),
        "access_records",
        ["holder_index", "id"],
    )
    op.create_index(
        op.f("ix_access_records_party_code_id"),
        "access_records",
        ["party_code", "id"],
    )


def _links_from_existing_tables() -> None:
    # Batch mode: SQLite can add neither a foreign key nor a unique constraint to
    # an existing table, so Alembic rebuilds those tables there.
    with op.batch_alter_table("api_clients") as batch_op:
        batch_op.add_column(sa.Column("party_id", _ID, nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_api_clients_party_id_using_parties"),
            "using_parties",
            ["party_id"],
            ["id"],
        )
    for table in ("log_outbox", "log_entries"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("access_record_id", _ID, nullable=True))
            batch_op.create_unique_constraint(
                op.f(f"uq_{table}_access_record_id"), ["access_record_id"]
            )
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_access_record_id_access_records"),
                "access_records",
                ["access_record_id"],
                ["id"],
            )


def downgrade() -> None:
    for table in ("log_entries", "log_outbox"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(
                op.f(f"fk_{table}_access_record_id_access_records"),
                type_="foreignkey",
            )
            batch_op.drop_constraint(
                op.f(f"uq_{table}_access_record_id"), type_="unique"
            )
            batch_op.drop_column("access_record_id")
    with op.batch_alter_table("api_clients") as batch_op:
        batch_op.drop_constraint(
            op.f("fk_api_clients_party_id_using_parties"), type_="foreignkey"
        )
        batch_op.drop_column("party_id")
    for table in (
        "access_records",
        "authorizations",
        "holder_agents",
        "holder_sessions",
        "check_counters",
        "using_party_matters",
        "using_parties",
        "service_matters",
    ):
        op.drop_table(table)
