"""RFC 8785 JSON Canonicalization Scheme (JCS), with a fast path for plain documents.

The `rfc8785` package implements the whole scheme in pure Python, which costs about a
tenth of a millisecond per license. Most documents here hold only objects, arrays,
strings, booleans, null and integers within ±(2**53 − 1), with keys in the Basic
Multilingual Plane. For those, JCS output is byte for byte what the standard library's
C encoder writes with sorted keys, no ASCII escaping and compact separators:

- strings are escaped alike (RFC 8785 section 3.2.2.2: quotation mark, reverse solidus,
  ``\\b \\f \\n \\r \\t``, other control characters as lower-case ``\\u00xx``);
- integers in that range print alike (section 3.2.2.3);
- sorting keys by code point equals sorting by UTF-16 code unit (section 3.2.3) when
  no key holds a character above U+FFFF.

Anything else (a float, a larger integer, such a key) takes the full `rfc8785` path.
A property test checks the two paths against each other.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

__all__ = ["CanonicalizationError", "canonicalize"]

CanonicalizationError = rfc8785.CanonicalizationError

#: The I-JSON integer range (RFC 7493 section 2.2), which JCS requires.
_EXACT_INTEGER = 2**53 - 1
_LAST_BMP = "\uffff"


def canonicalize(value: Any) -> bytes:
    """The JCS bytes of ``value``; raises `CanonicalizationError` if it is not JSON."""
    if _plain(value):
        try:
            return json.dumps(
                value, ensure_ascii=False, sort_keys=True, separators=(",", ":")
            ).encode()
        except UnicodeEncodeError:
            pass  # a lone surrogate: let rfc8785 say what is wrong
    result: bytes = rfc8785.dumps(value)
    return result


def _plain(value: Any) -> bool:
    # This walk runs several times per issued license, so it is written for speed:
    # loops rather than all(), no call for the strings most values are, and
    # `isascii` (constant time) before `max` for the ASCII keys most keys are.
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -_EXACT_INTEGER <= value <= _EXACT_INTEGER
    if isinstance(value, dict):
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or max(key) <= _LAST_BMP):
                return False
            if type(item) is not str and not _plain(item):
                return False
        return True
    if isinstance(value, list):
        for item in value:
            if type(item) is not str and not _plain(item):
                return False
        return True
    return False
