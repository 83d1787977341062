"""Licenses of civil status: identity card, household register, marriage.

The identity card's term follows the Resident Identity Card Law (art. 5): five years
for an applicant under 16, ten from 16 to 25, twenty from 26 to 45, long-term from 46.
Marriage needs the legal ages of the Civil Code (art. 1047): 22 for men, 20 for women.
"""

from __future__ import annotations

import datetime
import functools
import random

from zhengzhao.demo import lexicon, places
from zhengzhao.demo.dates import DAY, add_years, age_on, random_date
from zhengzhao.demo.drafts import Draft, Marriage, PersonContext, amended_address
from zhengzhao.demo.people import (
    FEMALE,
    MALE,
    Person,
    UniqueValues,
    make_relative,
    person_name,
)

__all__ = [
    "GENERATORS",
    "identity_card_end",
    "marriage_of",
]

_CARD_TERMS = ((16, 5), (26, 10), (46, 20))  # (age below which, years)
_CARD_FIRST_AGE = 16
_CHILD_CARD_SHARE = 0.12  # children under 16 may apply; few do
_LAPSED_SHARE = 0.25  # of cards that ran out in the last three years, not renewed
_LAPSE_WINDOW_YEARS = 3
_RENEWAL_LEAD = datetime.timedelta(days=90)  # renewals are applied for before expiry
_LEGAL_AGE = {MALE: 22, FEMALE: 20}  # Civil Code art. 1047
# Share of people with a marriage certificate on the platform, by age from 22.
_MARRIED_SHARE = ((25, 0.15), (30, 0.45), (200, 0.62))
# Young adults often live in collective households (student dormitories, work units).
_COLLECTIVE_SHARE = {True: 0.12, False: 0.02}
_MOVED_SHARE = 0.4  # registered in the present household later than at birth
_BIRTH_REGISTRATION = datetime.timedelta(days=90)  # a newborn is registered within it


def identity_card_end(
    birth_date: datetime.date, issued: datetime.date
) -> datetime.date | None:
    """The last valid day of a card issued on ``issued``; ``None`` for long-term."""
    age = age_on(birth_date, issued)
    for below, years in _CARD_TERMS:
        if age < below:
            return add_years(issued, years)
    return None


def _identity_card(ctx: PersonContext) -> Draft | None:
    person, rng = ctx.person, ctx.rng
    if ctx.age < _CARD_FIRST_AGE and (ctx.age < 1 or rng.random() >= _CHILD_CARD_SHARE):
        return None
    issued = _current_card(rng, person.birth_date, ctx.today, ctx.age)
    return Draft(
        type_key="resident-identity-card",
        fields={
            "sex": person.sex,
            "ethnicity": person.ethnicity,
            "birthDate": person.birth_date.isoformat(),
            "address": person.address,
        },
        issue_date=issued,
        valid_until=identity_card_end(person.birth_date, issued),
        renew=functools.partial(identity_card_end, person.birth_date),
        correction=amended_address(rng, "address", person.address),
    )


def _current_card(
    rng: random.Random, birth_date: datetime.date, today: datetime.date, age: int
) -> datetime.date:
    """The issue day of the card in use: the first at 16, renewed at each expiry."""
    if age < _CARD_FIRST_AGE:
        earliest = max(add_years(birth_date, 1), add_years(today, -5) + DAY)
        return random_date(rng, earliest, today)
    first = add_years(birth_date, _CARD_FIRST_AGE)
    issued = min(random_date(rng, first, first + datetime.timedelta(days=400)), today)
    while True:
        end = identity_card_end(birth_date, issued)
        if end is None or end >= today:
            return issued
        recent = end >= add_years(today, -_LAPSE_WINDOW_YEARS)
        if recent and rng.random() < _LAPSED_SHARE:
            return issued
        issued = random_date(rng, end - _RENEWAL_LEAD, end)


def _household_register(ctx: PersonContext) -> Draft:
    person, rng = ctx.person, ctx.rng
    collective = rng.random() < _COLLECTIVE_SHARE[18 <= ctx.age <= 30]
    home = places.place_name(person.division_code)
    registered = random_date(
        rng,
        person.birth_date,
        min(person.birth_date + _BIRTH_REGISTRATION, ctx.today),
    )
    if rng.random() < _MOVED_SHARE:
        registered = random_date(rng, person.birth_date, ctx.today)
    fields = {
        "householdNumber": f"{rng.randrange(10**8, 10**9)}",
        "householdType": "集体户" if collective else "家庭户",
        "relationToHead": "集体户成员" if collective else _relation(ctx),
        "sex": person.sex,
        "ethnicity": person.ethnicity,
        "birthDate": person.birth_date.isoformat(),
        "birthPlace": "新疆维吾尔自治区" + home,
        "nativePlace": _native_place(rng, person),
        "address": person.address,
        "registrationDate": registered.isoformat(),
    }
    education = _education(ctx)
    if education:
        fields["education"] = education
    if ctx.age >= _CARD_FIRST_AGE:
        fields["maritalStatus"] = _marital_status(ctx)
    if 18 <= ctx.age < 60 and rng.random() < 0.5:
        fields["occupation"] = rng.choice(lexicon.HOUSEHOLD_OCCUPATIONS)
    return Draft(
        type_key="household-register",
        fields=fields,
        issue_date=registered,
        correction=amended_address(rng, "address", person.address),
    )


