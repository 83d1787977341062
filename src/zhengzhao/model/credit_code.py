"""Unified social credit codes (统一社会信用代码) of GB 32100.

Eighteen characters over ``0-9A-HJ-NP-RTUW-Y`` (no I, O, S, V or Z):

1. the registration authority (登记管理部门), such as 1 for 机构编制 or 9 for 工商;
2. the category of organisation (机构类别) within that authority's register;
3. to 8. the GB/T 2260 code of the registering authority's division, ``100000``
   for national registers;
9. to 17. the organisation code of GB 11714: eight characters and its own check
   character (weights 3, 7, 9, 10, 5, 8, 4, 2; 11 − sum mod 11; ``X`` for ten,
   ``0`` for eleven);
18. the check character: weights 3^i mod 31, value (31 − sum mod 31) mod 31.

Strict mode, the default, refuses a code whose organisation code or check
character fails: GB 32100 builds characters 9 to 17 by GB 11714, and every real
code in python-stdnum's public test list passes both checks. Lenient mode accepts
such a code, because a few codes assigned in the pilots before GB 32100 fail them
and remain legal; each failure comes back as a warning for the caller to record.
Lenient mode cannot tell a pilot-era code from a mistyped one, which is why its
warnings should be kept with whatever the code identifies. Neither mode accepts a
wrong length, a character outside the alphabet or a non-digit division code: no
legal code has them.

Not checked, in either mode: the registration authority and category, whose tables
grow as authorities are added (``A`` for the military, ``N`` for agriculture), and
whether the division code is in GB/T 2260, since national registers use ``100000``
and divisions come and go faster than any shipped list.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhengzhao.errors import InvalidIdentifier
from zhengzhao.model.iso7064 import ALPHANUMERIC, DIGITS

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "CreditCode",
    "credit_code_check_character",
    "is_pilot_era",
    "organisation_code_check_character",
    "parse_credit_code",
]

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

_LENGTH = 18
_BODY = slice(0, 17)
_DIVISION = slice(2, 8)
_ORGANISATION = slice(8, 17)
_MOD_31 = len(CREDIT_CODE_ALPHABET)  # GB 32100: one residue per character, 31 prime
_WEIGHTS = tuple(pow(3, i, _MOD_31) for i in range(_BODY.stop))  # GB 32100: 3^i mod 31
_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714
_MOD_11 = 11  # GB 11714
_PILOT = "accepted as a pilot-era code"


@dataclass(frozen=True, kw_only=True)
class CreditCode:
    """A unified social credit code, read strictly or leniently.

    ``value``: the eighteen characters, upper-case. ``registration_authority`` and
    ``category``: the first and second characters. ``division_code``: characters 3 to
    8. ``organisation_code``: characters 9 to 17, the GB 11714 code with its own
    check character. ``warnings``: the checks a pilot-era code failed and lenient
    mode forgave, empty for a code that passes every check.
    """

    value: str
    registration_authority: str
    category: str
    division_code: str
    organisation_code: str
    warnings: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str, *, lenient: bool = False) -> CreditCode:
        """Check ``text`` and return its parts; raises `InvalidIdentifier`.

        Surrounding whitespace is ignored and letters read as upper-case.
        """
        value = text.strip().upper()
        _check_shape(value)
        failures = _check_character_failures(value)
        if failures and not lenient:
            raise _invalid(failures[0])
        return cls(
            value=value,
            registration_authority=value[0],
            category=value[1],
            division_code=value[_DIVISION],
            organisation_code=value[_ORGANISATION],
            warnings=tuple(f"{failure}; {_PILOT}" for failure in failures),
        )

    @classmethod
    def build(
        cls,
        *,
        registration_authority: str,
        category: str,
        division_code: str,
        organisation_body: str,
    ) -> CreditCode:
        """The code for these parts, both check characters computed.

        ``organisation_body`` is the eight characters of the organisation code
        before its check character.
        """
        organisation = organisation_body + organisation_code_check_character(
            organisation_body
        )
        body = f"{registration_authority}{category}{division_code}{organisation}"
        return cls.parse(body + credit_code_check_character(body))


def parse_credit_code(text: str, *, lenient: bool, flag: str) -> CreditCode:
    """`CreditCode.parse` of a code a request sends, strictly unless the request says
    ``lenient``. A strict refusal of a code that lenient mode would accept names
    ``flag``: the request's way of saying that it is a pilot-era code."""
    try:
        return CreditCode.parse(text, lenient=lenient)
    except InvalidIdentifier as exc:
        if lenient or not is_pilot_era(text):
            raise
        raise _invalid(
            f"credit code {text.strip().upper()}: {exc.message}; if this is a"
            f" pilot-era code that is legal as it is, send it again with {flag}"
        ) from exc


def is_pilot_era(text: str) -> bool:
    """Whether ``text`` fails strictly but passes leniently: a pilot-era code, or a
    mistyped one; nothing tells them apart."""
    try:
        return bool(CreditCode.parse(text, lenient=True).warnings)
    except InvalidIdentifier:
        return False


def credit_code_check_character(body: str) -> str:
    """The check character of a code's first seventeen characters."""
    if len(body) != _BODY.stop:
        raise _invalid(f"the body must be {_BODY.stop} characters, got {len(body)}")
    total = sum(
        _value(char) * weight for char, weight in zip(body, _WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[-total % _MOD_31]  # (31 - sum mod 31) mod 31


def organisation_code_check_character(body: str) -> str:
    """The GB 11714 check character of an organisation code's first eight."""
    if len(body) != len(_ORGANISATION_WEIGHTS) or any(
        char not in ALPHANUMERIC for char in body
    ):
        raise _invalid(
            f"an organisation code body is 8 digits or letters, not {body!r}"
        )
    total = sum(
        ALPHANUMERIC.index(char) * weight
        for char, weight in zip(body, _ORGANISATION_WEIGHTS, strict=True)
    )
    check = _MOD_11 - total % _MOD_11
    return {10: "X", 11: "0"}.get(check, str(check))


def _check_shape(value: str) -> None:
    if len(value) != _LENGTH:
        raise _invalid(f"must be {_LENGTH} characters, got {len(value)}")
    for position, char in enumerate(value, start=1):
        if char not in CREDIT_CODE_ALPHABET:
            raise _invalid(
                f"character {position} is {char!r}, which is not in the alphabet "
                "0-9 and A-Z without I, O, S, V, Z"
            )
    if any(char not in DIGITS for char in value[_DIVISION]):
        raise _invalid(
            "characters 3 to 8 must be a six-digit division code, "
            f"got {value[_DIVISION]}"
        )


def _check_character_failures(value: str) -> list[str]:
    failures = []
    organisation = value[_ORGANISATION]
    expected = organisation_code_check_character(organisation[:-1])
    if organisation[-1] != expected:
        failures.append(
            f"organisation code check character is {organisation[-1]}, "
            f"expected {expected}"
        )
    expected = credit_code_check_character(value[_BODY])
    if value[-1] != expected:
        failures.append(f"check character is {value[-1]}, expected {expected}")
    return failures


def _value(char: str) -> int:
    index = CREDIT_CODE_ALPHABET.find(char)
    if index < 0:
        raise _invalid(f"{char!r} is not in the alphabet {CREDIT_CODE_ALPHABET}")
    return index


def _invalid(message: str) -> InvalidIdentifier:
    return InvalidIdentifier(message, details={"kind": "credit-code"})
