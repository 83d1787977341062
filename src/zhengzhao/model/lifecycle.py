"""The license lifecycle as a state machine.

Every change to a license is an event of one of the kinds below. `transition` decides,
from the license's current status and encumbrance, whether an event may happen and what
follows; it refuses impossible events with a `TransitionRefused` that says why.

Three events re-issue the license: an extension, a correction and a transfer close the
current version (superseded, or transferred out) and open a new version, linked to it,
that carries the state given in `Outcome.successor`.

After its last valid day a license is in force no more: only an extension (a late
renewal), its expiry, a cancellation (the 注销 that follows a permit's lapse) and a
revocation (a penalty for what was done while it was valid) may happen to it; any
other event dated after that day is refused with `TermEnded`. `replay` runs a
license's recorded history through the same rules, to say which state it implies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import NoReturn

from zhengzhao.errors import TermEnded, TransitionRefused
from zhengzhao.model.license import Encumbrance, LicenseStatus

__all__ = [
    "PAST_TERM",
    "EventKind",
    "LicenseEvent",
    "Outcome",
    "State",
    "replay",
    "transition",
]


class EventKind(StrEnum):
    """What happened to a license. The Chinese terms are the plan's own."""

    ISSUED = "issued"  # 发证
    ANNUAL_INSPECTION = "annual-inspection"  # 年检
    EXTENDED = "extended"  # 延续
    CORRECTED = "corrected"  # 更正
    SUSPENDED = "suspended"  # 暂扣
    RELEASED = "released"  # 发还
    MORTGAGED = "mortgaged"  # 抵押
    PLEDGED = "pledged"  # 质押
    DISCHARGED = "discharged"  # 解除抵押或质押
    REVOKED = "revoked"  # 吊销
    CANCELLED = "cancelled"  # 注销
    ABOLISHED = "abolished"  # 废止
    TRANSFERRED = "transferred"  # 转移
    EXPIRED = "expired"  # 过期

    @property
    def reissues(self) -> bool:
        """Whether the event closes this version and opens a new one."""
        return self in _REISSUING


_REISSUING = frozenset({EventKind.EXTENDED, EventKind.CORRECTED, EventKind.TRANSFERRED})

#: Events that end a license for good, and the status each leaves behind.
_ENDINGS = {
    EventKind.REVOKED: LicenseStatus.REVOKED,
    EventKind.CANCELLED: LicenseStatus.CANCELLED,
    EventKind.ABOLISHED: LicenseStatus.ABOLISHED,
    EventKind.EXPIRED: LicenseStatus.EXPIRED,
}
_ENCUMBERING = {
    EventKind.MORTGAGED: Encumbrance.MORTGAGED,
    EventKind.PLEDGED: Encumbrance.PLEDGED,
}
#: The events a license can still take once its last valid day has passed.
PAST_TERM = frozenset(
    {EventKind.EXTENDED, EventKind.EXPIRED, EventKind.CANCELLED, EventKind.REVOKED}
)


@dataclass(frozen=True)
class State:
    """The part of a license the state machine reads and writes."""

    status: LicenseStatus
    encumbrance: Encumbrance | None = None


@dataclass(frozen=True)
class Outcome:
    """What an allowed event does."""

    #: The state of the license the event was recorded on, after the event.
    state: State
    #: For re-issuing events, the state of the new version; otherwise None.
    successor: State | None = None


def transition(
    kind: EventKind, current: State, *, valid_until: date | None, on: date
) -> Outcome:
    """The outcome of event ``kind`` on a license in state ``current``, on day ``on``.

    Raises `TermEnded` for an event after the last valid day that only a license in
    force can take, `TransitionRefused` when the event is impossible in this state.
    """
    outcome = _outcome(kind, current, valid_until=valid_until, on=on)
    if valid_until is not None and on > valid_until and kind not in PAST_TERM:
        allowed = ", ".join(f"`{k}`" for k in sorted(PAST_TERM))
        raise TermEnded(
            f"cannot record `{kind}` on {on.isoformat()}: the license was valid until"
            f" {valid_until.isoformat()}, and after that only {allowed} can be"
            " recorded; record its expiry (`zhengzhao licenses expire` records it for"
            " every license past its last day)",
            details={
                "event": str(kind),
                "validUntil": valid_until.isoformat(),
                "on": on.isoformat(),
            },
        )
    return outcome


def replay(
    events: Iterable[tuple[EventKind, date]],
    *,
    start: State,
    valid_until: date | None,
) -> Outcome:
    """The state a license version reaches from ``start`` (the state it was issued
    in) through ``events``, each its kind and the day it happened, in order, the
    issuance left out; ``successor`` is the state the last re-issuing event opened.

    Each event is decided as `transition` decides it, except that the term rule is
    not applied: a history recorded before that rule existed replays as it was.
    Raises `TransitionRefused` when the events are not a history the state machine
    allows.
    """
    outcome = Outcome(start)
    successor = None
    for kind, on in events:
        outcome = _outcome(kind, outcome.state, valid_until=valid_until, on=on)
        successor = outcome.successor or successor
    return Outcome(outcome.state, successor)


