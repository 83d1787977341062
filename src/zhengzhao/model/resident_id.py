"""Resident identity numbers (公民身份号码) of GB 11643.

Eighteen characters: the six-digit GB/T 2260 code of the division where the number
was issued, the birth date as ``YYYYMMDD``, a three-digit sequence that is odd for
men and even for women, and an ISO/IEC 7064 MOD 11-2 check character (``X`` for
ten) over the seventeen digits before it.

The division code must be a known code, current or retired. Its years are not
compared with the birth date: a number is assigned when a person is registered,
often years after birth (someone born in 1960 carries a code of 1985), and the years
come from a compilation of the published lists, too coarse to refuse a number on.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from zhengzhao.errors import InvalidIdentifier
from zhengzhao.model import divisions
from zhengzhao.model.iso7064 import DIGITS, mod_11_2

__all__ = ["ResidentId", "Sex", "resident_id_check_character"]

_LENGTH = 18
_BODY_LENGTH = 17  # everything before the check character
_BODY = slice(0, _BODY_LENGTH)
_DIVISION = slice(0, 6)
_BIRTH_DATE = slice(6, 14)
_SEQUENCE = slice(14, 17)
_SEQUENCE_LIMIT = 1000  # three digits


class Sex(StrEnum):
    """The sex a number's sequence encodes."""

    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True, kw_only=True)
class ResidentId:
    """A resident identity number that passed every check of GB 11643.

    ``value``: the eighteen characters, check character ``X`` upper-case.
    ``division_code``: the GB/T 2260 code of the issuing division.
    ``birth_date``: the holder's date of birth.
    ``sequence``: the order among people of the same division and birth date, 0–999.
    ``sex``: male for an odd sequence, female for an even one.
    """

    value: str
    division_code: str
    birth_date: datetime.date
    sequence: int
    sex: Sex

    @classmethod
    def parse(cls, text: str, *, today: datetime.date | None = None) -> ResidentId:
        """Check ``text`` and return its parts; raises `InvalidIdentifier`.

        Surrounding whitespace is ignored and ``x`` read as ``X``. A birth date
        after ``today`` is refused; without ``today`` no such check is made.
        """
        value = text.strip().upper()
        _check_shape(value)
        division_code = value[_DIVISION]
        if not divisions.is_known(division_code):
            raise _invalid(f"division code {division_code} is not a GB/T 2260 code")
        birth_date = _birth_date(value[_BIRTH_DATE], today)
        expected = mod_11_2(value[_BODY])
        if value[-1] != expected:
            raise _invalid(f"check character is {value[-1]}, expected {expected}")
        sequence = int(value[_SEQUENCE])
        return cls(
            value=value,
            division_code=division_code,
            birth_date=birth_date,
            sequence=sequence,
            sex=Sex.MALE if sequence % 2 else Sex.FEMALE,
        )

    @classmethod
    def build(
        cls, *, division_code: str, birth_date: datetime.date, sequence: int
    ) -> ResidentId:
        """The number for these parts, with its check character computed."""
        if not 0 <= sequence < _SEQUENCE_LIMIT:
            raise _invalid(f"sequence must be 0 to 999, got {sequence}")
        body = f"{division_code}{birth_date:%Y%m%d}{sequence:03d}"
        return cls.parse(body + resident_id_check_character(body))


def resident_id_check_character(body: str) -> str:
    """The check character of a number's first seventeen digits."""
    if len(body) != _BODY_LENGTH:
        raise _invalid(f"the body must be {_BODY_LENGTH} digits, got {len(body)}")
    return mod_11_2(body)


def _check_shape(value: str) -> None:
    if len(value) != _LENGTH:
        raise _invalid(f"must be {_LENGTH} characters, got {len(value)}")
    for position, char in enumerate(value[_BODY], start=1):
        if char not in DIGITS:
            raise _invalid(f"character {position} must be a digit, got {char!r}")
    if value[-1] not in DIGITS + "X":
        raise _invalid(f"check character must be a digit or X, got {value[-1]!r}")


def _birth_date(digits: str, today: datetime.date | None) -> datetime.date:
    try:
        birth_date = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError as exc:
        raise _invalid(f"birth date {digits} is not a real date") from exc
    if today is not None and birth_date > today:
        raise _invalid(f"birth date {digits} is after today, {today.isoformat()}")
    return birth_date


def _invalid(message: str) -> InvalidIdentifier:
    return InvalidIdentifier(message, details={"kind": "resident-id"})
