"""The birth medical certificate (出生医学证明), issued since 1996.

The parents it names agree with the child: the same ethnicity, a father whose name
the child's carries (the surname, or the father's given name after the middle dot),
and identity numbers of their own, issued where the child was born.
"""

from __future__ import annotations

import datetime
import random

from zhengzhao.demo import places
from zhengzhao.demo.dates import DAY, random_date
from zhengzhao.demo.drafts import Draft, PersonContext
from zhengzhao.demo.people import (
    FEMALE,
    MALE,
    father_name,
    make_relative,
    person_name,
)
from zhengzhao.model import divisions

__all__ = ["GENERATORS"]

_BIRTH_CERTIFICATES_FROM = 1996  # 出生医学证明 exist from 1996
_CERTIFICATE_SHARE = 0.95  # of those born since, on the platform
_FATHER_NAMED_SHARE = 0.95


def _birth_certificate(ctx: PersonContext) -> Draft | None:
    person, rng = ctx.person, ctx.rng
    birth = person.birth_date
    if birth.year < _BIRTH_CERTIFICATES_FROM or rng.random() >= _CERTIFICATE_SHARE:
        return None
    weeks = min(max(round(rng.gauss(39, 1.3)), 34), 42)
    weight = min(max(round(3300 + (weeks - 39) * 180 + rng.gauss(0, 380)), 1800), 4800)
    length = min(max(50 + (weeks - 39) * 0.8 + rng.gauss(0, 1.8), 44.0), 56.0)
    minute = rng.randrange(24 * 60)
    fields: dict[str, object] = {
        "sex": person.sex,
        "birthDateTime": f"{birth}T{minute // 60:02d}:{minute % 60:02d}:00+08:00",
        "birthPlace": "新疆维吾尔自治区" + places.place_name(person.division_code),
        "gestationalWeeks": weeks,
        "birthWeightGrams": weight,
        "birthLengthCm": round(length, 1),
        "healthStatus": rng.choices(("良好", "一般", "差"), weights=(95, 4.5, 0.5))[0],
    }
    fields.update(_parents(ctx))
    home_birth = 0.1 if birth.year < 2005 else 0.02  # hospital births became the rule
    facility = rng.choices(
        ("医院", "妇幼保健院", "家庭", "其他"), weights=(58, 36, home_birth * 100, 2)
    )[0]
    fields["facilityType"] = facility
    if facility in ("医院", "妇幼保健院"):
        fields["facilityName"] = _facility_name(rng, person.division_code, facility)

    def number() -> str:
        return f"{rng.choice('KLMNPQRST')}{rng.randrange(10**9):09d}"

    return Draft(
        type_key="birth-medical-certificate",
        fields=fields,
        issue_date=min(random_date(rng, birth, birth + 3 * DAY), ctx.today),
        paper_number=ctx.unique.draw("birth-certificate-number", number),
    )


def _parents(ctx: PersonContext) -> dict[str, object]:
    person, rng = ctx.person, ctx.rng
    mother_age = min(max(rng.gauss(27, 4.5), 19), 44)
    mother_birth = person.birth_date - datetime.timedelta(days=int(mother_age * 365.25))
    mother = make_relative(
        rng,
        ctx.unique,
        name=person_name(rng, person.ethnicity, FEMALE),
        sex=FEMALE,
        birth_date=mother_birth,
        ethnicity=person.ethnicity,
        division_code=person.division_code,
    )
    parents: dict[str, object] = {
        "motherName": mother.name,
        "motherIdNumber": mother.identifier,
        "motherNationality": "中国",
        "motherEthnicity": mother.ethnicity,
    }
    if rng.random() < _FATHER_NAMED_SHARE:
        father_age = max(mother_age + rng.gauss(2.5, 3), 22)
        father = make_relative(
            rng,
            ctx.unique,
            name=father_name(rng, person.name, person.ethnicity),
            sex=MALE,
            birth_date=person.birth_date
            - datetime.timedelta(days=int(father_age * 365.25)),
            ethnicity=person.ethnicity,
            division_code=person.division_code,
        )
        parents |= {
            "fatherName": father.name,
            "fatherIdNumber": father.identifier,
            "fatherNationality": "中国",
            "fatherEthnicity": father.ethnicity,
        }
    return parents


def _facility_name(rng: random.Random, county_code: str, facility: str) -> str:
    area_code = places.area_of(county_code) or county_code
    area_name = divisions.division(area_code).name
    if facility == "妇幼保健院":
        return area_name + "妇幼保健院"
    county_name = divisions.division(county_code).name
    if county_name.endswith("区"):
        return f"{area_name}第{rng.choice('一二三')}人民医院"
    return county_name + "人民医院"


GENERATORS = (_birth_certificate,)
