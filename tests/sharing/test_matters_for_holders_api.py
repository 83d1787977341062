"""Holders read the scenario list and the parties serving a matter with their session
token, so that they can grant authorizations; nobody reads them unauthenticated."""

from sharing.support import (
    BANK,
    CARD_MATTER,
    HOLDER,
    HOTEL,
    INSPECTION_MATTER,
    add_party,
    set_up_hotel,
    set_up_sharing,
)

ME = f"holder:{HOLDER}"


def test_holder_lists_and_reads_matters_with_its_session(world):
    set_up_sharing(world)
    listed = world.http.get("/v1/matters", headers=world.headers(ME))
    assert listed.status_code == 200, listed.text
    codes = [item["code"] for item in listed.json()["items"]]
    assert codes == [CARD_MATTER, INSPECTION_MATTER]
    one = world.http.get(f"/v1/matters/{CARD_MATTER}", headers=world.headers(ME))
    assert one.status_code == 200 and one.json()["nameZh"] == "社会保障卡申领"


def test_holder_sees_the_parties_serving_a_matter(world):
    set_up_sharing(world)
    hrss = world.departments["hrss_region"].credit_code
    add_party(world, kind="department", departmentCode=hrss, clearance="sensitive")
    response = world.http.get(
        f"/v1/matters/{CARD_MATTER}/parties", headers=world.headers(ME)
    )
    assert response.status_code == 200, response.text
    assert response.json() == [  # by credit code
        {
            # The department offering the matter serves it unregistered.
            "creditCode": hrss,
            "name": "新疆维吾尔自治区人力资源和社会保障厅",
            "clearance": "sensitive",
            "matters": [CARD_MATTER],
        },
        {
            "creditCode": BANK,
            "name": "中国工商银行乌鲁木齐分行",
            "clearance": "internal",
            "matters": [CARD_MATTER],
        },
    ]


def test_parties_serving_a_matter_leave_out_disabled_and_unrelated_ones(world):
    set_up_sharing(world)
    set_up_hotel(world)  # the hotel serves another matter
    world.http.patch(
        f"/v1/parties/{BANK}",
        json={"disabled": True},
        headers=world.headers("operator"),
    )
    response = world.http.get(
        f"/v1/matters/{CARD_MATTER}/parties", headers=world.headers(ME)
    )
    assert response.json() == []
    assert HOTEL not in response.text


def test_api_clients_read_the_parties_serving_a_matter_too(world):
    set_up_sharing(world)
    response = world.http.get(
        f"/v1/matters/{CARD_MATTER}/parties", headers=world.headers("verifier")
    )
    assert [p["creditCode"] for p in response.json()] == [BANK]


def test_parties_of_an_unknown_matter_are_not_found(world):
    set_up_sharing(world)
    response = world.http.get("/v1/matters/NOPE/parties", headers=world.headers(ME))
    assert response.status_code == 404
    assert response.json()["message"] == (
        "no service matter NOPE; `GET /v1/matters` lists them"
    )


def test_matters_and_parties_refuse_unauthenticated_callers(world):
    set_up_sharing(world)
    for path in ("/v1/matters", f"/v1/matters/{CARD_MATTER}/parties"):
        response = world.http.get(path)
        assert response.status_code == 401
        assert response.json()["message"] == (
            "this endpoint needs an API client's bearer token, or a holder's session"
            " token from POST /v1/holder-sessions, in the Authorization header"
        )


def test_matters_refuse_an_ended_holder_session(world):
    set_up_sharing(world)
    world.http.delete("/v1/me/session", headers=world.headers(ME))
    response = world.http.get("/v1/matters", headers=world.headers(ME))
    assert response.status_code == 401
    assert response.json()["message"] == (
        "this holder session was closed; log in again"
    )


def test_client_only_endpoints_tell_a_holder_where_to_look(world):
    set_up_sharing(world)
    response = world.http.get("/v1/parties", headers=world.headers(ME))
    assert response.status_code == 401
    assert response.json()["message"] == (
        "this endpoint needs an API client's token (zz_<client id>_<secret>), not a"
        " holder's session token; holders use /v1/me/..., and read service matters"
        " and the parties serving each at /v1/matters"
    )
