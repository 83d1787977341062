"""Whole licenses read through the API by their issuer, operators and auditors: each
read is an access record the holder reads."""

import pytest

from sharing.support import HOLDER, HOUSEHOLD, ID_CARD, log_in, set_up_sharing
from support.world import person_id

ME = f"holder:{HOLDER}"


@pytest.fixture
def sharing(world):
    return set_up_sharing(world)


def records(world, who=ME):
    page = world.http.get("/v1/me/access-records", headers=world.headers(who)).json()
    return [item["document"] for item in page["items"]]


def search(world, who, holder=HOLDER, **body):
    return world.http.post(
        "/v1/licenses/search",
        json={"holder": holder, **body},
        headers=world.headers(who),
    )


def test_auditor_search_is_recorded_for_the_holder(sharing, world):
    response = search(world, "auditor")
    assert response.status_code == 200, response.text
    (document,) = records(world)
    assert (document["action"], document["basis"], document["outcome"]) == (
        "read",
        "supervision",
        "disclosed",
    )
    assert document["party"] is None and document["matter"] is None
    assert document["actor"].startswith("client:")
    assert document["details"]["caller"] == {"role": "auditor", "client": "auditor"}
    assert [
        (item["identifier"], item["typeCode"])
        for item in document["details"]["licenses"]
    ] == [
        (sharing.card["identifier"], ID_CARD),
        (sharing.household["identifier"], HOUSEHOLD),
    ]
    assert "CZZTDM" in document["details"]["licenses"][0]["disclosed"]


def test_operator_read_of_one_license_is_recorded(sharing, world):
    identifier = sharing.card["identifier"]
    response = world.http.get(
        f"/v1/licenses/{identifier}", headers=world.headers("operator")
    )
    assert response.status_code == 200, response.text
    (document,) = records(world)
    assert (document["action"], document["basis"]) == ("read", "supervision")
    assert document["details"]["caller"]["role"] == "operator"
    (read,) = document["details"]["licenses"]
    assert read["identifier"] == identifier
    assert read["disclosed"] == [
        "CZZT",
        "CZZTDM",
        "ZZBFJG",
        "ZZBFJGDM",
        "ZZBFRQ",
        "ZZBH",
        "ZZBS",
        "ZZYXQJZRQ",
        "ZZYXQQSRQ",
        "address",
        "birthDate",
        "ethnicity",
        "sex",
    ]


def test_issuer_read_is_recorded_with_the_department_as_party(sharing, world):
    identifier = sharing.card["identifier"]
    world.http.get(f"/v1/licenses/{identifier}", headers=world.headers("psb_tianshan"))
    search(world, "psb_tianshan")
    police = world.departments["psb_tianshan"]
    documents = records(world)
    assert [d["basis"] for d in documents] == ["issuer", "issuer"]
    for document in documents:
        assert document["party"] == {
            "creditCode": police.credit_code,
            "name": police.name,
        }
        assert document["details"]["caller"] == {
            "role": "department",
            "client": "psb_tianshan",
        }


def test_department_search_records_only_its_own_licenses(sharing, world):
    world.issue("psb_shayibake", "household-register", holder=HOLDER, name="王芳")
    found = search(world, "psb_shayibake").json()["items"]
    (document,) = records(world)
    assert [item["identifier"] for item in document["details"]["licenses"]] == [
        item["identifier"] for item in found
    ]
    assert len(found) == 1


def test_department_refused_another_departments_license_is_recorded(sharing, world):
    identifier = sharing.card["identifier"]
    response = world.http.get(
        f"/v1/licenses/{identifier}", headers=world.headers("psb_shayibake")
    )
    assert response.status_code == 403
    (document,) = records(world)
    assert (document["action"], document["basis"], document["outcome"]) == (
        "read",
        "issuer",
        "permission-denied",
    )
    assert document["details"]["refusal"] == response.json()["message"]
    assert document["details"]["licenses"] == [
        {"identifier": identifier, "typeCode": ID_CARD}
    ]


def test_each_page_of_a_search_is_a_read(sharing, world):
    first = search(world, "auditor", limit=1).json()
    search(world, "auditor", limit=1, cursor=first["nextCursor"])
    pages = [
        [item["identifier"] for item in d["details"]["licenses"]]
        for d in reversed(records(world))
    ]
    assert pages == [[sharing.card["identifier"]], [sharing.household["identifier"]]]


def test_search_finding_nothing_is_recorded_for_the_holder_named(sharing, world):
    nobody = person_id(sequence=71)
    assert search(world, "auditor", holder=nobody).json()["items"] == []
    (document,) = records(world, log_in(world, nobody, "路人"))
    assert (document["action"], document["details"]["licenses"]) == ("read", [])


def test_a_client_that_may_not_read_leaves_no_record(sharing, world):
    assert search(world, "verifier").status_code == 403
    assert search(world, "bank").status_code == 403
    assert records(world) == []
