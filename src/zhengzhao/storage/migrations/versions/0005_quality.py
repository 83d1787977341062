"""expected volumes, issue dates and lenient holder codes, rejected rows' paper numbers

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

Licenses stored before this revision keep a null issue date: their date of issue is
only inside their encrypted documents, and they take no part in the timeliness of
gathering.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("licenses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issue_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "holder_code_lenient",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
        batch_op.create_index(
            batch_op.f("ix_licenses_issued_at"), ["issued_at"], unique=False
        )
    with op.batch_alter_table("license_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_license_events_recorded_at"), ["recorded_at"], unique=False
        )
    with op.batch_alter_table("gathering_rejections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paper_number", sa.String(length=64), nullable=True)
        )
    op.create_table(
        "expected_volumes",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("department_id", _ID, nullable=False),
        sa.Column("type_code", sa.String(length=21), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("expected", sa.BigInteger(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_expected_volumes_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
            name=op.f("fk_expected_volumes_region_code_regions"),
        ),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["license_types.code"],
            name=op.f("fk_expected_volumes_type_code_license_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expected_volumes")),
        sa.UniqueConstraint(
            "department_id",
            "type_code",
            "as_of",
            name=op.f("uq_expected_volumes_department_id_type_code_as_of"),
        ),
    )


def downgrade() -> None:
    op.drop_table("expected_volumes")
    with op.batch_alter_table("gathering_rejections", schema=None) as batch_op:
        batch_op.drop_column("paper_number")
    with op.batch_alter_table("license_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_license_events_recorded_at"))
    with op.batch_alter_table("licenses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_licenses_issued_at"))
        batch_op.drop_column("holder_code_lenient")
        batch_op.drop_column("issue_date")
