"""Alembic environment: migrates the connection that `storage.migrate` hands over."""

from __future__ import annotations

from alembic import context

from zhengzhao.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through `zhengzhao db upgrade`, not bare alembic"
    )

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
