"""Licenses of organisations: business licence, food business licence, the legal
person certificates of public institutions and social organisations, and the filing
certificate of enterprise investment projects.

Food business licence numbers are ``JY``, the main format (1 food sales, 2 catering,
3 canteen), the division, a serial and a check digit (Measures for Food Business
Licensing, 2023). Investment project codes are the year, the division, the
GB/T 4754 industry, ``03`` for a filed project, and a serial.
"""

from __future__ import annotations

import datetime
import functools
import math
import random

from zhengzhao.demo import institutions, places, trades
from zhengzhao.demo.dates import DAY, add_years, random_date
from zhengzhao.demo.drafts import Draft, OrganisationContext, amended_address
from zhengzhao.demo.organisations import OrganisationKind
from zhengzhao.demo.people import FEMALE, MALE, person_name

__all__ = ["GENERATORS"]

_INDUSTRIES = {industry.key: industry for industry in trades.INDUSTRIES}
_SECTORS = {sector.key: sector for sector in institutions.SECTORS}
_TOPICS = {topic.name: topic for topic in institutions.SOCIETY_TOPICS}
_BUSINESSES = (OrganisationKind.ENTERPRISE, OrganisationKind.INDIVIDUAL_BUSINESS)
_BUSINESS_TERMS = (None, 10, 20, 30, 50)  # years; None is long-term
_BUSINESS_TERM_WEIGHTS = (45, 10, 25, 12, 8)
_CAPITALS = (10, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000)  # 10,000 yuan
_FOOD_FORMATS = {"食品销售经营者": 1, "餐饮服务经营者": 2, "单位食堂": 3}
_CANTEEN_SHARE = 0.5
_FOOD_TERM_YEARS = 5
_CERTIFICATE_TERM_YEARS = 5  # legal person certificates of institutions, societies
_LAPSED_SHARE = 0.12
_PROJECTS_FROM = datetime.date(2017, 1, 1)  # the national online filing platform
# Project name, content, size range and investment range (10,000 yuan) by industry:
# {n} is the size, {trade} a trade name.
_PROJECTS = {
    "agriculture": (
        "{n}亩高标准农田建设项目",
        "新建高标准农田{n}亩，配套滴灌设施及田间道路",
        (1000, 20000),
        (500, 20000),
    ),
    "fruit-processing": (
        "年产{n}吨林果精深加工项目",
        "新建加工车间及冷库，形成年加工干果{n}吨的能力",
        (1000, 50000),
        (1000, 30000),
    ),
    "livestock": (
        "存栏{n}头肉牛标准化养殖项目",
        "新建标准化牛舍、饲草料库及粪污处理设施，存栏肉牛{n}头",
        (200, 5000),
        (500, 10000),
    ),
    "cotton": (
        "年产{n}吨棉纱生产线项目",
        "新建纺纱车间，购置清梳联及细纱设备，形成年产棉纱{n}吨的能力",
        (2000, 30000),
        (3000, 50000),
    ),
    "energy": (
        "{n}兆瓦光伏发电项目",
        "建设{n}兆瓦光伏电站及配套升压站、送出线路",
        (10, 500),
        (5000, 200000),
    ),
    "real-estate": (
        "{trade}家园住宅小区建设项目",
        "新建住宅楼{n}栋及配套商业用房、地下车库",
        (6, 30),
        (10000, 100000),
    ),
    "logistics": (
        "{trade}物流园建设项目",
        "新建仓储库房{n}平方米及配套装卸、办公设施",
        (5000, 80000),
        (2000, 30000),
    ),
    "tourism": (
        "{trade}乡村旅游基础设施建设项目",
        "建设游客服务中心、停车场及{n}公里旅游步道",
        (2, 30),
        (500, 10000),
    ),
}
_DEFAULT_PROJECT = (
    "{trade}产业园建设项目",
    "新建生产及办公用房{n}平方米",
    (2000, 30000),
    (200, 20000),
)


