"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "client_id", "key", name=op.f("pk_idempotency_records")
        ),
    )
    op.create_table(
        "license_types",
        sa.Column("code", sa.String(length=21), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("holder_kind", sa.String(length=16), nullable=False),
        sa.Column("authority_code", sa.String(length=18), nullable=False),
        sa.Column("authority_name", sa.String(length=200), nullable=False),
        sa.Column("department_kind", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_license_types")),
    )
    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=6), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["regions.code"],
            name=op.f("fk_regions_parent_code_regions"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    op.create_table(
        "departments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column(
            "code_warnings",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
            name=op.f("fk_departments_region_code_regions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_departments_credit_code")),
    )
    op.create_table(
        "license_type_versions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("type_code", sa.String(length=21), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column(
            "schema",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "validity",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("template", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["license_types.code"],
            name=op.f("fk_license_type_versions_type_code_license_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_license_type_versions")),
        sa.UniqueConstraint(
            "type_code",
            "version",
            name=op.f("uq_license_type_versions_type_code_version"),
        ),
    )
    op.create_table(
        "responsibilities",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("type_code", sa.String(length=21), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("department_kind", sa.String(length=64), nullable=False),
        sa.Column("department_level", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
            name=op.f("fk_responsibilities_region_code_regions"),
        ),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["license_types.code"],
            name=op.f("fk_responsibilities_type_code_license_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responsibilities")),
        sa.UniqueConstraint(
            "type_code",
            "region_code",
            "department_kind",
            "department_level",
            name=op.f(
                "uq_responsibilities_type_code_region_code_department_kind_department_level"
            ),
        ),
    )
    op.create_table(
        "api_clients",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column(
            "department_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_api_clients_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_api_clients_client_id")),
    )
    op.create_table(
        "signing_keys",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "department_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_private_key", sa.LargeBinary(), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("compromised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_signing_keys_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_keys")),
        sa.UniqueConstraint(
            "department_id",
            "sequence",
            name=op.f("uq_signing_keys_department_id_sequence"),
        ),
    )
    op.create_table(
        "status_lists",
        sa.Column(
            "issuer_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.Column("generated_from", sa.BigInteger(), nullable=True),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["departments.id"],
            name=op.f("fk_status_lists_issuer_id_departments"),
        ),
        sa.PrimaryKeyConstraint(
            "issuer_id", "purpose", "page", name=op.f("pk_status_lists")
        ),
    )
    op.create_table(
        "licenses",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("identifier", sa.String(length=120), nullable=False),
        sa.Column("type_code", sa.String(length=21), nullable=False),
        sa.Column("type_version", sa.Integer(), nullable=False),
        sa.Column(
            "issuer_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("holder_kind", sa.String(length=16), nullable=False),
        sa.Column("holder_index", sa.String(length=64), nullable=False),
        sa.Column("holder_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("paper_number", sa.String(length=64), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("encumbrance", sa.String(length=16), nullable=True),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column(
            "supersedes_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "key_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("document_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["departments.id"],
            name=op.f("fk_licenses_issuer_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["signing_keys.id"],
            name=op.f("fk_licenses_key_id_signing_keys"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["licenses.id"],
            name=op.f("fk_licenses_supersedes_id_licenses"),
        ),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["license_types.code"],
            name=op.f("fk_licenses_type_code_license_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licenses")),
        sa.UniqueConstraint("identifier", name=op.f("uq_licenses_identifier")),
        sa.UniqueConstraint(
            "issuer_id", "status_index", name=op.f("uq_licenses_issuer_id_status_index")
        ),
    )
    with op.batch_alter_table("licenses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_licenses_holder_index"), ["holder_index"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_licenses_supersedes_id"), ["supersedes_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_licenses_type_code_issuer_id_paper_number"),
            ["type_code", "issuer_id", "paper_number"],
            unique=False,
        )

    op.create_table(
        "license_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "license_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("document_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["license_id"],
            ["licenses.id"],
            name=op.f("fk_license_events_license_id_licenses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_license_events")),
        sa.UniqueConstraint(
            "license_id", "sequence", name=op.f("uq_license_events_license_id_sequence")
        ),
    )


def downgrade() -> None:
    op.drop_table("license_events")
    with op.batch_alter_table("licenses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_licenses_type_code_issuer_id_paper_number"))
        batch_op.drop_index(batch_op.f("ix_licenses_supersedes_id"))
        batch_op.drop_index(batch_op.f("ix_licenses_holder_index"))

    op.drop_table("licenses")
    op.drop_table("status_lists")
    op.drop_table("signing_keys")
    op.drop_table("api_clients")
    op.drop_table("responsibilities")
    op.drop_table("license_type_versions")
    op.drop_table("departments")
    op.drop_table("regions")
    op.drop_table("license_types")
    op.drop_table("idempotency_records")
    op.drop_table("counters")
