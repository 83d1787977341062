"""`zhengzhao party add|update|list|show` and using-party clients."""

import json

import pytest

from sharing.support import BANK, CARD_MATTER, card_matter
from support.cli import invoke, write_config


@pytest.fixture
def config(tmp_path, settings, world):
    return write_config(tmp_path / "node.toml", settings)


@pytest.fixture
def matter(config, tmp_path, world):
    path = tmp_path / "matter.json"
    path.write_text(json.dumps(card_matter(), ensure_ascii=False), encoding="utf-8")
    hrss = world.departments["hrss_region"].credit_code
    result = invoke(
        "--config", str(config), "matter", "add", str(path), "--department", hrss
    )
    assert result.exit_code == 0, result.output
    return CARD_MATTER


def test_party_add_then_client_then_the_client_acts_for_it(config, matter, world):
    result = invoke(
        "--config",
        str(config),
        "party",
        "add",
        "--kind",
        "third-party",
        "--credit-code",
        BANK,
        "--name",
        "中国工商银行乌鲁木齐分行",
        "--clearance",
        "internal",
        "--matter",
        matter,
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["matters"] == [matter]

    client = invoke(
        "--config",
        str(config),
        "client",
        "create",
        "bank desk",
        "--role",
        "using-party",
        "--party",
        BANK,
    )
    assert client.exit_code == 0, client.output
    token = json.loads(client.output)["token"]
    me = world.http.get("/v1/parties/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["creditCode"] == BANK


def test_party_update_list_and_show(config, matter, world):
    market = world.departments["market_urumqi"].credit_code
    invoke(
        "--config",
        str(config),
        "party",
        "add",
        "--kind",
        "department",
        "--department",
        market,
        "--clearance",
        "sensitive",
    )
    updated = invoke(
        "--config",
        str(config),
        "party",
        "update",
        market,
        "--clearance",
        "secret",
        "--matter",
        matter,
        "--disable",
        "--json",
    )
    assert updated.exit_code == 0, updated.output
    value = json.loads(updated.output)
    assert (value["clearance"], value["matters"], value["disabled"]) == (
        "secret",
        [matter],
        True,
    )
    listed = invoke("--config", str(config), "party", "list", "--json")
    assert [p["credit_code"] for p in json.loads(listed.output)] == [market]
    shown = invoke("--config", str(config), "party", "show", market)
    assert "cleared up to secret (disabled)" in shown.output
    assert f"serves {matter}" in shown.output


def test_party_add_refusal_exits_two(config):
    result = invoke(
        "--config",
        str(config),
        "party",
        "add",
        "--kind",
        "department",
        "--clearance",
        "public",
    )
    assert result.exit_code == 2
    assert "a department party needs the department's code" in result.output
