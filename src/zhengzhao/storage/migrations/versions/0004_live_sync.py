"""live sync pushes and their problems; the sheet a workbook's batch reads

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_KEY = ("department_id", "type_code", "content_hash")


def upgrade() -> None:
    with op.batch_alter_table("gathering_batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sheet", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.drop_constraint(
            "uq_gathering_batches_department_id_type_code_content_hash", type_="unique"
        )
        batch_op.create_unique_constraint(
            "uq_gathering_batches_department_id_type_code_content_hash_sheet",
            [*_KEY, "sheet"],
        )
    op.create_table(
        "gathering_pushes",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("department_id", _ID, nullable=False),
        sa.Column("type_code", sa.String(length=21), nullable=False),
        sa.Column("paper_number", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("license_identifier", sa.String(length=120), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_gathering_pushes_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["license_types.code"],
            name=op.f("fk_gathering_pushes_type_code_license_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gathering_pushes")),
    )
    with op.batch_alter_table("gathering_pushes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gathering_pushes_department_id_outcome_id"),
            ["department_id", "outcome", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_gathering_pushes_outcome_id"),
            ["outcome", "id"],
            unique=False,
        )
    op.create_table(
        "gathering_push_problems",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("push_id", _ID, nullable=False),
        sa.Column("field", sa.String(length=120), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["push_id"],
            ["gathering_pushes.id"],
            name=op.f("fk_gathering_push_problems_push_id_gathering_pushes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gathering_push_problems")),
    )
    with op.batch_alter_table("gathering_push_problems", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gathering_push_problems_push_id"), ["push_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("gathering_push_problems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gathering_push_problems_push_id"))
    op.drop_table("gathering_push_problems")
    with op.batch_alter_table("gathering_pushes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gathering_pushes_outcome_id"))
        batch_op.drop_index(batch_op.f("ix_gathering_pushes_department_id_outcome_id"))
    op.drop_table("gathering_pushes")
    with op.batch_alter_table("gathering_batches", schema=None) as batch_op:
        batch_op.drop_constraint(
            "uq_gathering_batches_department_id_type_code_content_hash_sheet",
            type_="unique",
        )
        batch_op.create_unique_constraint(
            "uq_gathering_batches_department_id_type_code_content_hash", list(_KEY)
        )
        batch_op.drop_column("sheet")
