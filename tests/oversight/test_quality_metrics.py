"""The monthly assessment on a month whose every figure is known (see `support`)."""

import pytest

from oversight.support import (
    ASSESSED_AT,
    BUSINESS,
    CARD,
    EXPECTED,
    IDLE,
    MARKET_SCORE,
    MONTH,
    REGISTER,
    TIANSHAN_SCORE,
    build_month,
)
from support.world import OPERATOR, principal_of, type_code
from zhengzhao.errors import InvalidRequest, NotFound, PermissionDenied
from zhengzhao.model.parties import Principal, Role
from zhengzhao.oversight.months import Month
from zhengzhao.oversight.quality import assess_quality

AUDITOR = Principal(client_id="test-auditor", name="auditor", role=Role.AUDITOR)


@pytest.fixture
def report(world, clock, tmp_path):
    build_month(world, clock, tmp_path)
    with world.node.database.reading() as conn:
        return assess_quality(
            conn, principal=AUDITOR, month=Month.parse(MONTH), now=ASSESSED_AT
        )


def _by_key(world, report):
    codes = {d.credit_code: key for key, d in world.departments.items()}
    return {codes[item.department.credit_code]: item for item in report.departments}


def test_assessment_figures_match_the_hand_worked_month(world, report):
    found = _by_key(world, report)
    for key, metrics in EXPECTED.items():
        assert set(found[key].measures) == set(metrics), key
        for metric, figures in metrics.items():
            measured = found[key].measures[metric].figures
            for name, value in figures.items():
                assert measured[name] == pytest.approx(value), (key, metric, name)


def test_assessment_scores_follow_the_weighted_formula(world, report):
    found = _by_key(world, report)
    assert found["psb_tianshan"].score == pytest.approx(TIANSHAN_SCORE)
    assert found["market_urumqi"].score == pytest.approx(MARKET_SCORE)
    assert found["psb_tianshan"].weight == 95


def test_assessment_ranks_best_score_first(world, report):
    assert [item.rank for item in report.departments] == [1, 2, 3, 4, 5]
    assert [item.department for item in report.departments[:2]] == [
        world.departments["psb_tianshan"],
        world.departments["market_urumqi"],
    ]
    # Responsible for types, and declared and gathered nothing: assessed, at 0.
    idle = report.departments[2:]
    assert {item.department.credit_code for item in idle} == {
        world.departments[key].credit_code for key in IDLE
    }
    assert [item.score for item in idle] == [0, 0, 0]
    assert report.unassessed == ()


def _lines(world, report):
    codes = {d.credit_code: key for key, d in world.departments.items()}
    return {
        (codes[line.department_code], line.type_code): line
        for line in report.completeness
    }


def test_assessment_completeness_uses_the_figure_standing_at_month_end(world, report):
    lines = _lines(world, report)
    card = lines["psb_tianshan", CARD]
    assert (card.gathered, card.expected, card.ratio) == (7, 8, 7 / 8)
    assert (card.as_of.isoformat(), card.status) == ("2026-10-20", "declared")
    register = lines["psb_tianshan", REGISTER]
    assert (register.gathered, register.expected, register.status) == (
        0,
        0,
        "declared",
    )
    # Gathered without a declaration: listed as undeclared, and completeness 0.
    business = lines["market_urumqi", BUSINESS]
    assert (business.gathered, business.expected, business.ratio) == (3, None, None)
    assert business.status == "undeclared"


def test_assessment_completeness_lists_every_type_on_the_responsibility_list(
    world, report
):
    lines = _lines(world, report)
    undeclared = sorted(
        (key, code)
        for (key, code), line in lines.items()
        if line.status == "undeclared"
    )
    assert undeclared == sorted(
        [
            ("market_urumqi", BUSINESS),
            ("market_urumqi", type_code("food-business-licence")),
            ("psb_shayibake", CARD),
            ("psb_shayibake", REGISTER),
            ("hrss_region", type_code("social-security-card")),
            ("hrss_region", type_code("professional-qualification-certificate")),
            ("hrss_region", type_code("vocational-skill-level-certificate")),
            ("land_tianshan", type_code("real-estate-certificate")),
        ]
    )
    assert all(
        line.gathered == 0 and line.expected is None
        for (key, _), line in lines.items()
        if key in IDLE
    )


def test_assessment_of_october_counts_only_october(world, clock, tmp_path, report):
    with world.node.database.reading() as conn:
        october = assess_quality(
            conn, principal=OPERATOR, month=Month(2026, 10), now=ASSESSED_AT
        )
    (item,) = october.departments
    assert item.measures["identifiers"].figures == {
        "submitted": 2,
        "failed": 1,
        "rate": 0.5,
    }
    assert item.measures["completeness"].figures["counted"] == 1
    assert item.measures["rectification"].figures == {"open": 1, "fixed": 0, "rate": 0}


def test_assessment_of_the_current_month_stops_at_now(world, clock, tmp_path):
    build_month(world, clock, tmp_path)
    with world.node.database.reading() as conn:
        partial = assess_quality(
            conn,
            principal=AUDITOR,
            month=Month(2026, 11),
            now=ASSESSED_AT.replace(month=11, day=6),
        )
    assert not partial.window.complete
    found = _by_key(world, partial)
    assert found["psb_tianshan"].measures["gathering_delay"].figures["records"] == 4


def test_assessment_refused_to_departments_and_verifiers(world, report):
    verifier = Principal(client_id="v", name="v", role=Role.VERIFIER)
    for principal in (principal_of(world, "psb_tianshan"), verifier):
        with world.node.database.reading() as conn, pytest.raises(PermissionDenied):
            assess_quality(
                conn, principal=principal, month=Month(2026, 11), now=ASSESSED_AT
            )


def test_assessment_of_a_month_without_data_raises_not_found(world):
    with world.node.database.reading() as conn, pytest.raises(NotFound) as caught:
        assess_quality(conn, principal=AUDITOR, month=Month(2026, 9), now=ASSESSED_AT)
    assert "nothing to assess in 2026-09" in caught.value.message


def test_assessment_of_a_month_to_come_is_refused(world):
    with world.node.database.reading() as conn, pytest.raises(InvalidRequest) as caught:
        assess_quality(conn, principal=AUDITOR, month=Month(2027, 1), now=ASSESSED_AT)
    assert "has not begun" in caught.value.message


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "November", "26-11", ""])
def test_month_parse_refuses_other_forms(text):
    with pytest.raises(InvalidRequest) as caught:
        Month.parse(text)
    assert "write it as YYYY-MM" in caught.value.message


def test_month_boundaries_are_china_standard_time():
    month = Month.parse("2026-11")
    assert month.start.isoformat() == "2026-11-01T00:00:00+08:00"
    assert month.end.isoformat() == "2026-12-01T00:00:00+08:00"
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2027, 1).previous() == Month(2026, 12)
    assert Month(2026, 2).last_day.isoformat() == "2026-02-28"
