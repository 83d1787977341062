"""`zhengzhao verify` on annotated copies: offline with the trust list, tampering and
expiry exit 1."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from sharing.support import set_up_sharing, share
from support.cli import invoke
from zhengzhao.model.time import to_rfc3339


@pytest.fixture
def copy(world, clock, tmp_path):
    clock.moment = datetime.now(UTC)  # the command checks against the real clock
    sharing = set_up_sharing(world)
    expiry = to_rfc3339(clock.moment + timedelta(days=7))
    granted = sharing.grant(expiresAt=expiry)
    (made,) = share(world, authorization=granted["id"])["copies"]
    trust = tmp_path / "trust-list.json"
    trust.write_text(json.dumps(world.http.get("/v1/trust-list").json()))
    return made, trust


def write(tmp_path, document):
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_verify_accepts_a_copy_offline(copy, tmp_path):
    made, trust = copy
    result = invoke("verify", str(write(tmp_path, made)), "--trust-list", str(trust))
    assert result.exit_code == 0, result.output
    assert "valid annotated copy" in result.output
    as_json = invoke(
        "verify", str(write(tmp_path, made)), "--trust-list", str(trust), "--json"
    )
    assert json.loads(as_json.output)["valid"] is True


def test_verify_refuses_a_tampered_copy(copy, tmp_path):
    made, trust = copy
    made["annotation"]["purpose"] = "别的用途"
    result = invoke("verify", str(write(tmp_path, made)), "--trust-list", str(trust))
    assert result.exit_code == 1
    assert "invalid annotated copy" in result.output


def test_verify_needs_a_trust_list_for_a_copy(copy, tmp_path):
    made, _trust = copy
    result = invoke("verify", str(write(tmp_path, made)))
    assert result.exit_code == 2
    assert "give --url or --trust-list to check the copy against" in result.output
