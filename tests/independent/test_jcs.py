"""The independent JCS (RFC 8785) and base58btc decoder against published vectors."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from independent.di_verifier import base58btc_decode, canonicalize

RFC8785 = json.loads((Path(__file__).parent / "vectors" / "rfc8785.json").read_text())


def double(bits: str) -> float:
    """The IEEE 754 binary64 value with these big-endian bits, in hex."""
    value: float = struct.unpack(">d", bytes.fromhex(bits))[0]
    return value


@pytest.mark.parametrize(("name", "case"), RFC8785["documents"].items())
def test_canonicalize_published_document_gives_published_text(name, case):
    assert canonicalize(json.loads(case["input"])) == case["expected"].encode("utf-8")


@pytest.mark.parametrize(("bits", "expected"), RFC8785["appendixB"])
def test_canonicalize_appendix_b_number_gives_its_text(bits, expected):
    assert canonicalize(double(bits)) == expected.encode()


@pytest.mark.parametrize("bits", RFC8785["appendixBErrors"])
def test_canonicalize_nan_or_infinity_is_refused(bits):
    with pytest.raises(ValueError, match="is not a JSON number"):
        canonicalize([double(bits)])


@pytest.mark.parametrize(
    ("json_text", "expected"),
    [
        ("1e+30", "1e+30"),
        ("1E30", "1e+30"),
        ("4.50", "4.5"),
        ("0.002", "0.002"),
        ("2e-3", "0.002"),
        ("1e-7", "1e-7"),
        ("0.000001", "0.000001"),
        ("-0", "0"),
        ("-0.0", "0"),
        ("333333333.33333329", "333333333.3333333"),
        ("9007199254740992", "9007199254740992"),
        ("56.0", "56"),
        ("1e21", "1e+21"),
        ("123e18", "123000000000000000000"),
        ("-1.5e-9", "-1.5e-9"),
    ],
)
def test_canonicalize_number_follows_es6_serialization(json_text, expected):
    assert canonicalize(json.loads(json_text)) == expected.encode()


def test_canonicalize_integer_beyond_2_pow_53_is_the_double_it_rounds_to():
    # RFC 8785 §3.2.2.3: a JSON number is an IEEE 754 double, as a JavaScript
    # parser reads it; 2**53 + 1 has no double of its own.
    assert canonicalize(9007199254740993) == b"9007199254740992"


def test_canonicalize_integer_beyond_binary64_is_refused():
    with pytest.raises(ValueError, match="beyond IEEE 754 binary64"):
        canonicalize(10**400)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u0000\u001f", '"\\u0000\\u001f"'),
        ("\b\t\n\f\r", '"\\b\\t\\n\\f\\r"'),
        ('"\\', '"\\"\\\\"'),
        ("/\u007f\u2028\u2029", '"/\u007f\u2028\u2029"'),
        ("居民身份证 😀", '"居民身份证 😀"'),
    ],
)
def test_canonicalize_string_escapes_only_quote_backslash_and_controls(text, expected):
    assert canonicalize(text) == expected.encode("utf-8")


def test_canonicalize_sorts_names_by_utf16_code_units_not_code_points():
    # U+1F600 is the surrogate pair D83D DE00, which sorts before U+FB33 in UTF-16
    # although its code point is higher.
    expected = '{"\U0001f600":2,"\ufb33":1}'
    assert canonicalize({"\ufb33": 1, "\U0001f600": 2}) == expected.encode()


def test_canonicalize_lone_surrogate_is_refused():
    with pytest.raises(ValueError):
        canonicalize({"name": "\ud800"})


def test_canonicalize_non_string_member_name_is_refused():
    with pytest.raises(ValueError, match="member names are strings"):
        canonicalize({1: "one"})


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        # draft-msporny-base58-03, "Test Vectors"; then the edge cases.
        ("2NEpo7TZRRrLZSi2U", b"Hello World!"),
        (
            "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z",
            b"The quick brown fox jumps over the lazy dog.",
        ),
        ("11233QC4", bytes.fromhex("0000287fb4cd")),
        ("", b""),
        ("111", b"\x00\x00\x00"),
    ],
)
def test_base58btc_decode_gives_published_bytes(encoded, decoded):
    assert base58btc_decode(encoded) == decoded


@pytest.mark.parametrize("character", ["0", "O", "I", "l", "+", "/"])
def test_base58btc_decode_character_outside_alphabet_is_refused(character):
    with pytest.raises(ValueError, match="not in the base58btc alphabet"):
        base58btc_decode(f"2NEpo{character}7TZ")


def test_base58btc_decode_p256_multikey_opens_with_varint_0x1200():
    # DI-ECDSA "Multikey": the P-256 header is the varint of 0x1200, bytes 0x80 0x24,
    # then 33 bytes of compressed point.
    decoded = base58btc_decode("DnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP")
    assert decoded[:2] == b"\x80\x24"
    assert len(decoded) == 35
