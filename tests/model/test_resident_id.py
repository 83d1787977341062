"""Resident identity numbers of GB 11643: public vectors, messages, error detection."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from zhengzhao.errors import InvalidIdentifier
from zhengzhao.model.divisions import descendants_of
from zhengzhao.model.resident_id import ResidentId, Sex, resident_id_check_character

# Valid numbers from python-stdnum's tests/test_cn_ric.doctest
# (https://github.com/arthurdejong/python-stdnum).
STDNUM_VALID = (
    "360426199101010071",
    "44011320141005001X",
    "412723199010050012",
    "110102199101010078",
    "120110198012010073",
    "120110199212010072",
)

# Invalid numbers from the same file, with the check each one fails here.
STDNUM_INVALID = (
    ("990426199112010074", "division code 990426 is not a GB/T 2260 code"),
    ("360426199113010079", "birth date 19911301 is not a real date"),
    ("T60426199101010078", "character 1 must be a digit, got 'T'"),
    ("36042619910102009X", "check character is X, expected 3"),
)

DIVISIONS = [d.code for d in descendants_of("650000", historical=True)] + [
    "110101",
    "440113",
    "360426",
]
SUBSTITUTES = "0123456789X"


@st.composite
def resident_ids(draw: st.DrawFn) -> ResidentId:
    return ResidentId.build(
        division_code=draw(st.sampled_from(DIVISIONS)),
        birth_date=draw(
            st.dates(datetime.date(1900, 1, 1), datetime.date(2030, 12, 31))
        ),
        sequence=draw(st.integers(0, 999)),
    )


def with_check(body: str) -> str:
    return body + resident_id_check_character(body)


@pytest.mark.parametrize("number", STDNUM_VALID)
def test_resident_id_stdnum_valid_vectors_parse(number: str) -> None:
    assert ResidentId.parse(number).value == number


@pytest.mark.parametrize(("number", "message"), STDNUM_INVALID)
def test_resident_id_stdnum_invalid_vectors_raise_naming_the_check(
    number: str, message: str
) -> None:
    with pytest.raises(InvalidIdentifier, match=f"^{message}$"):
        ResidentId.parse(number)


@pytest.mark.parametrize("number", ["110111198012010078", "110201199312010077"])
def test_resident_id_division_years_are_not_compared_with_birth_date(
    number: str,
) -> None:
    # python-stdnum refuses these: 110111 dates from 1986 (after this birth) and
    # 110201 was retired in 1982 (before that one). Numbers are assigned at
    # registration, not birth, and the list's years are a compilation's.
    assert ResidentId.parse(number).value == number


def test_resident_id_parts_are_read() -> None:
    number = ResidentId.parse("44011320141005001X")
    assert number.division_code == "440113"
    assert number.birth_date == datetime.date(2014, 10, 5)
    assert (number.sequence, number.sex) == (1, Sex.MALE)


def test_resident_id_even_sequence_is_female() -> None:
    number = ResidentId.parse(with_check("65010219900101002"))
    assert (number.sequence, number.sex) == (2, Sex.FEMALE)


def test_resident_id_lowercase_x_and_whitespace_are_normalised() -> None:
    assert ResidentId.parse("  44011320141005001x\n").value == "44011320141005001X"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("36042619910101007", "must be 18 characters, got 17"),
        ("3604261991010100711", "must be 18 characters, got 19"),
        ("36042619910101007A", "check character must be a digit or X, got 'A'"),
        ("3604261991010X0071", "character 14 must be a digit, got 'X'"),
        ("999999199001010011", "division code 999999 is not a GB/T 2260 code"),
        ("650102199002300011", "birth date 19900230 is not a real date"),
        ("650102000001010011", "birth date 00000101 is not a real date"),
    ],
)
def test_resident_id_malformed_raises_naming_what_failed(
    number: str, message: str
) -> None:
    with pytest.raises(InvalidIdentifier, match=f"^{message}$"):
        ResidentId.parse(number)


def test_resident_id_wrong_check_character_raises_with_expected() -> None:
    body = "65010219900101001"
    expected = resident_id_check_character(body)
    wrong = "7" if expected != "7" else "8"
    with pytest.raises(
        InvalidIdentifier, match=f"^check character is {wrong}, expected {expected}$"
    ):
        ResidentId.parse(body + wrong)


def test_resident_id_check_character_ten_is_x() -> None:
    # python-stdnum's vector 44011320141005001X.
    assert resident_id_check_character("44011320141005001") == "X"


def test_resident_id_future_birth_date_raises_when_today_is_given() -> None:
    number = with_check("65010220300101001")
    with pytest.raises(
        InvalidIdentifier, match=r"^birth date 20300101 is after today, 2025-06-01$"
    ):
        ResidentId.parse(number, today=datetime.date(2025, 6, 1))
    assert ResidentId.parse(number).birth_date == datetime.date(2030, 1, 1)


def test_resident_id_born_today_is_accepted() -> None:
    today = datetime.date(2025, 6, 1)
    assert ResidentId.parse(with_check("65010220250601001"), today=today)


def test_resident_id_build_computes_a_valid_number() -> None:
    number = ResidentId.build(
        division_code="659001", birth_date=datetime.date(1988, 2, 29), sequence=42
    )
    assert number.value[:17] == "65900119880229042"
    assert ResidentId.parse(number.value) == number


def test_resident_id_build_refuses_sequence_over_three_digits() -> None:
    with pytest.raises(
        InvalidIdentifier, match=r"^sequence must be 0 to 999, got 1000$"
    ):
        ResidentId.build(
            division_code="659001", birth_date=datetime.date(1988, 2, 29), sequence=1000
        )


def test_resident_id_check_character_refuses_a_short_body() -> None:
    with pytest.raises(
        InvalidIdentifier, match=r"^the body must be 17 digits, got 16$"
    ):
        resident_id_check_character("6501021990010100")


def test_resident_id_check_character_refuses_a_letter_in_the_body() -> None:
    with pytest.raises(
        InvalidIdentifier,
        match=r"^character 'A' at position 17 cannot be checked: "
        "expected one of 0123456789$",
    ):
        resident_id_check_character("6501021990010100A")


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_resident_id_check_character_matches_python_stdnum(body: str) -> None:
    # python-stdnum's calc_check_digit expects a placeholder where the check goes.
    assert resident_id_check_character(body) == ric.calc_check_digit(body + "0")


@settings(deadline=None)
@given(resident_ids())
def test_resident_id_every_single_substitution_is_detected(number: ResidentId) -> None:
    for position, original in enumerate(number.value):
        for substitute in SUBSTITUTES.replace(original, ""):
            tampered = (
                number.value[:position] + substitute + number.value[position + 1 :]
            )
            with pytest.raises(InvalidIdentifier):
                ResidentId.parse(tampered)


@settings(deadline=None)
@given(resident_ids())
def test_resident_id_every_adjacent_transposition_is_detected(
    number: ResidentId,
) -> None:
    value = number.value
    for position in range(len(value) - 1):
        first, second = value[position], value[position + 1]
        if first == second:
            continue
        swapped = value[:position] + second + first + value[position + 2 :]
        with pytest.raises(InvalidIdentifier):
            ResidentId.parse(swapped)
