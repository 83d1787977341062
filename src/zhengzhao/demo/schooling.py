"""Licenses of education and skills: academic and degree certificates, professional
qualifications and vocational skill levels.

Academic certificate numbers follow the national higher-education register: school
code, kind of study, year, level and serial. Vocational skill levels are those of
the national occupational skill standards, from 五级 to 一级.
"""

from __future__ import annotations

import datetime
import functools
import random

from zhengzhao.demo import lexicon, places
from zhengzhao.demo.dates import add_years, random_date
from zhengzhao.demo.drafts import Draft, PersonContext, Schooling
from zhengzhao.demo.people import Person
from zhengzhao.model.credit_code import CreditCode

__all__ = ["GENERATORS", "evaluation_bodies", "schooling_of"]

# Share of people with a higher-education certificate, by age: none before 20.
_GRADUATE_SHARE = ((20, 0.0), (25, 0.55), (45, 0.82), (60, 0.68), (200, 0.45))
_LEVELS = ("专科", "本科", "硕士研究生", "博士研究生")
_LEVEL_WEIGHTS = (44, 46, 8, 2)
_LEVEL_DIGITS = {"博士研究生": "01", "硕士研究生": "02", "本科": "05", "专科": "06"}
_MODES = ("普通全日制", "成人教育", "高等教育自学考试", "网络教育")
_MODE_WEIGHTS = (78, 10, 6, 6)
_MODE_DIGITS = {"普通全日制": "1", "非全日制": "1", "成人教育": "5"}
_MODE_DIGITS |= {"高等教育自学考试": "6", "网络教育": "7"}
_IN_REGION_SHARE = 0.85
_DEGREES = {"本科": "学士", "硕士研究生": "硕士", "博士研究生": "博士"}
_DEGREE_DIGITS = {"学士": "4", "硕士": "3", "博士": "2"}
_QUALIFIED_SHARE = {True: 0.14, False: 0.03}  # with and without higher education
_SKILLED_SHARE = 0.18
_SKILL_LEVELS = (
    "五级/初级工",
    "四级/中级工",
    "三级/高级工",
    "二级/技师",
    "一级/高级技师",
)
_SKILL_WEIGHTS = (30, 40, 20, 8, 2)
_SKILL_CERTIFICATES_FROM = datetime.date(2020, 1, 1)  # skill level recognition reform
_EVALUATION_BODIES = (
    ("新疆维吾尔自治区职业技能评价指导中心", "650000"),
    ("乌鲁木齐市职业技能评价中心", "650100"),
    ("喀什地区职业技能评价中心", "653100"),
    ("伊犁哈萨克自治州职业技能评价中心", "654000"),
    ("阿克苏地区职业技能评价中心", "652900"),
    ("巴音郭楞蒙古自治州职业技能评价中心", "652800"),
)


def schooling_of(
    rng: random.Random, person: Person, *, age: int, today: datetime.date
) -> Schooling | None:
    """The person's highest completed higher education, or ``None``."""
    share = next(share for below, share in _GRADUATE_SHARE if age < below)
    if rng.random() >= share:
        return None
    level = rng.choices(_LEVELS, weights=_LEVEL_WEIGHTS)[0]
    while True:
        found = _schooling(rng, person, level)
        if found.graduated_on <= today:
            return found
        if level == _LEVELS[0]:
            return None
        level = _LEVELS[_LEVELS.index(level) - 1]


def _schooling(rng: random.Random, person: Person, level: str) -> Schooling:
    postgraduate = level in ("硕士研究生", "博士研究生")
    if postgraduate:
        mode = "非全日制" if rng.random() < 0.15 else "普通全日制"
    else:
        mode = rng.choices(_MODES, weights=_MODE_WEIGHTS)[0]
    in_region = rng.random() < _IN_REGION_SHARE
    school = rng.choice([s for s in lexicon.SCHOOLS if s.in_region == in_region])
    if level == "专科":
        major, discipline, years = rng.choice(lexicon.SHORT_CYCLE_MAJORS), "", 3
    else:
        chosen = rng.choice(lexicon.UNDERGRADUATE_MAJORS)
        major, discipline = chosen.name, chosen.discipline
        years = {"本科": chosen.years, "硕士研究生": 3, "博士研究生": 4}[level]
    if mode == "普通全日制":
        start_age = {"专科": 18, "本科": 18, "硕士研究生": 22, "博士研究生": 25}[level]
        start_age += rng.randint(0, 2 if postgraduate else 1)
    else:
        start_age = rng.randint(20, 35)
    enrolled = datetime.date(person.birth_date.year + start_age, 9, 1)
    return Schooling(
        level=level,
        school=school.name,
        school_code=school.code,
        major=major,
        discipline=discipline,
        study_mode=mode,
        enrolled_on=enrolled,
        graduated_on=datetime.date(enrolled.year + years, 6, 30),
        completed=rng.random() < 0.98,
    )


