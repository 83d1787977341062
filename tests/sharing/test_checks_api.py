"""Checks over the API: match or no match and nothing else, what a claim needs,
uses, rate limits held in the database, records, and refusals."""

from datetime import date

import pytest
from fastapi.testclient import TestClient

from sharing.support import (
    BANK,
    BUSINESS,
    CARD_MATTER,
    FOOD,
    HOLDER,
    HOLDER_NAME,
    HOTEL,
    HOTEL_MATTER,
    HOUSEHOLD,
    ID_CARD,
    INSPECTION_MATTER,
    add_party,
    log_in,
    set_up_hotel,
    set_up_sharing,
)
from support.world import org_id, person_id
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
        "message": f"using party {HOTEL} may make 2 claims about one holder in a"
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


def latest_record(world, who=ME):
    records = world.http.get("/v1/me/access-records", headers=world.headers(who))
    return records.json()["items"][0]["document"]


def test_limits_count_claims_not_checks(hotel, world, limited):
    _sharing, authorization = hotel
    two = identity_claims()[:2]
    check(world, authorization=authorization, claims=two, http=limited)
    refused = check(
        world,
        authorization=authorization,
        claims=identity_claims()[2:],
        http=limited,
        expect=429,
    )
    assert refused.json()["message"].startswith(
        f"using party {HOTEL} may make 2 claims about one holder in a minute"
    )


def test_check_with_more_claims_than_a_limit_allows_is_refused(hotel, world, limited):
    _sharing, authorization = hotel
    body = check(
        world,
        authorization=authorization,
        claims=identity_claims(),
        http=limited,
        expect=422,
    ).json()
    assert (body["code"], body["message"]) == (
        "invalid-request",
        "a check carries 1 to 2 claims, and this one carries 3; split it, within"
        " the party's limits",
    )


def test_check_refused_by_its_limit_is_recorded_for_the_holder(
    hotel, world, clock, limited
):
    _sharing, authorization = hotel
    claims = identity_claims()[:2]
    check(world, authorization=authorization, claims=claims, http=limited)
    refused = check(
        world, authorization=authorization, claims=claims, http=limited, expect=429
    )
    document = latest_record(world)
    assert (document["action"], document["outcome"]) == ("check", "rate-limited")
    assert document["authorization"] == authorization
    assert document["party"]["creditCode"] == HOTEL
    assert document["details"] == {"refusal": refused.json()["message"]}


@pytest.fixture
def party_limited(world, clock):
    """An app of the same node whose checks are limited to 3 claims a minute per
    party, all holders together."""
    settings = world.node.settings.model_copy(
        update={"check_limit_per_party": 3, "check_limit_per_holder": 3}
    )
    node = Node(settings)
    with pytest.warns(UnsafeIdentityProviderWarning):
        app = create_app(node, clock=clock)
    yield TestClient(app, raise_server_exceptions=False)
    node.close()


def test_party_limit_counts_claims_about_every_holder(hotel, world, party_limited):
    sharing, authorization = hotel
    check(
        world,
        authorization=authorization,
        claims=identity_claims()[:2],
        http=party_limited,
    )
    other_holder = person_id(sequence=83)
    log_in(world, other_holder, "钱某")
    world.issue(holder=other_holder, name="钱某")
    granted = sharing.grant(
        f"holder:{other_holder}",
        party=HOTEL,
        matter=HOTEL_MATTER,
        licenses=[{"typeCode": ID_CARD, "fields": ["CZZT"]}],
    )
    claims = [
        {"claim": "holder-name", "value": "钱某"},
        {"claim": "holds-valid", "typeCode": ID_CARD},
    ]
    refused = check(
        world,
        authorization=granted["id"],
        claims=claims,
        http=party_limited,
        expect=429,
    )
    assert refused.json()["message"] == (
        f"using party {HOTEL} may make 3 claims in all in a minute; retry after 60"
        " seconds"
    )
    assert latest_record(world, f"holder:{other_holder}")["outcome"] == "rate-limited"


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (
            [
                {"claim": "holder-name", "value": "王芳"},
                {"claim": "holder-name", "value": "王芬"},
            ],
            "claims 0 and 1 are both about field 'CZZT'; a check claims each field"
            " once",
        ),
        (
            [
                {"claim": "holder-identifier", "value": HOLDER},
                {
                    "claim": "field",
                    "typeCode": ID_CARD,
                    "field": "CZZTDM",
                    "value": "1",
                },
            ],
            "claims 0 and 1 are both about field 'CZZTDM'; a check claims each field"
            " once",
        ),
        (
            [
                {"claim": "field", "typeCode": ID_CARD, "field": "sex", "value": "男"},
                {"claim": "holds-valid", "typeCode": ID_CARD},
                {"claim": "field", "typeCode": ID_CARD, "field": "sex", "value": "女"},
            ],
            f"claims 0 and 2 are both about field 'sex' of license type {ID_CARD}; a"
            " check claims each field once",
        ),
        (
            [
                {"claim": "holds-valid", "typeCode": ID_CARD},
                {"claim": "holds-valid", "typeCode": ID_CARD},
            ],
            f"claims 0 and 1 are both about holding a valid license of type"
            f" {ID_CARD}; a check claims each field once",
        ),
    ],
)
def test_two_claims_about_one_field_are_refused(hotel, world, claims, message):
    _sharing, authorization = hotel
    body = check(world, authorization=authorization, claims=claims, expect=400).json()
    assert (body["code"], body["message"]) == ("duplicate-claim", message)
    listed = world.http.get("/v1/me/authorizations", headers=world.headers(ME))
    (item,) = [a for a in listed.json()["items"] if a["id"] == authorization]
    assert item["usesLeft"] == 20  # refused before the authorization was used


