"""`identify`: a mistyped resident ID number is never taken for a valid credit code."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from zhengzhao.model.credit_code import CreditCode
from zhengzhao.model.divisions import descendants_of
from zhengzhao.model.identifiers import IdentifierKind, identify
from zhengzhao.model.resident_id import ResidentId

TODAY = datetime.date(2026, 11, 2)
DIVISIONS = [d.code for d in descendants_of("650000", historical=True)] + [
    "110101",
    "440113",
    "360426",
]


#: What a finger can hit instead: digits, X, and the credit code alphabet's letters.
TYPED = "0123456789XABCDEFGHJKLMNPQRTUWY"


@st.composite
def mistyped_resident_ids(draw: st.DrawFn) -> str:
    """A valid resident ID number with one character replaced by another."""
    number = ResidentId.build(
        division_code=draw(st.sampled_from(DIVISIONS)),
        birth_date=draw(st.dates(datetime.date(1900, 1, 1), TODAY)),
        sequence=draw(st.integers(0, 999)),
    ).value
    position = draw(st.integers(0, len(number) - 1))
    char = draw(st.sampled_from([c for c in TYPED if c != number[position]]))
    return number[:position] + char + number[position + 1 :]


@settings(max_examples=1000)
@given(mistyped_resident_ids(), st.booleans())
def test_identify_never_reports_a_mistyped_resident_id_valid(
    typo: str, lenient: bool
) -> None:
    report = identify(typo, lenient=lenient, today=TODAY)
    assert not report.valid, report


def test_identify_names_both_readings_of_a_mistyped_id_that_passes_as_credit_code():
    # 650102199001010180 with its last digit mistyped as 4 passes, strictly, as a
    # credit code too (authority 6, category 5, division 010219, ...).
    assert CreditCode.parse("650102199001010184").value == "650102199001010184"
    report = identify("650102199001010184", today=TODAY)
    assert (report.kind, report.valid) == (IdentifierKind.RESIDENT_ID, False)
    assert report.reason == (
        "reads as a resident ID number whose check character is 4, expected 0; it"
        " also passes as a credit code, but one mistyped character of an ID number"
        " is the likelier reading: check the number"
    )


def test_identify_letter_typed_into_an_id_number_is_no_pilot_era_code():
    typo = "6501021990010101B0"
    assert CreditCode.parse(typo, lenient=True).warnings  # a "pilot-era" code
    report = identify(typo, lenient=True, today=TODAY)
    assert (report.kind, report.valid) == (IdentifierKind.RESIDENT_ID, False)
    assert report.reason.startswith(
        "reads as a resident ID number whose character 17 must be a digit, got 'B';"
        " it also passes as a credit code"
    )


def test_identify_letter_typed_as_check_character_names_the_id_reading():
    # Y for X: a letter of the credit code alphabet, so the shape is a credit code's.
    report = identify("11010519491231002Y", today=TODAY)
    assert (report.kind, report.valid) == (IdentifierKind.RESIDENT_ID, False)
    assert report.reason is not None
    assert report.reason.startswith(
        "reads as a resident ID number whose check character is Y, expected X;"
        " as a credit code, "
    )


def test_identify_invalid_credit_code_far_from_any_id_number_stays_a_credit_code():
    report = identify("91350100M000100Y44", today=TODAY)
    assert (report.kind, report.valid) == (IdentifierKind.CREDIT_CODE, False)


def test_identify_all_digit_credit_code_far_from_any_id_number_stays_valid():
    # python-stdnum's vector: neither its division nor its date reads as an ID's.
    report = identify("121200004013590816", today=TODAY)
    assert (report.kind, report.valid) == (IdentifierKind.CREDIT_CODE, True)
