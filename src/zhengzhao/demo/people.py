"""Synthetic residents of Xinjiang, and the relatives their licenses name.

Every resident identity number follows GB 11643: a current county-level division
code of the holder's home, the birth date, a sequence odd for men and even for women,
and the check character of `resident_id_check_character`. `UniqueValues` keeps the
numbers handed out. Holders take sequences below 500 and relatives (spouses,
parents) the rest, so that a relative never shares a holder's number even when the
two were drawn with different `UniqueValues`.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass

from zhengzhao.demo import names, places
from zhengzhao.demo.dates import DAY, add_years, random_date
from zhengzhao.errors import InvalidRequest
from zhengzhao.model.resident_id import resident_id_check_character

__all__ = [
    "FEMALE",
    "MALE",
    "Person",
    "Relative",
    "UniqueValues",
    "exhausted",
    "father_name",
    "make_people",
    "make_relative",
    "new_resident_id",
    "person_name",
]

MALE = "男"
FEMALE = "女"

# Share of each five-year age band, per mille, for 0-4 up to 85-90: a young
# population, as Xinjiang's is (shaped after the 2020 census, rounded).
_AGE_BANDS = (75, 80, 75, 65, 65, 75, 90, 85, 75, 75, 70, 55, 40, 30, 20, 12, 8, 5)
_BAND_YEARS = 5
_OLDEST = 90
_MALE_SHARE = 0.51  # Xinjiang's sex ratio is about 104 men to 100 women
_SEQUENCES = 1000  # three digits (GB 11643)
_RELATIVES_FROM = 500  # the sequences relatives take
_ATTEMPTS = 1000
# Weights of surnames fall with rank like 1 / (rank + 8): the top few are common.
_SURNAME_OFFSET = 8


class UniqueValues:
    """The values handed out so far, by kind, so that no two records share one."""

    def __init__(self) -> None:
        self._seen: dict[str, set[str]] = {}

    def claim(self, kind: str, value: str) -> bool:
        """Record ``value`` as handed out; whether it was new."""
        seen = self._seen.setdefault(kind, set())
        if value in seen:
            return False
        seen.add(value)
        return True

    def draw(self, kind: str, make: Callable[[], str]) -> str:
        """A value from ``make`` not handed out before as ``kind``.

        Raises `InvalidRequest` when a thousand attempts all repeat a value: the
        demo was asked for more values of the kind than its generator can make.
        """
        for _ in range(_ATTEMPTS):
            value = make()
            if self.claim(kind, value):
                return value
        raise exhausted(kind)


def exhausted(kind: str) -> InvalidRequest:
    """The error for a generator that keeps repeating values of ``kind``."""
    return InvalidRequest(
        f"no new {kind} after {_ATTEMPTS} attempts; ask the demo for fewer records"
    )


@dataclass(frozen=True, kw_only=True)
class Person:
    """A synthetic resident, the holder of personal licenses."""

    identifier: str
    """The 18-character resident identity number (GB 11643)."""
    name: str
    """The full name as the identity card prints it."""
    sex: str
    """男 or 女, as licenses print it."""
    birth_date: datetime.date
    """The date of birth, the one inside ``identifier``."""
    ethnicity: str
    """The ethnicity as licenses print it, without 族: 维吾尔, 汉."""
    division_code: str
    """The current county-level division of the home, the one inside ``identifier``."""
    address: str
    """The home address in that county, in Chinese."""


@dataclass(frozen=True, kw_only=True)
class Relative:
    """Someone a license names beside its holder: a spouse, a parent."""

    name: str
    identifier: str
    """A valid resident identity number of its own."""
    sex: str
    birth_date: datetime.date
    ethnicity: str


def make_people(
    rng: random.Random,
    count: int,
    *,
    today: datetime.date,
    unique: UniqueValues | None = None,
) -> tuple[Person, ...]:
    """``count`` residents aged 0 to 90 on ``today``, with distinct identifiers."""
    unique = unique if unique is not None else UniqueValues()
    return tuple(_person(rng, unique, today) for _ in range(count))


def person_name(
    rng: random.Random, ethnicity: str, sex: str, *, surname: str | None = None
) -> str:
    """A name of the ethnicity's tradition; ``surname`` fixes a Han-style surname."""
    style = names.STYLE_OF[ethnicity]
    if style is names.NameStyle.SURNAME:
        family = surname or _surname(rng, ethnicity)
        characters = (
            names.HAN_MALE_CHARACTERS if sex == MALE else names.HAN_FEMALE_CHARACTERS
        )
        length = 1 if rng.random() < 0.3 else 2
        return family + "".join(rng.choice(characters) for _ in range(length))
    given = rng.choice(
        names.MALE_GIVEN[ethnicity] if sex == MALE else names.FEMALE_GIVEN[ethnicity]
    )
    if style is names.NameStyle.SINGLE:
        return given
    return f"{given}·{_other(rng, names.MALE_GIVEN[ethnicity], given)}"