def test_claim_on_a_field_the_type_lacks_is_an_invalid_request(hotel, world):
    _sharing, authorization = hotel
    claim = {"claim": "field", "typeCode": ID_CARD, "field": "shoeSize", "value": "42"}
    body = check(world, authorization=authorization, claims=[claim], expect=422).json()
    assert body["code"] == "invalid-request"
    assert body["message"] == (
        f"license type {ID_CARD} has no field 'shoeSize'; claim one of its fields:"
        " CZZT, CZZTDM, ZZBFJG, ZZBFJGDM, ZZBFRQ, ZZBH, ZZBS, ZZYXQJZRQ, ZZYXQQSRQ,"
        " address, birthDate, ethnicity, sex"
    )


@pytest.mark.parametrize(
    "claim",
    [
        {"claim": "field", "typeCode": ID_CARD, "field": "x" * 65, "value": "1"},
        {"claim": "field", "typeCode": ID_CARD, "field": "sex, address", "value": "1"},
        {"claim": "holds-valid", "typeCode": "ID_CARD"},
    ],
)
def test_claim_names_beyond_their_bounds_are_refused(hotel, world, claim):
    _sharing, authorization = hotel
    body = check(world, authorization=authorization, claims=[claim], expect=422).json()
    assert body["code"] == "invalid-request"
    assert body["message"].startswith("claims.0.")


METADATA = ("ZZBH", "ZZBS", "ZZBFRQ", "ZZYXQQSRQ", "ZZYXQJZRQ", "CZZTDM")


def test_claims_on_metadata_fields_compare_the_licenses_values(hotel, world, clock):
    sharing, _authorization = hotel
    person = person_id(date(1970, 3, 3), sequence=12)
    card = world.issue(
        holder=person, name="孙丽", paperNumber="650102A0001", validUntil="2030-05-01"
    )
    log_in(world, person, "孙丽")
    granted = sharing.grant(
        f"holder:{person}",
        party=HOTEL,
        matter=HOTEL_MATTER,
        licenses=[{"typeCode": ID_CARD, "fields": list(METADATA)}],
        uses=4,
    )
    values = {
        "ZZBH": "650102A0001",
        "ZZBS": card["identifier"],
        "ZZBFRQ": card["document"]["credentialSubject"]["license"]["issueDate"],
        "ZZYXQQSRQ": card["validFrom"],
        "ZZYXQJZRQ": "2030-05-01",
        "CZZTDM": person,
    }
    wrong = {
        "ZZBH": "650102A0002",
        "ZZBS": sharing.card["identifier"],
        "ZZBFRQ": "2020-01-01",
        "ZZYXQQSRQ": "2020-01-01",
        "ZZYXQJZRQ": "2036-01-01",
        "CZZTDM": HOLDER,
    }
    for claimed, expected in ((values, True), (wrong, False)):
        claims = [
            {"claim": "field", "typeCode": ID_CARD, "field": name, "value": value}
            for name, value in claimed.items()
        ]
        for part in (claims[:3], claims[3:]):  # within 5 claims a minute
            clock.advance(minutes=1)
            results = check(
                world, "hotel", authorization=granted["id"], claims=part
            ).json()["results"]
            assert [r["match"] for r in results] == [expected] * 3, part


