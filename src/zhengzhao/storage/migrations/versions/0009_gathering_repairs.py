"""stopped gathering batches with their error; when each rejection was made

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

Rejections stored before this revision take their batch's last update as the time
they were made, and the last event recorded by then as their mark, which is what the
rectification metric compared them with before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_MARK_OF_REJECTION = """
UPDATE gathering_rejections SET
    rejected_at = (
        SELECT batch.updated_at FROM gathering_batches AS batch
        WHERE batch.id = gathering_rejections.batch_id
    )
"""
_MARK_OF_REJECTION_EVENTS = """
UPDATE gathering_rejections SET
    event_mark = (
        SELECT coalesce(max(event.id), 0) FROM license_events AS event
        WHERE event.recorded_at <= gathering_rejections.rejected_at
    )
"""
_MARK_OF_PUSH = """
UPDATE gathering_pushes SET
    event_mark = (
        SELECT coalesce(max(event.id), 0) FROM license_events AS event
        WHERE event.recorded_at <= gathering_pushes.received_at
    )
"""


def upgrade() -> None:
    with op.batch_alter_table("gathering_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
    with op.batch_alter_table("gathering_rejections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("event_mark", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("gathering_pushes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_mark", sa.BigInteger(), nullable=True))
    op.execute(_MARK_OF_REJECTION)
    op.execute(_MARK_OF_REJECTION_EVENTS)
    op.execute(_MARK_OF_PUSH)
    with op.batch_alter_table("gathering_rejections", schema=None) as batch_op:
        batch_op.alter_column(
            "rejected_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.alter_column(
            "event_mark", existing_type=sa.BigInteger(), nullable=False
        )
    with op.batch_alter_table("gathering_pushes", schema=None) as batch_op:
        batch_op.alter_column(
            "event_mark", existing_type=sa.BigInteger(), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("gathering_pushes", schema=None) as batch_op:
        batch_op.drop_column("event_mark")
    with op.batch_alter_table("gathering_rejections", schema=None) as batch_op:
        batch_op.drop_column("event_mark")
        batch_op.drop_column("rejected_at")
    with op.batch_alter_table("gathering_batches", schema=None) as batch_op:
        batch_op.drop_column("error")
