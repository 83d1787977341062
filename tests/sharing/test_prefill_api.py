"""Prefill over the API: the holder's own form with every value, an agent's, a using
party's limited to its grant and clearance, the access record of each, and every
refusal."""

import json
from datetime import date

import pytest

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
    add_matter,
    add_party,
    card_matter,
    log_in,
    set_up_hotel,
    set_up_sharing,
)
from support.world import org_id, person_id
from zhengzhao.translog.sequencer import integrate

ME = f"holder:{HOLDER}"
DAUGHTER = person_id(date(1972, 5, 9), sequence=22)


@pytest.fixture
def sharing(world):
    return set_up_sharing(world)


def prefill(world, who=ME, matter=CARD_MATTER, *, expect=201, key=None, **body):
    response = world.post(who, f"/v1/matters/{matter}/prefill", body, key=key)
    assert response.status_code == expect, response.text
    return response.json()


def by_name(out):
    return {item["name"]: item for item in out["form"]}


def records(world, who=ME):
    response = world.http.get("/v1/me/access-records", headers=world.headers(who))
    assert response.status_code == 200, response.text
    return [item["document"] for item in response.json()["items"]]


def test_prefill_by_holder_fills_every_sourced_field_with_its_source(sharing, world):
    out = prefill(world)
    card = sharing.card
    fields = by_name(out)
    assert fields["applicantName"]["value"] == HOLDER_NAME
    assert fields["applicantName"]["source"] == {
        "license": card["identifier"],
        "typeCode": ID_CARD,
        "field": "CZZT",
    }
    assert fields["idNumber"]["value"] == HOLDER
    address = card["document"]["credentialSubject"]["fields"]["address"]
    assert fields["address"]["value"] == address
    assert fields["phone"] == {
        "name": "phone",
        "labelZh": "联系电话",
        "labelEn": "Phone",
        "required": True,
        "value": None,
        "source": None,
        "emptyBecause": "typed-by-applicant",
    }
    assert out["materials"] == [
        {
            "typeCode": ID_CARD,
            "required": True,
            "license": card["identifier"],
            "mustSubmit": False,
        },
        {
            "typeCode": HOUSEHOLD,
            "required": False,
            "license": sharing.household["identifier"],
            "mustSubmit": False,
        },
    ]
    assert out["exempted"] == [ID_CARD] and out["toSubmit"] == []
    assert out["supplied"] == {
        "materials": {"supplied": 1, "asked": 1},
        "fields": {"supplied": 3, "asked": 4},
    }
    assert out["basis"] == "holder" and out["authorization"] is None
    assert out["filledOn"] == "2026-11-02"


def test_prefill_by_holder_without_licenses_asks_for_every_material(sharing, world):
    stranger = person_id(sequence=71)
    log_in(world, stranger, "赵六", as_="stranger")
    out = prefill(world, "stranger")
    assert {f["emptyBecause"] for f in out["form"]} == {
        "no-valid-license",
        "typed-by-applicant",
    }
    assert out["exempted"] == [] and out["toSubmit"] == [ID_CARD]


def test_prefill_writes_an_access_record_the_holder_reads_with_its_proof(
    sharing, world, node, clock
):
    out = prefill(world)
    (document,) = records(world)
    assert document["id"] == out["accessRecord"]
    assert document["action"] == "prefill"
    assert document["outcome"] == "prefilled"
    assert document["basis"] == "holder" and document["actor"] == "holder"
    assert document["party"] is None and document["matter"] == CARD_MATTER
    details = document["details"]
    assert details["supplied"] == out["supplied"]
    assert details["form"][0] == {
        "name": "applicantName",
        "license": sharing.card["identifier"],
        "field": "CZZT",
        "emptyBecause": None,
    }
    assert details["materials"][0] == {
        "typeCode": ID_CARD,
        "required": True,
        "license": sharing.card["identifier"],
    }
    # The record names sources, never the values filled in.
    assert HOLDER_NAME not in json.dumps(details, ensure_ascii=False)

    integrate(node, now=clock.now())
    one = world.http.get(
        f"/v1/me/access-records/{out['accessRecord']}", headers=world.headers(ME)
    )
    assert one.status_code == 200
    assert one.json()["log"] is not None  # a leaf of the transparency log


