"""`zhengzhao matter add|list|show`: files of matters, JSON output, errors."""

import json

import pytest

from sharing.support import (
    CARD_MATTER,
    INSPECTION_MATTER,
    card_matter,
    inspection_matter,
)
from support.cli import invoke, write_config


@pytest.fixture
def config(tmp_path, settings, world):
    return write_config(tmp_path / "node.toml", settings)


def write(tmp_path, value, name="matters.json"):
    path = tmp_path / name
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def test_matter_add_registers_a_list_with_departments_named_inside(
    config, tmp_path, world
):
    hrss = world.departments["hrss_region"].credit_code
    market = world.departments["market_urumqi"].credit_code
    path = write(
        tmp_path,
        [
            {**card_matter(), "department": hrss},
            {**inspection_matter(), "department": market},
        ],
    )
    result = invoke("--config", str(config), "matter", "add", str(path), "--json")
    assert result.exit_code == 0, result.output
    added = json.loads(result.output)
    assert [(m["code"], m["department"]) for m in added] == [
        (CARD_MATTER, hrss),
        (INSPECTION_MATTER, market),
    ]

    listed = invoke("--config", str(config), "matter", "list", "--json")
    assert json.loads(listed.output) == added
    table = invoke("--config", str(config), "matter", "list")
    assert table.exit_code == 0 and table.output.count("650000-") == 1


def test_matter_add_takes_the_department_option_and_show_prints_the_matter(
    config, tmp_path, world
):
    hrss = world.departments["hrss_region"].credit_code
    path = write(tmp_path, card_matter())
    result = invoke(
        "--config", str(config), "matter", "add", str(path), "--department", hrss
    )
    assert result.exit_code == 0, result.output
    assert "650000-RS-0001 社会保障卡申领 offered by" in result.output

    shown = invoke("--config", str(config), "matter", "show", CARD_MATTER)
    assert "form applicantName 申请人姓名: 11100000000013127D001.CZZT" in shown.output
    as_json = invoke("--config", str(config), "matter", "show", CARD_MATTER, "--json")
    assert json.loads(as_json.output)["form"][3]["source"] is None


def test_matter_add_replace_updates_and_without_it_refuses(config, tmp_path, world):
    hrss = world.departments["hrss_region"].credit_code
    first = write(tmp_path, card_matter(), "first.json")
    invoke("--config", str(config), "matter", "add", str(first), "--department", hrss)
    second = write(tmp_path, card_matter(name_zh="社保卡申领"), "second.json")
    refused = invoke(
        "--config", str(config), "matter", "add", str(second), "--department", hrss
    )
    assert refused.exit_code == 2
    assert "is already registered" in refused.output

    replaced = invoke(
        "--config",
        str(config),
        "matter",
        "add",
        str(second),
        "--department",
        hrss,
        "--replace",
        "--json",
    )
    assert replaced.exit_code == 0, replaced.output
    assert json.loads(replaced.output)[0]["name_zh"] == "社保卡申领"


def test_matter_add_of_another_department_kind_is_refused(config, tmp_path, world):
    police = world.departments["psb_tianshan"].credit_code
    path = write(tmp_path, card_matter())
    result = invoke(
        "--config", str(config), "matter", "add", str(path), "--department", police
    )
    assert result.exit_code == 2
    assert "(invalid-request)" in result.output
    assert "offered by a human-resources-social-security department" in result.output


def test_matter_add_without_department_takes_one_of_its_kind(config, tmp_path, world):
    path = write(tmp_path, [card_matter(), inspection_matter()])
    result = invoke("--config", str(config), "matter", "add", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert [m["department"] for m in json.loads(result.output)] == [
        world.departments["hrss_region"].credit_code,
        world.departments["market_urumqi"].credit_code,
    ]


def test_matter_add_of_a_kind_without_department_names_matter_and_kind(
    config, tmp_path
):
    path = write(
        tmp_path,
        [card_matter(), card_matter(code="650000-TX-1", department_kind="tax")],
    )
    result = invoke("--config", str(config), "matter", "add", str(path))
    assert result.exit_code == 2
    assert (
        "no active department of kind tax is registered to offer matters 650000-TX-1"
        in result.output
    )
    listed = invoke("--config", str(config), "matter", "list", "--json")
    assert json.loads(listed.output) == []  # nothing registered


def test_matter_add_is_all_or_nothing(config, tmp_path, world):
    hrss = world.departments["hrss_region"].credit_code
    path = write(tmp_path, [card_matter(), {**card_matter(), "holder_kind": "robot"}])
    result = invoke(
        "--config", str(config), "matter", "add", str(path), "--department", hrss
    )
    assert result.exit_code == 2
    assert "holder_kind must be person or organisation, not 'robot'" in result.output
    listed = invoke("--config", str(config), "matter", "list", "--json")
    assert json.loads(listed.output) == []


def test_matter_show_of_unknown_matter_exits_two(config):
    result = invoke("--config", str(config), "matter", "show", "NOPE")
    assert result.exit_code == 2
    assert "no service matter NOPE" in result.output
