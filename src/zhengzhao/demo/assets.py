"""Licenses of vehicles and homes: driving licence, vehicle registration, real estate.

A driving licence is valid six years when first issued, ten after the first renewal
and long-term after the second (Provisions on the Application for and Use of Motor
Vehicle Driving Licences, art. 21). Vehicle identification numbers follow GB 16735
(ISO 3779), with the check character in position nine; real estate unit numbers
follow GB/T 37346: division, cadastral zone and block, parcel, building and unit.
"""

from __future__ import annotations

import datetime
import functools
import random

from zhengzhao.demo import lexicon, places
from zhengzhao.demo.dates import DAY, add_years, random_date
from zhengzhao.demo.drafts import Draft, PersonContext, amended_address
from zhengzhao.demo.people import Person
from zhengzhao.model import divisions

__all__ = [
    "GENERATORS",
    "driving_start",
    "vehicle_identification_number",
    "vin_check_character",
]

_DRIVING_TERMS = (6, 10)  # years, then long-term
_EARLIEST_LICENCE = datetime.date(1980, 1, 1)
_LAPSED_SHARE = 0.25
_LAPSE_WINDOW_YEARS = 3
_RENEWAL_LEAD = datetime.timedelta(days=90)
# Share of people who drive, by age from 18.
_DRIVER_SHARE = ((25, 0.25), (60, 0.55), (70, 0.35), (200, 0.10))
_CLASSES = ("C1", "C2", "B2", "A2", "A1", "B1", "C1E", "D")
_CLASS_WEIGHTS = (78, 10, 4, 2, 1, 1, 2, 2)
_VEHICLE_SHARE = {True: 0.5, False: 0.03}  # of drivers, of adults who do not drive
_VEHICLE_YEARS = 15  # registrations in the last fifteen years
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O on plates
_NEW_ENERGY = {"纯电动": "D", "插电式混合动力": "F"}  # first plate character
_FREIGHT = ("轻型普通货车", "重型半挂牵引车")
# GB 16735: VIN characters, their values in the check sum, and the weights.
_VIN_CHARACTERS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_VIN_VALUES = {
    letter: int(value)
    for letter, value in zip(
        "ABCDEFGHJKLMNPRSTUVWXYZ", "12345678123457923456789", strict=True
    )
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_MODEL_YEARS = "ABCDEFGHJKLMNPRSTVWXY123456789"  # 1980, 1981 ... in a 30-year cycle
# Real estate: unified registration began in 2016 in Xinjiang; homes from age 22.
_REAL_ESTATE_FROM = datetime.date(2016, 1, 1)
_OWNER_SHARE = ((22, 0.0), (30, 0.12), (200, 0.38))
_LAND_USE_YEARS = 70  # residential land-use right


def driving_start(
    rng: random.Random, person: Person, *, age: int, today: datetime.date
) -> datetime.date | None:
    """The day of the first driving licence, or ``None`` (about 45% of adults)."""
    if age < 18:
        return None
    share = next(share for below, share in _DRIVER_SHARE if age < below)
    if rng.random() >= share:
        return None
    eighteen = add_years(person.birth_date, 18)
    years = min(age - 18, 25) * rng.random() ** 1.5
    first = eighteen + datetime.timedelta(days=int(years * 365.25))
    return min(max(first, _EARLIEST_LICENCE, eighteen), today)


def _driving_licence(ctx: PersonContext) -> Draft | None:
    if ctx.drives_since is None:
        return None
    person, rng = ctx.person, ctx.rng
    issued, until, renewals = _current_licence(rng, ctx.drives_since, ctx.today)
    area = places.area_of(person.division_code) or person.division_code

    def file_number() -> str:
        return f"{area}{rng.randrange(10**6):06d}"

    return Draft(
        type_key="motor-vehicle-driving-licence",
        fields={
            "sex": person.sex,
            "nationality": "中国",
            "address": person.address,
            "birthDate": person.birth_date.isoformat(),
            "firstIssueDate": ctx.drives_since.isoformat(),
            "vehicleClasses": rng.choices(_CLASSES, weights=_CLASS_WEIGHTS)[0],
            "fileNumber": ctx.unique.draw("driving-file-number", file_number),
        },
        issue_date=issued,
        valid_until=until,
        # Only a first licence renews to a fixed term; the next renewal is long-term.
        renew=functools.partial(add_years, years=_DRIVING_TERMS[1])
        if renewals == 0
        else None,
        correction=amended_address(rng, "address", person.address),
    )


def _current_licence(
    rng: random.Random, first: datetime.date, today: datetime.date
) -> tuple[datetime.date, datetime.date | None, int]:
    """The licence in use: its issue day, last day, and how often it was renewed."""
    issued = first
    for renewals, years in enumerate(_DRIVING_TERMS):
        end = add_years(issued, years)
        if end >= today:
            return issued, end, renewals
        recent = end >= add_years(today, -_LAPSE_WINDOW_YEARS)
        if recent and rng.random() < _LAPSED_SHARE:
            return issued, end, renewals
        issued = random_date(rng, end - _RENEWAL_LEAD, end)
    return issued, None, len(_DRIVING_TERMS)


def _vehicle_registration(ctx: PersonContext) -> Draft | None:
    person, rng, today = ctx.person, ctx.rng, ctx.today
    if ctx.age < 18 or rng.random() >= _VEHICLE_SHARE[ctx.drives_since is not None]:
        return None
    start = max(
        ctx.drives_since or add_years(person.birth_date, 18),
        add_years(today, -_VEHICLE_YEARS),
    )
    registered = random_date(rng, start, today)
    model = rng.choices(lexicon.VEHICLES, weights=[m.weight for m in lexicon.VEHICLES])[
        0
    ]
    letter = places.plate_letter(person.division_code)

    def plate() -> str:
        return "新" + letter + _plate_number(rng, _NEW_ENERGY.get(model.fuel))

    def vin() -> str:
        # A car registered early in a year often carries the previous model year.
        model_year = registered.year - (1 if rng.random() < 0.2 else 0)
        return vehicle_identification_number(rng, model.wmi, model_year)

    def certificate_number() -> str:
        return f"65{rng.randrange(10**10):010d}"

    colour = rng.choice(lexicon.COLOURS)
    other_colour = rng.choice([c for c in lexicon.COLOURS if c != colour])
    acquisition = rng.choices(("购买", "继承", "赠予"), weights=(95, 3, 2))[0]
    return Draft(
        type_key="motor-vehicle-registration-certificate",
        fields={
            "plateNumber": ctx.unique.draw("plate", plate),
            "vehicleType": model.vehicle_type,
            "brandModel": model.brand_model,
            "vin": ctx.unique.draw("vin", vin),
            "engineNumber": f"{model.engine_prefix}{rng.randrange(10**6):06d}",
            "bodyColour": colour,
            "fuelType": model.fuel,
            "useCharacter": "货运" if model.vehicle_type in _FREIGHT else "非营运",
            "acquisition": acquisition,
            "registrationDate": registered.isoformat(),
        },
        issue_date=registered,
        paper_number=ctx.unique.draw("vehicle-certificate", certificate_number),
        correction={"bodyColour": other_colour},
    )


def _plate_number(rng: random.Random, new_energy: str | None) -> str:
    digits = "".join(str(rng.randrange(10)) for _ in range(5))
    if new_energy is not None:
        return new_energy + digits
    if rng.random() < 0.3:
        position = rng.randrange(2)
        digits = digits[:position] + rng.choice(_PLATE_LETTERS) + digits[position + 1 :]
    return digits


def vehicle_identification_number(rng: random.Random, wmi: str, model_year: int) -> str:
    """A VIN of manufacturer ``wmi`` and ``model_year`` with its GB 16735 check."""
    descriptor = "".join(rng.choice(_VIN_CHARACTERS) for _ in range(5))
    year = _MODEL_YEARS[(model_year - 1980) % len(_MODEL_YEARS)]
    tail = year + rng.choice(_VIN_CHARACTERS) + f"{rng.randrange(10**6):06d}"
    body = wmi + descriptor + "0" + tail
    return wmi + descriptor + vin_check_character(body) + tail


def vin_check_character(vin: str) -> str:
    """The check character (position 9) of a 17-character VIN; position 9 is not read.

    Each character's value (digits as themselves, letters by the GB 16735 table)
    times its position's weight, summed, modulo 11; ``X`` for ten.
    """
    total = sum(
        (int(char) if char.isdigit() else _VIN_VALUES[char]) * weight
        for char, weight in zip(vin, _VIN_WEIGHTS, strict=True)
    )
    check = total % 11
    return "X" if check == 10 else str(check)


def _real_estate(ctx: PersonContext) -> Draft | None:
    person, rng, today = ctx.person, ctx.rng, ctx.today
    share = next(share for below, share in _OWNER_SHARE if ctx.age < below)
    start = max(_REAL_ESTATE_FROM, add_years(person.birth_date, 22))
    if rng.random() >= share or start > today:
        return None
    issued = random_date(rng, start, today)
    county = divisions.division(person.division_code).name
    rural = county.endswith("县") and rng.random() < 0.3
    fields = _home(rng, county, rural)
    fields["rightHolders"] = person.name
    fields["coOwnership"] = "单独所有"
    if ctx.marriage is not None and rng.random() < 0.5:
        fields["rightHolders"] = f"{person.name}、{ctx.marriage.spouse.name}"
        fields["coOwnership"] = "共同共有"
    if not rural:
        granted = random_date(rng, add_years(issued, -15), issued)
        ends = add_years(granted, _LAND_USE_YEARS) - DAY
        fields["useTerm"] = f"{granted:%Y年%m月%d日}起{ends:%Y年%m月%d日}止"

    def unit_number() -> str:
        zone, block, parcel = (
            rng.randint(1, 30),
            rng.randint(1, 40),
            rng.randint(1, 9999),
        )
        building, unit = rng.randint(1, 60), rng.randint(1, 400)
        land = "JC" if rural else "GB"  # collective or state-owned land
        parcel_number = f"{zone:03d}{block:03d}{land}{parcel:05d}"
        return f"{person.division_code}{parcel_number}F{building:04d}{unit:04d}"

    place = county if county[-1] in "县市" else _city_of(person.division_code)

    def certificate_number() -> str:
        return f"新（{issued.year}）{place}不动产权第{rng.randrange(1, 10**7):07d}号"

    fields["unitNumber"] = ctx.unique.draw("real-estate-unit", unit_number)
    return Draft(
        type_key="real-estate-certificate",
        fields=fields,
        issue_date=issued,
        paper_number=ctx.unique.draw("real-estate-certificate", certificate_number),
        correction=amended_address(rng, "location", str(fields["location"])),
    )


def _city_of(district_code: str) -> str:
    area_code = places.area_of(district_code) or district_code
    return divisions.division(area_code).name


def _home(rng: random.Random, county: str, rural: bool) -> dict[str, str]:
    building = f"房屋建筑面积{min(max(rng.gauss(95, 25), 40), 220):.2f}㎡"
    if rural:
        return {
            "location": county + places.street_address(rng, detailed=False),
            "rightType": "宅基地使用权/房屋所有权",
            "rightNature": "集体土地/自建房",
            "use": "宅基地/住宅",
            "area": f"宗地面积{rng.uniform(200, 600):.2f}㎡/{building}",
        }
    nature = rng.choices(
        ("出让/市场化商品房", "划拨/房改房", "出让/经济适用住房"), weights=(80, 10, 10)
    )[0]
    return {
        "location": county + places.street_address(rng, detailed=True),
        "rightType": "国有建设用地使用权/房屋所有权",
        "rightNature": nature,
        "use": "城镇住宅用地/住宅",
        "area": f"共有宗地面积{rng.uniform(1500, 30000):.2f}㎡/{building}",
    }


GENERATORS = (_driving_licence, _vehicle_registration, _real_estate)
