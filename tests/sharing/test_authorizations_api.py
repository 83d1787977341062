"""Authorizations over the API: granting, listing, withdrawing, agents acting in a
holder's name, a party finding what it was granted, and every refusal."""

from datetime import date

import pytest

from sharing.support import (
    BANK,
    CARD_MATTER,
    FOOD,
    HOLDER,
    HOTEL,
    HOUSEHOLD,
    ID_CARD,
    INSPECTION_MATTER,
    add_party,
    log_in,
    set_up_sharing,
)
from support.world import org_id, person_id

AGENT = person_id(date(1960, 2, 2), sequence=51)
ME = f"holder:{HOLDER}"


@pytest.fixture
def sharing(world):
    return set_up_sharing(world)


def test_holder_grants_and_lists_an_authorization(sharing, world):
    granted = sharing.grant()
    assert granted["id"].startswith("au_")
    assert granted["party"] == {"creditCode": BANK, "name": "中国工商银行乌鲁木齐分行"}
    assert granted["matter"] == CARD_MATTER
    assert granted["licenses"] == [
        {"typeCode": ID_CARD, "fields": ["CZZT", "birthDate", "sex"]}
    ]
    assert (granted["state"], granted["usesLeft"], granted["grantedBy"]) == (
        "active",
        3,
        "holder",
    )
    listed = world.http.get("/v1/me/authorizations", headers=world.headers(ME))
    assert listed.json() == {"items": [granted], "nextCursor": None}


def test_withdrawn_and_expired_authorizations_show_their_state(sharing, world, clock):
    first = sharing.grant()
    second = sharing.grant(expiresAt="2026-11-03T10:00:00Z")
    response = world.http.delete(
        f"/v1/me/authorizations/{first['id']}", headers=world.headers(ME)
    )
    assert response.json()["state"] == "withdrawn"
    assert response.json()["withdrawnBy"] == "holder"
    again = world.http.delete(
        f"/v1/me/authorizations/{first['id']}", headers=world.headers(ME)
    )
    assert again.json()["withdrawnAt"] == response.json()["withdrawnAt"]
    clock.advance(days=2)
    log_in(world, HOLDER)
    states = {
        a["id"]: a["state"]
        for a in world.http.get(
            "/v1/me/authorizations", headers=world.headers(ME)
        ).json()["items"]
    }
    assert states == {first["id"]: "withdrawn", second["id"]: "expired"}


def test_agent_grants_and_withdraws_in_the_holders_name(sharing, world):
    appointment = world.post(
        ME, "/v1/me/agents", {"identifier": AGENT, "name": "赵强"}
    ).json()
    agent = log_in(world, AGENT, "赵强")
    granted = sharing.grant(agent, onBehalfOf=appointment["id"])
    assert granted["grantedBy"] == f"agent:{appointment['id']}"
    seen_by_holder = world.http.get(
        "/v1/me/authorizations", headers=world.headers(ME)
    ).json()["items"]
    assert [a["id"] for a in seen_by_holder] == [granted["id"]]
    own = world.http.get("/v1/me/authorizations", headers=world.headers(agent))
    assert own.json()["items"] == []

    withdrawn = world.http.delete(
        f"/v1/me/authorizations/{granted['id']}?onBehalfOf={appointment['id']}",
        headers=world.headers(agent),
    )
    assert withdrawn.json()["withdrawnBy"] == f"agent:{appointment['id']}"


def test_agent_without_appointment_is_refused(sharing, world):
    appointment = world.post(
        ME, "/v1/me/agents", {"identifier": AGENT, "name": "赵强"}
    ).json()
    stranger = log_in(world, person_id(sequence=53), "路人")
    refused = sharing.grant(stranger, onBehalfOf=appointment["id"], expect=403)
    assert refused["code"] == "agent-not-appointed"
    world.http.delete(f"/v1/me/agents/{appointment['id']}", headers=world.headers(ME))
    agent = log_in(world, AGENT, "赵强")
    after = sharing.grant(agent, onBehalfOf=appointment["id"], expect=403)
    assert after["message"] == (
        f"appointment {appointment['id']} was withdrawn by the holder; you can no"
        " longer act in their name"
    )


def test_holder_cannot_withdraw_another_holders_authorization(sharing, world):
    granted = sharing.grant()
    other = log_in(world, person_id(sequence=55), "孙某")
    response = world.http.delete(
        f"/v1/me/authorizations/{granted['id']}", headers=world.headers(other)
    )
    assert response.status_code == 404
    assert response.json()["message"] == (
        f"no authorization {granted['id']} of this holder"
    )


