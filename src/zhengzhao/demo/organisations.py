"""Synthetic organisations of Xinjiang: enterprises, shops, institutions, societies.

Every identifier is a unified social credit code built by `CreditCode.build`
(GB 32100) with both check characters. The first two characters say who registered
the organisation and what it is: ``91`` an enterprise, ``93`` a farmers' cooperative
and ``92`` an individual business (market regulation), ``12`` a public institution
(institution registration), ``51`` a social organisation (civil affairs). Codes
assigned since late 2015 carry an organisation code beginning ``MA7`` (market
entities of Xinjiang) or ``MJ`` (social organisations); older ones keep their
nine-digit organisation code.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from zhengzhao.demo import institutions, places, trades
from zhengzhao.demo.dates import random_date
from zhengzhao.demo.people import FEMALE, MALE, UniqueValues, exhausted, person_name
from zhengzhao.model import divisions
from zhengzhao.model.credit_code import CREDIT_CODE_ALPHABET, CreditCode

__all__ = ["Organisation", "OrganisationKind", "make_organisations"]


class OrganisationKind(StrEnum):
    """What kind of organisation holds the licenses."""

    ENTERPRISE = "enterprise"  # 企业
    INDIVIDUAL_BUSINESS = "individual-business"  # 个体工商户
    PUBLIC_INSTITUTION = "public-institution"  # 事业单位
    SOCIAL_ORGANISATION = "social-organisation"  # 社会团体


@dataclass(frozen=True, kw_only=True)
class Organisation:
    """A synthetic organisation, the holder of organisational licenses."""

    identifier: str
    """Its unified social credit code (GB 32100)."""
    name: str
    kind: OrganisationKind
    entity_type: str
    """The type as its licence prints it: 有限责任公司(自然人独资), 个体工商户 ..."""
    legal_representative: str
    """The legal representative, or an individual business's operator."""
    domicile: str
    """The registered address, in Chinese."""
    division_code: str
    """The division of the authority that registered it, the one in ``identifier``:
    departments of that division (or serving it) issue its licenses."""
    domicile_code: str
    """The county-level division of ``domicile``."""
    established: datetime.date
    activity: str
    """What it does: an industry key, a public institution sector key, or the name of
    a social organisation's topic (see `zhengzhao.demo.trades`)."""


_Maker = Callable[[random.Random, UniqueValues, datetime.date], Organisation | None]

_NEW_CODES_FROM = datetime.date(2015, 10, 1)
_EARLIEST = datetime.date(1990, 1, 1)
_INSTITUTIONS_FROM = datetime.date(1955, 1, 1)
_INSTITUTIONS_UNTIL = datetime.date(2012, 12, 31)
_SOCIETIES_FROM = datetime.date(1985, 1, 1)
_ORDINALS = "一二三四五六七八"
_ATTEMPTS = 100
_COMPANY_WEIGHTS = tuple(industry.company_weight for industry in trades.INDUSTRIES)
_SHOP_WEIGHTS = tuple(industry.shop_weight for industry in trades.INDUSTRIES)
_COMPANY_TYPES = tuple(name for name, _ in trades.COMPANY_TYPES)
_COMPANY_TYPE_WEIGHTS = tuple(weight for _, weight in trades.COMPANY_TYPES)


def make_organisations(
    rng: random.Random,
    count: int,
    *,
    today: datetime.date,
    unique: UniqueValues | None = None,
) -> tuple[Organisation, ...]:
    """``count`` organisations with distinct codes and names.

    About 58% are enterprises, 30% individual businesses, 7% public institutions
    and 5% social organisations.
    """
    unique = unique if unique is not None else UniqueValues()
    return tuple(_organisation(rng, unique, today) for _ in range(count))


def _organisation(
    rng: random.Random, unique: UniqueValues, today: datetime.date
) -> Organisation:
    make = rng.choices(_MAKERS, weights=_KIND_WEIGHTS)[0]
    for _ in range(_ATTEMPTS):
        made = make(rng, unique, today)
        if made is not None:
            return made
    raise exhausted("organisation name")


def _enterprise(
    rng: random.Random, unique: UniqueValues, today: datetime.date
) -> Organisation | None:
    home = places.choose_home(rng)
    area_code = places.area_of(home) or home
    industry = rng.choices(trades.INDUSTRIES, weights=_COMPANY_WEIGHTS)[0]
    trade = rng.choice(trades.TRADE_NAMES)
    if industry.key in ("agriculture", "livestock") and rng.random() < 0.2:
        category, entity_type = "3", "农民专业合作社"
        farming = "种植" if industry.key == "agriculture" else "养殖"
        name = f"{divisions.division(home).name}{trade}{farming}农民专业合作社"
    else:
        category = "1"
        entity_type = rng.choices(_COMPANY_TYPES, weights=_COMPANY_TYPE_WEIGHTS)[0]
        suffix = "有限责任公司" if rng.random() < 0.3 else "有限公司"
        if entity_type.startswith("股份"):
            suffix = "股份有限公司"
        name = f"{_trade_place(rng, home, area_code)}{trade}{industry.word}{suffix}"
    if not unique.claim("organisation-name", name):
        return None
    established = _established(rng, today, mean_years=7)
    registered_in = home if rng.random() < 0.6 else area_code
    return Organisation(
        identifier=_credit_code(
            rng, unique, "9" + category, registered_in, established
        ),
        name=name,
        kind=OrganisationKind.ENTERPRISE,
        entity_type=entity_type,
        legal_representative=_representative(rng, home),
        domicile=places.home_address(rng, home),
        division_code=registered_in,
        domicile_code=home,
        established=established,
        activity=industry.key,
    )