def _business_licence(ctx: OrganisationContext) -> Draft | None:
    org, rng, today = ctx.organisation, ctx.rng, ctx.today
    if org.kind not in _BUSINESSES:
        return None
    individual = org.kind is OrganisationKind.INDIVIDUAL_BUSINESS
    until = None
    years = (
        None if individual else rng.choices(_BUSINESS_TERMS, _BUSINESS_TERM_WEIGHTS)[0]
    )
    if years is not None:
        until = add_years(org.established, years) - DAY
    issued = org.established
    latest = min(today, until or today)
    if rng.random() < 0.3 and org.established < latest:  # re-issued after a change
        issued = random_date(rng, org.established + DAY, latest)
    fields: dict[str, object] = {
        "entityType": org.entity_type,
        "legalRepresentative": org.legal_representative,
        "establishedDate": org.established.isoformat(),
        "businessTermFrom": org.established.isoformat(),
        "domicile": org.domicile,
        "businessScope": _INDUSTRIES[org.activity].scope,
    }
    if not individual:
        fields["registeredCapital"] = rng.choice(_CAPITALS)
        fields["capitalCurrency"] = "人民币"
    if until is not None:
        fields["businessTermUntil"] = until.isoformat()
    return Draft(
        type_key="business-licence",
        fields=fields,
        issue_date=issued,
        valid_until=until,
        correction=amended_address(rng, "domicile", org.domicile),
    )


def _food_business_licence(ctx: OrganisationContext) -> Draft | None:
    org, rng = ctx.organisation, ctx.rng
    if org.kind in _BUSINESSES:
        industry = _INDUSTRIES[org.activity]
        main_format, items = industry.food_format, industry.food_items
    elif (
        org.kind is OrganisationKind.PUBLIC_INSTITUTION
        and _SECTORS[org.activity].canteen
    ):
        main_format, items = "单位食堂", "热食类食品制售"
        if rng.random() >= _CANTEEN_SHARE:
            return None
    else:
        return None
    if main_format is None:
        return None
    issued = _term_start(rng, org.established, ctx.today, _FOOD_TERM_YEARS)
    premises = org.domicile
    if rng.random() < 0.3:
        premises = (
            "新疆" + places.place_name(org.domicile_code) + places.street_address(rng)
        )
    supervisory = places.official_place(org.domicile_code) + "市场监督管理局"
    ethnicity = places.choose_ethnicity(rng, org.domicile_code)
    digit = _FOOD_FORMATS[main_format]

    def number() -> str:
        serial, check = rng.randrange(10**6), rng.randrange(10)
        return f"JY{digit}{org.domicile_code}{serial:06d}{check}"

    return Draft(
        type_key="food-business-licence",
        fields={
            "legalRepresentative": org.legal_representative,
            "domicile": org.domicile,
            "premises": premises,
            "mainFormat": main_format,
            "businessItems": items,
            "supervisoryBody": supervisory,
            "supervisor": person_name(
                rng, ethnicity, MALE if rng.random() < 0.5 else FEMALE
            ),
            "complaintLine": "12315",
        },
        issue_date=issued,
        paper_number=ctx.unique.draw("food-licence", number),
        correction=amended_address(rng, "premises", premises),
    )


def _institution_certificate(ctx: OrganisationContext) -> Draft | None:
    org, rng = ctx.organisation, ctx.rng
    if org.kind is not OrganisationKind.PUBLIC_INSTITUTION:
        return None
    sector = _SECTORS[org.activity]
    issued = _term_start(rng, org.established, ctx.today, _CERTIFICATE_TERM_YEARS)

    def number() -> str:
        return f"事证第1{org.division_code}{rng.randrange(10**6):06d}号"

    return Draft(
        type_key="public-institution-legal-person-certificate",
        fields={
            "purposeAndScope": sector.purpose,
            "domicile": org.domicile,
            "legalRepresentative": org.legal_representative,
            "fundingSource": sector.funding,
            "startingFunds": rng.choice((50, 80, 100, 120, 200, 300, 500, 1000)),
            "sponsor": places.official_place(org.division_code) + sector.sponsor,
        },
        issue_date=issued,
        valid_until=add_years(issued, _CERTIFICATE_TERM_YEARS),
        paper_number=ctx.unique.draw("institution-certificate", number),
        renew=functools.partial(add_years, years=_CERTIFICATE_TERM_YEARS),
        correction=amended_address(rng, "domicile", org.domicile),
    )


