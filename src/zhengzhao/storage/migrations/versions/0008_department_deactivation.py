"""when a department was deactivated

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10

A deactivated department issues nothing more; its keys stay on the trust list, so
that what it signed keeps verifying.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_column("deactivated_at")
