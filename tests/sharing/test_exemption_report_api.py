"""`GET /v1/reports/exemptions`: the shares by design and in practice, checked
against counts made by hand for two matters, with the period and matter filters and
the plan's target."""

import pytest

from sharing.support import (
    CARD_MATTER,
    HOLDER,
    INSPECTION_MATTER,
    add_party,
    log_in,
    set_up_sharing,
)
from support.world import org_id, person_id
from zhengzhao.sharing.exemptions import FORMULAS, WEIGHTING, Basis

ME = f"holder:{HOLDER}"
STRANGER = person_id(sequence=71)  # holds no license


def report(world, who="auditor", *, expect=200, **query):
    response = world.http.get(
        "/v1/reports/exemptions", params=query, headers=world.headers(who)
    )
    assert response.status_code == expect, response.text
    return response.json()


def prefill(world, who, matter=CARD_MATTER, *, expect=201, **body):
    response = world.post(who, f"/v1/matters/{matter}/prefill", body)
    assert response.status_code == expect, response.text
    return response.json()


def share(supplied, asked):
    return {"supplied": supplied, "asked": asked, "ratio": supplied / asked}


@pytest.fixture
def sharing(world):
    return set_up_sharing(world)


@pytest.fixture
def prefilled(sharing, world):
    """Four prefills and a refused one, as the docstrings of each step count them.

    The card matter asks one required material (the ID card; the household register
    is optional) and four fields, three from the ID card and the phone typed in. The
    inspection asks two required materials and no field.
    """
    # The holder: the ID card covers the material and fills three fields.
    prefill(world, ME)
    # The bank, granted CZZT, sex and birthDate: the material, and the name only.
    granted = sharing.grant()
    prefill(world, "bank", authorization=granted["id"])
    # A stranger holding nothing: no material, no field.
    log_in(world, STRANGER, "赵六", as_="stranger")
    prefill(world, "stranger")
    # Refused: no authorization named. It does not count.
    prefill(world, "bank", holder=HOLDER, expect=403)
    # The market regulator's own licenses of a food business cover both materials.
    market = world.departments["market_urumqi"].credit_code
    add_party(world, kind="department", departmentCode=market, clearance="internal")
    business = org_id(9)
    for key in ("food-business-licence", "business-licence"):
        world.issue("market_urumqi", key, holder=business, name="某某餐饮有限公司")
    prefill(world, "market_urumqi", INSPECTION_MATTER, holder=business)


def test_exemptions_by_design_count_the_matters_once(sharing, world):
    design = report(world)["design"]
    assert design["basis"] == "design"
    assert design["matters"] == [
        {
            "matter": CARD_MATTER,
            "prefills": 0,
            "materials": share(1, 1),
            "fields": share(3, 4),
        },
        {
            "matter": INSPECTION_MATTER,
            "prefills": 0,
            "materials": share(2, 2),
            "fields": {"supplied": 0, "asked": 0, "ratio": None},
        },
    ]
    assert design["overall"] == {
        "prefills": 0,
        "materials": share(3, 3),
        "fields": share(3, 4),
        "meetsTarget": True,
    }
    assert design["formulas"] == FORMULAS[Basis.DESIGN]


def test_exemptions_in_practice_count_every_prefill_made(prefilled, world):
    practice = report(world)["practice"]
    assert practice["matters"] == [
        {
            "matter": CARD_MATTER,
            "prefills": 3,
            "materials": share(2, 3),
            "fields": share(3 + 1 + 0, 12),
        },
        {
            "matter": INSPECTION_MATTER,
            "prefills": 1,
            "materials": share(2, 2),
            "fields": {"supplied": 0, "asked": 0, "ratio": None},
        },
    ]
    # Pooled, not averaged: (2 + 2) / (3 + 2), not (2/3 + 1) / 2.
    assert practice["overall"] == {
        "prefills": 4,
        "materials": share(4, 5),
        "fields": share(4, 12),
        "meetsTarget": True,
    }
    assert practice["formulas"] == FORMULAS[Basis.PRACTICE]


def test_exemptions_state_the_target_and_the_weighting(sharing, world):
    body = report(world, "operator")
    assert body["target"]["materials"] == 0.4
    assert body["target"]["by"] == "2023-12-31"
    assert "新政办发〔2022〕59号" in body["target"]["source"]
    assert body["weighting"] == WEIGHTING
    assert body["matter"] is None
    assert body["period"] == {"since": None, "until": None}


def test_exemptions_below_the_target_say_so(sharing, world):
    log_in(world, STRANGER, "赵六", as_="stranger")
    prefill(world, "stranger")
    overall = report(world)["practice"]["overall"]
    assert overall["materials"] == share(0, 1)
    assert overall["meetsTarget"] is False


def test_exemptions_without_prefills_have_no_ratio_in_practice(sharing, world):
    practice = report(world)["practice"]
    assert practice["matters"] == []
    assert practice["overall"]["materials"]["ratio"] is None
    assert practice["overall"]["meetsTarget"] is None


def test_exemptions_of_one_matter(prefilled, world):
    body = report(world, matter=INSPECTION_MATTER)
    assert body["matter"] == INSPECTION_MATTER
    assert [m["matter"] for m in body["design"]["matters"]] == [INSPECTION_MATTER]
    assert [m["matter"] for m in body["practice"]["matters"]] == [INSPECTION_MATTER]
    assert body["practice"]["overall"]["prefills"] == 1


def test_exemptions_in_a_period_count_its_days_both_included(sharing, world, clock):
    prefill(world, ME)  # 2026-11-02 in China Standard Time
    clock.advance(days=2)
    log_in(world, STRANGER, "赵六", as_="stranger")
    prefill(world, "stranger")  # 2026-11-04
    later = report(world, since="2026-11-04")["practice"]["overall"]
    assert later["prefills"] == 1 and later["materials"] == share(0, 1)
    earlier = report(world, until="2026-11-03")["practice"]["overall"]
    assert earlier["prefills"] == 1 and earlier["materials"] == share(1, 1)
    both = report(world, since="2026-11-02", until="2026-11-04")
    assert both["practice"]["overall"]["prefills"] == 2
    assert both["period"] == {"since": "2026-11-02", "until": "2026-11-04"}


def test_exemptions_of_a_period_ending_before_it_begins_are_refused(sharing, world):
    body = report(world, since="2026-11-04", until="2026-11-02", expect=422)
    assert body["code"] == "invalid-request"
    assert body["message"] == (
        "the period ends on 2026-11-02, before it begins on 2026-11-04; give since"
        " on or before until"
    )


def test_exemptions_of_an_unknown_matter_are_not_found(sharing, world):
    body = report(world, matter="650000-999", expect=404)
    assert body["message"] == (
        "no service matter 650000-999; `GET /v1/matters` lists them"
    )


def test_exemptions_are_for_operators_and_auditors(sharing, world):
    body = report(world, "psb_tianshan", expect=403)
    assert body["code"] == "permission-denied"
    assert body["message"].startswith("this needs the operator or auditor role")
    assert report(world, ME, expect=401)["code"] == "authentication-required"
