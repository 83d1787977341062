"""Synthetic, deterministic data for the demo library: what `zhengzhao demo` issues.

The population, the departments and the licenses each holder has, planned as data:
nothing here touches the database. Everything follows from one `random.Random`
passed in and the ``today`` it is told; the same seed and day give the same data.

- `make_people` and `make_organisations`: holders with valid identifiers;
- `demo_departments` and `department_for`: who issues what to whom;
- `plan_licenses`: a holder's licenses, each with surface fields valid against its
  seed type's schema, its dates and its later events (`PlannedEvent`).

The shares of licenses per holder are set in the generator modules (`civil`,
`births`, `welfare`, `assets`, `schooling`, `businesses`), the events in `events`.
"""

from __future__ import annotations

import datetime
import functools
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zhengzhao.catalog.seed import SeedLicenseType, load_seed_catalog
from zhengzhao.catalog.types import ValidityKind, ValidityRule
from zhengzhao.demo import assets, births, businesses, civil, schooling, welfare
from zhengzhao.demo.dates import DAY, age_on
from zhengzhao.demo.departments import DemoDepartment, demo_departments, department_for
from zhengzhao.demo.drafts import Draft, OrganisationContext, PersonContext
from zhengzhao.demo.events import PlannedEvent, plan_events
from zhengzhao.demo.organisations import (
    Organisation,
    OrganisationKind,
    make_organisations,
)
from zhengzhao.demo.people import Person, UniqueValues, make_people
from zhengzhao.model.license import HolderKind

__all__ = [
    "DemoDepartment",
    "Organisation",
    "OrganisationKind",
    "Person",
    "PlannedEvent",
    "PlannedLicense",
    "UniqueValues",
    "demo_departments",
    "department_for",
    "make_organisations",
    "make_people",
    "plan_licenses",
]

_PERSON_GENERATORS: tuple[Callable[[PersonContext], Draft | None], ...] = (
    *civil.GENERATORS,
    *births.GENERATORS,
    *welfare.GENERATORS,
    *assets.GENERATORS,
    *schooling.GENERATORS,
)


@dataclass(frozen=True, kw_only=True)
class PlannedLicense:
    """A license to issue for the demo, with the events to record on it later."""

    type_code: str
    """The seed type's 21-character code."""
    holder_kind: HolderKind
    """Person or organisation, as the type requires."""
    holder_identifier: str
    """A resident identity number or a unified social credit code."""
    holder_name: str
    """The holder's name as the license prints it."""
    fields: Mapping[str, Any] = field(hash=False)
    """The surface data, valid against the type's seed schema; not to be changed."""
    issue_date: datetime.date
    """The day the department issued it, on or before the planning day."""
    valid_from: datetime.date
    """The first valid day: the issue day."""
    valid_until: datetime.date | None
    """The last valid day for ``issuer-supplied`` types, ``None`` when long-term; always
    ``None`` for ``fixed-years`` and ``permanent`` types, whose end the platform
    computes."""
    paper_number: str | None
    """The paper certificate's number, for types that print one."""
    events: tuple[PlannedEvent, ...]
    """Later events, oldest first, each allowed after the ones before it."""


def plan_licenses(
    holder: Person | Organisation,
    rng: random.Random,
    *,
    today: datetime.date,
    unique: UniqueValues | None = None,
) -> list[PlannedLicense]:
    """The licenses ``holder`` has on ``today``, in seed catalog order per holder kind.

    ``unique`` keeps numbers (plates, VINs, spouses' and parents' identity numbers,
    certificate numbers) distinct across holders; pass one `UniqueValues` for a whole
    population, or none for numbers distinct within this holder only.
    """
    unique = unique if unique is not None else UniqueValues()
    if isinstance(holder, Person):
        drafts = _person_drafts(holder, rng, today, unique)
        identifier, name, kind = holder.identifier, holder.name, HolderKind.PERSON
    else:
        drafts = _organisation_drafts(holder, rng, today, unique)
        identifier, name, kind = holder.identifier, holder.name, HolderKind.ORGANISATION
    drafts.sort(key=lambda draft: _order()[draft.type_key])
    return [
        _planned(draft, rng, today, identifier=identifier, name=name, kind=kind)
        for draft in drafts
    ]


def _person_drafts(
    person: Person, rng: random.Random, today: datetime.date, unique: UniqueValues
) -> list[Draft]:
    age = age_on(person.birth_date, today)
    context = PersonContext(
        person=person,
        rng=rng,
        today=today,
        unique=unique,
        age=age,
        marriage=civil.marriage_of(rng, person, age=age, today=today, unique=unique),
        schooling=schooling.schooling_of(rng, person, age=age, today=today),
        drives_since=assets.driving_start(rng, person, age=age, today=today),
    )
    found = (generate(context) for generate in _PERSON_GENERATORS)
    return [draft for draft in found if draft is not None]


def _organisation_drafts(
    organisation: Organisation,
    rng: random.Random,
    today: datetime.date,
    unique: UniqueValues,
) -> list[Draft]:
    context = OrganisationContext(
        organisation=organisation, rng=rng, today=today, unique=unique
    )
    found = (generate(context) for generate in businesses.GENERATORS)
    return [draft for draft in found if draft is not None]


def _planned(
    draft: Draft,
    rng: random.Random,
    today: datetime.date,
    *,
    identifier: str,
    name: str,
    kind: HolderKind,
) -> PlannedLicense:
    license_type = _types()[draft.type_key]
    rule = _rule(draft.type_key)
    stated = draft.valid_until if rule.kind is ValidityKind.ISSUER_SUPPLIED else None
    term_end = rule.last_day(draft.issue_date, stated)
    renew = draft.renew
    if rule.kind is ValidityKind.FIXED_YEARS and term_end is not None:
        # An extension starts the day after the current term ends (the platform's rule).
        renew = functools.partial(_next_term, rule, term_end)
    events = plan_events(
        rng,
        type_key=draft.type_key,
        issue_date=draft.issue_date,
        term_end=term_end,
        renew=renew,
        correction=draft.correction,
        today=today,
    )
    return PlannedLicense(
        type_code=license_type.code,
        holder_kind=kind,
        holder_identifier=identifier,
        holder_name=name,
        fields=draft.fields,
        issue_date=draft.issue_date,
        valid_from=draft.issue_date,
        valid_until=stated,
        paper_number=draft.paper_number,
        events=events,
    )


def _next_term(
    rule: ValidityRule, term_end: datetime.date, _on: datetime.date
) -> datetime.date | None:
    return rule.last_day(term_end + DAY, None)


@functools.cache
def _types() -> Mapping[str, SeedLicenseType]:
    return {license_type.key: license_type for license_type in load_seed_catalog()}


@functools.cache
def _order() -> Mapping[str, int]:
    return {key: index for index, key in enumerate(_types())}


@functools.cache
def _rule(type_key: str) -> ValidityRule:
    return ValidityRule.from_json(dict(_types()[type_key].validity))
