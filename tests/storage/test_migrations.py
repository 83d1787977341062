"""The migrations build the tables `zhengzhao.storage.tables` declares, no more, no
less, on whichever database the suite runs."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from zhengzhao.storage.tables import metadata


def test_migrated_schema_matches_the_declared_tables(node):
    with node.database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
