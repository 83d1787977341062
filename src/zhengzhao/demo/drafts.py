"""What the per-type field generators share: the holder's context and their drafts.

A generator reads a holder's context and returns a `Draft`: the surface fields and
dates of one license, how an extension would set its new end, and a plausible
correction. `zhengzhao.demo.synthetic` turns drafts into planned licenses and plans
their later events.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zhengzhao.demo.organisations import Organisation
from zhengzhao.demo.people import Person, Relative, UniqueValues
from zhengzhao.demo.places import amend_door_number

__all__ = [
    "Draft",
    "Marriage",
    "OrganisationContext",
    "PersonContext",
    "Schooling",
    "amended_address",
]


@dataclass(frozen=True, kw_only=True)
class Draft:
    """One license as a generator proposes it."""

    type_key: str
    """The seed catalog key of its type, such as ``marriage-certificate``."""
    fields: dict[str, Any] = field(hash=False)
    """The surface data, valid against the type's schema."""
    issue_date: datetime.date
    """The day it was issued; also the first day of validity."""
    valid_until: datetime.date | None = None
    """The last valid day the issuer states, for ``issuer-supplied`` types only."""
    paper_number: str | None = None
    """The number printed on the paper certificate, where it has one."""
    renew: Callable[[datetime.date], datetime.date | None] | None = field(
        default=None, hash=False, compare=False
    )
    """For an extension recorded on a day, the new last valid day; ``None`` (the
    attribute, or its answer) when the license cannot be extended."""
    correction: dict[str, Any] | None = field(default=None, hash=False)
    """Field values a later correction could set, or ``None``."""


@dataclass(frozen=True, kw_only=True)
class Marriage:
    """A registered marriage of the holder."""

    registered_on: datetime.date
    """The day of the marriage registration."""
    spouse: Relative
    """The spouse, with an identity number of their own."""


@dataclass(frozen=True, kw_only=True)
class Schooling:
    """The holder's highest completed higher education."""

    level: str
    """The level as the certificate prints it: 本科, 硕士研究生 ..."""
    school: str
    """The school's name, as the certificate prints it."""
    school_code: str
    """The five-digit code of the school (学校代码)."""
    major: str
    """The major (专业) as the certificate prints it."""
    discipline: str
    """The discipline of the major (工学, 医学 ...); it names the degree."""
    study_mode: str
    """普通全日制, 成人教育 ..., as the certificate prints it."""
    enrolled_on: datetime.date
    graduated_on: datetime.date
    """The day studies ended, after ``enrolled_on``; the certificate's issue day."""
    completed: bool
    """True for 毕业 (graduated), False for 结业 (completed without graduating)."""


@dataclass(frozen=True, kw_only=True)
class PersonContext:
    """A person and what their licenses must agree on."""

    person: Person
    rng: random.Random
    """The one source of randomness, shared by every generator in turn."""
    today: datetime.date
    """The planning day: nothing is issued after it."""
    unique: UniqueValues
    """Where numbers that must be distinct across holders are drawn."""
    age: int
    """Completed years on ``today``."""
    marriage: Marriage | None
    schooling: Schooling | None
    drives_since: datetime.date | None
    """The day of the first driving licence, ``None`` for people who do not drive."""


@dataclass(frozen=True, kw_only=True)
class OrganisationContext:
    """An organisation and what its licenses need."""

    organisation: Organisation
    rng: random.Random
    today: datetime.date
    unique: UniqueValues


def amended_address(
    rng: random.Random, name: str, address: str
) -> dict[str, Any] | None:
    """A correction of field ``name`` that fixes the address's door number."""
    amended = amend_door_number(rng, address)
    return None if amended is None else {name: amended}
