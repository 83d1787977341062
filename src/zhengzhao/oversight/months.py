"""The month an assessment covers, with its boundaries in China Standard Time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from zhengzhao.errors import InvalidRequest
from zhengzhao.model.time import start_of_day

__all__ = ["Month", "Window"]

_FORM = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, such as 2026-11."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``YYYY-MM``; raises `InvalidRequest` naming the form expected."""
        match = _FORM.fullmatch(text.strip())
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise InvalidRequest(
                f"month {text!r} is not a month; write it as YYYY-MM, such as 2026-11"
            )
        year = int(match.group(1))
        if not 1949 <= year <= 9998:
            raise InvalidRequest(
                f"month {text} lies outside any license's life; give a month of"
                " 1949 or later"
            )
        return cls(year, int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """Its first instant, in China Standard Time."""
        return start_of_day(self.first_day)

    @property
    def end(self) -> datetime:
        """The first instant of the next month: the month ends just before it."""
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def window(self, now: datetime) -> Window:
        """The part of the month that has happened by ``now``; raises
        `InvalidRequest` for a month that has not begun."""
        if now < self.start:
            raise InvalidRequest(
                f"month {self} has not begun; assess a month up to the current one"
            )
        return Window(month=self, start=self.start, end=min(self.end, now))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, kw_only=True)
class Window:
    """The instants an assessment of ``month`` covers: from ``start`` up to, and not
    including, ``end`` (the month's end, or the moment of assessing)."""

    month: Month
    start: datetime
    end: datetime

    @property
    def complete(self) -> bool:
        """Whether the whole month lies in the window."""
        return self.end == self.month.end
