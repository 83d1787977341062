"""Validity rules: reading them, and the last day they give."""

from datetime import date

import pytest

from zhengzhao.catalog.types import ValidityKind, ValidityRule
from zhengzhao.errors import InvalidRequest, SchemaViolation


def test_validity_rule_fixed_years_gives_the_day_before_the_anniversary():
    rule = ValidityRule.from_json({"kind": "fixed-years", "years": 10})
    assert rule.last_day(date(2024, 2, 29), None) == date(2034, 2, 27)


@pytest.mark.parametrize("years", [0, 101, 10**30, True, "6", None])
def test_validity_rule_years_outside_one_to_a_hundred_are_refused(years):
    with pytest.raises(SchemaViolation) as raised:
        ValidityRule.from_json({"kind": "fixed-years", "years": years})
    assert raised.value.message == (
        f"a fixed-years validity rule needs `years` from 1 to 100, got {years!r}"
    )


def test_validity_rule_hundred_years_is_the_longest():
    rule = ValidityRule.from_json({"kind": "fixed-years", "years": 100})
    assert rule.kind is ValidityKind.FIXED_YEARS
    assert rule.last_day(date(2999, 12, 31), None) == date(3099, 12, 30)


def test_validity_rule_term_ending_past_the_last_date_is_an_invalid_request():
    rule = ValidityRule.from_json({"kind": "fixed-years", "years": 20})
    with pytest.raises(InvalidRequest) as raised:
        rule.last_day(date(9990, 1, 1), None)
    assert raised.value.message == (
        "a license valid from 9990-01-01 for 20 years would end past the last date"
        " the node can record"
    )
