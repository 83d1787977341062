"""Two shares racing for an authorization's last use: exactly one gets it.

Run on both databases: on PostgreSQL the second transaction waits on the row lock
of the first's update, then finds no use left; SQLite serializes the writers.
"""

import threading

import pytest
from sqlalchemy import text

from conftest import is_postgres
from sharing.support import BANK, CARD_MATTER, HOLDER, set_up_sharing
from zhengzhao.errors import AuthorizationUsedUp
from zhengzhao.model.parties import Principal, Role
from zhengzhao.node import Node
from zhengzhao.sharing.shares import ShareRequest, make_share
from zhengzhao.storage import parties as party_store


def racing(world):
    """The bank's principal and a share request under a one-use authorization."""
    granted = set_up_sharing(world).grant(uses=1)
    with world.node.database.reading() as conn:
        party = party_store.party_by_code(conn, BANK)
    principal = Principal(
        client_id="race", name="race", role=Role.USING_PARTY, party=party
    )
    request = ShareRequest(
        holder_identifier=HOLDER,
        matter_code=CARD_MATTER,
        authorization_id=granted["id"],
    )
    return principal, request


def test_last_use_goes_to_exactly_one_of_two_concurrent_shares(world, settings, clock):
    principal, request = racing(world)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def race() -> None:
        node = Node(settings)  # its own connections, as a second worker has
        try:
            barrier.wait()
            with node.database.transaction() as conn:
                made = make_share(
                    conn, node, principal=principal, request=request, now=clock.now()
                )
                outcome = f"shared {len(made.copies)}"
        except AuthorizationUsedUp as refusal:
            outcome = refusal.code
        finally:
            node.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["authorization-used-up", "shared 1"]


def test_share_that_read_the_last_use_as_free_still_loses_it(
    world, settings, clock, database_url
):
    # The second share reads `uses_left = 1` while the first, uncommitted, has taken
    # it; its update then waits on the first's row lock and finds none left.
    if not is_postgres(database_url):
        pytest.skip("row locks: PostgreSQL (SQLite lets one writer in at a time)")
    principal, request = racing(world)
    first_took_it = threading.Event()
    outcomes: list[str] = []

    def second() -> None:
        node = Node(settings)
        first_took_it.wait()
        try:
            with node.database.transaction() as conn:
                make_share(
                    conn, node, principal=principal, request=request, now=clock.now()
                )
            outcomes.append("shared")
        except AuthorizationUsedUp as refusal:
            outcomes.append(refusal.code)
        finally:
            node.close()

    node = Node(settings)
    thread = threading.Thread(target=second)
    thread.start()
    with node.database.transaction() as conn:
        make_share(conn, node, principal=principal, request=request, now=clock.now())
        first_took_it.set()
        _wait_for_a_lock_waiter(node)
    thread.join()
    node.close()
    assert outcomes == ["authorization-used-up"]


def _wait_for_a_lock_waiter(node: Node) -> None:
    """Return once another session of this database waits for a row lock."""
    watcher = node.database.engine.connect()
    try:
        while not watcher.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname ="
                " current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one():
            watcher.rollback()
            threading.Event().wait(0.01)
    finally:
        watcher.close()
