"""Later lifecycle events of planned licenses, in orders the state machine allows.

A license's events are planned as one optional *last* event and, before it, a few
*blocks* in separate stretches of time. The last event is one that nothing follows:
a re-issuing extension or correction, or an ending (revoked, cancelled, abolished,
expired). A license whose term ran out before today mostly gets an extension, around
its last day, or an expiry after it. The blocks are an annual inspection, a mortgage
or pledge and its discharge, a suspension and its release. A block may stay open (a
mortgage not yet discharged, a suspension not yet released) only when it comes last
and no last event follows, because every event but a release or a discharge needs
the license valid (`zhengzhao.model.lifecycle.transition`).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zhengzhao.demo.dates import DAY, add_years, random_date
from zhengzhao.demo.reasons import reason
from zhengzhao.model.lifecycle import EventKind

__all__ = ["PlannedEvent", "plan_events"]

_KIND = EventKind
# Events are planned in the platform's era only: none more than this many years ago.
_HISTORY_YEARS = 15
_EXTENSION_LEAD = datetime.timedelta(days=90)  # renewals are applied for in advance
# An expiry is recorded within this time after the last valid day.
_EXPIRY_NOTICE = datetime.timedelta(days=60)
_EXTENDED_SHARE = 0.55  # of lapsed licenses that can be extended
_RECORDED_SHARE = 0.93  # of lapsed licenses, extended or recorded as expired
_EARLY_EXTENSION_SHARE = 0.5  # of licenses whose term ends within the lead time
_DISCHARGED_SHARE = 0.55
_RELEASED_SHARE = 0.85


@dataclass(frozen=True, kw_only=True)
class PlannedEvent:
    """An event to record on a planned license after it is issued."""

    kind: EventKind
    """What happens; `EventKind` values are the strings the API takes."""
    occurred_on: datetime.date
    """The day it happened: after the issue day, before the planning day."""
    reason: str | None = None
    """Why, in Chinese, as the department would record it."""
    valid_until: datetime.date | None = None
    """For an extension, the new last valid day; otherwise ``None``."""
    fields: Mapping[str, Any] | None = field(default=None, hash=False)
    """For a correction, the corrected surface fields; the others stay."""


@dataclass(frozen=True)
class _Profile:
    """How likely each kind of event is for a license type."""

    inspection: float = 0.0
    suspension: float = 0.0
    mortgage: float = 0.0
    pledge: float = 0.0
    endings: tuple[tuple[EventKind, float], ...] = ()
    correction: float = 0.0


_PROFILES = {
    "resident-identity-card": _Profile(
        endings=((_KIND.CANCELLED, 0.006),), correction=0.06
    ),
    "household-register": _Profile(endings=((_KIND.CANCELLED, 0.04),), correction=0.1),
    "social-security-card": _Profile(
        endings=((_KIND.CANCELLED, 0.02),), correction=0.05
    ),
    "medical-insurance-certificate": _Profile(endings=((_KIND.CANCELLED, 0.02),)),
    "motor-vehicle-driving-licence": _Profile(
        suspension=0.08, endings=((_KIND.REVOKED, 0.01),), correction=0.03
    ),
    "motor-vehicle-registration-certificate": _Profile(
        inspection=0.45,
        mortgage=0.12,
        pledge=0.02,
        endings=((_KIND.CANCELLED, 0.04),),
        correction=0.02,
    ),
    "marriage-certificate": _Profile(endings=((_KIND.CANCELLED, 0.1),)),
    "birth-medical-certificate": _Profile(endings=((_KIND.ABOLISHED, 0.002),)),
    "real-estate-certificate": _Profile(
        mortgage=0.35, endings=((_KIND.CANCELLED, 0.01),), correction=0.03
    ),
    "academic-certificate": _Profile(endings=((_KIND.ABOLISHED, 0.002),)),
    "degree-certificate": _Profile(endings=((_KIND.REVOKED, 0.002),)),
    "professional-qualification-certificate": _Profile(
        endings=((_KIND.REVOKED, 0.005),)
    ),
    "vocational-skill-level-certificate": _Profile(endings=((_KIND.REVOKED, 0.005),)),
    "business-licence": _Profile(
        inspection=0.06,
        endings=((_KIND.REVOKED, 0.04), (_KIND.CANCELLED, 0.07)),
        correction=0.04,
    ),
    "food-business-licence": _Profile(
        suspension=0.03,
        endings=((_KIND.REVOKED, 0.015), (_KIND.CANCELLED, 0.06)),
        correction=0.03,
    ),
    "public-institution-legal-person-certificate": _Profile(
        inspection=0.35, endings=((_KIND.CANCELLED, 0.01),), correction=0.03
    ),
    "social-organisation-legal-person-certificate": _Profile(
        inspection=0.5,
        endings=((_KIND.REVOKED, 0.01), (_KIND.CANCELLED, 0.02)),
        correction=0.03,
    ),
    "enterprise-investment-project-registration-certificate": _Profile(
        endings=((_KIND.ABOLISHED, 0.03),), correction=0.06
    ),
}
_NOTHING = _Profile()


def plan_events(
    rng: random.Random,
    *,
    type_key: str,
    issue_date: datetime.date,
    term_end: datetime.date | None,
    renew: Callable[[datetime.date], datetime.date | None] | None,
    correction: Mapping[str, Any] | None,
    today: datetime.date,
) -> tuple[PlannedEvent, ...]:
    """The events of one license of type ``type_key``, oldest first.

    ``term_end`` is its last valid day (``None`` for a permanent one); ``renew``
    gives the new last day of an extension recorded on a day, ``None`` where the
    license cannot be extended; ``correction`` is what a correction would set. Every
    event falls after ``issue_date``, before ``today`` and within fifteen years of it.
    """
    first = max(issue_date + DAY, add_years(today, -_HISTORY_YEARS))
    last = today - DAY
    if first > last:
        return ()
    profile = _PROFILES.get(type_key, _NOTHING)
    if term_end is not None and term_end < last:
        final = _after_term(rng, type_key, first, last, term_end, renew)
    else:
        final = _final(rng, profile, type_key, first, last, term_end, renew, correction)
    horizon = last if final is None else final.occurred_on - DAY
    if term_end is not None:
        horizon = min(horizon, term_end)
    events = _placed(
        rng, type_key, _blocks(rng, profile, final is None), first, horizon
    )
    return (*events, final) if final is not None else events


def _after_term(
    rng: random.Random,
    type_key: str,
    first: datetime.date,
    last: datetime.date,
    term_end: datetime.date,
    renew: Callable[[datetime.date], datetime.date | None] | None,
) -> PlannedEvent | None:
    roll = rng.random()
    if roll < _EXTENDED_SHARE and renew is not None:
        on = random_date(
            rng, max(first, term_end - _EXTENSION_LEAD), min(term_end, last)
        )
        extended = _extension(type_key, on, renew(on), term_end)
        if extended is not None:
            return extended
    if roll < _RECORDED_SHARE:
        on = random_date(rng, term_end + DAY, min(term_end + _EXPIRY_NOTICE, last))
        return _event(type_key, _KIND.EXPIRED, on)
    return None


def _final(
    rng: random.Random,
    profile: _Profile,
    type_key: str,
    first: datetime.date,
    last: datetime.date,
    term_end: datetime.date | None,
    renew: Callable[[datetime.date], datetime.date | None] | None,
    correction: Mapping[str, Any] | None,
) -> PlannedEvent | None:
    for kind, share in profile.endings:
        if rng.random() < share:
            return _event(type_key, kind, random_date(rng, first, last))
    if correction is not None and rng.random() < profile.correction:
        on = random_date(rng, first, last)
        return PlannedEvent(
            kind=_KIND.CORRECTED,
            occurred_on=on,
            reason=reason(type_key, _KIND.CORRECTED),
            fields=dict(correction),
        )
    near_end = term_end is not None and term_end - last <= _EXTENSION_LEAD
    if renew is not None and term_end is not None and near_end:
        if rng.random() < _EARLY_EXTENSION_SHARE:
            on = random_date(rng, max(first, term_end - _EXTENSION_LEAD), last)
            return _extension(type_key, on, renew(on), term_end)
    return None


def _extension(
    type_key: str,
    on: datetime.date,
    new_end: datetime.date | None,
    term_end: datetime.date,
) -> PlannedEvent | None:
    if new_end is None or new_end <= term_end:
        return None
    return PlannedEvent(
        kind=_KIND.EXTENDED,
        occurred_on=on,
        reason=reason(type_key, _KIND.EXTENDED),
        valid_until=new_end,
    )


def _blocks(
    rng: random.Random, profile: _Profile, may_stay_open: bool
) -> list[list[EventKind]]:
    closed: list[list[EventKind]] = []
    still_open: list[list[EventKind]] = []
    if rng.random() < profile.inspection:
        closed += [[_KIND.ANNUAL_INSPECTION] for _ in range(rng.randint(1, 3))]
    encumbrance = None
    if rng.random() < profile.mortgage:
        encumbrance = _KIND.MORTGAGED
    elif rng.random() < profile.pledge:
        encumbrance = _KIND.PLEDGED
    if encumbrance is not None:
        if rng.random() < _DISCHARGED_SHARE or not may_stay_open:
            closed.append([encumbrance, _KIND.DISCHARGED])
        else:
            still_open.append([encumbrance])
    # A suspension comes after an open mortgage: a mortgage needs the license valid.
    if rng.random() < profile.suspension:
        if rng.random() < _RELEASED_SHARE or not may_stay_open:
            closed.append([_KIND.SUSPENDED, _KIND.RELEASED])
        else:
            still_open.append([_KIND.SUSPENDED])
    rng.shuffle(closed)
    return closed + still_open


def _placed(
    rng: random.Random,
    type_key: str,
    blocks: list[list[EventKind]],
    first: datetime.date,
    last: datetime.date,
) -> tuple[PlannedEvent, ...]:
    """The blocks' events, each block on its own days of an equal share of time."""
    if not blocks:
        return ()
    share = ((last - first).days + 1) // len(blocks)
    events = []
    for index, block in enumerate(blocks):
        if share < len(block):
            continue
        start = first + datetime.timedelta(days=index * share)
        offsets = sorted(rng.sample(range(share), len(block)))
        events += [
            _event(type_key, kind, start + datetime.timedelta(days=offset))
            for kind, offset in zip(block, offsets, strict=True)
        ]
    return tuple(events)


def _event(type_key: str, kind: EventKind, on: datetime.date) -> PlannedEvent:
    return PlannedEvent(kind=kind, occurred_on=on, reason=reason(type_key, kind))