def test_prefill_replayed_returns_the_first_answer_and_records_once(sharing, world):
    first = prefill(world, key="same")
    again = world.post(ME, f"/v1/matters/{CARD_MATTER}/prefill", {}, key="same")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first
    assert len(records(world)) == 1


def _appoint(world):
    made = world.post(ME, "/v1/me/agents", {"identifier": DAUGHTER, "name": "李娜"})
    assert made.status_code == 201, made.text
    log_in(world, DAUGHTER, "李娜", as_="daughter")
    return made.json()["id"]


def test_prefill_by_agent_fills_the_form_of_the_holder_who_appointed_it(sharing, world):
    appointment = _appoint(world)
    out = prefill(world, "daughter", onBehalfOf=appointment)
    assert by_name(out)["idNumber"]["value"] == HOLDER
    (document,) = records(world)
    assert document["actor"] == f"agent:{appointment}"
    assert records(world, "daughter") == []  # the holder's record, not the agent's


def test_prefill_by_agent_under_a_withdrawn_appointment_is_refused(sharing, world):
    appointment = _appoint(world)
    world.http.delete(f"/v1/me/agents/{appointment}", headers=world.headers(ME))
    body = prefill(world, "daughter", onBehalfOf=appointment, expect=403)
    assert body["code"] == "agent-not-appointed"
    assert body["message"] == (
        f"appointment {appointment} was withdrawn by the holder; you can no longer"
        " act in their name"
    )


def test_prefill_by_a_person_never_appointed_is_refused(sharing, world):
    appointment = _appoint(world)
    log_in(world, person_id(sequence=73), "钱七", as_="stranger")
    body = prefill(world, "stranger", onBehalfOf=appointment, expect=403)
    assert body["code"] == "agent-not-appointed"
    assert body["message"] == (
        f"you are not an agent under appointment {appointment};"
        " GET /v1/me/appointments lists whom you act for"
    )


def test_prefill_by_holder_of_a_matter_for_organisations_is_refused(sharing, world):
    body = prefill(world, matter=INSPECTION_MATTER, expect=422)
    assert body["code"] == "invalid-request"
    assert body["message"] == (
        f"matter {INSPECTION_MATTER} (食品经营现场检查) serves organisations, and you"
        " are a person; choose a matter for persons (GET /v1/matters)"
    )


def test_prefill_by_holder_naming_a_basis_is_refused(sharing, world):
    body = prefill(world, authorization="au_0000000000000000", expect=422)
    assert body["code"] == "invalid-request"
    assert body["message"].startswith("a holder fills its own form: leave out holder")