def test_party_lists_what_a_holder_granted_it(sharing, world):
    granted = sharing.grant()
    response = world.http.get(
        f"/v1/authorizations?holder={HOLDER}", headers=world.headers("bank")
    )
    assert [a["id"] for a in response.json()["items"]] == [granted["id"]]
    nobody = world.http.get(
        f"/v1/authorizations?holder={person_id(sequence=57)}",
        headers=world.headers("bank"),
    )
    assert nobody.json() == {"items": [], "nextCursor": None}
    verifier = world.http.get(
        f"/v1/authorizations?holder={HOLDER}", headers=world.headers("verifier")
    )
    assert verifier.status_code == 403


@pytest.mark.parametrize(
    ("changes", "status", "code", "message"),
    [
        (
            {"party": HOTEL},
            422,
            "invalid-request",
            f"no using party {HOTEL} is registered",
        ),
        (
            {"matter": "NOPE"},
            422,
            "invalid-request",
            "no service matter NOPE",
        ),
        (
            {"licenses": [{"typeCode": FOOD, "fields": []}]},
            422,
            "invalid-request",
            f"matter {CARD_MATTER} does not read license type {FOOD}; it reads"
            f" {ID_CARD}, {HOUSEHOLD}",
        ),
        (
            {"licenses": [{"typeCode": ID_CARD, "fields": ["shoeSize"]}]},
            422,
            "invalid-request",
            f"license type {ID_CARD} has no field 'shoeSize'; its fields are CZZT,"
            " CZZTDM, ZZBFJG, ZZBFJGDM, ZZBFRQ, ZZBH, ZZBS, ZZYXQJZRQ, ZZYXQQSRQ,"
            " address, birthDate, ethnicity, sex",
        ),
        (
            {
                "licenses": [
                    {"typeCode": ID_CARD, "fields": []},
                    {"typeCode": ID_CARD, "fields": ["sex"]},
                ]
            },
            422,
            "invalid-request",
            f"license type {ID_CARD} is granted twice",
        ),
        (
            {"expiresAt": "2026-11-02T09:00:00Z"},
            422,
            "invalid-request",
            "the authorization's expiry must lie in the future",
        ),
        (
            {"expiresAt": "2027-12-02T10:00:00Z"},
            422,
            "invalid-request",
            "an authorization lasts at most 366 days; choose an earlier expiry",
        ),
        (
            {"expiresAt": "2026-12-02T10:00:00"},
            422,
            "invalid-request",
            "expiresAt needs a time zone offset",
        ),
        (
            {"purpose": "   "},
            422,
            "invalid-request",
            "an authorization states its purpose, in at most 500 characters",
        ),
    ],
)
def test_grant_refusals_are_named(sharing, changes, status, code, message):
    body = sharing.grant(expect=status, **changes)
    assert body["code"] == code
    assert body["message"] == message


def test_grant_for_a_matter_the_party_does_not_serve_is_refused(sharing):
    body = sharing.grant(
        matter=INSPECTION_MATTER,
        licenses=[{"typeCode": FOOD, "fields": []}],
        expect=403,
    )
    assert body["code"] == "matter-not-allowed"
    assert body["message"] == (
        f"using party {BANK} (中国工商银行乌鲁木齐分行) is not registered for matter"
        f" {INSPECTION_MATTER} (食品经营现场检查); ask the node's operator to add"
        " the matter to the party"
    )


def test_organisation_cannot_grant_for_a_persons_matter(sharing, world):
    company = log_in(world, org_id(3), "某公司")
    body = sharing.grant(company, expect=422)
    assert body["message"] == (
        f"matter {CARD_MATTER} serves persons only; organisations cannot grant"
        " authorizations for it"
    )


def test_uses_are_bounded(sharing):
    body = sharing.grant(uses=0, expect=422)
    assert body["code"] == "invalid-request"
    assert body["message"].startswith("uses:")


def test_grant_of_fields_above_clearance_is_for_checks(sharing, world):
    # A hotel cleared for public data may check, never receive, an ID number.
    add_party(
        world,
        kind="third-party",
        creditCode=HOTEL,
        name="乌鲁木齐某酒店",
        clearance="public",
        matters=[CARD_MATTER],
    )
    body = sharing.grant(
        party=HOTEL, licenses=[{"typeCode": ID_CARD, "fields": ["CZZT", "CZZTDM"]}]
    )
    assert body["licenses"] == [{"typeCode": ID_CARD, "fields": ["CZZT", "CZZTDM"]}]


