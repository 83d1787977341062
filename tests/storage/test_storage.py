"""Storage: SQLite pragmas, migrations, counters and all-or-nothing transactions."""

import threading

import pytest
from sqlalchemy import select, text

from conftest import is_postgres
from support.world import example_fields, person_id, type_code
from zhengzhao.issuance.service import HolderClaim, IssueRequest, issue_licenses
from zhengzhao.storage.counters import allocate, peek
from zhengzhao.storage.engine import Database
from zhengzhao.storage.migrate import current_revision, head_revision
from zhengzhao.storage.tables import licenses


def test_migrations_reach_head(node):
    assert current_revision(node.database) == head_revision()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(node):
    if not node.database.is_sqlite:
        pytest.skip("SQLite pragmas")
    with node.database.reading() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_counter_hands_out_consecutive_numbers(node):
    with node.database.transaction() as conn:
        assert allocate(conn, "c") == 1
        assert allocate(conn, "c", 10) == 2
        assert allocate(conn, "c") == 12
        assert peek(conn, "c") == 12
        assert peek(conn, "unused") == 0


def test_counter_never_repeats_across_concurrent_transactions(database_url):
    seen: list[int] = []
    lock = threading.Lock()

    def take() -> None:
        database = Database(database_url)
        for _ in range(20):
            with database.transaction() as conn:
                value = allocate(conn, "shared")
            with lock:
                seen.append(value)
        database.dispose()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 81))


def test_failed_batch_writes_nothing(world, node, clock):
    good = IssueRequest(
        type_code=type_code("household-register"),
        holder=HolderClaim(identifier=person_id(), name="甲"),
        fields=example_fields("household-register"),
        serial="SAME1",
    )
    with pytest.raises(Exception):  # noqa: B017  # the second row's serial collides
        with node.database.transaction() as conn:
            issue_licenses(
                conn,
                node,
                issuer=world.departments["psb_tianshan"],
                requests=[good, good],
                actor="test",
                now=clock.now(),
            )
    with node.database.reading() as conn:
        assert conn.execute(select(licenses)).all() == []


def test_postgres_url_without_driver_is_accepted(database_url):
    if not is_postgres(database_url):
        pytest.skip("PostgreSQL URL forms")
    plain = database_url.replace("postgresql+psycopg://", "postgresql://")
    database = Database(plain)
    with database.reading() as conn:
        assert conn.execute(text("select 1")).scalar() == 1
    database.dispose()
