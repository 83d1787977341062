"""Managing the catalog while the node runs, and who may."""

import copy

from support.world import example_fields, type_code

ID_CARD = type_code("resident-identity-card")


def versions(world, code):
    return world.http.get(
        f"/v1/catalog/types/{code}/versions", headers=world.headers("auditor")
    ).json()


def test_catalog_lists_seed_types_with_published_versions(world):
    types = world.http.get(
        "/v1/catalog/types", headers=world.headers("verifier")
    ).json()
    assert len(types) >= 18
    assert all(t["publishedVersion"] == 1 for t in types)
    names = {t["nameZh"] for t in types}
    assert {"居民身份证", "营业执照", "不动产权证书", "结婚证"} <= names


def test_catalog_needs_credentials(world):
    assert world.http.get("/v1/catalog/types").status_code == 401


def test_new_version_is_drafted_then_published_and_old_licenses_keep_theirs(world):
    old = world.issue()
    schema = copy.deepcopy(versions(world, ID_CARD)[0]["schema"])
    schema["properties"]["issuingOffice"] = {
        "type": "string",
        "title": "签发机关",
        "x-title-en": "Issuing office",
        "x-classification": "public",
    }
    draft = world.post(
        "operator", f"/v1/catalog/types/{ID_CARD}/versions", {"schema": schema}
    )
    assert draft.status_code == 201, draft.text
    assert draft.json()["state"] == "draft" and draft.json()["version"] == 2

    published = world.http.post(
        f"/v1/catalog/types/{ID_CARD}/versions/2/publish",
        headers=world.headers("operator"),
    )
    assert published.json()["state"] == "published"
    states = [v["state"] for v in versions(world, ID_CARD)]
    assert states == ["retired", "published"]

    fields = example_fields("resident-identity-card") | {"issuingOffice": "天山分局"}
    new = world.issue(fields=fields)
    assert new["typeVersion"] == 2
    kept = world.http.get(
        f"/v1/licenses/{old['identifier']}", headers=world.headers("auditor")
    )
    assert kept.json()["typeVersion"] == 1
    assert kept.json()["document"] == old["document"]