def test_holder_pages_its_authorizations_with_cursors(sharing, world):
    made = [sharing.grant()["id"] for _ in range(3)]
    first = world.http.get(
        "/v1/me/authorizations?limit=2", headers=world.headers(ME)
    ).json()
    assert [a["id"] for a in first["items"]] == [made[2], made[1]]
    rest = world.http.get(
        f"/v1/me/authorizations?limit=2&cursor={first['nextCursor']}",
        headers=world.headers(ME),
    ).json()
    assert [a["id"] for a in rest["items"]] == [made[0]]
    assert rest["nextCursor"] is None
    bad = world.http.get("/v1/me/authorizations?cursor=nope", headers=world.headers(ME))
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid-request")


def test_party_pages_what_a_holder_granted_it(sharing, world):
    made = [sharing.grant()["id"] for _ in range(3)]
    url = f"/v1/authorizations?holder={HOLDER}&limit=2"
    first = world.http.get(url, headers=world.headers("bank")).json()
    assert [a["id"] for a in first["items"]] == [made[2], made[1]]
    rest = world.http.get(
        f"{url}&cursor={first['nextCursor']}", headers=world.headers("bank")
    ).json()
    assert ([a["id"] for a in rest["items"]], rest["nextCursor"]) == ([made[0]], None)
    too_many = world.http.get(
        f"/v1/authorizations?holder={HOLDER}&limit=201", headers=world.headers("bank")
    )
    assert too_many.status_code == 422


def appoint_agent(world):
    appointment = world.post(
        ME, "/v1/me/agents", {"identifier": AGENT, "name": "赵强"}
    ).json()
    return appointment, log_in(world, AGENT, "赵强")


def test_authorization_an_agent_granted_outlives_the_appointment(sharing, world):
    # The agent acted in the holder's name: what it granted is the holder's, and
    # stays until the holder withdraws it (docs/sharing.md, "Agents").
    appointment, agent = appoint_agent(world)
    granted = sharing.grant(agent, onBehalfOf=appointment["id"])
    world.http.delete(f"/v1/me/agents/{appointment['id']}", headers=world.headers(ME))

    out = world.post(
        "bank",
        "/v1/shares",
        {"holder": HOLDER, "matter": CARD_MATTER, "authorization": granted["id"]},
    )
    assert out.status_code == 201, out.text
    (listed,) = world.http.get(
        "/v1/me/authorizations", headers=world.headers(ME)
    ).json()["items"]
    assert (listed["id"], listed["state"], listed["grantedBy"]) == (
        granted["id"],
        "active",
        f"agent:{appointment['id']}",
    )
    refused = world.http.get(
        f"/v1/me/authorizations?onBehalfOf={appointment['id']}",
        headers=world.headers(agent),
    )
    assert refused.json()["code"] == "agent-not-appointed"
    withdrawn = world.http.delete(
        f"/v1/me/authorizations/{granted['id']}", headers=world.headers(ME)
    )
    assert withdrawn.json()["withdrawnBy"] == "holder"


def test_agent_reads_the_access_records_of_the_holder_it_acts_for(sharing, world):
    appointment, agent = appoint_agent(world)
    granted = sharing.grant()
    made = world.post(
        "bank",
        "/v1/shares",
        {"holder": HOLDER, "matter": CARD_MATTER, "authorization": granted["id"]},
    ).json()
    url = f"/v1/me/access-records?onBehalfOf={appointment['id']}"
    page = world.http.get(url, headers=world.headers(agent)).json()
    assert [item["document"]["id"] for item in page["items"]] == [made["accessRecord"]]
    one = world.http.get(
        f"/v1/me/access-records/{made['accessRecord']}?onBehalfOf={appointment['id']}",
        headers=world.headers(agent),
    )
    assert one.json()["document"]["id"] == made["accessRecord"]
    own = world.http.get("/v1/me/access-records", headers=world.headers(agent))
    assert own.json()["items"] == []

    stranger = log_in(world, person_id(sequence=59), "路人")
    refused = world.http.get(url, headers=world.headers(stranger))
    assert (refused.status_code, refused.json()["code"]) == (403, "agent-not-appointed")
    world.http.delete(f"/v1/me/agents/{appointment['id']}", headers=world.headers(ME))
    after = world.http.get(url, headers=world.headers(agent))
    assert after.json()["message"] == (
        f"appointment {appointment['id']} was withdrawn by the holder; you can no"
        " longer act in their name"
    )
