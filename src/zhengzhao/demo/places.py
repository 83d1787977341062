"""Xinjiang's geography as the demo needs it: where people live, and how it reads.

Each *area* is a prefecture-level division (地级: prefecture, autonomous prefecture,
prefecture-level city) or one of the county-level cities the region administers
directly (``6590xx``, the Production and Construction Corps' cities), which have no
prefecture above them. Per area the table gives a short name for trade names, an
approximate population (2020 census, in units of 10,000, rounded: a weight, not a
statistic), the letter of its vehicle plates, the area whose departments serve it in
the demo, and a rough ethnic mix. The demo builds departments in five areas only
(`COVERED_AREAS`); every other area is served by the nearest of them, and Tacheng and
Altay by Ili, the autonomous prefecture they belong to.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass

from zhengzhao.model import divisions
from zhengzhao.model.divisions import Level

__all__ = [
    "COVERED_AREAS",
    "REGION_CODE",
    "REGION_NAME",
    "Area",
    "amend_door_number",
    "area",
    "area_of",
    "choose_ethnicity",
    "choose_home",
    "counties_of",
    "english_name",
    "home_address",
    "official_place",
    "place_name",
    "plate_letter",
    "serving_area",
    "street_address",
]

REGION_CODE = "650000"
REGION_NAME = "新疆维吾尔自治区"
#: The areas where the demo builds prefecture- and county-level departments.
COVERED_AREAS = ("650100", "653100", "654000", "652900", "652800")

_ETHNICITIES = tuple(
    "维吾尔 汉 哈萨克 回 柯尔克孜 蒙古 塔吉克 锡伯 满 乌孜别克".split()
)


@dataclass(frozen=True, kw_only=True)
class Area:
    """One prefecture-level area, or a directly administered county-level city."""

    code: str
    """Its GB/T 2260 code."""
    short_name: str
    """The name used in trade names and colloquially: 乌鲁木齐, 巴州."""
    population: int
    """Approximate population in units of 10,000, used as a weight."""
    plate_letter: str
    """The second character of its vehicle plates (新A for Urumqi)."""
    serving: str
    """The covered area whose departments serve it, itself if covered."""
    ethnic_mix: tuple[int, ...]
    """Rough shares in per mille, in the order of ``_ETHNICITIES``."""


def _mix(text: str) -> tuple[int, ...]:
    shares = tuple(int(share) for share in text.split())
    return shares + (0,) * (len(_ETHNICITIES) - len(shares))


def _area(
    code: str, short: str, people: int, plate: str, serving: str, mix: str
) -> Area:
    return Area(
        code=code,
        short_name=short,
        population=people,
        plate_letter=plate,
        serving=serving,
        ethnic_mix=_mix(mix),
    )


# Mix columns: 维吾尔 汉 哈萨克 回 柯尔克孜 蒙古 塔吉克 锡伯 满 乌孜别克, per mille.
_AREAS = (
    _area("650100", "乌鲁木齐", 405, "A", "650100", "130 720 30 90 2 5 0 3 5 2"),
    _area("650200", "克拉玛依", 49, "J", "650100", "140 760 50 30 0 10 0 0 5"),
    _area("650400", "吐鲁番", 69, "K", "650100", "710 210 0 75"),
    _area("650500", "哈密", 67, "L", "650100", "190 680 100 25"),
    _area("652300", "昌吉", 161, "B", "650100", "45 740 100 110"),
    _area("652700", "博州", 49, "E", "654000", "140 640 100 40 0 60"),
    _area("652800", "巴州", 161, "M", "652800", "380 520 0 50 0 40"),
    _area("652900", "阿克苏", 271, "N", "652900", "800 190 0 5"),
    _area("653000", "克州", 62, "P", "653100", "640 60 0 0 290"),
    _area("653100", "喀什", 450, "Q", "653100", "920 70"),
    _area("653200", "和田", 250, "R", "653100", "965 33"),
    _area("654000", "伊犁州", 285, "F", "654000", "260 430 210 80 0 10 0 10 0 3"),
    _area("654200", "塔城", 114, "G", "654000", "50 580 250 80 0 30"),
    _area("654300", "阿勒泰", 67, "H", "654000", "20 390 530 30 0 20"),
    _area("659001", "石河子", 70, "C", "650100", "40 930 5 20"),
    _area("659002", "阿拉尔", 38, "N", "652900", "110 860 0 20"),
    _area("659003", "图木舒克", 27, "Q", "653100", "300 680 0 10"),
    _area("659004", "五家渠", 14, "A", "650100", "20 920 10 40"),
    _area("659005", "北屯", 9, "H", "654000", "10 850 110 20"),
    _area("659006", "铁门关", 6, "M", "652800", "100 870 0 20"),
    _area("659007", "双河", 7, "E", "654000", "30 900 30 20 0 20"),
    _area("659008", "可克达拉", 9, "F", "654000", "60 850 50 30 0 0 0 10"),
    _area("659009", "昆玉", 6, "R", "653100", "200 790"),
    _area("659010", "胡杨河", 7, "D", "654000", "30 900 30 30"),
    _area("659011", "新星", 3, "L", "650100", "50 900 30 20"),
    _area("659012", "白杨", 5, "G", "654000", "30 880 60 30"),
)
_AREA_BY_CODE = {entry.code: entry for entry in _AREAS}
_AREA_WEIGHTS = tuple(entry.population for entry in _AREAS)

# Counties whose mix differs much from their area's: the autonomous counties.
_COUNTY_MIX = {
    "653131": _mix("100 40 0 0 40 0 820"),
    "654022": _mix("260 350 200 60 0 0 0 130"),
    "652826": _mix("330 420 0 240"),
    "650521": _mix("0 670 320"),
    "652328": _mix("0 780 210"),
    "654226": _mix("20 340 380 0 0 250"),
    "653023": _mix("200 80 0 0 720"),
    "653024": _mix("200 80 0 0 720"),
}
# A plate letter that differs from the area's: Kuitun, inside Ili, uses 新D.
_COUNTY_PLATE = {"654003": "D"}

# English names of the divisions where the demo has departments.
_ENGLISH = {
    REGION_CODE: "Xinjiang Uygur Autonomous Region",
    "650100": "Urumqi",
    "650102": "Tianshan District",
    "653100": "Kashgar Prefecture",
    "653101": "Kashgar City",
    "654000": "Ili Kazakh Autonomous Prefecture",
    "654002": "Yining City",
    "652900": "Aksu Prefecture",
    "652901": "Aksu City",
    "652800": "Bayingolin Mongol Autonomous Prefecture",
    "652801": "Korla City",
}

_STREETS = (
    "人民路 解放路 团结路 友好路 建设路 文化路 新华路 胜利路 光明路 幸福路 和平路"
    " 天山路 迎宾路 北京路 上海路 长江路 黄河路 东风路 红旗路 健康路 民主路 青年路"
    " 南湖路 昆仑路 新民路 振兴路 前进路 育才路 花园路 滨河路 朝阳路 公园路 交通路"
    " 光华路 同心路 繁荣路 金桥路 世纪大道 西域大道 迎宾大道"
).split()
_DIRECTIONS = "东西南北中"
_COMMUNITIES = (
    "阳光小区 幸福花园 和谐家园 康居小区 金色家园 锦绣花园 天润小区 丽景苑 华源小区"
    " 泰和苑 紫金城 兴华小区 明珠花园 绿苑小区 雅居苑 安居小区 福苑小区 团结小区"
    " 石榴籽家园 滨河花园"
).split()
_DOOR_NUMBER = re.compile(r"([0-9]+)号")


def area(code: str) -> Area:
    """The area with this code (a prefecture-level code or a ``6590xx`` city)."""
    return _AREA_BY_CODE[code]


@functools.cache
def area_of(code: str) -> str | None:
    """The area a division lies in; ``None`` for the region itself."""
    found = divisions.division(code)
    if found.level is Level.PROVINCE:
        return None
    if found.level is Level.PREFECTURE or found.parent_code == REGION_CODE:
        return found.code
    return found.parent_code


@functools.cache
def serving_area(code: str) -> str:
    """The covered area whose departments serve a holder living in ``code``.

    A holder of the region itself (``650000``) is served from the capital.
    """
    home = area_of(code)
    return _AREA_BY_CODE[home].serving if home is not None else COVERED_AREAS[0]


@functools.cache
def place_name(code: str) -> str:
    """The division's name with its prefecture's: 喀什地区疏附县, 石河子市."""
    found = divisions.division(code)
    home = area_of(code)
    if home is None or home == code:
        return found.name
    return divisions.division(home).name + found.name


@functools.cache
def official_place(code: str) -> str:
    """How the name of a body of ``code`` begins: 新疆维吾尔自治区, 喀什地区, 疏附县,
    and for a city district its city too, 乌鲁木齐市天山区."""
    if code == REGION_CODE:
        return REGION_NAME
    name = divisions.division(code).name
    if name.endswith("区") and area_of(code) != code:
        return place_name(code)
    return name


def english_name(code: str) -> str:
    """The English name of a division where the demo has departments."""
    return _ENGLISH[code]


def choose_home(rng: random.Random) -> str:
    """A current county-level division, weighted by its area's population."""
    chosen = rng.choices(_AREAS, weights=_AREA_WEIGHTS)[0]
    counties = counties_of(chosen.code)
    # The first county, in most areas the seat, is where most people live.
    weights = [3] + [1] * (len(counties) - 1)
    return rng.choices(counties, weights=weights)[0]


