"""The audit's check of every license's current state against its events.

A license's stored status and encumbrance drive its status lists, its national
status code and every verification on the node, yet they are columns anyone with
database access can change without touching an event. So the audit replays each
license version's events (kinds and days, as stored and, by the rest of the audit,
as logged) through the lifecycle state machine (`model.lifecycle.replay`) and names
every version whose stored state is not the one its events lead to: `state-changed`.

A version starts where its predecessor's re-issuing event left it (a correction
keeps a suspension), else valid. Versions are read in row order, `PAGE` at a time;
a successor is always stored after its predecessor, so only the starting states of
successors not yet reached are held.
"""

from __future__ import annotations

from zhengzhao.errors import TransitionRefused
from zhengzhao.model.license import Encumbrance, LicenseStatus, national_status_code
from zhengzhao.model.lifecycle import EventKind, State, replay
from zhengzhao.model.time import local_date
from zhengzhao.node import Node
from zhengzhao.storage import log as log_store
from zhengzhao.translog.audit_report import AuditReport, Finding

__all__ = ["PAGE", "check_states"]

#: License versions read per query.
PAGE = 2000


def check_states(node: Node, report: AuditReport) -> None:
    """Add a `state-changed` finding for every license version whose stored
    status or encumbrance is not what its events imply."""
    starts: dict[int, State] = {}
    after = 0
    while True:
        with node.database.reading() as conn:
            page = log_store.license_states(conn, after_row_id=after, limit=PAGE)
        if not page:
            return
        for stored in page:
            finding = _check(stored, starts)
            if finding is not None:
                report.add(finding)
        after = page[-1].row_id


def _check(stored: log_store.StoredState, starts: dict[int, State]) -> Finding | None:
    start = State(LicenseStatus.VALID)
    if stored.supersedes_id is not None:
        start = starts.pop(stored.supersedes_id, start)
    events = list(stored.events)
    if events and events[0][0] == EventKind.ISSUED.value:
        events = events[1:]
    try:
        implied = replay(
            [(EventKind(kind), local_date(at)) for kind, at in events],
            start=start,
            valid_until=stored.valid_until,
        )
    except (TransitionRefused, ValueError) as exc:
        why = exc.message if isinstance(exc, TransitionRefused) else str(exc)
        return _finding(
            stored,
            f"its events are not a history the lifecycle allows ({why}); it is"
            f" stored as {_stored_text(stored)}",
        )
    if implied.successor is not None:
        starts[stored.row_id] = implied.successor
    if _stored_state(stored) == implied.state:
        return None
    return _finding(
        stored,
        f"it is stored as {_stored_text(stored)}, but its events make it"
        f" {_state_text(implied.state)}",
    )


def _stored_state(stored: log_store.StoredState) -> State | None:
    try:
        return State(
            LicenseStatus(stored.status),
            Encumbrance(stored.encumbrance) if stored.encumbrance else None,
        )
    except ValueError:
        return None  # a value no event makes


def _stored_text(stored: log_store.StoredState) -> str:
    state = _stored_state(stored)
    if state is None:
        return f"status {stored.status!r}, encumbrance {stored.encumbrance!r}"
    return _state_text(state)


def _state_text(state: State) -> str:
    code = national_status_code(state.status, state.encumbrance)
    burden = f", {state.encumbrance}" if state.encumbrance else ", unencumbered"
    return f"{state.status} ({code}){burden}"


def _finding(stored: log_store.StoredState, detail: str) -> Finding:
    return Finding("state-changed", None, stored.identifier, None, detail)
