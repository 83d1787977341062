"""Holders over the API: logging in, sessions ending, own licenses; the unsafe
development provider and its refusal outside development mode."""

import warnings

import pytest

from conftest import random_master_key
from sharing.support import log_in
from support.world import build_world, org_id, person_id
from zhengzhao.api.app import create_app
from zhengzhao.config import Settings
from zhengzhao.errors import ConfigurationError
from zhengzhao.node import Node
from zhengzhao.sharing.identity import (
    UnsafeDevelopmentIdentityProvider,
    UnsafeIdentityProviderWarning,
)


def test_holder_logs_in_and_sees_itself(world):
    who = log_in(world, person_id(), "张三")
    response = world.http.get("/v1/me", headers=world.headers(who))
    assert response.status_code == 200
    body = response.json()
    assert body["holder"] == {
        "kind": "person",
        "name": "张三",
        "identifier": person_id(),
    }
    assert body["provider"] == "unsafe-development"
    assert body["expiresAt"] == "2026-11-02T10:15:00Z"


def test_organisation_logs_in_by_credit_code(world):
    who = log_in(world, org_id(7), "乌鲁木齐某某餐饮有限公司")
    body = world.http.get("/v1/me", headers=world.headers(who)).json()
    assert body["holder"]["kind"] == "organisation"


def test_holder_sees_only_its_own_licenses(world):
    mine = world.issue(holder=person_id(sequence=11))
    world.issue(holder=person_id(sequence=13))
    who = log_in(world, person_id(sequence=11))
    page = world.http.get("/v1/me/licenses", headers=world.headers(who)).json()
    assert [item["identifier"] for item in page["items"]] == [mine["identifier"]]
    assert page["items"][0]["document"] == mine["document"]


def test_holder_session_expires(world, clock):
    who = log_in(world, person_id())
    clock.advance(minutes=15)
    response = world.http.get("/v1/me", headers=world.headers(who))
    assert response.status_code == 401
    assert response.json()["message"] == (
        "this holder session expired at 2026-11-02T10:15:00Z; log in again"
    )


def test_holder_logout_ends_the_session(world):
    who = log_in(world, person_id())
    assert world.http.delete("/v1/me/session", headers=world.headers(who)).status_code
    response = world.http.get("/v1/me", headers=world.headers(who))
    assert response.status_code == 401
    assert response.json()["message"] == (
        "this holder session was closed; log in again"
    )


def test_holder_endpoints_refuse_client_tokens_and_no_token(world):
    client = world.http.get("/v1/me", headers=world.headers("operator"))
    assert client.status_code == 401
    assert client.json()["message"].startswith(
        "this endpoint needs a holder's session token (zh_<session>_<secret>)"
    )
    nothing = world.http.get("/v1/me/licenses")
    assert nothing.status_code == 401
    forged = world.http.get(
        "/v1/me", headers={"Authorization": "Bearer zh_0123456789abcdef01234567_x"}
    )
    assert forged.json()["message"] == "unknown holder session or wrong secret"


def test_holder_session_tokens_are_no_client_tokens(world):
    who = log_in(world, person_id())
    response = world.http.get("/v1/access-records", headers=world.headers(who))
    assert response.status_code == 401
    assert response.json()["code"] == "authentication-required"


@pytest.mark.parametrize(
    ("credentials", "code", "message"),
    [
        (
            {"name": "张三"},
            "authentication-required",
            'the development provider needs credentials {"identifier": <resident ID'
            ' number or credit code>, "name": <name>}',
        ),
        (
            {"identifier": "650102199001011234", "name": "张三"},
            "invalid-identifier",
            None,
        ),
        (
            {"identifier": person_id(), "name": "张三", "kind": "robot"},
            "authentication-required",
            "kind 'robot' is neither person nor organisation",
        ),
    ],
)
def test_holder_login_refusals(world, credentials, code, message):
    response = world.http.post("/v1/holder-sessions", json={"credentials": credentials})
    assert response.status_code in (401, 422)
    assert response.json()["code"] == code
    if message is not None:
        assert response.json()["message"] == message


def test_login_without_identity_provider_is_refused(database_url, clock):
    settings = Settings(
        mode="development",
        database_url=database_url,
        master_key=random_master_key(),  # type: ignore[arg-type]
    )
    node = Node(settings)
    world = build_world(node, clock)
    response = world.http.post(
        "/v1/holder-sessions",
        json={"credentials": {"identifier": person_id(), "name": "张三"}},
    )
    assert response.status_code == 403
    assert response.json() == {
        "code": "holder-login-unavailable",
        "message": "holders cannot log in to this node: it has no identity provider"
        " configured (setting identity_provider)",
    }
    node.close()


def test_development_provider_warns_when_made():
    with pytest.warns(UnsafeIdentityProviderWarning, match="anyone can act as any"):
        UnsafeDevelopmentIdentityProvider()


def test_development_provider_is_refused_in_production(database_url):
    settings = Settings(
        mode="production",
        database_url=database_url,
        master_key=random_master_key(),  # type: ignore[arg-type]
        identity_provider="unsafe-development",
    )
    node = Node(settings)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused before it could warn
        with pytest.raises(ConfigurationError, match="refusing the unsafe development"):
            create_app(node)
    node.close()


def test_identity_provider_factory_is_loaded_and_checked(database_url):
    settings = Settings(
        mode="production",
        database_url=database_url,
        master_key=random_master_key(),  # type: ignore[arg-type]
        identity_provider="zhengzhao.sharing.identity:HolderIdentity",
    )
    node = Node(settings)
    with pytest.raises(ConfigurationError, match="cannot be loaded"):
        create_app(node)
    node.close()
