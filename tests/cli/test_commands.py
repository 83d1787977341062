"""The `zhengzhao` command: verify online and offline, export, trust list, admin."""

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import random_master_key
from support.cli import invoke, write_config
from support.live import free_port, serving
from support.world import build_world, department_code
from zhengzhao.config import Settings
from zhengzhao.node import Node
from zhengzhao.seals.algorithms import Algorithm, SigningKey
from zhengzhao.translog.note import CosignatureSigner


@pytest.fixture
def config(tmp_path, settings, world):
    return write_config(tmp_path / "node.toml", settings)


@pytest.fixture
def exported(config, tmp_path, world):
    for _ in range(3):
        world.issue()
    revoked = world.issue()
    world.event(revoked["identifier"], "revoked")
    out = tmp_path / "export"
    result = invoke(
        "--config", str(config), "export", "--limit", "10", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    return out, revoked["identifier"]


def status_args(out: Path) -> list[str]:
    args = []
    for path in sorted((out / "status").glob("*.json")):
        args += ["--status-list", str(path)]
    return args


def test_export_writes_licenses_trust_list_and_status_lists(exported):
    out, _ = exported
    assert len(list((out / "licenses").glob("*.json"))) == 4
    assert (
        json.loads((out / "trust-list.json").read_text())["type"]
        == "ZhengzhaoTrustList"
    )
    assert len(list((out / "status").glob("*.json"))) == 2  # one issuer, two purposes


def test_verify_offline_valid_license_exits_zero(exported):
    out, revoked = exported
    valid = next(p for p in (out / "licenses").glob("*.json") if p.stem != revoked)
    result = invoke(
        "verify",
        str(valid),
        "--trust-list",
        str(out / "trust-list.json"),
        *status_args(out),
    )
    assert result.exit_code == 0, result.output
    assert "Valid" in result.output


def test_verify_offline_revoked_license_exits_one(exported):
    out, revoked = exported
    result = invoke(
        "verify",
        str(out / "licenses" / f"{revoked}.json"),
        "--trust-list",
        str(out / "trust-list.json"),
        *status_args(out),
        "--json",
    )
    assert result.exit_code == 1
    assert json.loads(result.output)["status"]["outcome"] == "failed"


def test_verify_offline_without_status_lists_is_not_valid(exported):
    out, _ = exported
    license_file = next((out / "licenses").glob("*.json"))
    result = invoke(
        "verify", str(license_file), "--trust-list", str(out / "trust-list.json")
    )
    assert result.exit_code == 1
    assert "Cannot confirm" in result.output


def test_verify_offline_tampered_license_exits_one(exported, tmp_path):
    out, _ = exported
    exported = json.loads(next((out / "licenses").glob("*.json")).read_text())
    document = exported["document"]
    document["credentialSubject"]["fields"]["address"] = "别处"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document))
    result = invoke(
        "verify",
        str(tampered),
        "--trust-list",
        str(out / "trust-list.json"),
        *status_args(out),
    )
    assert result.exit_code == 1
    assert "Invalid" in result.output


def verify_offline_json(out, path):
    result = invoke(
        "verify",
        str(path),
        "--trust-list",
        str(out / "trust-list.json"),
        *status_args(out),
        "--json",
    )
    return result.exit_code, json.loads(result.output)


def test_verify_offline_checks_the_exported_log_proof(exported):
    out, revoked = exported
    valid = next(p for p in (out / "licenses").glob("*.json") if p.stem != revoked)
    code, report = verify_offline_json(out, valid)
    assert code == 0
    assert report["transparency"]["outcome"] == "passed"
    assert "issuance logged at index" in report["transparency"]["detail"]
    assert "in the node's log" in report["summary"]


def test_verify_offline_refuses_the_log_proof_of_another_license(exported, tmp_path):
    out, revoked = exported
    first, second = [
        json.loads(p.read_text())
        for p in sorted((out / "licenses").glob("*.json"))
        if p.stem != revoked
    ][:2]
    swapped = tmp_path / "swapped.json"
    swapped.write_text(
        json.dumps({"document": first["document"], "log": second["log"]})
    )
    code, report = verify_offline_json(out, swapped)
    assert code == 1
    assert report["transparency"]["outcome"] == "failed"
    assert "is about license" in report["transparency"]["detail"]


