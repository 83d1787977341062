"""Service matters over the API: registering, reading, replacing, and each refusal."""

import pytest

from sharing.support import (
    CARD_MATTER,
    FOOD,
    ID_CARD,
    INSPECTION_MATTER,
    add_matter,
    card_matter,
    inspection_matter,
    matter_body,
)


def test_matter_registers_for_its_department_and_reads_back(world):
    created = add_matter(world, card_matter(), "hrss_region")
    assert created["code"] == CARD_MATTER
    assert created["department"]["creditCode"] == (
        world.departments["hrss_region"].credit_code
    )
    assert created["departmentKind"] == "human-resources-social-security"
    assert created["typeCodes"] == [ID_CARD, created["typeCodes"][1]]
    assert created["form"][0]["source"] == {"typeCode": ID_CARD, "field": "CZZT"}
    for who in ("psb_tianshan", "auditor", "verifier"):
        response = world.http.get(
            f"/v1/matters/{CARD_MATTER}", headers=world.headers(who)
        )
        assert response.status_code == 200
        assert response.json() == created


def test_matter_list_pages_and_filters_by_department(world):
    add_matter(world, card_matter(), "hrss_region")
    add_matter(world, inspection_matter(), "market_urumqi")
    page = world.http.get("/v1/matters?limit=1", headers=world.headers("auditor"))
    assert [m["code"] for m in page.json()["items"]] == [CARD_MATTER]
    cursor = page.json()["nextCursor"]
    rest = world.http.get(
        f"/v1/matters?limit=1&cursor={cursor}", headers=world.headers("auditor")
    ).json()
    assert [m["code"] for m in rest["items"]] == [INSPECTION_MATTER]
    assert rest["nextCursor"] is None
    market = world.departments["market_urumqi"].credit_code
    only = world.http.get(
        f"/v1/matters?department={market}", headers=world.headers("auditor")
    ).json()
    assert [m["code"] for m in only["items"]] == [INSPECTION_MATTER]
    assert only["items"][0]["legalBasis"].startswith("《中华人民共和国食品安全法》")


def test_matter_replace_changes_definition_but_not_code(world):
    add_matter(world, card_matter(), "hrss_region")
    body = matter_body(
        card_matter(name_zh="社会保障卡申领（补换）", form=[]),
        world.departments["hrss_region"].credit_code,
    )
    response = world.http.put(
        f"/v1/matters/{CARD_MATTER}", json=body, headers=world.headers("operator")
    )
    assert response.status_code == 200, response.text
    assert response.json()["nameZh"] == "社会保障卡申领（补换）"
    assert response.json()["form"] == []

    other = world.http.put(
        "/v1/matters/650000-RS-9999", json=body, headers=world.headers("operator")
    )
    assert other.status_code == 404
    assert other.json()["code"] == "not-found"


def test_matter_replace_refuses_a_changed_code(world):
    add_matter(world, card_matter(), "hrss_region")
    add_matter(world, card_matter(code="650000-RS-0002"), "hrss_region")
    body = matter_body(
        card_matter(code="650000-RS-0002"),
        world.departments["hrss_region"].credit_code,
    )
    response = world.http.put(
        f"/v1/matters/{CARD_MATTER}", json=body, headers=world.headers("operator")
    )
    assert response.status_code == 422
    assert response.json()["message"] == (
        f"the definition is of matter 650000-RS-0002, not {CARD_MATTER}; a matter's"
        " code cannot change"
    )


def test_matter_registration_needs_the_operator(world):
    body = matter_body(card_matter(), world.departments["hrss_region"].credit_code)
    response = world.post("hrss_region", "/v1/matters", body)
    assert response.status_code == 403
    assert response.json()["code"] == "permission-denied"
    put = world.http.put(
        f"/v1/matters/{CARD_MATTER}", json=body, headers=world.headers("auditor")
    )
    assert put.status_code == 403


def test_matter_reading_needs_credentials(world):
    response = world.http.get("/v1/matters")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication-required"


def test_matter_with_taken_code_is_refused(world):
    add_matter(world, card_matter(), "hrss_region")
    body = add_matter(world, card_matter(), "hrss_region", expect=409)
    assert body["code"] == "conflict"
    assert f"matter {CARD_MATTER} is already registered" in body["message"]


# The API takes the department's kind as the matter's; a file naming another kind is
# refused by `zhengzhao matter add` (see the CLI tests).
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"materials": [{"type_code": "11100000000013127D999", "required": True}]},
            "matter 650000-RS-0001 needs license type 11100000000013127D999, which"
            " the catalog does not hold",
        ),
        (
            {
                "form": [
                    {
                        "name": "x",
                        "label_zh": "甲",
                        "label_en": "x",
                        "source": {"type_code": ID_CARD, "field": "shoeSize"},
                    }
                ]
            },
            "form field 'x' of matter 650000-RS-0001 is filled from"
            f" {ID_CARD} field 'shoeSize', which that type does not have; its fields"
            " are: address, birthDate, ethnicity, sex",
        ),
        (
            {"code": "650000 RS"},
            "matter code '650000 RS' may hold only letters, digits, '.', '-' and '_',"
            " at most 64 of them",
        ),
        (
            {
                "materials": [
                    {"type_code": FOOD, "required": True},
                    {"type_code": FOOD, "required": False},
                ]
            },
            f"matter 650000-RS-0001 lists license type {FOOD} twice among its"
            " materials",
        ),
    ],
)
def test_matter_definition_errors_are_named(world, changes, message):
    body = add_matter(world, card_matter(**changes), "hrss_region", expect=422)
    assert body["code"] == "invalid-request"
    assert body["message"] == message


def test_matter_for_unknown_department_is_refused(world):
    body = matter_body(card_matter(), "91650102MA0000001X")
    response = world.post("operator", "/v1/matters", body)
    assert response.status_code == 422
    assert response.json()["message"] == (
        "no department with credit code 91650102MA0000001X"
    )


def test_unknown_matter_is_not_found(world):
    response = world.http.get("/v1/matters/NOPE", headers=world.headers("auditor"))
    assert response.status_code == 404
    assert response.json()["message"] == (
        "no service matter NOPE; `GET /v1/matters` lists them"
    )