def _society_certificate(ctx: OrganisationContext) -> Draft | None:
    org, rng = ctx.organisation, ctx.rng
    if org.kind is not OrganisationKind.SOCIAL_ORGANISATION:
        return None
    topic = _TOPICS[org.activity]
    place = places.official_place(org.division_code)
    issued = _term_start(rng, org.established, ctx.today, _CERTIFICATE_TERM_YEARS)
    return Draft(
        type_key="social-organisation-legal-person-certificate",
        fields={
            "domicile": org.domicile,
            "businessScope": topic.scope,
            "activityArea": place,
            "legalRepresentative": org.legal_representative,
            "registeredFunds": rng.choice((3, 5, 10, 20, 30, 50)),
            "supervisoryUnit": place + topic.supervisor,
        },
        issue_date=issued,
        valid_until=add_years(issued, _CERTIFICATE_TERM_YEARS),
        renew=functools.partial(add_years, years=_CERTIFICATE_TERM_YEARS),
        correction=amended_address(rng, "domicile", org.domicile),
    )


def _investment_project(ctx: OrganisationContext) -> Draft | None:
    org, rng, today = ctx.organisation, ctx.rng, ctx.today
    if org.kind is not OrganisationKind.ENTERPRISE:
        return None
    industry = _INDUSTRIES[org.activity]
    if rng.random() >= industry.project_share:
        return None
    issued = random_date(rng, max(org.established, _PROJECTS_FROM), today)
    name, content, (low, high), (least, most) = _PROJECTS.get(
        industry.key, _DEFAULT_PROJECT
    )
    words = {"n": rng.randint(low, high), "trade": rng.choice(trades.TRADE_NAMES)}
    start = issued + datetime.timedelta(days=rng.randint(30, 180))
    completion = add_years(start, rng.randint(1, 3))

    def code() -> str:
        serial = rng.randrange(10**6)
        return f"{issued.year}-{org.domicile_code}-{industry.code}-03-{serial:06d}"

    # Spread evenly on a logarithmic scale: small projects are the most numerous.
    investment = round(math.exp(rng.uniform(math.log(least), math.log(most))))
    return Draft(
        type_key="enterprise-investment-project-registration-certificate",
        fields={
            "projectCode": ctx.unique.draw("project-code", code),
            "projectName": name.format(**words),
            "constructionSite": places.place_name(org.domicile_code),
            "scaleAndContent": content.format(**words),
            "totalInvestment": investment,
            "industry": industry.code_name,
            "plannedStart": start.isoformat(),
            "plannedCompletion": completion.isoformat(),
        },
        issue_date=issued,
        correction={"totalInvestment": round(investment * rng.uniform(1.05, 1.5))},
    )


def _term_start(
    rng: random.Random, established: datetime.date, today: datetime.date, years: int
) -> datetime.date:
    """The issue day of a licence renewed every ``years``: mostly within the current
    term, sometimes (12%) in the term before, so that it has lapsed."""
    if rng.random() < _LAPSED_SHARE:
        start, end = add_years(today, -years - 2), add_years(today, -years) - DAY
    else:
        start, end = add_years(today, -years) + DAY, today
    if established > end:
        return random_date(rng, established, today)
    return random_date(rng, max(established, start), end)


GENERATORS = (
    _business_licence,
    _food_business_licence,
    _institution_certificate,
    _society_certificate,
    _investment_project,
)