@pytest.fixture
def inspector(world):
    """The market regulator as a using party, and a food business it licensed."""
    set_up_sharing(world)
    market = world.departments["market_urumqi"].credit_code
    add_party(world, kind="department", departmentCode=market, clearance="public")
    business = org_id(9)
    name = "乌鲁木齐某某餐饮有限公司"
    world.issue("market_urumqi", "food-business-licence", holder=business, name=name)
    return business, name


def test_check_on_the_legal_basis_answers_every_type_of_the_matter(inspector, world):
    business, name = inspector
    response = world.http.post(
        "/v1/checks",
        json={
            "matter": INSPECTION_MATTER,
            "holder": business,
            "legalBasis": True,
            "reason": "双随机抽查 2026-11",
            "claims": [
                {"claim": "holder-name", "value": name},
                {"claim": "holds-valid", "typeCode": FOOD},
                {"claim": "holds-valid", "typeCode": BUSINESS},
                {
                    "claim": "field",
                    "typeCode": FOOD,
                    "field": "supervisor",  # internal, above the public clearance
                    "value": "某人",
                },
            ],
        },
        headers=world.headers("market_urumqi"),
    )
    assert response.status_code == 200, response.text
    assert [r["match"] for r in response.json()["results"]] == [
        True,
        True,
        False,
        False,
    ]
    log_in(world, business, name)
    document = latest_record(world, f"holder:{business}")
    assert (document["basis"], document["reason"]) == (
        "legal-basis",
        "双随机抽查 2026-11",
    )


def test_check_on_the_legal_basis_without_reason_is_refused(inspector, world):
    business, _name = inspector
    response = world.http.post(
        "/v1/checks",
        json={
            "matter": INSPECTION_MATTER,
            "holder": business,
            "legalBasis": True,
            "claims": [{"claim": "holds-valid", "typeCode": FOOD}],
        },
        headers=world.headers("market_urumqi"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "reason-required"


def test_check_under_an_expired_authorization_is_refused_and_recorded(
    hotel, world, clock
):
    sharing, _authorization = hotel
    granted = sharing.grant(
        party=HOTEL,
        matter=HOTEL_MATTER,
        licenses=[{"typeCode": ID_CARD, "fields": ["CZZT"]}],
        expiresAt="2026-11-02T11:00:00Z",
    )["id"]
    clock.advance(hours=2)
    body = check(
        world, authorization=granted, claims=identity_claims()[:1], expect=403
    ).json()
    assert (body["code"], body["message"]) == (
        "authorization-expired",
        f"authorization {granted} for matter {HOTEL_MATTER} expired at"
        " 2026-11-02T11:00:00Z; ask the holder for a new one",
    )
    log_in(world, HOLDER, HOLDER_NAME)
    assert latest_record(world)["outcome"] == "authorization-expired"


def test_check_under_a_withdrawn_authorization_is_refused_and_recorded(hotel, world):
    _sharing, authorization = hotel
    world.http.delete(
        f"/v1/me/authorizations/{authorization}", headers=world.headers(ME)
    )
    body = check(
        world, authorization=authorization, claims=identity_claims()[:1], expect=403
    ).json()
    assert body["code"] == "authorization-withdrawn"
    assert body["message"] == (
        f"authorization {authorization} was withdrawn at 2026-11-02T10:00:00Z; ask"
        " the holder for a new one"
    )
    assert latest_record(world)["outcome"] == "authorization-withdrawn"


def test_check_under_a_used_up_authorization_is_refused_and_recorded(hotel, world):
    sharing, _authorization = hotel
    once = sharing.grant(
        party=HOTEL,
        matter=HOTEL_MATTER,
        licenses=[{"typeCode": ID_CARD, "fields": ["CZZT"]}],
        uses=1,
    )["id"]
    check(world, authorization=once, claims=identity_claims()[:1])
    body = check(
        world, authorization=once, claims=identity_claims()[:1], expect=403
    ).json()
    assert body["message"] == (
        f"authorization {once} allowed 1 uses and all have been made; ask the"
        " holder for a new one"
    )
    assert latest_record(world)["outcome"] == "authorization-used-up"


def test_party_cannot_check_under_another_partys_authorization(hotel, world):
    _sharing, authorization = hotel
    world.http.patch(
        f"/v1/parties/{BANK}",
        json={"matters": [CARD_MATTER, HOTEL_MATTER]},
        headers=world.headers("operator"),
    )
    body = check(
        world, "bank", authorization=authorization, claims=identity_claims(), expect=403
    ).json()
    assert (body["code"], body["message"]) == (
        "no-authorization",
        f"using party {BANK} holds no authorization {authorization}; ask the holder"
        f" to grant one for matter {HOTEL_MATTER}",
    )
