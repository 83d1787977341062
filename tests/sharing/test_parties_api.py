"""Using parties over the API: registration, clients, their own profile, refusals."""

from sharing.support import (
    BANK,
    CARD_MATTER,
    INSPECTION_MATTER,
    add_matter,
    add_party,
    card_matter,
    inspection_matter,
    party_client,
)


def test_third_party_registers_with_matters_and_its_client_sees_itself(world):
    add_matter(world, card_matter(), "hrss_region")
    created = add_party(
        world,
        kind="third-party",
        creditCode=BANK,
        name="中国工商银行乌鲁木齐分行",
        clearance="internal",
        matters=[CARD_MATTER],
    )
    assert created["kind"] == "third-party"
    assert created["clearance"] == "internal"
    assert created["matters"] == [CARD_MATTER]
    assert created["departmentCode"] is None

    party_client(world, "bank", BANK)
    me = world.http.get("/v1/parties/me", headers=world.headers("bank"))
    assert me.json() == {
        "creditCode": BANK,
        "name": "中国工商银行乌鲁木齐分行",
        "clearance": "internal",
    }
    own = world.http.get(f"/v1/parties/{BANK}", headers=world.headers("bank"))
    assert own.json() == created


def test_department_party_takes_its_department_and_its_clients_act_for_it(world):
    market = world.departments["market_urumqi"]
    created = add_party(
        world,
        kind="department",
        departmentCode=market.credit_code,
        clearance="sensitive",
    )
    assert created["creditCode"] == market.credit_code
    assert created["name"] == market.name
    assert created["departmentCode"] == market.credit_code
    me = world.http.get("/v1/parties/me", headers=world.headers("market_urumqi"))
    assert me.json()["clearance"] == "sensitive"


def test_department_not_registered_is_no_using_party(world):
    response = world.http.get("/v1/parties/me", headers=world.headers("psb_tianshan"))
    assert response.status_code == 403
    assert response.json()["code"] == "not-a-using-party"
    assert response.json()["message"] == (
        f"department {world.departments['psb_tianshan'].credit_code} is not"
        " registered as a using party; an operator registers it with `zhengzhao"
        " party add --kind department`"
    )


def test_other_roles_act_for_no_party(world):
    response = world.http.get("/v1/parties/me", headers=world.headers("verifier"))
    assert response.status_code == 403
    assert response.json()["code"] == "not-a-using-party"


def test_party_change_sets_clearance_matters_and_disables(world):
    add_matter(world, card_matter(), "hrss_region")
    add_matter(world, inspection_matter(), "market_urumqi")
    add_party(
        world, kind="third-party", creditCode=BANK, name="银行", clearance="public"
    )
    party_client(world, "bank", BANK)
    response = world.http.patch(
        f"/v1/parties/{BANK}",
        json={"clearance": "internal", "matters": [CARD_MATTER, INSPECTION_MATTER]},
        headers=world.headers("operator"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["clearance"] == "internal"
    assert response.json()["matters"] == [CARD_MATTER, INSPECTION_MATTER]

    disabled = world.http.patch(
        f"/v1/parties/{BANK}",
        json={"disabled": True},
        headers=world.headers("operator"),
    )
    assert disabled.json()["disabledAt"] is not None
    me = world.http.get("/v1/parties/me", headers=world.headers("bank"))
    assert me.status_code == 403
    assert me.json()["message"] == (
        f"using party {BANK} is disabled; ask the node's operator"
    )


def test_party_registration_and_change_need_the_operator(world):
    body = {"kind": "third-party", "creditCode": BANK, "name": "银行"}
    response = world.post("auditor", "/v1/parties", {**body, "clearance": "public"})
    assert response.status_code == 403
    add_party(world, **body, clearance="public")
    change = world.http.patch(
        f"/v1/parties/{BANK}",
        json={"clearance": "secret"},
        headers=world.headers("psb_tianshan"),
    )
    assert change.status_code == 403


def test_party_list_is_for_operators_and_auditors(world):
    add_party(
        world, kind="third-party", creditCode=BANK, name="银行", clearance="public"
    )
    listed = world.http.get("/v1/parties", headers=world.headers("auditor"))
    assert [p["creditCode"] for p in listed.json()] == [BANK]
    party_client(world, "bank", BANK)
    refused = world.http.get("/v1/parties", headers=world.headers("bank"))
    assert refused.status_code == 403


def test_party_reads_no_other_party(world):
    add_party(
        world, kind="third-party", creditCode=BANK, name="银行", clearance="public"
    )
    market = world.departments["market_urumqi"].credit_code
    add_party(world, kind="department", departmentCode=market, clearance="public")
    party_client(world, "bank", BANK)
    response = world.http.get(f"/v1/parties/{market}", headers=world.headers("bank"))
    assert response.status_code == 404


def test_party_registration_refusals_are_named(world):
    add_party(
        world, kind="third-party", creditCode=BANK, name="银行", clearance="public"
    )
    taken = add_party(
        world,
        kind="third-party",
        creditCode=BANK,
        name="银行",
        clearance="public",
        expect=409,
    )
    assert taken["message"] == f"using party {BANK} is already registered"
    no_name = add_party(
        world, kind="third-party", creditCode=BANK, clearance="public", expect=422
    )
    assert no_name["message"] == "a third party needs its credit code and its name"
    bad_code = add_party(
        world,
        kind="third-party",
        creditCode="91650100MA0000015",
        name="x",
        clearance="public",
        expect=422,
    )
    assert bad_code["code"] == "invalid-identifier"
    unknown = add_party(
        world,
        kind="third-party",
        creditCode="91650100MA00000234",
        name="x",
        clearance="public",
        matters=["NOPE"],
        expect=422,
    )
    assert unknown["message"] == "no service matter NOPE"
    no_department = add_party(world, kind="department", clearance="public", expect=422)
    assert no_department["message"] == (
        "a department party needs the department's code"
    )


def test_using_party_client_needs_a_registered_party(world):
    response = world.http.post(
        "/v1/clients",
        json={"name": "x", "role": "using-party"},
        headers=world.headers("operator"),
    )
    assert response.status_code == 422
    assert response.json()["message"] == (
        "a using-party client needs the party's credit code"
    )
    unknown = world.http.post(
        "/v1/clients",
        json={"name": "x", "role": "using-party", "partyCode": BANK},
        headers=world.headers("operator"),
    )
    assert unknown.json()["message"] == f"no using party with credit code {BANK}"
    misplaced = world.http.post(
        "/v1/clients",
        json={"name": "x", "role": "auditor", "partyCode": BANK},
        headers=world.headers("operator"),
    )
    assert misplaced.json()["message"] == "auditor clients act for no using party"
