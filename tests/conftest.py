"""Shared fixtures: a real database (SQLite, or PostgreSQL when asked), a node, a clock.

Set ``ZHENGZHAO_TEST_DATABASE_URL`` to a PostgreSQL URL to run the whole suite on
PostgreSQL; the suite then owns that database and empties it between tests. Without
it every test gets its own SQLite file, copied from a migrated template.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from support.world import World, build_world
from zhengzhao.config import Settings
from zhengzhao.node import Node
from zhengzhao.storage.engine import Database
from zhengzhao.storage.migrate import upgrade
from zhengzhao.storage.tables import metadata

POSTGRES_URL = os.environ.get("ZHENGZHAO_TEST_DATABASE_URL")

#: A fixed instant for tests that do not care when they run.
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@dataclass
class FixedClock:
    """A clock that stands still until a test moves it."""

    moment: datetime = field(default=T0)

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database: a SQLite file to copy, or the PostgreSQL URL."""
    if POSTGRES_URL:
        database = Database(POSTGRES_URL)
        with database.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(database)
        database.dispose()
        return POSTGRES_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()
    return str(path)


@pytest.fixture
def database_url(_template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database for one test."""
    if POSTGRES_URL:
        database = Database(POSTGRES_URL)
        tables = ", ".join(t.name for t in reversed(metadata.sorted_tables))
        with database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        database.dispose()
        yield POSTGRES_URL
        return
    path = tmp_path / "zhengzhao.db"
    shutil.copyfile(_template, path)
    yield f"sqlite:///{path}"


def random_master_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        mode="development",
        database_url=database_url,
        master_key=random_master_key(),  # type: ignore[arg-type]
        base_url="https://zz.test",
        node_name="zz.test",
    )


@pytest.fixture
def node(settings: Settings) -> Iterator[Node]:
    node = Node(settings)
    yield node
    node.close()


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


@pytest.fixture
def world(node: Node, clock: FixedClock) -> World:
    return build_world(node, clock)
