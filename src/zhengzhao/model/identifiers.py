"""Which identifier a string is and whether it is valid, as ``id check`` reports it.

The kind follows the shape, checked in this order:

1. starts with ``1.2.156.3005.2.``: a license identifier (GB/T 36904);
2. six digits: a division code (GB/T 2260);
3. digits, perhaps ending in ``X``: a resident identity number (GB 11643), unless
   it fails as one but passes as a credit code in strict mode (some credit codes
   are all digits);
4. eighteen letters and digits: a unified social credit code (GB 32100);
5. anything else: unknown.

Eighteen characters that pass as a credit code (strictly, or leniently when asked)
but are one mistyped character away from a valid resident ID number are reported
invalid, naming both readings: a typo in an ID number is far likelier than a credit
code whose first digits happen to make a division and a birth date. Any
single-character substitution of a valid ID number is one such value, since its
MOD 11-2 check catches every substitution and the number it came from is one
character away. Likewise an invalid credit code that is a valid ID number but for a
letter typed as its check character is reported as that ID number.

A report never raises for a bad value; it says why the value is invalid.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from zhengzhao.errors import InvalidIdentifier
from zhengzhao.model import divisions
from zhengzhao.model.credit_code import CreditCode, is_pilot_era
from zhengzhao.model.iso7064 import DIGITS
from zhengzhao.model.license_id import LICENSE_ID_ROOT, LicenseIdentifier
from zhengzhao.model.resident_id import ResidentId, resident_id_check_character

__all__ = ["IdentifierKind", "IdentifierReport", "identify"]

_DIVISION_SHAPE = re.compile(r"[0-9]{6}")
_RESIDENT_SHAPE = re.compile(r"[0-9]+X?")
_CREDIT_SHAPE = re.compile(r"[0-9A-Z]{18}")
_LENIENT_HINT = "lenient mode would accept it as a pilot-era code"
_ID_LENGTH = 18
_ID_CHECK_CHARACTERS = DIGITS + "X"


class IdentifierKind(StrEnum):
    """The kinds of identifier the platform checks."""

    RESIDENT_ID = "resident-id"
    CREDIT_CODE = "credit-code"
    DIVISION_CODE = "division-code"
    LICENSE_ID = "license-id"
    UNKNOWN = "unknown"


@dataclass(frozen=True, kw_only=True)
class IdentifierReport:
    """What `identify` found.

    ``value``: the value as read, trimmed and upper-case. ``kind``: what its shape
    says it is. ``valid``: whether it passed every check of its kind. ``reason``:
    the first check it failed, ``None`` when valid. ``warnings``: what a valid
    value should be recorded with, such as a pilot-era credit code. ``facts``:
    what the value says, such as a birth date or a division name; read-only.
    """

    value: str
    kind: IdentifierKind
    valid: bool
    reason: str | None = None
    warnings: tuple[str, ...] = ()
    facts: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", MappingProxyType(dict(self.facts)))

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "value": self.value,
            "kind": str(self.kind),
            "valid": self.valid,
            "reason": self.reason,
            "warnings": list(self.warnings),
            "facts": dict(self.facts),
        }


def identify(
    value: str, *, lenient: bool = False, today: datetime.date | None = None
) -> IdentifierReport:
    """Decide what ``value`` is and check it.

    ``lenient`` accepts pilot-era credit codes with a warning; without it the
    report says when lenient mode would accept one. ``today`` refuses birth dates
    after it.
    """
    text = value.strip().upper()
    if text.startswith(LICENSE_ID_ROOT + "."):
        return _license_report(text)
    if _DIVISION_SHAPE.fullmatch(text):
        return _division_report(text)
    if _RESIDENT_SHAPE.fullmatch(text):
        return _resident_report(text, today=today)
    if _CREDIT_SHAPE.fullmatch(text):
        report = _credit_report(text, lenient=lenient)
        if report.valid:
            return _unless_mistyped_id(report, today)
        return _id_with_a_letter_for_check(report, today) or report
    return IdentifierReport(
        value=text,
        kind=IdentifierKind.UNKNOWN,
        valid=False,
        reason="not a resident ID number, credit code, division code or license ID",
    )


def _resident_report(text: str, *, today: datetime.date | None) -> IdentifierReport:
    kind = IdentifierKind.RESIDENT_ID
    try:
        number = ResidentId.parse(text, today=today)
    except InvalidIdentifier as exc:
        if _CREDIT_SHAPE.fullmatch(text):
            # Strictly only: leniently, every eighteen digits would pass.
            as_credit_code = _credit_report(text, lenient=False)
            if as_credit_code.valid:
                return _unless_mistyped_id(as_credit_code, today)
        return IdentifierReport(value=text, kind=kind, valid=False, reason=exc.message)
    facts = {
        "division_code": number.division_code,
        "division": divisions.division(number.division_code).name,
        "birth_date": number.birth_date.isoformat(),
        "sex": str(number.sex),
    }
    return IdentifierReport(value=text, kind=kind, valid=True, facts=facts)


def _unless_mistyped_id(
    report: IdentifierReport, today: datetime.date | None
) -> IdentifierReport:
    """``report`` of a valid credit code, or an invalid one when the value is a
    resident ID number with one character mistyped (see the module's docstring)."""
    text = report.value
    if not report.valid or len(text) != _ID_LENGTH:
        return report
    if not any(_is_resident_id(typo, today) for typo in _substitutions(text)):
        return report
    try:
        ResidentId.parse(text, today=today)
    except InvalidIdentifier as exc:
        why = exc.message
    else:
        return report  # unreachable: a valid ID number is reported as one
    return IdentifierReport(
        value=text,
        kind=IdentifierKind.RESIDENT_ID,
        valid=False,
        reason=f"reads as a resident ID number whose {why}; it also passes as a"
        " credit code, but one mistyped character of an ID number is the likelier"
        " reading: check the number",
    )


def _id_with_a_letter_for_check(
    report: IdentifierReport, today: datetime.date | None
) -> IdentifierReport | None:
    """An invalid resident ID report when ``report``'s value, an invalid credit
    code, is a valid ID number but for a letter other than X as check character."""
    text = report.value
    body = text[: _ID_LENGTH - 1]
    if len(text) != _ID_LENGTH or not body.isdigit():
        return None
    expected = resident_id_check_character(body)
    if not _is_resident_id(body + expected, today):
        return None
    return IdentifierReport(
        value=text,
        kind=IdentifierKind.RESIDENT_ID,
        valid=False,
        reason=f"reads as a resident ID number whose check character is"
        f" {text[-1]}, expected {expected}; as a credit code, {report.reason}",
    )


def _substitutions(text: str) -> list[str]:
    """Every value one character away from ``text`` in the resident ID alphabet."""
    return [
        text[:position] + char + text[position + 1 :]
        for position in range(len(text))
        for char in (_ID_CHECK_CHARACTERS if position == len(text) - 1 else DIGITS)
        if char != text[position]
    ]


def _is_resident_id(text: str, today: datetime.date | None) -> bool:
    try:
        ResidentId.parse(text, today=today)
    except InvalidIdentifier:
        return False
    return True


def _credit_report(text: str, *, lenient: bool) -> IdentifierReport:
    kind = IdentifierKind.CREDIT_CODE
    try:
        code = CreditCode.parse(text, lenient=lenient)
    except InvalidIdentifier as exc:
        reason = exc.message
        if is_pilot_era(text):
            reason = f"{reason}; {_LENIENT_HINT}"
        return IdentifierReport(value=text, kind=kind, valid=False, reason=reason)
    facts = {
        "registration_authority": code.registration_authority,
        "category": code.category,
        "division_code": code.division_code,
        "organisation_code": code.organisation_code,
    }
    if divisions.is_known(code.division_code):
        facts["division"] = divisions.division(code.division_code).name
    return IdentifierReport(
        value=text, kind=kind, valid=True, warnings=code.warnings, facts=facts
    )


def _division_report(text: str) -> IdentifierReport:
    kind = IdentifierKind.DIVISION_CODE
    try:
        found = divisions.division(text)
    except InvalidIdentifier as exc:
        return IdentifierReport(value=text, kind=kind, valid=False, reason=exc.message)
    facts = {"name": found.name, "level": str(found.level)}
    if found.parent_code is not None:
        facts["parent_code"] = found.parent_code
    warnings = () if found.is_current else (f"retired in {found.last_year}",)
    return IdentifierReport(
        value=text, kind=kind, valid=True, warnings=warnings, facts=facts
    )


def _license_report(text: str) -> IdentifierReport:
    kind = IdentifierKind.LICENSE_ID
    try:
        identifier = LicenseIdentifier.parse(text)
    except InvalidIdentifier as exc:
        return IdentifierReport(value=text, kind=kind, valid=False, reason=exc.message)
    facts = {
        "type_code": identifier.type_code,
        "issuer_code": identifier.issuer_code,
        "serial": identifier.serial,
        "version": f"{identifier.version:03d}",
    }
    return IdentifierReport(
        value=text, kind=kind, valid=True, warnings=identifier.warnings, facts=facts
    )
