"""The migrations build exactly the schema `storage.tables` describes."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from zhengzhao.storage.tables import metadata


def test_migrated_schema_matches_tables(node):
    with node.database.reading() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
