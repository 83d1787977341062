"""Schema migrations with Alembic: the one way a database gets its tables."""

from __future__ import annotations

import logging
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from zhengzhao.storage.engine import Database

__all__ = ["current_revision", "head_revision", "upgrade"]

logger = logging.getLogger(__name__)


def _config() -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(files("zhengzhao.storage") / "migrations")
    )
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the database's schema up to ``revision``."""
    config = _config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    logger.info("database schema at %s", current_revision(database))


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()