def test_prefill_without_credentials_is_refused(sharing, world):
    response = world.http.post(
        f"/v1/matters/{CARD_MATTER}/prefill", json={}, headers={"Idempotency-Key": "k"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "authentication-required"


def test_prefill_of_an_unknown_matter_is_not_found(sharing, world):
    assert prefill(world, matter="650000-999", expect=404)["code"] == "not-found"


# A using party.


def test_prefill_by_party_shows_only_granted_fields_within_clearance(sharing, world):
    granted = sharing.grant()  # CZZT, sex, birthDate of the ID card
    out = prefill(world, "bank", authorization=granted["id"])
    fields = by_name(out)
    assert fields["applicantName"]["value"] == HOLDER_NAME
    for name in ("idNumber", "address"):
        assert fields[name]["value"] is None
        assert fields[name]["emptyBecause"] == "not-disclosed"
    assert out["basis"] == "authorization"
    assert out["authorization"] == granted["id"]
    # The household register was not granted: the bank never looks for it.
    assert out["materials"][1] == {
        "typeCode": HOUSEHOLD,
        "required": False,
        "license": None,
        "mustSubmit": True,
    }
    assert out["exempted"] == [ID_CARD]


def test_prefill_by_party_sees_nothing_above_its_clearance(world):
    sharing = set_up_sharing(world, clearance="public")
    granted = sharing.grant()
    out = prefill(world, "bank", authorization=granted["id"])
    # A person's name is internal, above public: granted, yet not shown.
    assert by_name(out)["applicantName"]["emptyBecause"] == "not-disclosed"
    assert out["exempted"] == [ID_CARD]  # the material is covered all the same


def test_prefill_outside_the_granted_types_is_outside_scope(sharing, world):
    matter = card_matter(
        code="650000-RS-0009",
        form=[
            {
                "name": "householdNumber",
                "label_zh": "户号",
                "label_en": "Household number",
                "source": {"type_code": HOUSEHOLD, "field": "householdNumber"},
            }
        ],
    )
    add_matter(world, matter, "hrss_region")
    world.http.patch(
        f"/v1/parties/{BANK}",
        json={"matters": [CARD_MATTER, "650000-RS-0009"]},
        headers=world.headers("operator"),
    )
    granted = sharing.grant(matter="650000-RS-0009")
    out = prefill(world, "bank", "650000-RS-0009", authorization=granted["id"])
    assert out["form"][0]["emptyBecause"] == "outside-scope"


def test_prefill_by_party_uses_the_authorization_once_and_is_recorded(sharing, world):
    granted = sharing.grant(uses=1)
    out = prefill(world, "bank", authorization=granted["id"])
    (document,) = records(world)
    assert document["id"] == out["accessRecord"]
    assert document["party"]["creditCode"] == BANK
    assert document["basis"] == "authorization"
    assert document["authorization"] == granted["id"]
    assert document["details"]["supplied"] == {
        "materials": {"supplied": 1, "asked": 1},
        "fields": {"supplied": 1, "asked": 4},
    }
    body = prefill(world, "bank", authorization=granted["id"], expect=403)
    assert body["code"] == "authorization-used-up"


def test_prefill_by_party_without_authorization_is_refused_and_recorded(sharing, world):
    body = prefill(world, "bank", holder=HOLDER, expect=403)
    assert body["code"] == "no-authorization"
    assert body["message"] == (
        f"no authorization was named for matter {CARD_MATTER}; ask the holder to"
        " grant one and name it"
    )
    (document,) = records(world)
    assert document["action"] == "prefill"
    assert document["outcome"] == "no-authorization"
    assert document["details"] == {"refusal": body["message"]}


def test_prefill_under_expired_authorization_is_refused(sharing, world, clock):
    granted = sharing.grant(expiresAt="2026-11-02T11:00:00Z")
    clock.advance(hours=2)
    body = prefill(world, "bank", authorization=granted["id"], expect=403)
    assert body["code"] == "authorization-expired"
    assert body["message"] == (
        f"authorization {granted['id']} for matter {CARD_MATTER} expired at"
        " 2026-11-02T11:00:00Z; ask the holder for a new one"
    )


def test_prefill_under_withdrawn_authorization_is_refused(sharing, world):
    granted = sharing.grant()
    world.http.delete(
        f"/v1/me/authorizations/{granted['id']}", headers=world.headers(ME)
    )
    body = prefill(world, "bank", authorization=granted["id"], expect=403)
    assert body["code"] == "authorization-withdrawn"


def test_prefill_naming_another_holder_is_refused(sharing, world):
    granted = sharing.grant()
    other = person_id(sequence=61)
    body = prefill(world, "bank", holder=other, authorization=granted["id"], expect=403)
    assert body["code"] == "holder-mismatch"
    assert body["message"] == (
        f"authorization {granted['id']} was granted by another holder than the one"
        " named; check whose licenses you ask for"
    )


def test_prefill_for_another_matter_than_granted_is_refused(sharing, world):
    add_matter(world, card_matter(code="650000-RS-0002"), "hrss_region")
    world.http.patch(
        f"/v1/parties/{BANK}",
        json={"matters": [CARD_MATTER, "650000-RS-0002"]},
        headers=world.headers("operator"),
    )
    granted = sharing.grant()
    body = prefill(
        world, "bank", "650000-RS-0002", authorization=granted["id"], expect=403
    )
    assert body["code"] == "matter-mismatch"


def test_prefill_for_a_matter_the_party_does_not_serve_is_refused(sharing, world):
    body = prefill(world, "bank", INSPECTION_MATTER, holder=org_id(5), expect=403)
    assert body["code"] == "matter-not-allowed"
    assert body["message"].startswith(
        f"using party {BANK} (中国工商银行乌鲁木齐分行) is not registered for matter"
        f" {INSPECTION_MATTER}"
    )


def test_prefill_under_another_partys_authorization_is_refused(sharing, world):
    granted = sharing.grant()  # to the bank
    set_up_hotel(world)
    world.http.patch(
        f"/v1/parties/{HOTEL}",
        json={"matters": [HOTEL_MATTER, CARD_MATTER]},
        headers=world.headers("operator"),
    )
    body = prefill(world, "hotel", authorization=granted["id"], expect=403)
    assert body["code"] == "no-authorization"
    assert body["message"] == (
        f"using party {HOTEL} holds no authorization {granted['id']}; ask the"
        f" holder to grant one for matter {CARD_MATTER}"
    )


def test_prefill_by_a_department_for_another_departments_matter_is_refused(
    sharing, world
):
    market = world.departments["market_urumqi"].credit_code
    add_party(world, kind="department", departmentCode=market, clearance="internal")
    body = prefill(world, "market_urumqi", holder=HOLDER, expect=403)
    assert body["code"] == "matter-not-allowed"


def test_prefill_by_a_client_of_no_party_is_refused(sharing, world):
    for who in ("operator", "psb_tianshan"):
        body = prefill(world, who, holder=HOLDER, expect=403)
        assert body["code"] == "not-a-using-party"


def test_prefill_on_a_legal_basis_the_matter_lacks_is_refused(sharing, world):
    body = prefill(
        world, "bank", holder=HOLDER, legalBasis=True, reason="核查", expect=403
    )
    assert body["code"] == "no-legal-basis"


def test_prefill_by_party_with_an_agents_appointment_is_refused(sharing, world):
    body = prefill(world, "bank", holder=HOLDER, onBehalfOf="ag_0", expect=422)
    assert body["code"] == "invalid-request"
    assert body["message"].startswith("onBehalfOf is for a holder's agent")


@pytest.fixture
def inspector(sharing, world):
    """The market regulator as a department party, and a food business it licensed."""
    market = world.departments["market_urumqi"].credit_code
    add_party(world, kind="department", departmentCode=market, clearance="internal")
    business = org_id(9)
    name = "乌鲁木齐某某餐饮有限公司"
    food = world.issue(
        "market_urumqi", "food-business-licence", holder=business, name=name
    )
    licence = world.issue(
        "market_urumqi", "business-licence", holder=business, name=name
    )
    return business, food, licence


def test_prefill_on_the_legal_basis_states_its_reason(inspector, world):
    business, food, licence = inspector
    out = prefill(
        world,
        "market_urumqi",
        INSPECTION_MATTER,
        holder=business,
        legalBasis=True,
        reason="双随机抽查 2026-11",
    )
    assert out["basis"] == "legal-basis"
    assert [m["license"] for m in out["materials"]] == [
        food["identifier"],
        licence["identifier"],
    ]
    assert out["exempted"] == [FOOD, BUSINESS]
    (document,) = records_of_organisation(world, business)
    assert document["reason"] == "双随机抽查 2026-11"


def test_prefill_on_the_legal_basis_without_reason_is_refused(inspector, world):
    business, _food, _licence = inspector
    body = prefill(
        world,
        "market_urumqi",
        INSPECTION_MATTER,
        holder=business,
        legalBasis=True,
        expect=422,
    )
    assert body["code"] == "reason-required"


def test_prefill_of_own_data_by_the_department_offering_the_matter(inspector, world):
    business, food, _licence = inspector
    out = prefill(world, "market_urumqi", INSPECTION_MATTER, holder=business)
    assert out["basis"] == "own-data"
    assert out["materials"][0]["license"] == food["identifier"]


def records_of_organisation(world, identifier):
    log_in(world, identifier, "乌鲁木齐某某餐饮有限公司", as_="business")
    return records(world, "business")
