"""License types, their versions and validity rules, as the catalog records them.

A type's specification (its surface-field schema, validity rule and template) lives in
versions. A version is edited while `draft`, used for issuance while `published`, and
kept only for reading old licenses once `retired`; at most one version of a type is
published at a time. A license keeps the version it was issued under for good.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from zhengzhao.errors import InvalidRequest, SchemaViolation
from zhengzhao.model.license import HolderKind

__all__ = [
    "MAX_YEARS",
    "LicenseType",
    "Responsibility",
    "TypeVersion",
    "ValidityKind",
    "ValidityRule",
    "VersionState",
]


#: The longest fixed term a type may have. The longest in the seed catalog is twenty
#: years (a resident identity card issued at 46 or older is permanent instead).
MAX_YEARS = 100


class VersionState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class ValidityKind(StrEnum):
    """How a license's last day of validity is found."""

    #: A fixed number of years from the first day (the last day is the day before the
    #: anniversary, as paper licences print it).
    FIXED_YEARS = "fixed-years"
    #: Valid until withdrawn: no last day.
    PERMANENT = "permanent"
    #: The issuing department states the last day on each license.
    ISSUER_SUPPLIED = "issuer-supplied"


@dataclass(frozen=True, kw_only=True)
class ValidityRule:
    """A validity rule, stored as JSON like ``{"kind": "fixed-years", "years": 6}``."""

    kind: ValidityKind
    years: int | None = None

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ValidityRule:
        try:
            kind = ValidityKind(str(value.get("kind")))
        except ValueError as exc:
            known = ", ".join(k.value for k in ValidityKind)
            raise SchemaViolation(
                f"validity rule kind {value.get('kind')!r} is unknown; use one of"
                f" {known}"
            ) from exc
        years = value.get("years")
        if kind is ValidityKind.FIXED_YEARS and (
            not isinstance(years, int)
            or isinstance(years, bool)
            or not 1 <= years <= MAX_YEARS
        ):
            raise SchemaViolation(
                f"a fixed-years validity rule needs `years` from 1 to {MAX_YEARS},"
                f" got {years!r}"
            )
        return cls(kind=kind, years=years if kind is ValidityKind.FIXED_YEARS else None)

    def to_json(self) -> dict[str, Any]:
        if self.kind is ValidityKind.FIXED_YEARS:
            return {"kind": self.kind.value, "years": self.years}
        return {"kind": self.kind.value}

    def last_day(self, valid_from: date, stated: date | None) -> date | None:
        """The last valid day for a license valid from ``valid_from``.

        ``stated`` is what the issuer wrote on the license. Raises `InvalidRequest` when
        the rule and the statement disagree.
        """
        if self.kind is ValidityKind.ISSUER_SUPPLIED:
            return stated
        if self.kind is ValidityKind.PERMANENT:
            if stated is not None:
                raise InvalidRequest(
                    "this license type is permanent; do not state a validUntil"
                )
            return None
        assert self.years is not None
        try:
            computed = _add_years(valid_from, self.years)
        except (ValueError, OverflowError) as exc:
            raise InvalidRequest(
                f"a license valid from {valid_from.isoformat()} for {self.years} years"
                " would end past the last date the node can record"
            ) from exc
        if stated is not None and stated != computed:
            raise InvalidRequest(
                f"this license type is valid for {self.years} years, so validUntil must"
                f" be {computed.isoformat()}, not {stated.isoformat()}"
            )
        return computed


def _add_years(start: date, years: int) -> date:
    year = start.year + years
    day = min(start.day, calendar.monthrange(year, start.month)[1])
    return date.fromordinal(date(year, start.month, day).toordinal() - 1)


@dataclass(frozen=True, kw_only=True)
class LicenseType:
    """An entry of the catalog."""

    #: 21 characters: the defining authority's credit code and a three-digit number.
    code: str
    name_zh: str
    name_en: str
    holder_kind: HolderKind
    #: The ministry or bureau that defines the type, by credit code and name.
    authority_code: str
    authority_name: str
    #: The kind of department that issues it (see the department kinds).
    department_kind: str


@dataclass(frozen=True, kw_only=True)
class TypeVersion:
    """One version of a type's specification."""

    type_code: str
    version: int
    state: VersionState
    #: JSON Schema (2020-12) of the surface fields, with a classification on each field.
    schema: dict[str, Any]
    validity: ValidityRule
    #: Name of the rendering template.
    template: str
    created_at: datetime
    published_at: datetime | None = None
    retired_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Responsibility:
    """One line of the responsibility list: who issues a type, where."""

    type_code: str
    #: The region the line covers, with all divisions inside it.
    region_code: str
    department_kind: str
    #: The level of the issuing department's own region: `province`, `prefecture`
    #: or `county`.
    department_level: str
