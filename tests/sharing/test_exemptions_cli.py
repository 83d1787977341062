"""`zhengzhao matter seed` and `zhengzhao report exemptions`: the seed list registered
for departments by kind, and the exemption report as JSON and as a table."""

import json
from importlib import resources

import pytest

from sharing.support import CARD_MATTER, HOLDER, set_up_sharing
from support.cli import invoke, write_config
from support.world import OPERATOR, department_code
from zhengzhao.catalog.seed import load_department_kinds
from zhengzhao.directory.departments import register_department

#: Kinds the seed list needs beyond the test world's five departments.
MISSING = [
    "civil-affairs",
    "development-reform",
    "education",
    "health",
    "healthcare-security",
    "housing-construction",
    "housing-provident-fund",
    "institution-registration",
    "tax",
]


@pytest.fixture
def config(tmp_path, settings, world):
    return write_config(tmp_path / "node.toml", settings)


def cli(config, *args):
    return invoke("--config", str(config), *args)


def add_missing_departments(world, clock):
    with world.node.database.transaction() as conn:
        for number, kind in enumerate(MISSING, start=2001):
            register_department(
                conn,
                world.node,
                principal=OPERATOR,
                credit_code=department_code("650000", str(number)),
                name=f"自治区{kind}",
                region_code="650000",
                kind=kind,
                known_kinds=frozenset(load_department_kinds()),
                now=clock.now(),
            )


def test_matter_seed_names_every_kind_without_a_department(config):
    result = cli(config, "matter", "seed")
    assert result.exit_code == 2
    assert f"no active department of kind {', '.join(MISSING)} is registered" in (
        result.output
    )
    assert json.loads(cli(config, "matter", "list", "--json").output) == []


def test_matter_seed_registers_the_54_matters_for_departments_of_their_kind(
    config, world, clock
):
    add_missing_departments(world, clock)
    result = cli(config, "matter", "seed", "--json")
    assert result.exit_code == 0, result.output
    added = {m["code"]: m for m in json.loads(result.output)}
    assert len(added) == 54
    departments = {d.credit_code: d for d in world.departments.values()}
    assert added["650000-015"]["department"] == (
        world.departments["hrss_region"].credit_code  # the region's own
    )
    # Two county police bureaus and no higher one: the lower credit code.
    assert added["650000-001"]["department"] == (
        world.departments["psb_tianshan"].credit_code
    )
    assert added["650000-050"]["department"] == department_code("650000", "2009")
    for matter in added.values():
        if matter["department"] in departments:
            kind = departments[matter["department"]].kind
            assert kind == matter["department_kind"]

    again = cli(config, "matter", "seed")
    assert again.exit_code == 2 and "already registered" in again.output
    assert cli(config, "matter", "seed", "--replace").exit_code == 0


def test_report_exemptions_json_is_the_api_report(config, world, clock):
    add_missing_departments(world, clock)
    assert cli(config, "matter", "seed").exit_code == 0
    result = cli(config, "report", "exemptions", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    api = world.http.get("/v1/reports/exemptions", headers=world.headers("auditor"))
    assert body == api.json()
    # The seed list with the seed catalog published (docs/matters.md).
    overall = body["design"]["overall"]
    assert overall["materials"]["supplied"] == overall["materials"]["asked"] == 85
    assert (overall["fields"]["supplied"], overall["fields"]["asked"]) == (389, 532)
    assert body["practice"]["matters"] == []


def test_report_exemptions_prints_shares_target_and_formulas(config, world):
    set_up_sharing(world)
    response = world.post(f"holder:{HOLDER}", f"/v1/matters/{CARD_MATTER}/prefill", {})
    assert response.status_code == 201, response.text
    result = cli(config, "report", "exemptions")
    assert result.exit_code == 0, result.output
    text = result.output
    design, practice = [
        " ".join(line.split()) for line in text.splitlines() if CARD_MATTER in line
    ]
    # By design 1/1 and 3/4; one prefill filling as much.
    assert design == f"│ {CARD_MATTER} │ 1/1 100.0 % │ 3/4 75.0 % │"
    assert practice == f"│ {CARD_MATTER} │ 1 │ 1/1 100.0 % │ 3/4 75.0 % │"
    assert (
        "materials in practice: 1/1 100.0 %, which meets the plan's target of 40 %"
        " by 2023-12-31" in text
    )
    assert "in practice, materials: required materials covered by a valid" in text
    assert "weighting: overall shares pool the counts" in text


def test_report_exemptions_of_one_matter_and_a_period(config, world):
    set_up_sharing(world)
    result = cli(
        config,
        "report",
        "exemptions",
        "--json",
        "--matter",
        CARD_MATTER,
        "--since",
        "2026-11-03",
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["matter"] == CARD_MATTER
    assert body["period"] == {"since": "2026-11-03", "until": None}
    assert [m["matter"] for m in body["design"]["matters"]] == [CARD_MATTER]


def test_report_exemptions_of_an_unknown_matter_exits_two(config):
    result = cli(config, "report", "exemptions", "--matter", "650000-999")
    assert result.exit_code == 2
    assert "no service matter 650000-999" in result.output


def test_report_exemptions_of_a_period_ending_before_it_begins_exits_two(config):
    result = cli(
        config, "report", "exemptions", "--since", "2026-11-04", "--until", "2026-11-02"
    )
    assert result.exit_code == 2
    assert "the period ends on 2026-11-02, before it begins on 2026-11-04" in (
        result.output
    )


def test_matter_add_loads_the_seed_file_by_kind(config, world, clock):
    add_missing_departments(world, clock)
    seed = resources.files("zhengzhao").joinpath("data", "matters.json")
    result = cli(config, "matter", "add", str(seed), "--json")
    assert result.exit_code == 0, result.output
    added = json.loads(result.output)
    assert len(added) == 54
    assert added[14]["code"] == "650000-015"
    assert added[14]["department"] == world.departments["hrss_region"].credit_code
