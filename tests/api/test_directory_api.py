"""Departments, keys, clients, regions and the trust list over the API."""

from support.world import department_code
from zhengzhao.seals.multikey import public_key_from_multibase, public_key_jwk


def test_operator_registers_department_with_first_key(world):
    code = department_code("650200", "2001")
    response = world.post(
        "operator",
        "/v1/departments",
        {
            "creditCode": code,
            "name": "克拉玛依市公安局",
            "regionCode": "650200",
            "kind": "public-security",
            "algorithm": "ed25519",
        },
    )
    assert response.status_code == 201, response.text
    keys = world.http.get(
        f"/v1/departments/{code}/keys", headers=world.headers("auditor")
    )
    assert [(k["sequence"], k["algorithm"], k["state"]) for k in keys.json()] == [
        (1, "ed25519", "active")
    ]


def test_department_registration_refuses_bad_code_kind_region_and_duplicates(world):
    good = department_code("650200", "2002")
    base = {
        "creditCode": good,
        "name": "X",
        "regionCode": "650200",
        "kind": "public-security",
    }
    cases = [
        # I, O, S, V and Z are never legal, even in pilot-era codes.
        ({"creditCode": good[:-1] + "I"}, 422, "I"),
        ({"kind": "astrology"}, 422, "department kind 'astrology' is unknown"),
        ({"regionCode": "110101"}, 422, "not served by this node"),
        (
            {"creditCode": world.departments["psb_tianshan"].credit_code},
            409,
            "already registered",
        ),
    ]
    for change, status, message in cases:
        response = world.post("operator", "/v1/departments", base | change)
        assert response.status_code == status, (change, response.text)
        assert message in response.json()["message"]


def pilot_department(**extra):
    good = department_code("650200", "2003")
    pilot = good[:-1] + ("0" if good[-1] != "0" else "1")
    body = {
        "creditCode": pilot,
        "name": "试点单位",
        "regionCode": "650200",
        "kind": "civil-affairs",
    }
    return good, pilot, body | extra