def _outcome(
    kind: EventKind, current: State, *, valid_until: date | None, on: date
) -> Outcome:
    if kind is EventKind.ISSUED:
        raise TransitionRefused(
            "a license is issued once; record a new license instead of an `issued`"
            " event"
        )
    if current.status.is_terminal:
        raise TransitionRefused(
            f"cannot record `{kind}`: the license is {current.status} and no event can"
            " follow that",
            details={"status": str(current.status), "event": str(kind)},
        )
    if kind in _ENDINGS:
        return _ending(kind, current, valid_until=valid_until, on=on)
    if kind in _ENCUMBERING:
        return _encumbering(kind, current)
    return _RULES[kind](kind, current)


def _ending(
    kind: EventKind, current: State, *, valid_until: date | None, on: date
) -> Outcome:
    if kind is EventKind.EXPIRED:
        if valid_until is None:
            _refuse(kind, current, "the license is permanent and never expires")
        elif on <= valid_until:
            _refuse(
                kind,
                current,
                f"the license is valid until {valid_until.isoformat()}; it can expire"
                " from the day after",
            )
    return Outcome(State(_ENDINGS[kind], current.encumbrance))


def _encumbering(kind: EventKind, current: State) -> Outcome:
    _require_valid(kind, current)
    if current.encumbrance is not None:
        _refuse(
            kind,
            current,
            f"the license is already {current.encumbrance}; discharge that first",
        )
    return Outcome(State(current.status, _ENCUMBERING[kind]))


def _annual_inspection(kind: EventKind, current: State) -> Outcome:
    _require_valid(kind, current)
    return Outcome(current)


def _suspend(kind: EventKind, current: State) -> Outcome:
    _require_valid(kind, current)
    return Outcome(State(LicenseStatus.SUSPENDED, current.encumbrance))


def _release(kind: EventKind, current: State) -> Outcome:
    if current.status is not LicenseStatus.SUSPENDED:
        _refuse(kind, current, "it was never suspended, so there is nothing to release")
    return Outcome(State(LicenseStatus.VALID, current.encumbrance))


def _discharge(kind: EventKind, current: State) -> Outcome:
    if current.encumbrance is None:
        _refuse(kind, current, "it is neither mortgaged nor pledged")
    return Outcome(State(current.status, None))


def _extend(kind: EventKind, current: State) -> Outcome:
    _require_valid(kind, current)
    return Outcome(
        State(LicenseStatus.SUPERSEDED, current.encumbrance),
        successor=State(LicenseStatus.VALID, current.encumbrance),
    )


def _correct(kind: EventKind, current: State) -> Outcome:
    # A correction fixes data; it neither lifts a suspension nor clears a mortgage.
    return Outcome(
        State(LicenseStatus.SUPERSEDED, current.encumbrance), successor=current
    )


def _transfer(kind: EventKind, current: State) -> Outcome:
    _require_valid(kind, current)
    if current.encumbrance is not None:
        _refuse(
            kind,
            current,
            f"it is {current.encumbrance}; the security interest must be discharged"
            " before a transfer",
        )
    return Outcome(
        State(LicenseStatus.TRANSFERRED, None), successor=State(LicenseStatus.VALID)
    )


_RULES = {
    EventKind.ANNUAL_INSPECTION: _annual_inspection,
    EventKind.EXTENDED: _extend,
    EventKind.CORRECTED: _correct,
    EventKind.SUSPENDED: _suspend,
    EventKind.RELEASED: _release,
    EventKind.DISCHARGED: _discharge,
    EventKind.TRANSFERRED: _transfer,
}


def _require_valid(kind: EventKind, current: State) -> None:
    if current.status is not LicenseStatus.VALID:
        _refuse(kind, current, f"the license is {current.status}, not valid")


def _refuse(kind: EventKind, current: State, why: str) -> NoReturn:
    raise TransitionRefused(
        f"cannot record `{kind}`: {why}",
        details={
            "status": str(current.status),
            "encumbrance": str(current.encumbrance) if current.encumbrance else None,
            "event": str(kind),
        },
    )


@dataclass(frozen=True, kw_only=True)
class LicenseEvent:
    """A recorded, signed lifecycle event."""

    license_identifier: str
    #: 1 for the issuance, then one more per event of this license version.
    sequence: int
    kind: EventKind
    #: When it happened (the department's statement) and when the node recorded it.
    occurred_at: datetime
    recorded_at: datetime
    #: Who recorded it: `client:<id>` for API clients, `gather:<batch>` for batches.
    actor: str
    reason: str | None
    #: The signed event document (JSON text) and the SHA-256 of its bytes, in hex.
    document: str
    document_hash: str
