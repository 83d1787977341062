"""The fast JCS path writes exactly what the full RFC 8785 implementation writes."""

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengzhao.seals.jcs import CanonicalizationError, canonicalize

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=500, deadline=None)
@given(json_values)
def test_canonicalize_matches_rfc8785_for_any_json(value):
    try:
        expected = rfc8785.dumps(value)
    except (CanonicalizationError, UnicodeEncodeError):
        with pytest.raises((CanonicalizationError, UnicodeEncodeError)):
            canonicalize(value)
        return
    assert canonicalize(value) == expected


def test_canonicalize_sorts_keys_by_utf16_code_units_outside_the_bmp():
    # U+1F600 sorts before U+FF5E by UTF-16 code units (0xD83D < 0xFF5E), after it by
    # code point: the fast path must not be taken for such keys.
    value = {"\U0001f600": 1, "\uff5e": 2}
    assert canonicalize(value) == rfc8785.dumps(value)
    assert canonicalize(value).startswith('{"\U0001f600"'.encode())


def test_canonicalize_writes_integral_floats_as_integers():
    assert (
        canonicalize({"a": 100.0, "b": 1e21, "c": 1e-7})
        == b'{"a":100,"b":1e+21,"c":1e-7}'
    )


def test_canonicalize_refuses_integers_beyond_ijson():
    with pytest.raises(CanonicalizationError):
        canonicalize({"n": 2**53})