def test_credit_code_failing_its_check_is_refused_by_default(world):
    good, pilot, body = pilot_department()
    response = world.post("operator", "/v1/departments", body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid-identifier"
    assert response.json()["message"] == (
        f"credit code {pilot}: check character is {pilot[-1]}, expected"
        f" {good[-1]}; if this is a pilot-era code that is legal as it is, send it"
        " again with lenientCreditCode set to true (or --lenient)"
    )


def test_pilot_era_credit_code_said_to_be_one_is_accepted_with_its_warning(world):
    _good, pilot, body = pilot_department(lenientCreditCode=True)
    response = world.post("operator", "/v1/departments", body)
    assert response.status_code == 201, response.text
    assert response.json()["creditCode"] == pilot
    assert response.json()["codeWarnings"] == [
        f"check character is {pilot[-1]}, expected {_good[-1]}; accepted as a"
        " pilot-era code"
    ]


def test_only_operators_register_departments(world):
    body = {
        "creditCode": department_code("650200", "2004"),
        "name": "X",
        "regionCode": "650200",
        "kind": "health",
    }
    for who in ("auditor", "psb_tianshan", "verifier"):
        assert world.post(who, "/v1/departments", body).status_code == 403


def test_department_rotates_only_its_own_key(world):
    other = world.departments["psb_shayibake"].credit_code
    response = world.post("psb_tianshan", f"/v1/departments/{other}/keys", {})
    assert response.status_code == 403
    assert "only its own keys" in response.json()["message"]


def test_trust_list_is_public_and_lists_every_key_in_both_forms(world):
    response = world.http.get("/v1/trust-list")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "ZhengzhaoTrustList"
    methods = body["verificationMethods"]
    assert len(methods) == len(world.departments)
    for method in methods:
        assert method["type"] == "Multikey"
        assert method["publicKeyMultibase"].startswith("zDn")
        key = public_key_from_multibase(method["publicKeyMultibase"])
        assert public_key_jwk(key) == method["publicKeyJwk"]
        assert method["id"] == f"{method['controller']}#key-1"
        assert method["state"] == "active" and method["validUntil"] is None


def test_trust_list_shows_retired_key_with_its_window(world, clock):
    code = world.departments["psb_tianshan"].credit_code
    clock.advance(days=1)
    world.post("psb_tianshan", f"/v1/departments/{code}/keys", {})
    methods = [
        m
        for m in world.http.get("/v1/trust-list").json()["verificationMethods"]
        if m["controllerCode"] == code
    ]
    assert [(m["id"].split("#")[1], m["state"]) for m in methods] == [
        ("key-1", "retired"),
        ("key-2", "active"),
    ]
    assert methods[0]["validUntil"] == methods[1]["validFrom"]


def test_operator_creates_client_and_token_works_once_shown(world):
    response = world.http.post(
        "/v1/clients",
        json={"name": "hotel desk", "role": "verifier"},
        headers=world.headers("operator"),
    )
    assert response.status_code == 201
    token = response.json()["token"]
    listed = world.http.get("/v1/clients", headers=world.headers("operator")).json()
    assert token not in str(listed)
    check = world.http.post(
        "/v1/verify", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert check.status_code == 200


def test_department_client_needs_existing_department(world):
    response = world.http.post(
        "/v1/clients",
        json={
            "name": "x",
            "role": "department",
            "departmentCode": "91650102MA0000000X",
        },
        headers=world.headers("operator"),
    )
    assert response.status_code == 422


def test_non_operators_cannot_create_clients(world):
    for who in ("auditor", "psb_tianshan", "verifier"):
        response = world.http.post(
            "/v1/clients",
            json={"name": "x", "role": "operator"},
            headers=world.headers(who),
        )
        assert response.status_code == 403


def new_client(world, role="verifier"):
    response = world.http.post(
        "/v1/clients",
        json={"name": "hotel desk", "role": role},
        headers=world.headers("operator"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_disabled_client_token_is_refused_with_its_own_code(world, clock):
    client = new_client(world)
    bearer = {"Authorization": f"Bearer {client['token']}"}
    assert world.http.post("/v1/verify", json={}, headers=bearer).status_code == 200
    disabled = world.http.post(
        f"/v1/clients/{client['clientId']}/disable", headers=world.headers("operator")
    )
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["disabledAt"] == "2026-11-02T10:00:00Z"
    refused = world.http.post("/v1/verify", json={}, headers=bearer)
    assert refused.status_code == 401
    assert refused.json() == {
        "code": "client-disabled",
        "message": f"client {client['clientId']} was disabled at"
        " 2026-11-02T10:00:00+00:00; ask the node's operator for a new client",
    }


def test_disabling_a_client_twice_keeps_the_first_time(world, clock):
    client = new_client(world)
    path = f"/v1/clients/{client['clientId']}/disable"
    first = world.http.post(path, headers=world.headers("operator")).json()
    clock.advance(hours=1)
    second = world.http.post(path, headers=world.headers("operator"))
    assert second.status_code == 200
    assert second.json() == first


def test_disabled_client_is_listed_as_disabled(world):
    client = new_client(world)
    world.http.post(
        f"/v1/clients/{client['clientId']}/disable", headers=world.headers("operator")
    )
    listed = world.http.get("/v1/clients", headers=world.headers("operator")).json()
    found = {c["clientId"]: c for c in listed}
    assert found[client["clientId"]]["disabledAt"] is not None
    assert sum(c["disabledAt"] is None for c in listed) == len(listed) - 1


def test_only_operators_disable_clients(world):
    client = new_client(world)
    for who in ("auditor", "psb_tianshan", "verifier"):
        response = world.http.post(
            f"/v1/clients/{client['clientId']}/disable", headers=world.headers(who)
        )
        assert response.status_code == 403, who
        assert response.json()["code"] == "permission-denied"
    bearer = {"Authorization": f"Bearer {client['token']}"}
    assert world.http.post("/v1/verify", json={}, headers=bearer).status_code == 200


def test_only_operators_and_auditors_list_clients(world):
    for who in ("psb_tianshan", "verifier"):
        response = world.http.get("/v1/clients", headers=world.headers(who))
        assert response.status_code == 403, who


def test_disabling_an_unknown_client_is_not_found(world):
    response = world.http.post(
        "/v1/clients/0000000000000000/disable", headers=world.headers("operator")
    )
    assert response.status_code == 404
    assert response.json()["message"] == "no API client 0000000000000000"


def test_regions_list_xinjiang_tree(world):
    regions = world.http.get(
        "/v1/regions", params={"parent": "650000"}, headers=world.headers("auditor")
    ).json()
    codes = {r["code"] for r in regions}
    assert {"650100", "653100", "659001"} <= codes
    assert all(r["parentCode"] == "650000" for r in regions)


def test_health_is_public(world):
    assert world.http.get("/v1/health").json()["status"] == "ok"


def test_unknown_route_has_the_error_shape(world):
    response = world.http.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"code": "not-found", "message": "Not Found"}


def test_wrong_method_has_the_error_shape(world):
    response = world.http.delete("/v1/trust-list")
    assert response.status_code == 405
    assert response.json()["code"] == "method-not-allowed"


def test_openapi_document_lists_every_resource(world):
    spec = world.http.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/v1/licenses",
        "/v1/licenses/{identifier}/events",
        "/v1/verify",
        "/v1/trust-list",
    } <= paths
    assert "bearer" in str(spec["components"]["securitySchemes"]).lower()


def test_operator_renames_a_department_and_the_trust_list_follows(world):
    code = world.departments["psb_tianshan"].credit_code
    document = world.issue()["document"]
    response = world.http.patch(
        f"/v1/departments/{code}",
        json={"name": "乌鲁木齐市公安局天山分局", "nameEn": "Tianshan PSB"},
        headers=world.headers("operator"),
    )
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["nameEn"]) == (
        "乌鲁木齐市公安局天山分局",
        "Tianshan PSB",
    )
    methods = world.http.get("/v1/trust-list").json()["verificationMethods"]
    names = {m["controllerName"] for m in methods if m["controllerCode"] == code}
    assert names == {"乌鲁木齐市公安局天山分局"}
    report = world.http.post(
        "/v1/verify", json=document, headers=world.headers("verifier")
    ).json()
    assert report["verdict"] == "valid"
    assert report["issuerName"] == "乌鲁木齐市公安局天山分局"


def test_department_rename_keeps_what_is_left_out(world):
    code = world.departments["psb_tianshan"].credit_code
    response = world.http.patch(
        f"/v1/departments/{code}",
        json={"nameEn": "Tianshan PSB"},
        headers=world.headers("operator"),
    )
    assert response.json()["name"] == world.departments["psb_tianshan"].name


def deactivate(world, key="psb_tianshan", who="operator"):
    code = world.departments[key].credit_code
    return world.http.post(
        f"/v1/departments/{code}/deactivate", headers=world.headers(who)
    )


def test_deactivated_department_issues_and_records_nothing_more(world, clock):
    earlier = world.issue()
    clock.advance(hours=1)
    response = deactivate(world)
    assert response.status_code == 200, response.text
    assert response.json()["deactivatedAt"] == "2026-11-02T11:00:00Z"
    refused = world.issue(expect=409)
    assert refused["code"] == "department-deactivated"
    assert refused["message"] == (
        f"{world.departments['psb_tianshan'].name}"
        f" ({world.departments['psb_tianshan'].credit_code}) was deactivated at"
        " 2026-11-02T11:00:00Z; it issues and records nothing more, and what it"
        " signed keeps verifying"
    )
    event = world.event(earlier["identifier"], "revoked", expect=409)
    assert event["code"] == "department-deactivated"


def test_deactivated_department_licenses_keep_verifying(world, clock):
    document = world.issue()["document"]
    deactivate(world)
    clock.advance(days=2)  # past the status lists' refresh
    report = world.http.post(
        "/v1/verify", json=document, headers=world.headers("verifier")
    ).json()
    assert report["verdict"] == "valid", report
    code = world.departments["psb_tianshan"].credit_code
    methods = world.http.get("/v1/trust-list").json()["verificationMethods"]
    assert any(m["controllerCode"] == code for m in methods)


def test_deactivating_twice_keeps_the_first_time(world, clock):
    first = deactivate(world).json()
    clock.advance(hours=1)
    assert deactivate(world).json() == first


def test_only_operators_rename_or_deactivate_departments(world):
    code = world.departments["psb_tianshan"].credit_code
    for who in ("auditor", "psb_tianshan"):
        assert deactivate(world, who=who).status_code == 403, who
        response = world.http.patch(
            f"/v1/departments/{code}", json={"name": "X"}, headers=world.headers(who)
        )
        assert response.status_code == 403, who
    world.issue()


def test_department_without_an_active_key_is_told_to_rotate(world, clock, node):
    department = world.departments["psb_tianshan"]
    with node.database.transaction() as conn:
        node.keyring.mark_compromised(conn, department, 1, since=clock.now())
    body = world.issue(expect=409)
    assert body["code"] == "no-active-key"
    assert body["message"] == (
        f"department {department.credit_code} has no active signing key (its last"
        " one was compromised or closed); start the next with `zhengzhao keys"
        f" rotate {department.credit_code}` or POST"
        f" /v1/departments/{department.credit_code}/keys"
    )