def _individual_business(
    rng: random.Random, unique: UniqueValues, today: datetime.date
) -> Organisation | None:
    home = places.choose_home(rng)
    industry = rng.choices(trades.INDUSTRIES, weights=_SHOP_WEIGHTS)[0]
    operator = _representative(rng, home)
    label = rng.choice(trades.TRADE_NAMES)
    if rng.random() < 0.4:  # many shops carry the operator's given name
        label = operator.split("·")[0] if "·" in operator else operator[1:]
    name = f"{divisions.division(home).name}{label}{rng.choice(industry.shop_words)}"
    if not unique.claim("organisation-name", name):
        return None
    established = _established(rng, today, mean_years=5)
    return Organisation(
        identifier=_credit_code(rng, unique, "92", home, established),
        name=name,
        kind=OrganisationKind.INDIVIDUAL_BUSINESS,
        entity_type="个体工商户",
        legal_representative=operator,
        domicile=places.home_address(rng, home),
        division_code=home,
        domicile_code=home,
        established=established,
        activity=industry.key,
    )


def _institution(
    rng: random.Random, unique: UniqueValues, today: datetime.date
) -> Organisation | None:
    sector = rng.choice(institutions.SECTORS)
    home = places.choose_home(rng)
    area_code = places.area_of(home) or home
    # A quarter are set up by the prefecture-level government, in its seat.
    place_code = home
    if rng.random() < 0.25 and sector.key != "primary-school":
        place_code, home = area_code, places.counties_of(area_code)[0]
    ordinal = ""
    if sector.key in ("school", "primary-school"):
        ordinal = f"第{rng.choice(_ORDINALS)}"
    elif place_code != home and sector.key == "hospital":
        ordinal = f"第{rng.choice(_ORDINALS[:3])}"
    name = f"{places.official_place(place_code)}{ordinal}{sector.suffix}"
    if not unique.claim("organisation-name", name):
        return None
    established = random_date(rng, _INSTITUTIONS_FROM, min(_INSTITUTIONS_UNTIL, today))
    return Organisation(
        identifier=_credit_code(rng, unique, "12", place_code, established),
        name=name,
        kind=OrganisationKind.PUBLIC_INSTITUTION,
        entity_type="事业单位",
        legal_representative=_representative(rng, home),
        domicile=places.home_address(rng, home),
        division_code=place_code,
        domicile_code=home,
        established=established,
        activity=sector.key,
    )


def _society(
    rng: random.Random, unique: UniqueValues, today: datetime.date
) -> Organisation | None:
    topic = rng.choice(institutions.SOCIETY_TOPICS)
    level = rng.random()
    if level < 0.3:  # region-wide societies sit in the capital
        place_code = places.REGION_CODE
        home = rng.choice(places.counties_of(places.COVERED_AREAS[0]))
    else:
        home = places.choose_home(rng)
        area_code = places.area_of(home) or home
        place_code = home
        if level < 0.7:
            place_code, home = area_code, places.counties_of(area_code)[0]
    name = places.official_place(place_code) + topic.name
    if not unique.claim("organisation-name", name):
        return None
    established = random_date(rng, _SOCIETIES_FROM, today)
    return Organisation(
        identifier=_credit_code(rng, unique, "51", place_code, established),
        name=name,
        kind=OrganisationKind.SOCIAL_ORGANISATION,
        entity_type="社会团体",
        legal_representative=_representative(rng, home),
        domicile=places.home_address(rng, home),
        division_code=place_code,
        domicile_code=home,
        established=established,
        activity=topic.name,
    )


def _trade_place(rng: random.Random, home: str, area_code: str) -> str:
    """The place a trade name begins with: 新疆, 喀什, or 乌鲁木齐天山区."""
    short = places.area(area_code).short_name
    roll = rng.random()
    if roll < 0.2:
        return "新疆"
    if roll < 0.6 or home == area_code:
        return short
    return short + divisions.division(home).name


def _representative(rng: random.Random, county_code: str) -> str:
    ethnicity = places.choose_ethnicity(rng, county_code)
    return person_name(rng, ethnicity, MALE if rng.random() < 0.7 else FEMALE)


def _established(
    rng: random.Random, today: datetime.date, *, mean_years: float
) -> datetime.date:
    years = rng.expovariate(1 / mean_years)  # most businesses are young
    return max(today - datetime.timedelta(days=int(years * 365.25)), _EARLIEST)


def _credit_code(
    rng: random.Random,
    unique: UniqueValues,
    prefix: str,
    division_code: str,
    established: datetime.date,
) -> str:
    modern = "MJ" if prefix == "51" else "MA7"

    def make() -> str:
        if established >= _NEW_CODES_FROM:
            tail = (rng.choice(CREDIT_CODE_ALPHABET) for _ in range(8 - len(modern)))
            body = modern + "".join(tail)
        else:
            body = f"{rng.choice('2357')}{rng.randrange(10**7):07d}"
        return CreditCode.build(
            registration_authority=prefix[0],
            category=prefix[1],
            division_code=division_code,
            organisation_body=body,
        ).value

    return unique.draw("credit-code", make)


_MAKERS: tuple[_Maker, ...] = (
    _enterprise,
    _individual_business,
    _institution,
    _society,
)
_KIND_WEIGHTS = (58, 30, 7, 5)