def father_name(rng: random.Random, child_name: str, ethnicity: str) -> str:
    """A name for the father of ``child_name`` that agrees with the child's name.

    A Han-style child carries the father's surname; a patronymic child's second
    name is the father's given name.
    """
    style = names.STYLE_OF[ethnicity]
    if style is names.NameStyle.SURNAME:
        return person_name(rng, ethnicity, MALE, surname=child_name[0])
    if style is names.NameStyle.PATRONYMIC and "·" in child_name:
        given = child_name.split("·", 1)[1]
        return f"{given}·{_other(rng, names.MALE_GIVEN[ethnicity], given)}"
    return person_name(rng, ethnicity, MALE)


def make_relative(
    rng: random.Random,
    unique: UniqueValues,
    *,
    name: str,
    sex: str,
    birth_date: datetime.date,
    ethnicity: str,
    division_code: str,
) -> Relative:
    """A relative with a new identity number issued in ``division_code``."""
    return Relative(
        name=name,
        identifier=new_resident_id(
            rng, unique, division_code, birth_date, sex, relative=True
        ),
        sex=sex,
        birth_date=birth_date,
        ethnicity=ethnicity,
    )


def new_resident_id(
    rng: random.Random,
    unique: UniqueValues,
    division_code: str,
    birth_date: datetime.date,
    sex: str,
    *,
    relative: bool = False,
) -> str:
    """A resident identity number not handed out before, for a holder or a relative."""
    parity = 1 if sex == MALE else 0
    start, stop = (_RELATIVES_FROM, _SEQUENCES) if relative else (0, _RELATIVES_FROM)

    prefix = f"{division_code}{birth_date:%Y%m%d}"

    def make() -> str:
        # ResidentId.build would parse its result again; the parts are known good.
        body = f"{prefix}{rng.randrange(start + parity, stop, 2):03d}"
        return body + resident_id_check_character(body)

    return unique.draw("resident-id", make)


def _person(rng: random.Random, unique: UniqueValues, today: datetime.date) -> Person:
    home = places.choose_home(rng)
    ethnicity = places.choose_ethnicity(rng, home)
    sex = MALE if rng.random() < _MALE_SHARE else FEMALE
    birth_date = _birth_date(rng, today)
    return Person(
        identifier=new_resident_id(rng, unique, home, birth_date, sex),
        name=person_name(rng, ethnicity, sex),
        sex=sex,
        birth_date=birth_date,
        ethnicity=ethnicity,
        division_code=home,
        address=places.home_address(rng, home),
    )


def _birth_date(rng: random.Random, today: datetime.date) -> datetime.date:
    band = rng.choices(range(len(_AGE_BANDS)), weights=_AGE_BANDS)[0]
    youngest = band * _BAND_YEARS
    oldest = _OLDEST if band == len(_AGE_BANDS) - 1 else youngest + _BAND_YEARS - 1
    earliest = add_years(today, -(oldest + 1)) + DAY
    return random_date(rng, earliest, add_years(today, -youngest))


def _other(rng: random.Random, choices: tuple[str, ...], besides: str) -> str:
    """A name from ``choices`` other than ``besides``: few sons bear their father's."""
    chosen = rng.choice(choices)
    while chosen == besides:
        chosen = rng.choice(choices)
    return chosen


def _surname(rng: random.Random, ethnicity: str) -> str:
    if ethnicity == "回":
        return rng.choice(names.HUI_SURNAMES)
    if ethnicity == "锡伯":
        return rng.choice(names.XIBE_SURNAMES)
    return rng.choices(names.HAN_SURNAMES, cum_weights=_SURNAME_CUM_WEIGHTS)[0]


_SURNAME_CUM_WEIGHTS = tuple(
    itertools.accumulate(
        1 / (rank + _SURNAME_OFFSET) for rank in range(len(names.HAN_SURNAMES))
    )
)
