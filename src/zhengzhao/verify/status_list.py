"""W3C Bitstring Status List v1.0: the bitstrings and the credentials that carry them.

Each issuer publishes two lists, one per status purpose: ``revocation`` (a set bit means
the license is permanently invalid) and ``suspension`` (a set bit means it is detained
for now). A license's position in both lists is its status index. Lists are pages of
`PAGE_SIZE` positions; position ``i`` lives on page ``i // PAGE_SIZE``.

Encoding per the specification: bit 0 is the most significant bit of the first byte;
the bitstring is GZIP-compressed, base64url-encoded without padding, and prefixed with
``u`` (multibase).
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from zhengzhao.errors import InvalidDocument

__all__ = [
    "LAST_PAGE",
    "PAGE_SIZE",
    "StatusListEntry",
    "StatusPurpose",
    "decode_bitstring",
    "encode_bitstring",
    "page_of",
    "status_entry",
    "status_list_credential",
]

#: 131,072 positions: the specification's minimum list length (16 KiB), which keeps a
#: single license from standing out in a short list (herd privacy).
PAGE_SIZE = 131_072

#: The last status list page a node serves: a million pages of `PAGE_SIZE` positions
#: are 1.3 × 10^11 licenses, more than any issuer holds, and the bound keeps a page
#: number inside every database's integers.
LAST_PAGE = 1_000_000

#: Digits of a position inside one page (`PAGE_SIZE` has six).
_INDEX_DIGITS = 6

#: GZIP level 9 and a fixed mtime make the encoding deterministic for the same bits.
_GZIP_LEVEL = 9


class StatusPurpose(StrEnum):
    REVOCATION = "revocation"
    SUSPENSION = "suspension"


def page_of(status_index: int) -> tuple[int, int]:
    """The page holding ``status_index``, and the position inside that page."""
    return divmod(status_index, PAGE_SIZE)


def encode_bitstring(set_positions: Iterable[int], *, size: int = PAGE_SIZE) -> str:
    """The ``encodedList`` of a ``size``-bit list with ``set_positions`` set."""
    bits = bytearray(size // 8)
    for position in set_positions:
        if not 0 <= position < size:
            raise ValueError(f"position {position} is outside a list of {size} bits")
        bits[position // 8] |= 0x80 >> (position % 8)
    compressed = gzip.compress(bytes(bits), compresslevel=_GZIP_LEVEL, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_bitstring(encoded: str) -> bytes:
    """The raw bitstring from an ``encodedList`` value; raises `InvalidDocument`."""
    if not encoded.startswith("u"):
        raise InvalidDocument("encodedList must be multibase base64url (prefix `u`)")
    payload = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        return gzip.decompress(compressed)
    except (ValueError, OSError, EOFError) as exc:
        raise InvalidDocument("encodedList is not a GZIP-compressed bitstring") from exc


def bit_is_set(bitstring: bytes, position: int) -> bool:
    if position // 8 >= len(bitstring):
        raise InvalidDocument(
            f"status index {position} is beyond the list's {len(bitstring) * 8} entries"
        )
    return bool(bitstring[position // 8] & (0x80 >> (position % 8)))


@dataclass(frozen=True, kw_only=True)
class StatusListEntry:
    """One `credentialStatus` entry of a license."""

    purpose: StatusPurpose
    #: Position in the list (the credential carries it as a string).
    index: int
    #: URL of the status list credential.
    list_url: str

    @classmethod
    def from_json(cls, value: Any) -> StatusListEntry:
        try:
            if value["type"] != "BitstringStatusListEntry":
                raise InvalidDocument(
                    f"unsupported credentialStatus type {value['type']}"
                )
            index = str(value["statusListIndex"])
            if not (
                index.isascii() and index.isdigit() and len(index) <= _INDEX_DIGITS
            ):
                raise InvalidDocument(
                    f"statusListIndex {index[:20]!r} is not a position in a list"
                )
            return cls(
                purpose=StatusPurpose(value["statusPurpose"]),
                index=int(index),
                list_url=str(value["statusListCredential"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidDocument(f"malformed credentialStatus entry: {exc}") from exc


def status_list_url(issuer_url: str, purpose: StatusPurpose, page: int) -> str:
    return f"{issuer_url}/status-lists/{purpose.value}/{page}"


def status_entry(
    issuer_url: str, purpose: StatusPurpose, status_index: int
) -> dict[str, Any]:
    """The `credentialStatus` entry for a license at ``status_index``."""
    page, position = page_of(status_index)
    list_url = status_list_url(issuer_url, purpose, page)
    return {
        "id": f"{list_url}#{position}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose.value,
        "statusListIndex": str(position),
        "statusListCredential": list_url,
    }


def status_list_credential(
    *,
    issuer_url: str,
    purpose: StatusPurpose,
    page: int,
    set_positions: Iterable[int],
    valid_from: str,
    valid_until: str,
) -> dict[str, Any]:
    """The unsigned `BitstringStatusListCredential` for one page of a list."""
    list_url = status_list_url(issuer_url, purpose, page)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url,
        "validFrom": valid_from,
        "validUntil": valid_until,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose.value,
            "encodedList": encode_bitstring(set_positions),
        },
    }