def test_published_version_cannot_be_edited(world):
    response = world.http.patch(
        f"/v1/catalog/types/{ID_CARD}/versions/1",
        json={"template": "x"},
        headers=world.headers("operator"),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "catalog-state"


def test_second_draft_is_refused_while_one_exists(world):
    world.post("operator", f"/v1/catalog/types/{ID_CARD}/versions", {})
    response = world.post("operator", f"/v1/catalog/types/{ID_CARD}/versions", {})
    assert response.status_code == 409
    assert "already has a draft" in response.json()["message"]


def test_retired_type_version_stops_issuance(world):
    world.http.post(
        f"/v1/catalog/types/{ID_CARD}/versions/1/retire",
        headers=world.headers("operator"),
    )
    body = world.issue(expect=409)
    assert body["code"] == "catalog-state"
    assert "no published version" in body["message"]


def test_type_schema_without_classification_is_refused(world):
    schema = copy.deepcopy(versions(world, ID_CARD)[0]["schema"])
    del schema["properties"]["sex"]["x-classification"]
    response = world.post(
        "operator", f"/v1/catalog/types/{ID_CARD}/versions", {"schema": schema}
    )
    assert response.status_code == 422
    assert "sex" in response.json()["message"]


def test_define_type_with_code_not_of_its_authority_is_refused(world):
    schema = versions(world, ID_CARD)[0]["schema"]
    body = {
        "code": ID_CARD[:-3] + "777",
        "nameZh": "测试证",
        "nameEn": "Test licence",
        "holderKind": "person",
        "authorityCode": "11100000MB0143028R",
        "authorityName": "市场监管总局",
        "departmentKind": "public-security",
        "schema": schema,
        "validity": {"kind": "permanent"},
        "template": "templates/test-v1",
    }
    response = world.post("operator", "/v1/catalog/types", body)
    assert response.status_code == 422
    assert (
        "does not start with its authority's credit code" in response.json()["message"]
    )
    body["authorityCode"] = ID_CARD[:18]
    created = world.post("operator", "/v1/catalog/types", body)
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "draft"


def test_department_and_auditor_cannot_change_catalog(world):
    for who in ("psb_tianshan", "auditor"):
        response = world.post(who, f"/v1/catalog/types/{ID_CARD}/versions", {})
        assert response.status_code == 403, who
        response = world.http.post(
            f"/v1/catalog/types/{ID_CARD}/versions/1/retire", headers=world.headers(who)
        )
        assert response.status_code == 403, who


def test_responsibility_line_added_lets_a_department_issue(world):
    body = world.issue("market_urumqi", "resident-identity-card", expect=403)
    assert body["code"] == "not-responsible"
    line = {
        "typeCode": ID_CARD,
        "regionCode": "650100",
        "departmentKind": "market-regulation",
        "departmentLevel": "prefecture",
    }
    response = world.post("operator", "/v1/catalog/responsibilities", line)
    assert response.status_code == 201
    world.issue("market_urumqi", "resident-identity-card")


MARKET_ID_CARDS = {
    "typeCode": ID_CARD,
    "regionCode": "650100",
    "departmentKind": "market-regulation",
    "departmentLevel": "prefecture",
}


def test_responsibility_line_needs_an_idempotency_key_and_replays(world):
    path = "/v1/catalog/responsibilities"
    bare = world.http.post(
        path, json=MARKET_ID_CARDS, headers=world.headers("operator")
    )
    assert bare.status_code == 422
    assert "Idempotency-Key" in bare.json()["message"]
    first = world.post("operator", path, MARKET_ID_CARDS, key="line-1")
    again = world.post("operator", path, MARKET_ID_CARDS, key="line-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() == MARKET_ID_CARDS
    other = world.post(
        "operator", path, MARKET_ID_CARDS | {"regionCode": "650200"}, key="line-1"
    )
    assert other.json()["code"] == "idempotency-key-reused"


def test_responsibility_line_removed_stops_a_department_issuing(world):
    world.post("operator", "/v1/catalog/responsibilities", MARKET_ID_CARDS)
    issued = world.issue("market_urumqi", "resident-identity-card")
    removed = world.http.delete(
        "/v1/catalog/responsibilities",
        params=MARKET_ID_CARDS,
        headers=world.headers("operator"),
    )
    assert removed.status_code == 204, removed.text
    refused = world.issue("market_urumqi", "resident-identity-card", expect=403)
    assert refused["code"] == "not-responsible"
    kept = world.http.get(
        f"/v1/licenses/{issued['identifier']}", headers=world.headers("auditor")
    )
    assert kept.status_code == 200
    gone = world.http.delete(
        "/v1/catalog/responsibilities",
        params=MARKET_ID_CARDS,
        headers=world.headers("operator"),
    )
    assert gone.status_code == 404
    assert gone.json()["message"] == (
        f"the responsibility list has no line for type {ID_CARD} in 650100 by"
        " prefecture-level market-regulation departments"
    )


def test_only_operators_remove_responsibility_lines(world):
    line = {
        "typeCode": ID_CARD,
        "regionCode": "650000",
        "departmentKind": "public-security",
        "departmentLevel": "county",
    }
    for who in ("auditor", "psb_tianshan"):
        response = world.http.delete(
            "/v1/catalog/responsibilities", params=line, headers=world.headers(who)
        )
        assert response.status_code == 403, who
    world.issue()  # the line is still there


def test_responsibility_list_is_readable(world):
    lines = world.http.get(
        "/v1/catalog/responsibilities",
        params={"type_code": ID_CARD},
        headers=world.headers("auditor"),
    ).json()
    assert lines == [
        {
            "typeCode": ID_CARD,
            "regionCode": "650000",
            "departmentKind": "public-security",
            "departmentLevel": "county",
        }
    ]


def test_draft_with_a_term_of_absurd_years_is_refused(world):
    response = world.post(
        "operator",
        f"/v1/catalog/types/{ID_CARD}/versions",
        {"validity": {"kind": "fixed-years", "years": 10**30}},
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "schema-violation"
    assert "needs `years` from 1 to 100" in response.json()["message"]


def test_draft_schema_nested_too_deeply_is_refused(world):
    schema: dict = {}
    for _ in range(300):
        schema = {"properties": {"a": schema}}
    response = world.post(
        "operator", f"/v1/catalog/types/{ID_CARD}/versions", {"schema": schema}
    )
    assert response.status_code == 422, response.text
    assert "nests more than 32 levels" in response.json()["message"]
