"""which licenses each access record read, for counting their use

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "access_record_licenses",
        sa.Column("record_id", _ID, nullable=False),
        sa.Column("license_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["access_records.id"],
            name=op.f("fk_access_record_licenses_record_id_access_records"),
        ),
        sa.ForeignKeyConstraint(
            ["license_id"],
            ["licenses.id"],
            name=op.f("fk_access_record_licenses_license_id_licenses"),
        ),
        sa.PrimaryKeyConstraint(
            "record_id", "license_id", name=op.f("pk_access_record_licenses")
        ),
    )
    op.create_index(
        op.f("ix_access_record_licenses_license_id"),
        "access_record_licenses",
        ["license_id"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_access_record_licenses_license_id"),
        table_name="access_record_licenses",
    )
    op.drop_table("access_record_licenses")
