"""Agents: a holder appoints and withdraws them; an agent sees whom it acts for."""

from datetime import date

from sqlalchemy import select

from sharing.support import log_in
from support.world import person_id
from zhengzhao.storage.tables import idempotency_records

ELDER = person_id(date(1940, 3, 1), sequence=21)
DAUGHTER = person_id(date(1972, 5, 9), sequence=22)


def appoint(world, who, identifier=DAUGHTER, name="李娜", expect=201, **extra):
    response = world.post(
        who, "/v1/me/agents", {"identifier": identifier, "name": name, **extra}
    )
    assert response.status_code == expect, response.text
    return response.json()


def test_holder_appoints_an_agent_who_then_sees_the_appointment(world):
    elder = log_in(world, ELDER, "李大爷")
    made = appoint(world, elder, note="女儿")
    assert made["id"].startswith("ag_")
    assert made["agent"] == {
        "kind": "person",
        "name": "李*",
        "identifier": DAUGHTER[:4] + "*" * 10 + DAUGHTER[-4:],
    }
    assert made["note"] == "女儿" and made["withdrawnAt"] is None
    listed = world.http.get("/v1/me/agents", headers=world.headers(elder)).json()
    assert listed == [made]

    daughter = log_in(world, DAUGHTER, "李娜")
    acting = world.http.get("/v1/me/appointments", headers=world.headers(daughter))
    assert [a["id"] for a in acting.json()] == [made["id"]]
    assert acting.json()[0]["holder"]["name"] == "李**"
    assert world.http.get("/v1/me/agents", headers=world.headers(daughter)).json() == []


def test_withdrawn_agent_no_longer_acts(world):
    elder = log_in(world, ELDER, "李大爷")
    made = appoint(world, elder)
    response = world.http.delete(
        f"/v1/me/agents/{made['id']}", headers=world.headers(elder)
    )
    assert response.status_code == 200
    assert response.json()["withdrawnAt"] == "2026-11-02T10:00:00Z"
    daughter = log_in(world, DAUGHTER, "李娜")
    acting = world.http.get("/v1/me/appointments", headers=world.headers(daughter))
    assert acting.json() == []
    again = appoint(world, elder)
    assert again["id"] != made["id"]


def test_agent_cannot_withdraw_its_own_appointment(world):
    elder = log_in(world, ELDER, "李大爷")
    made = appoint(world, elder)
    daughter = log_in(world, DAUGHTER, "李娜")
    response = world.http.delete(
        f"/v1/me/agents/{made['id']}", headers=world.headers(daughter)
    )
    assert response.status_code == 404
    assert response.json()["message"] == f"you appointed no agent under {made['id']}"


def test_appointment_refusals(world):
    elder = log_in(world, ELDER, "李大爷")
    own = appoint(world, elder, identifier=ELDER, expect=422)
    assert own["message"] == "a holder cannot appoint itself as its own agent"
    appoint(world, elder)
    twice = appoint(world, elder, expect=409)
    assert twice["message"].startswith("李娜 is already your agent (appointment ag_")
    bad = appoint(world, elder, identifier="650102199001011234", expect=422)
    assert bad["code"] == "invalid-identifier"
    other = person_id(sequence=31)
    blank = appoint(world, elder, identifier=other, name=" ", expect=422)
    assert blank["message"] == "an agent needs a name"


def test_appointment_is_idempotent(world):
    elder = log_in(world, ELDER, "李大爷")
    body = {"identifier": DAUGHTER, "name": "李娜"}
    first = world.post(elder, "/v1/me/agents", body, key="same")
    second = world.post(elder, "/v1/me/agents", body, key="same")
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    with world.node.database.reading() as conn:
        stored = conn.execute(select(idempotency_records.c.response)).scalar_one()
    assert stored.startswith("sealed:v1:") and DAUGHTER[-4:] not in stored