def test_verify_offline_refuses_a_log_proof_with_a_forged_checkpoint(
    exported, tmp_path
):
    out, revoked = exported
    path = next(p for p in (out / "licenses").glob("*.json") if p.stem != revoked)
    license_ = json.loads(path.read_text())
    origin, size, _root, *rest = license_["log"]["checkpoint"].split("\n")
    forged_root = base64.b64encode(bytes(32)).decode()
    license_["log"]["checkpoint"] = "\n".join([origin, size, forged_root, *rest])
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(license_))
    code, report = verify_offline_json(out, forged)
    assert code == 1
    assert report["transparency"]["outcome"] == "failed"


def test_verify_without_trust_source_is_a_usage_error(exported):
    out, _ = exported
    result = invoke("verify", str(next((out / "licenses").glob("*.json"))))
    assert result.exit_code == 2
    assert "give --url" in result.output


def test_verify_unreadable_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    result = invoke("verify", str(bad), "--url", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "is not JSON" in result.output


def test_verify_online_against_a_live_node(tmp_path, database_url, clock):
    port = free_port()
    settings = Settings(
        mode="development",
        database_url=database_url,
        master_key=random_master_key(),  # type: ignore[arg-type]
        base_url=f"http://127.0.0.1:{port}",
    )
    # The command reads the real clock, and takes status lists only while they are
    # in force: the node must keep the same time.
    clock.moment = datetime.now(UTC)
    with Node(settings) as node:
        world = build_world(node, clock)
        license_ = world.issue()
        path = tmp_path / "license.json"
        path.write_text(json.dumps(license_))
        with serving(world.http.app, port) as url:
            result = invoke("verify", str(path), "--url", url)
            assert result.exit_code == 0, result.output
            world.event(license_["identifier"], "suspended")
            result = invoke("verify", str(path), "--url", url, "--json")
            assert result.exit_code == 1
            assert "suspension list" in json.loads(result.output)["status"]["detail"]


def test_trust_list_command_writes_file(config, tmp_path):
    out = tmp_path / "trust.json"
    result = invoke("--config", str(config), "trust-list", "--out", str(out))
    assert result.exit_code == 0
    assert len(json.loads(out.read_text())["verificationMethods"]) == 5


def test_trust_list_command_and_export_name_the_configured_witnesses(
    settings, tmp_path, world
):
    witness = CosignatureSigner(
        "witness.test", SigningKey.generate(Algorithm.ED25519)
    ).verifier_key
    config = write_config(
        tmp_path / "witnessed.toml",
        settings,
        "[[witnesses]]",
        'url = "http://127.0.0.1:9/witness"',
        f'vkey = "{witness}"',
    )
    world.issue()
    assert invoke("--config", str(config), "log", "vkey").exit_code == 0  # the log key
    out = tmp_path / "trust.json"
    assert (
        invoke("--config", str(config), "trust-list", "--out", str(out)).exit_code == 0
    )
    exported = tmp_path / "export"
    result = invoke(
        "--config", str(config), "export", "--limit", "1", "--out", str(exported)
    )
    assert result.exit_code == 0, result.output
    for path in (out, exported / "trust-list.json"):
        assert json.loads(path.read_text())["log"]["witnesses"] == [witness]


def test_department_add_and_client_create(config):
    code = department_code("650200", "3001")
    result = invoke(
        "--config",
        str(config),
        "department",
        "add",
        code,
        "克拉玛依市民政局",
        "--region",
        "650200",
        "--kind",
        "civil-affairs",
    )
    assert result.exit_code == 0, result.output
    result = invoke(
        "--config",
        str(config),
        "client",
        "create",
        "desk",
        "--role",
        "department",
        "--department",
        code,
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["token"].startswith("zz_")


def test_client_disable_and_list(config, world):
    token = world.tokens["verifier"]
    client_id = token.split("_")[1]
    result = invoke("--config", str(config), "client", "disable", client_id)
    assert result.exit_code == 0, result.output
    assert f"client {client_id} (verifier) disabled since" in result.output
    refused = world.http.post(
        "/v1/verify", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.json()["code"] == "client-disabled"
    listed = invoke("--config", str(config), "client", "list", "--json")
    assert listed.exit_code == 0, listed.output
    by_id = {c["clientId"]: c for c in json.loads(listed.output)}
    assert by_id[client_id]["disabledAt"] is not None
    assert by_id[world.tokens["operator"].split("_")[1]]["disabledAt"] is None
    assert "zz_" not in listed.output


def test_client_disable_of_an_unknown_client_exits_two(config):
    result = invoke("--config", str(config), "client", "disable", "nobody")
    assert result.exit_code == 2
    assert "no API client nobody" in result.output


def test_department_add_pilot_era_code_needs_lenient(config):
    good = department_code("650200", "3003")
    pilot = good[:-1] + ("0" if good[-1] != "0" else "1")
    args = ["--config", str(config), "department", "add", pilot, "试点单位"]
    args += ["--region", "650200", "--kind", "civil-affairs"]
    refused = invoke(*args)
    assert refused.exit_code == 2
    assert "send it again with lenientCreditCode set to true (or --lenient)" in (
        refused.output
    )
    accepted = invoke(*args, "--lenient")
    assert accepted.exit_code == 0, accepted.output
    assert "warning" in accepted.output and "pilot-era code" in accepted.output


def test_department_rename_and_deactivate(config, world):
    code = world.departments["market_urumqi"].credit_code
    renamed = invoke(
        "--config",
        str(config),
        "department",
        "rename",
        code,
        "--name",
        "乌鲁木齐市市场监管局",
    )
    assert renamed.exit_code == 0, renamed.output
    assert f"{code} is 乌鲁木齐市市场监管局" in renamed.output
    done = invoke("--config", str(config), "department", "deactivate", code)
    assert done.exit_code == 0, done.output
    assert "deactivated since" in done.output
    refused = world.issue("market_urumqi", "business-licence", holder=None, expect=409)
    assert refused["code"] == "department-deactivated"
    listed = invoke("--config", str(config), "department", "list")
    assert listed.exit_code == 0 and code in listed.output


def test_department_rename_without_a_name_is_a_usage_error(config, world):
    code = world.departments["market_urumqi"].credit_code
    result = invoke("--config", str(config), "department", "rename", code)
    assert result.exit_code == 2
    assert "give --name, --name-en or both" in result.output


def test_region_list_reads_the_shipped_tree():
    provinces = json.loads(invoke("region", "list", "--json").output)
    assert {"code": "650000", "name": "新疆维吾尔自治区"}.items() <= {
        p["code"]: p for p in provinces
    }["650000"].items()
    assert all(p["level"] == "province" for p in provinces)
    urumqi = json.loads(invoke("region", "list", "--parent", "650100", "--json").output)
    assert {"650102", "650103"} <= {d["code"] for d in urumqi}
    assert all(d["parentCode"] == "650100" for d in urumqi)


def test_region_list_with_historical_codes_shows_retired_ones():
    current = json.loads(
        invoke("region", "list", "--parent", "652100", "--json").output
    )
    every = json.loads(
        invoke("region", "list", "--parent", "652100", "--historical", "--json").output
    )
    assert "652101" not in {d["code"] for d in current}
    assert {"652101": 2015}.items() <= {d["code"]: d["lastYear"] for d in every}.items()


def test_region_list_of_an_unknown_parent_exits_two():
    result = invoke("region", "list", "--parent", "999999")
    assert result.exit_code == 2
    assert "division code 999999 is not a GB/T 2260 code" in result.output


def test_department_add_with_unknown_region_exits_two(config):
    result = invoke(
        "--config",
        str(config),
        "department",
        "add",
        department_code("650200", "3002"),
        "X",
        "--region",
        "999999",
        "--kind",
        "civil-affairs",
    )
    assert result.exit_code == 2
    assert "not served by this node" in result.output


def test_keys_rotate_and_list(config, world):
    code = world.departments["market_urumqi"].credit_code
    assert (
        invoke(
            "--config", str(config), "keys", "rotate", code, "--algorithm", "sm2"
        ).exit_code
        == 0
    )
    listed = invoke("--config", str(config), "keys", "list", code)
    assert "sm2" in listed.output and "retired" in listed.output


def test_keys_master_prints_a_fresh_32_byte_key():
    import base64

    first = invoke("keys", "master").output.strip()
    assert len(base64.urlsafe_b64decode(first)) == 32
    assert invoke("keys", "master").output.strip() != first


def test_init_prepares_an_empty_database(tmp_path):
    settings = Settings(
        mode="production",
        database_url=f"sqlite:///{tmp_path / 'fresh.db'}",
        master_key=random_master_key(),  # type: ignore[arg-type]
    )
    config = write_config(tmp_path / "fresh.toml", settings)
    result = invoke("--config", str(config), "init")
    assert result.exit_code == 0, result.output
    assert "license types added" in result.output
    again = invoke("--config", str(config), "init")
    assert "0 regions and 0 license types added" in again.output
    listed = invoke("--config", str(config), "catalog", "list")
    assert "营业执照" in listed.output
