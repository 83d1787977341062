"""Bitstring Status List encoding, as W3C Bitstring Status List v1.0 specifies it."""

import base64
import gzip

import pytest

from zhengzhao.errors import InvalidDocument
from zhengzhao.verify.status_list import (
    PAGE_SIZE,
    StatusListEntry,
    StatusPurpose,
    bit_is_set,
    decode_bitstring,
    encode_bitstring,
    page_of,
    status_entry,
)


def test_encode_bitstring_sets_most_significant_bit_first():
    raw = decode_bitstring(encode_bitstring([0, 9]))
    assert raw[0] == 0b1000_0000
    assert raw[1] == 0b0100_0000
    assert len(raw) * 8 == PAGE_SIZE


def test_encode_bitstring_is_gzip_base64url_with_multibase_prefix():
    encoded = encode_bitstring([5])
    assert encoded.startswith("u") and "=" not in encoded
    payload = encoded[1:]
    raw = gzip.decompress(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert bit_is_set(raw, 5) and not bit_is_set(raw, 4)


def test_encode_bitstring_is_deterministic():
    assert encode_bitstring([1, 2, 3]) == encode_bitstring([3, 2, 1])


def test_encode_bitstring_refuses_position_outside_list():
    with pytest.raises(ValueError, match="outside a list"):
        encode_bitstring([PAGE_SIZE])


def test_decode_bitstring_refuses_garbage():
    with pytest.raises(InvalidDocument, match="GZIP"):
        decode_bitstring("uAAAA")
    with pytest.raises(InvalidDocument, match="prefix"):
        decode_bitstring("zAAAA")


def test_bit_beyond_list_is_an_error_not_a_false():
    with pytest.raises(InvalidDocument, match="beyond"):
        bit_is_set(b"\x00", 8)


def test_page_of_splits_index_into_page_and_position():
    assert page_of(0) == (0, 0)
    assert page_of(PAGE_SIZE + 3) == (1, 3)


def test_status_entry_roundtrips_through_parser():
    entry = status_entry(
        "https://n/v1/departments/X", StatusPurpose.SUSPENSION, PAGE_SIZE + 7
    )
    parsed = StatusListEntry.from_json(entry)
    assert parsed.index == 7
    assert parsed.list_url == "https://n/v1/departments/X/status-lists/suspension/1"
    assert parsed.purpose is StatusPurpose.SUSPENSION


def test_status_entry_parser_refuses_other_types():
    with pytest.raises(InvalidDocument, match="unsupported credentialStatus type"):
        StatusListEntry.from_json({"type": "StatusList2021Entry"})