def _relation(ctx: PersonContext) -> str:
    person, rng = ctx.person, ctx.rng
    child = "子" if person.sex == MALE else "女"
    if ctx.age < 18:
        return child
    if ctx.marriage is not None:
        if person.sex == MALE:
            return "户主" if rng.random() < 0.85 else child
        return "妻" if rng.random() < 0.8 else "户主"
    if ctx.age < 30 and rng.random() < 0.7:
        return child
    return "户主"


def _education(ctx: PersonContext) -> str | None:
    if ctx.schooling is not None:
        return lexicon.EDUCATION_OF_LEVEL[ctx.schooling.level]
    if ctx.age < 7:
        return None
    if ctx.age < 12:
        return "小学"
    if ctx.age < 15:
        return "初中"
    if ctx.age < 18:
        return "高中"
    # Older generations had less schooling.
    weights = (10, 40, 35, 15) if ctx.age < 50 else (35, 40, 18, 7)
    return ctx.rng.choices(("小学", "初中", "高中", "中专"), weights=weights)[0]


def _marital_status(ctx: PersonContext) -> str:
    if ctx.marriage is not None:
        return "已婚"
    rng = ctx.rng
    if ctx.age < 25 or (ctx.age < 35 and rng.random() < 0.6):
        return "未婚"
    widowed = 0.25 if ctx.age >= 65 else 0.02
    return rng.choices(
        ("已婚", "离婚", "丧偶", "未婚"), weights=(0.6, 0.1, widowed, 0.15)
    )[0]


def _native_place(rng: random.Random, person: Person) -> str:
    if person.ethnicity == "汉" and rng.random() < 0.6:
        return rng.choice(lexicon.NATIVE_PLACES)
    home = places.area_of(person.division_code) or person.division_code
    return "新疆" + places.place_name(home)


def marriage_of(
    rng: random.Random,
    person: Person,
    *,
    age: int,
    today: datetime.date,
    unique: UniqueValues,
) -> Marriage | None:
    """The person's registered marriage, if the platform has one (about 55% from 22)."""
    if age < _LEGAL_AGE[MALE]:
        return None
    share = next(share for below, share in _MARRIED_SHARE if age < below)
    if rng.random() >= share:
        return None
    legal = _LEGAL_AGE[person.sex]
    # Most marry within a few years of the legal age, nearly all before 40.
    years = legal + (min(age, 40) - legal) * rng.random() ** 1.8
    registered = person.birth_date + datetime.timedelta(days=int(years * 365.25))
    registered = min(max(registered, add_years(person.birth_date, legal)), today)
    spouse_sex = FEMALE if person.sex == MALE else MALE
    gap = round(rng.gauss(2.5, 3))  # husbands are a few years older, on average
    spouse_birth = add_years(person.birth_date, gap if person.sex == MALE else -gap)
    spouse_birth += datetime.timedelta(days=rng.randint(-180, 180))
    latest = add_years(registered, -_LEGAL_AGE[spouse_sex])
    if spouse_birth > latest:
        spouse_birth = latest - datetime.timedelta(days=rng.randint(0, 720))
    ethnicity = person.ethnicity
    if rng.random() < 0.1:  # most marry within their own community
        ethnicity = places.choose_ethnicity(rng, person.division_code)
    spouse = make_relative(
        rng,
        unique,
        name=person_name(rng, ethnicity, spouse_sex),
        sex=spouse_sex,
        birth_date=spouse_birth,
        ethnicity=ethnicity,
        division_code=person.division_code,
    )
    return Marriage(registered_on=registered, spouse=spouse)


def _marriage_certificate(ctx: PersonContext) -> Draft | None:
    marriage = ctx.marriage
    if marriage is None:
        return None
    spouse = marriage.spouse
    registered = marriage.registered_on

    def number() -> str:
        serial = ctx.rng.randrange(1, 10**6)
        return f"J{ctx.person.division_code}-{registered.year}-{serial:06d}"

    return Draft(
        type_key="marriage-certificate",
        fields={
            "registrationDate": registered.isoformat(),
            "spouseName": spouse.name,
            "spouseIdNumber": spouse.identifier,
            "spouseNationality": "中国",
            "spouseSex": spouse.sex,
            "spouseBirthDate": spouse.birth_date.isoformat(),
        },
        issue_date=registered,
        paper_number=ctx.unique.draw("marriage-number", number),
    )


GENERATORS = (
    _identity_card,
    _household_register,
    _marriage_certificate,
)
