"""The issuing departments of the demo, and which one issues a holder's license.

Departments are made from the seed catalog's responsibility lists: for each line
(a department kind and its levels) one department at region level (``650000``) for
``province``, one in each covered area (`zhengzhao.demo.places.COVERED_AREAS`) for
``prefecture``, and one in the first county of each covered area for ``county``;
one department per kind and division. Each has a unified social credit code
(GB 32100) of registration authority 1 (机构编制) and category 1 (机关), its own
division code, and an organisation code made from its division and kind, so that
the list is the same on every run.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from zhengzhao.catalog.seed import (
    DepartmentKind,
    load_department_kinds,
    load_seed_catalog,
)
from zhengzhao.demo import places
from zhengzhao.errors import InvalidRequest, NotFound
from zhengzhao.model import divisions
from zhengzhao.model.credit_code import CreditCode
from zhengzhao.model.divisions import Level

__all__ = [
    "DemoDepartment",
    "demo_department",
    "demo_departments",
    "department_for",
]


@dataclass(frozen=True, kw_only=True)
class DemoDepartment:
    """A department to register on the demo node."""

    credit_code: str
    """Its unified social credit code, ``11`` and its division first."""
    name: str
    """The Chinese name: 喀什地区市场监督管理局, 乌鲁木齐市公安局天山区分局."""
    name_en: str
    region_code: str
    """The division it belongs to; its level is the department's level."""
    kind: str
    """The department kind's key, as responsibility lists name it."""
    level: Level
    """The level of ``region_code``: province, prefecture or county."""


def demo_departments() -> tuple[DemoDepartment, ...]:
    """The departments that let every seed license type be issued somewhere.

    Ordered by department kind, as ``department_kinds.json`` lists them, then region
    first and each covered area's prefecture before its county.
    """
    kinds = load_department_kinds()
    needed = {
        (line.department_kind, code)
        for license_type in load_seed_catalog()
        for line in license_type.responsibilities
        for level in line.levels
        for code in _divisions_at(level)
    }
    order = [places.REGION_CODE]
    for area_code in places.COVERED_AREAS:
        order += [area_code, places.counties_of(area_code)[0]]
    return tuple(
        _department(kind, index, code)
        for index, kind in enumerate(kinds.values(), start=1)
        for code in order
        if (kind.key, code) in needed
    )


def demo_department(kind_key: str, division_code: str) -> DemoDepartment:
    """The department of kind ``kind_key`` in ``division_code``, named and coded as
    `demo_departments` names and codes its own: for the kinds that no seed license
    type needs but service matters do (tax bureaus, provident fund centres).

    Raises `NotFound` for a kind ``department_kinds.json`` does not list.
    """
    for index, kind in enumerate(load_department_kinds().values(), start=1):
        if kind.key == kind_key:
            return _department(kind, index, division_code)
    raise NotFound(f"department kind {kind_key!r} is not in department_kinds.json")


def department_for(
    type_code: str,
    holder_division_code: str,
    departments: Sequence[DemoDepartment],
) -> DemoDepartment:
    """The department that issues a license of ``type_code`` to a holder living in
    ``holder_division_code``.

    Of the departments whose kind and level are on the type's responsibility list,
    the first found of: one of the holder's county, one of the holder's area
    (prefecture), one of the region, one of the area that serves the holder's
    (`places.serving_area`), at prefecture level before county level. Raises
    `NotFound` for a type not in the seed catalog and `InvalidRequest` when no
    department in ``departments`` may issue the type.
    """
    allowed = _allowed(type_code)
    candidates = [d for d in departments if (d.kind, d.level) in allowed]
    if not candidates:
        raise InvalidRequest(
            f"none of the {len(departments)} departments may issue license type"
            f" {type_code}; pass the list demo_departments() returns"
        )
    for wanted in _preferences(holder_division_code):
        for department in candidates:
            if department.region_code == wanted:
                return department
    serving = places.serving_area(holder_division_code)
    for department in candidates:
        if divisions.within(department.region_code, serving):
            return department
    return candidates[0]


def _divisions_at(level: Level) -> Iterator[str]:
    if level is Level.PROVINCE:
        yield places.REGION_CODE
        return
    for area_code in places.COVERED_AREAS:
        yield (
            area_code if level is Level.PREFECTURE else places.counties_of(area_code)[0]
        )


@functools.cache
def _allowed(type_code: str) -> frozenset[tuple[str, Level]]:
    for license_type in load_seed_catalog():
        if license_type.code == type_code:
            return frozenset(
                (line.department_kind, level)
                for line in license_type.responsibilities
                for level in line.levels
            )
    raise NotFound(f"license type {type_code} is not in the seed catalog")


@functools.cache
def _preferences(division_code: str) -> tuple[str, ...]:
    """The holder's own county, area and region, nearest first."""
    found = divisions.division(division_code)
    area_code = places.area_of(division_code)
    own = (division_code,) if found.level is Level.COUNTY else ()
    area = (area_code,) if area_code is not None and area_code != division_code else ()
    if found.level is Level.PREFECTURE:
        area = (division_code,)
    serving = places.serving_area(division_code)
    # The serving area's own prefecture-level department before its counties'.
    return (*own, *area, places.REGION_CODE, serving)


def _department(kind: DepartmentKind, index: int, code: str) -> DemoDepartment:
    level = divisions.division(code).level
    body = f"01{code[2:4]}{index:02d}{code[4:6]}"  # organ codes of the demo
    credit_code = CreditCode.build(
        registration_authority=kind.credit_code_prefix[0],
        category=kind.credit_code_prefix[1],
        division_code=code,
        organisation_body=body,
    ).value
    name, name_en = _names(kind, code, level)
    return DemoDepartment(
        credit_code=credit_code,
        name=name,
        name_en=name_en,
        region_code=code,
        kind=kind.key,
        level=level,
    )


def _names(kind: DepartmentKind, code: str, level: Level) -> tuple[str, str]:
    provincial_en, _, local_en = kind.name_en.partition(" / ")
    if local_en and " " not in local_en:  # "... Department / Bureau"
        local_en = provincial_en.rsplit(" ", 1)[0] + " " + local_en
    local_en = local_en or provincial_en
    if level is Level.PROVINCE:
        return (
            places.REGION_NAME + kind.name_zh_province,
            f"{places.english_name(code)} {provincial_en}",
        )
    if level is Level.PREFECTURE:
        return (
            divisions.division(code).name + kind.name_zh_local,
            f"{places.english_name(code)} {local_en}",
        )
    area_code = places.area_of(code) or code
    county = divisions.division(code).name
    district = county.endswith("区")
    if district and kind.key == "public-security":  # a city's branch bureau
        city = divisions.division(area_code).name
        return (
            f"{city}{kind.name_zh_local}{county}分局",
            f"{places.english_name(code)} Branch,"
            f" {places.english_name(area_code)} {local_en}",
        )
    name_en = f"{places.english_name(code)} {local_en}"
    if district:
        name_en += f", {places.english_name(area_code)}"
    return places.official_place(code) + kind.name_zh_local, name_en
