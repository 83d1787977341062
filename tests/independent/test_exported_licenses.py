"""End to end: licenses and status lists from `zhengzhao export` pass the independent
verifier, and no copy with a single change does.

The node issues several types with P-256 and Ed25519 keys, lets some licenses gain
new versions through later events, signs registered capitals whose JCS number forms
are easy to get wrong, and exports them all with the real CLI. SM2 licenses
use a suite outside the W3C specifications (`sm2-jcs-zhengzhao-2026`) and are not
issued here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from typer.testing import CliRunner

from independent.di_verifier import (
    PublicKey,
    VerificationFailed,
    key_from_jwk,
    key_from_multikey,
    single_changes,
    verify_credential,
)
from support.world import World, example_fields, org_id, person_id
from zhengzhao.cli.main import app
from zhengzhao.config import Settings


@dataclass(frozen=True)
class Export:
    """What `zhengzhao export` wrote."""

    licenses: list[dict[str, Any]]
    """Each exported license file, parsed."""
    status_lists: list[dict[str, Any]]
    """Each exported status list credential, parsed."""
    trust_list: dict[str, Any]
    """The exported `trust-list.json`, parsed."""


#: Registered capitals whose canonical forms are 9007199254740991, 1e+21,
#: 333333333.3333333, 0.000001, 1e-7 and 4.5.
EDGE_NUMBERS = [2**53 - 1, 1e21, 333333333.33333329, 0.000001, 1e-7, 4.50]


def rotate_key(world: World, who: str, algorithm: str) -> None:
    code = world.departments[who].credit_code
    response = world.post(who, f"/v1/departments/{code}/keys", {"algorithm": algorithm})
    assert response.status_code == 201, response.text


def write_config(path: Path, settings: Settings) -> Path:
    """The node's settings as the TOML file the CLI reads (as tests/cli does)."""
    assert settings.master_key is not None
    lines = [
        f'mode = "{settings.mode}"',
        f'database_url = "{settings.database_url}"',
        f'master_key = "{settings.master_key.get_secret_value()}"',
        f'base_url = "{settings.base_url}"',
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def issue_variety(world: World, clock: Any) -> None:
    """Licenses of four departments, two algorithms, later versions, odd numbers."""
    # First keys: P-256, one per department.
    card = world.issue(holder=person_id(date(1990, 1, 1), 11), name="张三")
    register = world.issue("psb_tianshan", "household-register", name="李四")
    world.issue("hrss_region", "social-security-card", name="王五")
    world.issue(
        "market_urumqi",
        "business-licence",
        holder=org_id(3),
        name="丝路商贸有限公司",
        validUntil="2046-01-01",
    )
    world.issue(
        "market_urumqi", "food-business-licence", holder=org_id(4), name="天山餐饮店"
    )
    estate = world.issue(
        "land_tianshan", "real-estate-certificate", name="古丽米热·艾合买提"
    )
    world.event(card["identifier"], "extended", validUntil="2040-01-01")
    buyer = {"identifier": person_id(date(1980, 3, 3), 77), "name": "买方"}
    world.event(estate["identifier"], "transferred", who="land_tianshan", holder=buyer)
    world.event(register["identifier"], "revoked", reason="迁出")

    # Later keys: Ed25519 for a bureau, a second P-256 key for the market regulator.
    clock.advance(minutes=1)
    rotate_key(world, "psb_tianshan", "ed25519")
    rotate_key(world, "market_urumqi", "ecdsa-p256")
    later = world.issue(holder=person_id(date(1985, 5, 5), 42), name="阿依古丽")
    world.issue("psb_tianshan", "household-register", name='Ayşe O\'Neil "测试"')
    world.event(later["identifier"], "extended", validUntil="2040-01-01")
    world.issue(
        "market_urumqi",
        "business-licence",
        holder=org_id(5),
        name="新丝路有限公司",
        validUntil="2046-01-01",
    )

    # Numbers where JCS (RFC 8785 §3.2.2.3) is easiest to get wrong.
    for number, capital in enumerate(EDGE_NUMBERS, start=20):
        world.issue(
            "market_urumqi",
            "business-licence",
            holder=org_id(number),
            name=f"数字{number}有限公司",
            fields={**example_fields("business-licence"), "registeredCapital": capital},
            validUntil="2046-01-01",
        )


def export(settings: Settings, tmp_path: Path) -> Export:
    """Run `zhengzhao export` on the node and read what it wrote."""
    config = write_config(tmp_path / "node.toml", settings)
    out = tmp_path / "export"
    result = CliRunner().invoke(
        app,
        ["--config", str(config), "export", "--limit", "100", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return Export(
        licenses=[
            json.loads(p.read_text())["document"]
            for p in sorted(out.glob("licenses/*"))
        ],
        status_lists=[json.loads(p.read_text()) for p in sorted(out.glob("status/*"))],
        trust_list=json.loads((out / "trust-list.json").read_text()),
    )


@pytest.fixture
def exported(world: World, clock: Any, settings: Settings, tmp_path: Path) -> Export:
    issue_variety(world, clock)
    return export(settings, tmp_path)


def rejection(document: dict[str, Any], trust_list: dict[str, Any]) -> str | None:
    """Why the verifier rejects `document`, or None when it accepts it."""
    try:
        verify_credential(document, trust_list)
    except VerificationFailed as failure:
        return failure.reason
    return None


def spki(key: PublicKey) -> bytes:
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def method_of(document: dict[str, Any]) -> str:
    return str(document["proof"]["verificationMethod"])


def with_character_changed(text: str, position: int) -> str:
    characters = list(text)
    characters[position] = "2" if characters[position] != "2" else "3"
    return "".join(characters)


def test_export_holds_both_suites_four_issuers_later_versions_and_edge_numbers(
    exported,
):
    suites = {d["proof"]["cryptosuite"] for d in exported.licenses}
    issuers = {d["issuer"]["id"] for d in exported.licenses}
    numbers = [
        d["credentialSubject"]["license"]["identifier"] for d in exported.licenses
    ]
    assert suites == {"ecdsa-jcs-2019", "eddsa-jcs-2022"}
    assert len(issuers) == 4
    assert len(exported.licenses) == 12 + len(EDGE_NUMBERS)
    assert any(".002." in number for number in numbers)  # versions made by events
    fields = [d["credentialSubject"]["fields"] for d in exported.licenses]
    assert set(EDGE_NUMBERS) <= {f.get("registeredCapital") for f in fields}


def test_every_exported_license_verifies_with_the_exported_trust_list(exported):
    failures = {
        method_of(d): reason
        for d in exported.licenses
        if (reason := rejection(d, exported.trust_list)) is not None
    }
    assert failures == {}


def test_every_exported_status_list_verifies_with_the_exported_trust_list(exported):
    failures = {
        d["id"]: reason
        for d in exported.status_lists
        if (reason := rejection(d, exported.trust_list)) is not None
    }
    assert len(exported.status_lists) == 8  # two purposes for each of four issuers
    assert failures == {}


def test_exported_status_list_with_any_single_change_is_rejected(exported):
    accepted = [
        f"{d['id']}: {change}"
        for d in exported.status_lists
        for change, copy in single_changes(d)
        if rejection(copy, exported.trust_list) is None
    ]
    assert accepted == []


def test_exported_license_with_any_single_change_is_rejected(exported):
    accepted = [
        f"{d['id']}: {change}"
        for d in exported.licenses
        for change, copy in single_changes(d)
        if rejection(copy, exported.trust_list) is None
    ]
    assert accepted == []


def test_exported_license_with_another_proof_created_is_rejected(exported):
    for document in exported.licenses:
        document["proof"]["created"] = "2030-01-01T00:00:00Z"
        assert "signature does not verify" in rejection(document, exported.trust_list)


@pytest.mark.parametrize("position", [1, 20, 45, -1])
def test_exported_license_with_one_proof_value_character_changed_is_rejected(
    exported, position
):
    for document in exported.licenses:
        proof = document["proof"]
        proof["proofValue"] = with_character_changed(proof["proofValue"], position)
        assert rejection(document, exported.trust_list) is not None


def test_exported_license_pointing_at_any_other_key_is_rejected(exported):
    methods = [m["id"] for m in exported.trust_list["verificationMethods"]]
    accepted = []
    for document in exported.licenses:
        for other in methods:
            if other != method_of(document):
                copy = {
                    **document,
                    "proof": {**document["proof"], "verificationMethod": other},
                }
                if rejection(copy, exported.trust_list) is None:
                    accepted.append(f"{document['id']} with {other}")
    assert accepted == []


def test_exported_license_pointing_at_issuers_other_p256_key_fails_the_signature(
    exported, world
):
    # The market regulator has two P-256 keys, so only the signature check can tell.
    regulator = world.departments["market_urumqi"].credit_code
    first_key = f"{world.node.base_url}/v1/departments/{regulator}#key-1"
    first = next(d for d in exported.licenses if method_of(d) == first_key)
    second_key = first_key.replace("#key-1", "#key-2")
    first["proof"]["verificationMethod"] = second_key
    assert rejection(first, exported.trust_list) == (
        f"the signature does not verify with {second_key}"
    )


def test_exported_trust_list_keys_agree_in_multikey_and_jwk(exported):
    for method in exported.trust_list["verificationMethods"]:
        multikey = key_from_multikey(method["publicKeyMultibase"])
        jwk = key_from_jwk(method["publicKeyJwk"])
        assert spki(multikey) == spki(jwk), method["id"]