def choose_ethnicity(rng: random.Random, county_code: str) -> str:
    """An ethnicity drawn from the mix of the county, or of its area."""
    mix = _COUNTY_MIX.get(county_code)
    if mix is None:
        home = area_of(county_code)
        mix = _AREA_BY_CODE[home if home is not None else "650100"].ethnic_mix
    return rng.choices(_ETHNICITIES, weights=mix)[0]


def plate_letter(county_code: str) -> str:
    """The plate letter of vehicles registered by people of this county."""
    if county_code in _COUNTY_PLATE:
        return _COUNTY_PLATE[county_code]
    home = area_of(county_code)
    return _AREA_BY_CODE[home if home is not None else "650100"].plate_letter


def street_address(rng: random.Random, *, detailed: bool | None = None) -> str:
    """A street and door number, with a flat in a residential compound if ``detailed``.

    Without ``detailed`` about half of the addresses name a flat.
    """
    street = rng.choice(_STREETS)
    if street.endswith("路") and rng.random() < 0.4:
        street = street[:-1] + rng.choice(_DIRECTIONS) + "路"
    text = f"{street}{rng.randint(1, 399)}号"
    if detailed is None:
        detailed = rng.random() < 0.55
    if detailed:
        floor, room = rng.randint(1, 18), rng.randint(1, 4)
        text += (
            f"{rng.choice(_COMMUNITIES)}{rng.randint(1, 32)}栋"
            f"{rng.randint(1, 6)}单元{floor}{room:02d}室"
        )
    return text


def home_address(rng: random.Random, county_code: str) -> str:
    """A full address in the county, as an identity card prints it."""
    return "新疆" + place_name(county_code) + street_address(rng)


def amend_door_number(rng: random.Random, address: str) -> str | None:
    """``address`` with its first door number changed; ``None`` if it has none."""
    found = _DOOR_NUMBER.search(address)
    if found is None:
        return None
    number = int(found.group(1))
    amended = number + rng.choice((-10, -2, -1, 1, 2, 10))
    if amended < 1:
        amended = number + 1
    return address[: found.start(1)] + str(amended) + address[found.end(1) :]


@functools.cache
def counties_of(area_code: str) -> tuple[str, ...]:
    """The current county-level divisions of an area, in code order.

    Code order lists the seat first in every area but Karamay.
    """
    found = divisions.division(area_code)
    if found.level is Level.COUNTY:
        return (area_code,)
    return tuple(child.code for child in divisions.children(area_code))
