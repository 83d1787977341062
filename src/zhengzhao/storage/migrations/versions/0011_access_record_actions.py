"""access records found by action and time

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

The exemption report reads every prefill of a period from the access records, of
which there is one per read, share, check and prefill: an index on (action,
occurred_at) keeps that a range scan of the prefills alone.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_access_records_action_occurred_at"),
        "access_records",
        ["action", "occurred_at"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_access_records_action_occurred_at"), table_name="access_records"
    )
