"""Date arithmetic for synthetic records: anniversaries, ages, random days."""

from __future__ import annotations

import datetime
import random

__all__ = ["DAY", "add_years", "age_on", "random_date"]

DAY = datetime.timedelta(days=1)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same month and day ``years`` later (or earlier); 29 February becomes 28."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Completed years of age on ``day``."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def random_date(
    rng: random.Random, start: datetime.date, end: datetime.date
) -> datetime.date:
    """A day from ``start`` to ``end`` inclusive; ``start`` if ``end`` is before it."""
    span = (end - start).days
    if span <= 0:
        return start
    return start + datetime.timedelta(days=rng.randint(0, span))
