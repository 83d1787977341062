"""Checks over the API: match or no match and nothing else, what a claim needs,
uses, rate limits held in the database, records, and refusals."""

import pytest
from fastapi.testclient import TestClient

from sharing.support import (
    HOLDER,
    HOLDER_NAME,
    HOTEL,
    HOTEL_MATTER,
    HOUSEHOLD,
    ID_CARD,
    log_in,
    set_up_hotel,
    set_up_sharing,
)
from support.world import person_id
from zhengzhao.api.app import create_app
from zhengzhao.node import Node
from zhengzhao.sharing.identity import UnsafeIdentityProviderWarning

ME = f"holder:{HOLDER}"


@pytest.fixture
def hotel(world):
    sharing = set_up_sharing(world)
    set_up_hotel(world)
    granted = sharing.grant(
        party=HOTEL,
        matter=HOTEL_MATTER,
        licenses=[{"typeCode": ID_CARD, "fields": ["CZZT", "CZZTDM", "sex"]}],
        purpose="入住登记",
        uses=20,
    )
    return sharing, granted["id"]


def check(world, who="hotel", *, expect=200, http=None, **body):
    request = {"matter": HOTEL_MATTER, **body}
    client = http or world.http
    response = client.post("/v1/checks", json=request, headers=world.headers(who))
    assert response.status_code == expect, response.text
    return response


def identity_claims(name=HOLDER_NAME, identifier=HOLDER):
    return [
        {"claim": "holder-name", "value": name},
        {"claim": "holder-identifier", "value": identifier},
        {"claim": "holds-valid", "typeCode": ID_CARD},
    ]


def test_hotel_confirms_an_identity_it_may_not_receive(hotel, world):
    _sharing, authorization = hotel
    response = check(world, authorization=authorization, claims=identity_claims())
    body = response.json()
    assert set(body) == {"results", "accessRecord"}
    assert body["results"] == [
        {"claim": 0, "match": True},
        {"claim": 1, "match": True},
        {"claim": 2, "match": True},
    ]


def test_wrong_values_do_not_match_and_say_nothing_more(hotel, world):
    _sharing, authorization = hotel
    claims = identity_claims(name="王芬", identifier=person_id(sequence=77))
    sex = {"claim": "field", "typeCode": ID_CARD, "field": "sex", "value": "女"}
    claims.append(sex)
    results = check(world, authorization=authorization, claims=claims).json()
    assert [r["match"] for r in results["results"]] == [False, False, True, False]


def test_check_names_the_holder_too_when_it_likes(hotel, world):
    _sharing, authorization = hotel
    ok = check(
        world, holder=HOLDER, authorization=authorization, claims=identity_claims()
    )
    assert all(r["match"] for r in ok.json()["results"])
    other = check(
        world,
        holder=person_id(sequence=77),
        authorization=authorization,
        claims=identity_claims(),
        expect=403,
    )
    assert other.json()["code"] == "holder-mismatch"


def test_check_is_recorded_without_the_claimed_values(hotel, world):
    _sharing, authorization = hotel
    made = check(world, authorization=authorization, claims=identity_claims()).json()
    records = world.http.get("/v1/me/access-records", headers=world.headers(ME))
    document = records.json()["items"][0]["document"]
    assert document["id"] == made["accessRecord"]
    assert (document["action"], document["outcome"]) == ("check", "checked")
    assert document["details"]["claims"] == [
        {"claim": "holder-name", "typeCode": None, "field": None, "match": True},
        {"claim": "holder-identifier", "typeCode": None, "field": None, "match": True},
        {"claim": "holds-valid", "typeCode": ID_CARD, "field": None, "match": True},
    ]
    assert HOLDER_NAME not in str(document["details"])


def test_check_uses_the_authorization(hotel, world):
    sharing, _authorization = hotel
    once = sharing.grant(
        party=HOTEL,
        matter=HOTEL_MATTER,
        licenses=[{"typeCode": ID_CARD, "fields": ["CZZT"]}],
        uses=1,
    )["id"]
    claims = identity_claims()[:1]
    check(world, authorization=once, claims=claims)
    refused = check(world, authorization=once, claims=claims, expect=403)
    assert refused.json()["code"] == "authorization-used-up"


