"""Check characters of ISO/IEC 7064 (GB/T 17710) used by Chinese identifiers.

- MOD 11-2, the pure system with modulus 11 and radix 2 over the digits, checks the
  resident identity number of GB 11643. Its check character is a digit or ``X``
  for ten. It detects every single substitution and every transposition of
  adjacent characters.
- MOD 37,36, the hybrid system with moduli 36 and 37 over ``0-9A-Z``, checks the
  license identifier of GB/T 36904. It detects every single substitution; it
  misses the transposition of two adjacent characters whose values differ by one
  (``4`` and ``5``, ``Z`` and ``0``) in one position state out of 36, and detects
  every other adjacent transposition.

Both are computed recursively, as ISO/IEC 7064 describes, so that a string of any
length is checked without a table of weights.
"""

from __future__ import annotations

from zhengzhao.errors import InvalidIdentifier

__all__ = ["ALPHANUMERIC", "DIGITS", "mod_11_2", "mod_37_36"]

DIGITS = "0123456789"
ALPHANUMERIC = DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_MOD_11 = 11  # MOD 11-2: the modulus
_RADIX_2 = 2  # MOD 11-2: the radix; the hybrid systems double too
_MOD_11_2_CHECKS = DIGITS + "X"  # the residues 0 to 10, ten written X
_MOD_36 = 36  # MOD 37,36: one residue per character of 0-9A-Z; 37 is M + 1


def mod_11_2(digits: str) -> str:
    """The MOD 11-2 check character of ``digits``: ``0`` to ``9``, or ``X`` for ten."""
    state = 0
    for value in _values(digits, DIGITS):
        state = (state + value) * _RADIX_2 % _MOD_11
    return _MOD_11_2_CHECKS[(1 - state) % _MOD_11]  # the whole must sum to 1 mod 11


def mod_37_36(text: str) -> str:
    """The MOD 37,36 check character of ``text`` over ``0-9A-Z``."""
    state = _MOD_36
    for value in _values(text, ALPHANUMERIC):
        state = ((state + value) % _MOD_36 or _MOD_36) * _RADIX_2 % (_MOD_36 + 1)
    return ALPHANUMERIC[(1 - state) % _MOD_36]  # the string must end on 1 modulo 36


def _values(text: str, alphabet: str) -> list[int]:
    for position, char in enumerate(text, start=1):
        if char not in alphabet:
            raise InvalidIdentifier(
                f"character {char!r} at position {position} cannot be checked: "
                f"expected one of {alphabet}"
            )
    return [alphabet.index(char) for char in text]
