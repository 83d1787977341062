"""License identifiers of GB/T 36904: vectors, parts, versions, error detection."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.iso7064 import mod_37_36 as stdnum_mod_37_36

from zhengzhao.errors import InvalidIdentifier
from zhengzhao.model.credit_code import CREDIT_CODE_ALPHABET, CreditCode
from zhengzhao.model.iso7064 import ALPHANUMERIC, mod_37_36
from zhengzhao.model.license_id import LicenseIdentifier

# Identifiers seen in real systems, from DESIGN.md section 6.
FIRST = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"
SECOND = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F"
TYPE_CODE = "11100000000013338W011"
ISSUER = "11430000006122244L"
PILOT_ISSUER = "91110000600037341N"  # fails its check character: expected L
SUBSTITUTES = ALPHANUMERIC + ".-"


@st.composite
def license_ids(draw: st.DrawFn) -> LicenseIdentifier:
    alphabet = st.sampled_from(CREDIT_CODE_ALPHABET)
    authority = CreditCode.build(
        registration_authority="1",
        category="1",
        division_code="100000",
        organisation_body="".join(draw(st.lists(alphabet, min_size=8, max_size=8))),
    )
    return LicenseIdentifier.build(
        type_code=authority.value + draw(st.text("0123456789", min_size=3, max_size=3)),
        issuer_code=draw(st.sampled_from([ISSUER, "11220000013544541J"])),
        serial=draw(st.text(ALPHANUMERIC, min_size=1, max_size=40)),
        version=draw(st.integers(1, 999)),
    )


def neighbours(first: str, second: str) -> bool:
    """Whether two characters' MOD 37,36 values differ by one, modulo 36."""
    if first not in ALPHANUMERIC or second not in ALPHANUMERIC:
        return False
    difference = ALPHANUMERIC.index(first) - ALPHANUMERIC.index(second)
    return difference % 36 in (1, 35)


@pytest.mark.parametrize("text", [FIRST, SECOND])
def test_license_id_design_identifiers_parse_and_print_unchanged(text: str) -> None:
    assert str(LicenseIdentifier.parse(text)) == text


def test_license_id_parts_are_read() -> None:
    identifier = LicenseIdentifier.parse(SECOND)
    assert identifier.type_code == "11100000000013338W032"
    assert identifier.issuer_code == "11220000013544541J"
    assert (identifier.serial, identifier.version, identifier.check) == (
        "2430599",
        1,
        "F",
    )


def test_license_id_lowercase_and_whitespace_are_normalised() -> None:
    assert str(LicenseIdentifier.parse(f"  {FIRST.lower()}\n")) == FIRST


def test_license_id_build_computes_the_check_character() -> None:
    built = LicenseIdentifier.build(
        type_code=TYPE_CODE, issuer_code=ISSUER, serial="20230000403"
    )
    assert str(built) == FIRST
    assert built == LicenseIdentifier.parse(FIRST)


def test_license_id_next_version_raises_version_and_recomputes_check() -> None:
    following = LicenseIdentifier.parse(FIRST).next_version()
    assert following.version == 2
    expected = stdnum_mod_37_36.calc_check_digit(
        TYPE_CODE + ISSUER + "20230000403" + "002"
    )
    assert str(following) == FIRST[: -len("001.U")] + f"002.{expected}"
    assert LicenseIdentifier.parse(str(following)) == following


def test_license_id_next_version_after_999_raises() -> None:
    last = LicenseIdentifier.build(
        type_code=TYPE_CODE, issuer_code=ISSUER, serial="1", version=999
    )
    with pytest.raises(
        InvalidIdentifier,
        match=r"^version 999 is the last; re-issue under a new serial$",
    ):
        last.next_version()


def test_license_id_pilot_era_issuer_is_accepted_with_warning() -> None:
    identifier = LicenseIdentifier.build(
        type_code=TYPE_CODE, issuer_code=PILOT_ISSUER, serial="1"
    )
    assert LicenseIdentifier.parse(str(identifier)) == identifier
    assert identifier.warnings == (
        "issuer code: check character is N, expected L; accepted as a pilot-era code",
    )