@pytest.mark.parametrize(
    ("claim", "status", "code", "message"),
    [
        (
            {"claim": "field", "typeCode": ID_CARD, "field": "address", "value": "x"},
            403,
            "field-not-granted",
            f"a field claim needs field 'address' granted for license type {ID_CARD};"
            " ask the holder to grant it",
        ),
        (
            {"claim": "holds-valid", "typeCode": HOUSEHOLD},
            403,
            "type-not-granted",
            f"license type {HOUSEHOLD} is not covered by this check's authorization",
        ),
        (
            {"claim": "field", "typeCode": ID_CARD, "value": "x"},
            422,
            "invalid-request",
            "a field claim names its license type and its field",
        ),
        (
            {"claim": "holder-name"},
            422,
            "invalid-request",
            "a holder-name claim states the claimed value",
        ),
    ],
)
def test_claims_beyond_the_grant_are_refused(
    hotel, world, claim, status, code, message
):
    _sharing, authorization = hotel
    body = check(world, authorization=authorization, claims=[claim], expect=status)
    assert (body.json()["code"], body.json()["message"]) == (code, message)


def test_identifier_claim_needs_the_identifier_granted(hotel, world):
    sharing, _authorization = hotel
    names_only = sharing.grant(
        party=HOTEL,
        matter=HOTEL_MATTER,
        licenses=[{"typeCode": ID_CARD, "fields": ["CZZT"]}],
    )["id"]
    body = check(
        world,
        authorization=names_only,
        claims=[{"claim": "holder-identifier", "value": HOLDER}],
        expect=403,
    ).json()
    assert body["message"] == (
        "a holder-identifier claim needs field 'CZZTDM' granted; ask the holder to"
        " grant it"
    )


def test_check_without_any_basis_is_refused_and_recorded(hotel, world):
    body = check(world, holder=HOLDER, claims=identity_claims(), expect=403).json()
    assert body["code"] == "no-authorization"
    records = world.http.get("/v1/me/access-records", headers=world.headers(ME))
    assert records.json()["items"][0]["document"]["outcome"] == "no-authorization"


def test_check_naming_no_holder_and_no_authorization_is_refused(hotel, world):
    body = check(world, claims=identity_claims(), expect=422).json()
    assert body["message"] == "name the holder, or an authorization that names it"


def test_check_by_a_party_not_serving_the_matter_is_refused(hotel, world):
    _sharing, authorization = hotel
    body = check(
        world, "bank", authorization=authorization, claims=identity_claims(), expect=403
    ).json()
    assert body["code"] == "matter-not-allowed"


@pytest.fixture
def limited(world, clock):
    """An app of the same node whose checks are limited to 2 a minute and 3 a day
    per holder."""
    settings = world.node.settings.model_copy(
        update={"check_limit_per_holder": 2, "check_limit_per_holder_daily": 3}
    )
    node = Node(settings)
    with pytest.warns(UnsafeIdentityProviderWarning):
        app = create_app(node, clock=clock)
    yield TestClient(app, raise_server_exceptions=False)
    node.close()


def test_checks_beyond_the_limits_are_refused_with_retry_after(
    hotel, world, clock, limited
):
    _sharing, authorization = hotel
    claims = identity_claims()[:1]
    clock.advance(seconds=15)  # 10:00:15, 45 s before the minute's window ends
    for _ in range(2):
        check(world, authorization=authorization, claims=claims, http=limited)
    refused = check(
        world, authorization=authorization, claims=claims, http=limited, expect=429
    )
    assert refused.headers["Retry-After"] == "45"
    assert refused.json() == {
        "code": "rate-limited",
        "message": f"using party {HOTEL} may make 2 checks about one holder in a"
        " minute; retry after 45 seconds",
        "details": {"retryAfter": 45},
    }
    clock.advance(seconds=45)
    daily = check(
        world, authorization=authorization, claims=claims, http=limited, expect=429
    )
    assert daily.json()["message"].endswith("in a day; retry after 50340 seconds")


def test_limits_count_per_holder(hotel, world, clock, limited):
    sharing, authorization = hotel
    claims = identity_claims()[:1]
    for _ in range(2):
        check(world, authorization=authorization, claims=claims, http=limited)
    other_holder = person_id(sequence=81)
    log_in(world, other_holder, "钱某")
    world.issue(holder=other_holder, name="钱某")
    granted = sharing.grant(
        f"holder:{other_holder}",
        party=HOTEL,
        matter=HOTEL_MATTER,
        licenses=[{"typeCode": ID_CARD, "fields": ["CZZT"]}],
    )
    ok = check(
        world,
        authorization=granted["id"],
        claims=[{"claim": "holder-name", "value": "钱某"}],
        http=limited,
    )
    assert ok.json()["results"] == [{"claim": 0, "match": True}]


def test_too_many_claims_are_refused(hotel, world):
    _sharing, authorization = hotel
    claims = identity_claims()[:1] * 11
    body = check(world, authorization=authorization, claims=claims, expect=422)
    assert body.json()["code"] == "invalid-request"