def _academic_certificate(ctx: PersonContext) -> Draft | None:
    schooling = ctx.schooling
    if schooling is None:
        return None
    graduated = schooling.graduated_on

    def number() -> str:
        serial = ctx.rng.randrange(1, 10**6)
        kind = _MODE_DIGITS[schooling.study_mode]
        level = _LEVEL_DIGITS[schooling.level]
        return f"{schooling.school_code}{kind}{graduated.year}{level}{serial:06d}"

    return Draft(
        type_key="academic-certificate",
        fields={
            "school": schooling.school,
            "schoolCode": schooling.school_code,
            "educationLevel": schooling.level,
            "major": schooling.major,
            "studyMode": schooling.study_mode,
            "enrolmentDate": schooling.enrolled_on.isoformat(),
            "graduationDate": graduated.isoformat(),
            "graduationStatus": "毕业" if schooling.completed else "结业",
        },
        issue_date=graduated,
        paper_number=ctx.unique.draw("academic-certificate", number),
    )


def _degree_certificate(ctx: PersonContext) -> Draft | None:
    schooling = ctx.schooling
    if schooling is None or schooling.level not in _DEGREES or not schooling.completed:
        return None
    if ctx.rng.random() >= 0.95:  # some graduates do not earn the degree
        return None
    degree = _DEGREES[schooling.level]
    conferred = min(schooling.graduated_on, ctx.today)

    def number() -> str:
        serial = ctx.rng.randrange(1, 10**6)
        digit = _DEGREE_DIGITS[degree]
        return f"{schooling.school_code}{digit}{conferred.year}{serial:06d}"

    return Draft(
        type_key="degree-certificate",
        fields={
            "degreeLevel": degree,
            "degreeName": schooling.discipline + degree,
            "discipline": schooling.major,
            "grantingInstitution": schooling.school,
            "conferredDate": conferred.isoformat(),
        },
        issue_date=conferred,
        paper_number=ctx.unique.draw("degree-certificate", number),
    )


def _professional_qualification(ctx: PersonContext) -> Draft | None:
    rng, person, today = ctx.rng, ctx.person, ctx.today
    if not 22 <= ctx.age <= 65:
        return None
    if rng.random() >= _QUALIFIED_SHARE[ctx.schooling is not None]:
        return None
    start = max(add_years(person.birth_date, 23), datetime.date(2005, 1, 1))
    approved = random_date(rng, start, today)
    qualification = rng.choice(lexicon.QUALIFICATIONS)

    def number() -> str:
        return f"{approved.year}65{rng.randrange(10**10):010d}"

    management_number = ctx.unique.draw("qualification", number)
    return Draft(
        type_key="professional-qualification-certificate",
        fields={
            "qualificationName": qualification.name,
            "qualificationLevel": qualification.level,
            "speciality": qualification.speciality,
            "approvalDate": approved.isoformat(),
            "managementNumber": management_number,
        },
        issue_date=random_date(
            rng, approved, min(approved + datetime.timedelta(days=60), today)
        ),
        paper_number=management_number,
    )


def _vocational_skill(ctx: PersonContext) -> Draft | None:
    rng, person, today = ctx.rng, ctx.person, ctx.today
    if not 18 <= ctx.age <= 65:
        return None
    start = max(add_years(person.birth_date, 18), _SKILL_CERTIFICATES_FROM)
    share = _SKILLED_SHARE if ctx.age <= 60 else _SKILLED_SHARE / 4
    if rng.random() >= share or start > today:
        return None
    issued = random_date(rng, start, today)
    body_name, body_code, body_area = _evaluation_body(rng, person.division_code)
    level = rng.choices(range(len(_SKILL_LEVELS)), weights=_SKILL_WEIGHTS)[0]

    def number() -> str:
        grade = 5 - level  # 五级 is 5, 一级 is 1
        return f"S{body_area}{issued:%y}{grade}{rng.randrange(10**6):06d}"

    return Draft(
        type_key="vocational-skill-level-certificate",
        fields={
            "occupation": rng.choice(lexicon.OCCUPATIONS),
            "skillLevel": _SKILL_LEVELS[level],
            "evaluationBody": body_name,
            "evaluationBodyCode": body_code,
            "theoryScore": rng.randint(60, 99),
            "skillScore": rng.randint(60, 99),
        },
        issue_date=issued,
        paper_number=ctx.unique.draw("skill-certificate", number),
    )


@functools.cache
def evaluation_bodies() -> tuple[tuple[str, str, str], ...]:
    """The skill evaluation bodies: name, credit code and division code.

    Public institutions (registration authority 1, category 2); the organisation
    code bodies ``X970000n`` mark the codes as made for the demo.
    """
    return tuple(
        (
            name,
            CreditCode.build(
                registration_authority="1",
                category="2",
                division_code=division,
                organisation_body=f"X970{index:04d}",
            ).value,
            division,
        )
        for index, (name, division) in enumerate(_EVALUATION_BODIES, start=1)
    )


def _evaluation_body(rng: random.Random, county_code: str) -> tuple[str, str, str]:
    serving = places.serving_area(county_code)
    nearby = [body for body in evaluation_bodies() if body[2] in (serving, "650000")]
    return rng.choice(nearby)


GENERATORS = (
    _academic_certificate,
    _degree_certificate,
    _professional_qualification,
    _vocational_skill,
)