def test_license_id_serial_of_40_characters_is_the_longest() -> None:
    build = LicenseIdentifier.build
    assert build(type_code=TYPE_CODE, issuer_code=ISSUER, serial="9" * 40)
    with pytest.raises(
        InvalidIdentifier,
        match=r"^serial must be 1 to 40 upper-case letters and digits, got '9{41}'$",
    ):
        build(type_code=TYPE_CODE, issuer_code=ISSUER, serial="9" * 41)


def test_license_id_direct_construction_checks_parts() -> None:
    with pytest.raises(InvalidIdentifier, match=r"^serial must be 1 to 40 upper-case"):
        LicenseIdentifier(
            type_code=TYPE_CODE, issuer_code=ISSUER, serial="abc", version=1
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            FIRST.replace("1.2.156.3005.2.", "1.2.156.3005.1."),
            r"must start with 1\.2\.156\.3005\.2\.",
        ),
        (
            FIRST.replace(".001.", "."),
            "must have 5 parts after the root "
            r"\(type code, issuer code, serial, version, check character\), got 4",
        ),
        (
            FIRST.replace("W011", "W11"),
            r"type code must be 21 characters \(a credit code and three digits\), "
            "got 20",
        ),
        (FIRST.replace("W011", "W0A1"), "type code must end in three digits, got 0A1"),
        (
            FIRST.replace("11100000000013338W", "1110000000001333IW"),
            "type code 1110000000001333IW: character 17 is 'I', which is not in "
            "the alphabet 0-9 and A-Z without I, O, S, V, Z",
        ),
        (
            FIRST.replace(ISSUER, ISSUER[:-1]),
            "issuer code 11430000006122244: must be 18 characters, got 17",
        ),
        (
            FIRST.replace("20230000403", "2023-0000403"),
            "serial must be 1 to 40 upper-case letters and digits, got '2023-0000403'",
        ),
        (FIRST.replace(".001.", ".01."), "version must be three digits, got '01'"),
        (FIRST.replace(".001.", ".000."), "version must be 001 to 999, got 000"),
        (FIRST[:-1] + "F", "check character is F, expected U"),
        (FIRST + "U", "check character is UU, expected U"),
    ],
)
def test_license_id_malformed_raises_naming_what_failed(
    text: str, message: str
) -> None:
    with pytest.raises(InvalidIdentifier, match=f"^{message}$"):
        LicenseIdentifier.parse(text)


@given(st.text(ALPHANUMERIC, min_size=1, max_size=120))
def test_license_id_mod_37_36_matches_python_stdnum(text: str) -> None:
    assert mod_37_36(text) == stdnum_mod_37_36.calc_check_digit(text)


def test_license_id_mod_37_36_misses_only_transpositions_of_neighbours() -> None:
    # Every state of the check is reached after one leading character, and every
    # later step permutes the states, so this exhausts all adjacent transpositions.
    missed = {
        (first, second)
        for lead in ALPHANUMERIC
        for first in ALPHANUMERIC
        for second in ALPHANUMERIC
        if first != second
        and mod_37_36(lead + first + second) == mod_37_36(lead + second + first)
    }
    assert missed
    assert all(neighbours(first, second) for first, second in missed)


# Each example tries every substitution at every position: a few thousand parses.
@settings(deadline=None, max_examples=25)
@given(license_ids())
def test_license_id_every_single_substitution_is_detected(
    identifier: LicenseIdentifier,
) -> None:
    text = str(identifier)
    for position, original in enumerate(text):
        for substitute in SUBSTITUTES.replace(original, ""):
            tampered = text[:position] + substitute + text[position + 1 :]
            with pytest.raises(InvalidIdentifier):
                LicenseIdentifier.parse(tampered)


@settings(deadline=None)
@given(license_ids())
def test_license_id_adjacent_transposition_of_non_neighbours_is_detected(
    identifier: LicenseIdentifier,
) -> None:
    text = str(identifier)
    for position in range(len(text) - 1):
        first, second = text[position], text[position + 1]
        if first == second or neighbours(first, second):
            continue
        swapped = text[:position] + second + first + text[position + 2 :]
        with pytest.raises(InvalidIdentifier):
            LicenseIdentifier.parse(swapped)
