"""Time as the platform reasons about it.

Timestamps are timezone-aware UTC everywhere. Licenses, though, are valid on *days*,
and a day in the region's law is a day in China Standard Time (UTC+8, no daylight
saving), so dates are taken in that zone. Domain code never reads the clock: the edges
pass the time in, and tests pass a fixed one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Protocol

__all__ = [
    "CHINA_STANDARD_TIME",
    "Clock",
    "SystemClock",
    "end_of_day",
    "local_date",
    "start_of_day",
    "to_rfc3339",
]

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


class Clock(Protocol):
    """Where the edges get the current time from."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def local_date(moment: datetime) -> date:
    """The calendar day in China Standard Time at ``moment``."""
    return moment.astimezone(CHINA_STANDARD_TIME).date()


def start_of_day(day: date) -> datetime:
    """The first instant of ``day`` in China Standard Time."""
    return datetime.combine(day, time(0, 0, 0), CHINA_STANDARD_TIME)


def end_of_day(day: date) -> datetime:
    """The last whole second of ``day`` in China Standard Time."""
    return datetime.combine(day, time(23, 59, 59), CHINA_STANDARD_TIME)


def to_rfc3339(moment: datetime) -> str:
    """``moment`` as an XML Schema dateTimeStamp, to the second, with its offset."""
    if moment.tzinfo is None:
        raise ValueError("a timestamp without a zone is ambiguous")
    text = moment.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
