"""gathering batches, their stored files and rejected rows

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "gathering_batches",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("department_id", _ID, nullable=False),
        sa.Column("type_code", sa.String(length=21), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column(
            "mapping",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=True,
        ),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rows_done", sa.BigInteger(), nullable=False),
        sa.Column("accepted", sa.BigInteger(), nullable=False),
        sa.Column("unchanged", sa.BigInteger(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.Column("rejected", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_gathering_batches_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["license_types.code"],
            name=op.f("fk_gathering_batches_type_code_license_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gathering_batches")),
        sa.UniqueConstraint(
            "department_id",
            "type_code",
            "content_hash",
            name=op.f("uq_gathering_batches_department_id_type_code_content_hash"),
        ),
    )
    op.create_table(
        "gathering_content",
        sa.Column("batch_id", _ID, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["gathering_batches.id"],
            name=op.f("fk_gathering_content_batch_id_gathering_batches"),
        ),
        sa.PrimaryKeyConstraint("batch_id", "seq", name=op.f("pk_gathering_content")),
    )
    op.create_table(
        "gathering_rejections",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("batch_id", _ID, nullable=False),
        sa.Column("row_number", sa.BigInteger(), nullable=False),
        sa.Column("field", sa.String(length=120), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["gathering_batches.id"],
            name=op.f("fk_gathering_rejections_batch_id_gathering_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gathering_rejections")),
    )
    with op.batch_alter_table("gathering_rejections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gathering_rejections_batch_id_row_number"),
            ["batch_id", "row_number"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("gathering_rejections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gathering_rejections_batch_id_row_number"))
    op.drop_table("gathering_rejections")
    op.drop_table("gathering_content")
    op.drop_table("gathering_batches")
