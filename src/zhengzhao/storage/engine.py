"""Engines and transactions for SQLite (the embedded default) and PostgreSQL.

SQLite runs in WAL mode with foreign keys enforced, so that readers never block the
writer; PostgreSQL is reached through psycopg 3. Everything else in the platform sees a
`Database` and asks it for a transaction; a failure anywhere inside rolls the whole
transaction back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

__all__ = ["Database", "create_database_engine"]

logger = logging.getLogger(__name__)

#: How long a SQLite writer waits for another writer before failing, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Page cache per connection, in KiB: the default 2 MiB re-reads a library of tens of
#: thousands of licenses from the operating system on every lookup.
SQLITE_CACHE_KIB = 64 * 1024


def _normalise_url(url: str) -> str:
    """Let operators write `postgresql://...`; SQLAlchemy needs the driver named."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_database_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url`` with the pragmas and pool settings the platform needs."""
    url = _normalise_url(url)
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # Pooled connections are reused across threads, one thread at a time.
        kwargs["connect_args"] = {"check_same_thread": False}
        kwargs["pool_size"] = 8
        kwargs["max_overflow"] = 16
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["pool_size"] = 10
        kwargs["max_overflow"] = 20
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module opens transactions implicitly; SQLAlchemy's `begin` event below
    # takes over so that every write transaction starts with BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


#: Execution option marking a connection that only reads.
READ_ONLY = "zhengzhao_read_only"


def _begin_immediate(connection: Connection) -> None:
    # BEGIN IMMEDIATE takes the write lock at the start, so that two writers never both
    # read and then fail to upgrade their lock halfway through a transaction. Readers
    # take no lock at all in WAL mode.
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """The node's database: an engine plus the one way to open a transaction."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = _normalise_url(url)
        self.engine = create_database_engine(self.url, echo=echo)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in one transaction, committed on success, else rolled back."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads only; it is rolled back on exit."""
        with self.engine.connect() as connection:
            connection.execution_options(**{READ_ONLY: True})
            try:
                yield connection
            finally:
                connection.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
