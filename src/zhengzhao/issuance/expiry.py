"""The expiry sweep: every license still in force after its last valid day expires.

A license's term ends by itself, so the node records the `expired` event (signed with
the issuer's key, as every event is) for each license that is valid or suspended on a
day after its last valid day. `expire_lapsed` does it in chunks of `CHUNK` licenses,
each chunk one transaction, so that a sweep interrupted at any moment leaves every
license either expired with its event and log leaf, or untouched for the next sweep.
`ExpiryThread` runs a sweep when `zhengzhao serve` starts and then every
`expiry_interval_hours`.

A license of a department that was deactivated, or that has no key to sign with, is
left as it is and counted: its department records nothing until an operator acts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from zhengzhao.errors import DepartmentDeactivated, InvalidRequest, NoActiveKey
from zhengzhao.issuance.lifecycle import record_expiry
from zhengzhao.model.time import Clock, local_date
from zhengzhao.node import Node
from zhengzhao.storage import expiry as expiry_store

__all__ = ["CHUNK", "ExpirySweep", "ExpiryThread", "expire_lapsed", "lapsed_count"]

logger = logging.getLogger(__name__)

#: Licenses expired per transaction: each is a signed event and a log leaf, so a
#: chunk takes well under a second and holds its locks that long.
CHUNK = 200


@dataclass(frozen=True, kw_only=True)
class ExpirySweep:
    """What one sweep did."""

    #: Licenses whose last valid day lies before this day were due.
    as_of: date
    #: Licenses recorded as expired.
    expired: int
    #: Licenses another process changed between the query and the lock.
    changed_meanwhile: int
    #: Licenses left in force because their department can sign nothing.
    blocked: int
    #: Why, one sentence per department that blocked any.
    problems: tuple[str, ...]


def lapsed_count(node: Node, *, as_of: date) -> int:
    """How many licenses in force have a last valid day before ``as_of``."""
    with node.database.reading() as conn:
        return expiry_store.lapsed_count(conn, before=as_of)


def expire_lapsed(
    node: Node,
    *,
    as_of: date,
    now: datetime,
    chunk: int = CHUNK,
    progress: Callable[[int], None] = lambda _done: None,
    keep_going: Callable[[], bool] = lambda: True,
) -> ExpirySweep:
    """Record the expiry of every license in force whose last valid day lies before
    ``as_of`` (today or earlier), ``chunk`` licenses per transaction; ``progress``
    gets the licenses done after each chunk, and the sweep stops between chunks
    once ``keep_going`` says no. Raises `InvalidRequest` for an ``as_of`` after
    today: no license expires ahead of time."""
    today = local_date(now)
    if as_of > today:
        raise InvalidRequest(
            f"--as-of {as_of.isoformat()} is after today ({today.isoformat()}); a"
            " license expires once its last valid day has passed, not before"
        )
    expired = changed = blocked = 0
    problems: dict[str, None] = {}
    after = 0
    while keep_going():
        with node.database.transaction() as conn:
            page = expiry_store.lapsed_licenses(
                conn, before=as_of, after_row_id=after, limit=chunk
            )
            for _row_id, identifier in page:
                try:
                    recorded = record_expiry(
                        conn, node, identifier=identifier, as_of=as_of, now=now
                    )
                except (DepartmentDeactivated, NoActiveKey) as exc:
                    # Raised before anything is written: the chunk carries on.
                    blocked += 1
                    problems.setdefault(exc.message)
                    continue
                expired += recorded is not None
                changed += recorded is None
        if not page:
            break
        after = page[-1][0]
        progress(len(page))
    sweep = ExpirySweep(
        as_of=as_of,
        expired=expired,
        changed_meanwhile=changed,
        blocked=blocked,
        problems=tuple(problems),
    )
    _log(sweep)
    return sweep


def _log(sweep: ExpirySweep) -> None:
    logger.info(
        "expiry sweep as of %s: %d expired, %d changed meanwhile, %d blocked",
        sweep.as_of.isoformat(),
        sweep.expired,
        sweep.changed_meanwhile,
        sweep.blocked,
    )
    for problem in sweep.problems:
        logger.warning("licenses past their last day left in force: %s", problem)


class ExpiryThread:
    """Sweeps when started, then every ``interval`` seconds, until stopped."""

    def __init__(self, node: Node, *, clock: Clock, interval: float) -> None:
        self._node = node
        self._clock = clock
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="license-expiry", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop after the chunk under way."""
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = self._clock.now()
            try:
                expire_lapsed(
                    self._node,
                    as_of=local_date(now),
                    now=now,
                    keep_going=lambda: not self._stop.is_set(),
                )
            except Exception:
                # A lost database connection, say: the committed chunks stay, and
                # the next sweep picks up the rest.
                logger.exception("expiry sweep failed; retrying at the next interval")
            self._stop.wait(self._interval)
