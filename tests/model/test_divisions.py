"""GB/T 2260 division codes: look-up, years, and the tree of regions."""

from __future__ import annotations

import pytest

from zhengzhao.errors import InvalidIdentifier
from zhengzhao.model.divisions import (
    Level,
    children,
    current_tree,
    descendants_of,
    division,
    is_known,
    within,
)

XINJIANG = "650000"


def test_division_xinjiang_levels_and_parents_follow_the_code() -> None:
    region, city, district = division("650000"), division("650100"), division("650102")
    assert (region.name, region.level, region.parent_code) == (
        "新疆维吾尔自治区",
        Level.PROVINCE,
        None,
    )
    assert (city.name, city.level, city.parent_code) == (
        "乌鲁木齐市",
        Level.PREFECTURE,
        "650000",
    )
    assert (district.name, district.level, district.parent_code) == (
        "天山区",
        Level.COUNTY,
        "650100",
    )


def test_division_renamed_code_keeps_latest_name_and_overall_span() -> None:
    # The source lists [1983-1998]南山矿区,[1999-2001]南泉区,[2002-]达坂城区.
    renamed = division("650107")
    assert (renamed.name, renamed.first_year, renamed.last_year) == (
        "达坂城区",
        1983,
        None,
    )
    assert renamed.is_current


def test_division_code_older_than_the_records_has_no_first_year() -> None:
    # The source lists [-1991]东郊区,[1992-]东丽区.
    assert division("120110").name == "东丽区"
    assert division("120110").first_year is None


def test_division_retired_code_is_known_but_not_current() -> None:
    retired = division("652101")
    assert (retired.name, retired.last_year, retired.is_current) == (
        "吐鲁番市",
        2015,
        False,
    )
    assert is_known("652101")
    assert not is_known("652101", historical=False)


def test_division_codes_cover_all_of_china() -> None:
    for code in ("110101", "440113", "540102", "710000", "810000", "820000"):
        assert is_known(code, historical=False), code


def test_division_unknown_code_raises_naming_the_code() -> None:
    with pytest.raises(
        InvalidIdentifier, match=r"^division code 999999 is not a GB/T 2260 code$"
    ):
        division("999999")
    assert not is_known("999999")


@pytest.mark.parametrize("code", ["65010", "6501020", "65O102", "６５０１０２"])
def test_division_malformed_code_raises_saying_six_digits(code: str) -> None:
    with pytest.raises(
        InvalidIdentifier, match=r"^division code must be 6 digits, got "
    ):
        division(code)


def test_children_of_xinjiang_are_its_current_prefectures_and_direct_cities() -> None:
    found = children(XINJIANG)
    prefectures = [d for d in found if d.level is Level.PREFECTURE]
    direct = [d for d in found if d.level is Level.COUNTY]
    # 4 prefecture-level cities, 5 prefectures (地区) and 5 autonomous prefectures.
    assert len(prefectures) == 14
    assert [d.code for d in direct] == [f"6590{n:02d}" for n in range(1, 13)]
    assert all(d.is_current for d in found)


def test_children_historical_includes_retired_prefectures() -> None:
    codes = {d.code for d in children(XINJIANG, historical=True)}
    assert {"652100", "652200", "654100"} <= codes
    assert "652100" not in {d.code for d in children(XINJIANG)}


def test_directly_administered_city_hangs_from_the_region_not_the_heading() -> None:
    assert division("659001").parent_code == XINJIANG
    assert division("659000").level is Level.GROUP
    assert within("659001", XINJIANG)
    assert not within("659001", "659000")


def test_group_headings_are_known_but_left_out_of_children() -> None:
    for heading in ("659000", "650101", "110100"):
        assert division(heading).level is Level.GROUP
    assert "659000" not in {d.code for d in children(XINJIANG, historical=True)}
    assert "650101" not in {d.code for d in children("650100", historical=True)}


def test_municipality_districts_hang_from_the_municipality() -> None:
    assert division("110101").parent_code == "110000"


def test_within_district_lies_in_its_city_and_region() -> None:
    assert within("650102", "650100")
    assert within("650102", XINJIANG)
    assert within("650100", XINJIANG)
    assert within(XINJIANG, XINJIANG)


def test_within_other_region_is_false() -> None:
    assert not within("650102", "110000")
    assert not within("650100", "650102")


def test_within_retired_code_follows_its_own_parents() -> None:
    assert within("652101", "652100")
    assert within("652101", XINJIANG)


def test_within_unknown_code_raises() -> None:
    with pytest.raises(InvalidIdentifier, match="division code 659999 is not"):
        within("659999", XINJIANG)


def test_descendants_of_lists_each_division_before_its_own_descendants() -> None:
    found = descendants_of(XINJIANG)
    position = {d.code: i for i, d in enumerate(found)}
    position[XINJIANG] = -1
    assert all(position[d.parent_code or ""] < position[d.code] for d in found)
    assert "652101" not in position
    assert "652101" in {d.code for d in descendants_of(XINJIANG, historical=True)}


def test_current_tree_of_xinjiang_is_the_region_and_every_current_division() -> None:
    tree = current_tree(XINJIANG)
    assert tree[0].code == XINJIANG
    assert all(d.is_current and d.level is not Level.GROUP for d in tree)
    assert all(within(d.code, XINJIANG) for d in tree)
    codes = {d.code for d in tree}
    assert {"650102", "653228", "659012"} <= codes  # a district, a 2024 county, a city
    assert not codes & {"650101", "659000", "652101"}  # headings and retired codes


def test_current_tree_of_retired_code_raises_naming_the_year() -> None:
    with pytest.raises(
        InvalidIdentifier, match=r"^division code 652100 was retired in 2015$"
    ):
        current_tree("652100")


def test_division_data_every_current_division_has_a_current_parent() -> None:
    for province in ("110000", "500000", "650000", "460000"):
        for found in descendants_of(province):
            assert found.parent_code is not None
            assert division(found.parent_code).is_current, found
