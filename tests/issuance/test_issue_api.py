"""Issuing licenses over the API: checks, identifiers, idempotency, refusals."""

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from support.world import example_fields, org_id, person_id, type_code
from zhengzhao.api.idempotency import fingerprint
from zhengzhao.issuance.service import HolderClaim, IssueRequest, issue_licenses
from zhengzhao.model.license_id import LicenseIdentifier
from zhengzhao.storage.tables import idempotency_records, license_events, licenses


def test_issue_returns_signed_credential_with_valid_identifier(world):
    body = world.issue()
    identifier = LicenseIdentifier.parse(body["identifier"])
    assert identifier.issuer_code == world.departments["psb_tianshan"].credit_code
    assert identifier.type_code == type_code("resident-identity-card")
    assert identifier.version == 1
    document = body["document"]
    assert document["type"] == ["VerifiableCredential", "ElectronicLicense"]
    assert document["credentialSubject"]["license"]["identifier"] == body["identifier"]
    assert document["proof"]["cryptosuite"] == "ecdsa-jcs-2019"
    assert body["status"] == "valid" and body["statusCode"] == "01"


def test_issue_maps_validity_to_china_standard_time_days(world):
    body = world.issue(validFrom="2026-01-01", validUntil="2036-01-01")
    assert body["document"]["validFrom"] == "2026-01-01T00:00:00+08:00"
    assert body["document"]["validUntil"] == "2036-01-01T23:59:59+08:00"


def test_issue_credential_carries_both_status_list_entries(world):
    entries = world.issue()["document"]["credentialStatus"]
    assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]
    assert all(e["type"] == "BitstringStatusListEntry" for e in entries)


def test_issue_fixed_term_type_computes_last_day(world):
    body = world.issue("hrss_region", "social-security-card", issueDate="2026-03-15")
    assert body["validFrom"] == "2026-03-15"
    assert body["validUntil"] == "2036-03-14"


def test_issue_fixed_term_type_refuses_a_different_last_day(world):
    body = world.issue(
        "hrss_region",
        "social-security-card",
        validFrom="2026-03-15",
        validUntil="2040-01-01",
        expect=422,
    )
    assert body["code"] == "invalid-request"
    assert "must be 2036-03-14" in body["message"]


def test_issue_permanent_type_refuses_a_last_day(world):
    body = world.issue(
        type_key="household-register", validUntil="2040-01-01", expect=422
    )
    assert "permanent" in body["message"]


def test_issue_stores_no_holder_identifier_in_clear(world, node):
    holder = person_id()
    world.issue(holder=holder, name="古丽米热·艾合买提")
    with node.database.reading() as conn:
        rows = [tuple(row) for row in conn.execute(select(licenses))]
        events = [tuple(row) for row in conn.execute(select(license_events))]
    dump = repr(rows + events).encode()
    assert holder.encode() not in dump
    assert "古丽米热".encode() not in dump
    assert holder[:10].encode() not in dump


def test_issue_replay_with_same_key_returns_first_answer_and_creates_nothing(
    world, node
):
    body = {
        "typeCode": type_code("household-register"),
        "holder": {"identifier": person_id(), "name": "李四"},
        "fields": example_fields("household-register"),
    }
    first = world.post("psb_tianshan", "/v1/licenses", body, key="same")
    second = world.post("psb_tianshan", "/v1/licenses", body, key="same")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    with node.database.reading() as conn:
        assert len(conn.execute(select(licenses)).all()) == 1


def test_issue_stored_answer_reveals_neither_holder_nor_request(world, node):
    holder = person_id()
    body = {
        "typeCode": type_code("household-register"),
        "holder": {"identifier": holder, "name": "李四"},
        "fields": example_fields("household-register"),
    }
    world.post("psb_tianshan", "/v1/licenses", body, key="sealed")
    with node.database.reading() as conn:
        stored = conn.execute(select(idempotency_records)).one()
    assert stored.response.startswith("sealed:v1:")
    assert holder not in stored.response and "李四" not in stored.response
    # The fingerprint is keyed: the bare hash of the request is not what is stored.
    assert stored.fingerprint != fingerprint("POST", "/v1/licenses", body)


def test_issue_same_key_with_different_request_is_refused(world):
    body = {
        "typeCode": type_code("household-register"),
        "holder": {"identifier": person_id(), "name": "李四"},
        "fields": example_fields("household-register"),
    }
    world.post("psb_tianshan", "/v1/licenses", body, key="k")
    body["holder"]["name"] = "王五"
    response = world.post("psb_tianshan", "/v1/licenses", body, key="k")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency-key-reused"


def test_issue_without_idempotency_key_is_refused(world):
    response = world.http.post(
        "/v1/licenses",
        json={
            "typeCode": "x",
            "holder": {"identifier": "x", "name": "x"},
            "fields": {},
        },
        headers=world.headers("psb_tianshan"),
    )
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["message"]


def test_issue_without_credentials_is_unauthenticated(world):
    response = world.http.post("/v1/licenses", json={})
    assert response.status_code == 401
    assert response.json()["code"] == "authentication-required"


def test_issue_with_wrong_secret_is_unauthenticated(world):
    token = world.tokens["psb_tianshan"]
    response = world.http.post(
        "/v1/licenses",
        json={},
        headers={"Authorization": f"Bearer {token[:-2]}xx", "Idempotency-Key": "k"},
    )
    assert response.status_code == 401


def test_issue_by_department_not_on_responsibility_list_is_refused(world):
    body = world.issue("market_urumqi", "resident-identity-card", expect=403)
    assert body["code"] == "not-responsible"
    assert "not on the responsibility list" in body["message"]


def test_issue_at_the_wrong_level_is_refused(world):
    # Business licences are issued by county and prefecture market regulators; a
    # county public security bureau is the wrong kind.
    body = world.issue("psb_tianshan", "business-licence", holder=org_id(), expect=403)
    assert body["code"] == "not-responsible"


def test_issue_by_operator_or_auditor_is_refused(world):
    for who in ("operator", "auditor", "verifier"):
        body = world.issue(who, expect=403)
        assert body["code"] == "permission-denied"
        assert "department role" in body["message"]


def test_issue_schema_violation_names_each_field(world):
    fields = example_fields("resident-identity-card")
    fields["birthDate"] = "1990-02-30"
    fields["colour"] = "red"
    del fields["sex"]
    body = world.issue(fields=fields, expect=422)
    assert body["code"] == "schema-violation"
    problems = {e["path"]: e["message"] for e in body["details"]["errors"]}
    assert problems == {
        "fields.birthDate": "'1990-02-30' is not a valid date (YYYY-MM-DD)",
        "fields.colour": (
            "unknown field; this type has address, birthDate, ethnicity, sex"
        ),
        "fields.sex": "required field is missing",
    }
    assert "fields.birthDate" in body["message"]


def test_issue_bad_check_character_is_reported(world):
    holder = person_id()
    wrong = holder[:-1] + ("0" if holder[-1] != "0" else "1")
    body = world.issue(holder=wrong, expect=422)
    assert body["code"] == "invalid-identifier"
    assert f"expected {holder[-1]}" in body["message"]


def wrong_check(code):
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def test_issue_organisation_credit_code_failing_its_check_is_refused(world):
    code = wrong_check(org_id(7))
    body = world.issue("market_urumqi", "business-licence", holder=code, expect=422)
    assert body["code"] == "invalid-identifier"
    assert body["message"].endswith(
        f"expected {org_id(7)[-1]}; if this is a pilot-era code that is legal as it"
        " is, send it again with holder.lenientIdentifier set to true"
    )


def test_issue_pilot_era_credit_code_said_to_be_one_is_recorded_lenient(world, node):
    code = wrong_check(org_id(7))
    body = world.issue(
        "market_urumqi", "business-licence", holder=code, lenient_identifier=True
    )
    assert body["warnings"] == [
        f"check character is {code[-1]}, expected {org_id(7)[-1]}; accepted as a"
        " pilot-era code"
    ]
    with node.database.reading() as conn:
        stored = conn.execute(
            select(licenses.c.holder_code_lenient).where(
                licenses.c.identifier == body["identifier"]
            )
        ).scalar_one()
    assert stored is True


def test_issue_organisation_license_with_credit_code_holder(world):
    body = world.issue(
        "market_urumqi",
        "business-licence",
        holder=org_id(7),
        name="丝路餐饮有限公司",
        validUntil="2046-01-01",
    )
    subject = body["document"]["credentialSubject"]["holder"]
    assert subject["identifierType"] == "001"
    assert subject["kind"] == "organisation"


def test_issue_unknown_type_is_not_found(world):
    response = world.post(
        "psb_tianshan",
        "/v1/licenses",
        {
            "typeCode": "11100000000013127D999",
            "holder": {"identifier": person_id(), "name": "张三"},
            "fields": {},
        },
    )
    assert response.status_code == 404
    assert "not in the catalog" in response.json()["message"]


def test_issue_malformed_json_is_a_clear_422(world):
    response = world.http.post(
        "/v1/licenses",
        content=b"{not json",
        headers=world.headers(
            "psb_tianshan",
            **{"Idempotency-Key": "k", "Content-Type": "application/json"},
        ),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid-request"


def test_issue_serial_given_by_issuer_is_used_and_its_reuse_conflicts(world):
    first = world.issue(type_key="household-register", serial="HJ2026A1")
    assert LicenseIdentifier.parse(first["identifier"]).serial == "HJ2026A1"
    again = world.issue(type_key="household-register", serial="HJ2026A1", expect=409)
    assert again["code"] == "conflict"


def serial_of(body):
    return LicenseIdentifier.parse(body["identifier"]).serial


def test_issue_automatic_serials_skip_serials_a_department_chose(world):
    chosen = [
        world.issue(type_key="household-register", serial=serial)
        for serial in ("20260000002", "20260000003")
    ]
    assert [serial_of(body) for body in chosen] == ["20260000002", "20260000003"]
    automatic = [serial_of(world.issue(type_key="household-register")) for _ in "abc"]
    assert automatic == ["20260000001", "20260000004", "20260000005"]


def test_issue_automatic_serial_of_another_type_is_not_skipped(world):
    world.issue(type_key="household-register", serial="20260000001")
    assert serial_of(world.issue()) == "20260000001"  # an identity card: no clash


def test_issue_batch_numbers_around_serials_chosen_in_it(world, node, clock):
    world.issue(type_key="household-register", serial="20260000001")
    request = IssueRequest(
        type_code=type_code("household-register"),
        holder=HolderClaim(identifier=person_id(), name="张三"),
        fields=example_fields("household-register"),
    )
    batch = [request, replace(request, serial="20260000003"), request, request]
    with node.database.transaction() as conn:
        issued = issue_licenses(
            conn,
            node,
            issuer=world.departments["psb_tianshan"],
            requests=batch,
            actor="test",
            now=clock.now(),
        )
    assert [item.license.serial for item in issued] == [
        "20260000002",
        "20260000003",
        "20260000004",
        "20260000005",
    ]


def test_issue_failed_request_stores_no_idempotent_answer(world, node):
    world.issue("market_urumqi", "resident-identity-card", expect=403)
    with node.database.reading() as conn:
        assert conn.execute(select(idempotency_records)).all() == []


def test_read_license_by_its_issuer_and_auditor(world):
    identifier = world.issue()["identifier"]
    for who in ("psb_tianshan", "auditor", "operator"):
        response = world.http.get(
            f"/v1/licenses/{identifier}", headers=world.headers(who)
        )
        assert response.status_code == 200, who
        assert response.json()["identifier"] == identifier


def test_read_license_by_another_department_is_refused(world):
    identifier = world.issue()["identifier"]
    response = world.http.get(
        f"/v1/licenses/{identifier}", headers=world.headers("psb_shayibake")
    )
    assert response.status_code == 403
    assert "only the licenses it issued" in response.json()["message"]


def test_read_license_by_verifier_is_refused(world):
    identifier = world.issue()["identifier"]
    response = world.http.get(
        f"/v1/licenses/{identifier}", headers=world.headers("verifier")
    )
    assert response.status_code == 403


def test_read_unknown_license_is_not_found(world):
    response = world.http.get("/v1/licenses/nope", headers=world.headers("auditor"))
    assert response.status_code == 404
    assert response.json() == {"code": "not-found", "message": "no license nope"}


def search(world, who, **body):
    return world.http.post("/v1/licenses/search", json=body, headers=world.headers(who))


def test_search_holder_licenses_pages_with_cursor(world):
    holder = person_id(date(1985, 5, 5), 321)
    issued = {world.issue(type_key="household-register", holder=holder)["identifier"]}
    issued |= {world.issue(holder=holder)["identifier"] for _ in range(2)}
    world.issue(holder=person_id(date(1970, 1, 1), 11))
    seen, cursor = [], None
    while True:
        response = search(world, "auditor", holder=holder, limit=2, cursor=cursor)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [item["identifier"] for item in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert set(seen) == issued and len(seen) == 3


def test_search_holder_licenses_shows_a_department_only_its_own(world):
    holder = person_id(date(1985, 5, 5), 321)
    world.issue(holder=holder)
    world.issue("psb_shayibake", holder=holder)
    page = search(world, "psb_shayibake", holder=holder).json()
    assert [i["issuerCode"] for i in page["items"]] == [
        world.departments["psb_shayibake"].credit_code
    ]


def test_search_of_an_organisation_finds_its_licenses(world):
    world.issue("market_urumqi", "business-licence", holder=org_id(3), name="某公司")
    page = search(world, "auditor", holder=org_id(3).lower()).json()
    assert len(page["items"]) == 1


def test_search_needs_credentials(world):
    response = world.http.post("/v1/licenses/search", json={"holder": person_id()})
    assert response.status_code == 401


def test_search_with_forged_cursor_is_refused(world):
    response = search(world, "auditor", holder=person_id(), cursor="!!")
    assert response.status_code == 422
    assert "cursor" in response.json()["message"]


def test_list_with_holder_in_the_url_is_refused_and_points_to_search(world):
    response = world.http.get(
        "/v1/licenses",
        params={"holder": person_id()},
        headers=world.headers("auditor"),
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "holder-in-url",
        "message": "a holder's licenses are found with POST /v1/licenses/search and"
        ' {"holder": "<identifier>"} in the body: an identifier in a URL is kept by'
        " access logs, proxies and browser histories",
    }


def test_issued_event_is_signed_and_names_the_document_hash(world):
    body = world.issue()
    events = world.http.get(
        f"/v1/licenses/{body['identifier']}/events", headers=world.headers("auditor")
    ).json()
    assert [e["kind"] for e in events] == ["issued"]
    document = events[0]["document"]
    assert document["proof"]["proofPurpose"] == "assertionMethod"
    assert len(document["details"]["licenseDocumentHash"]) == 64
    assert "holder" not in json.dumps(document)


def nested(depth):
    value: dict = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


@pytest.mark.parametrize("depth", [33, 300, 900])
def test_issue_fields_nested_too_deeply_are_refused(world, depth):
    fields = example_fields("resident-identity-card") | {"address": nested(depth)}
    body = world.issue(fields=fields, expect=422)
    assert body["code"] == "invalid-request"
    assert body["message"] == (
        "fields: Value error, nests more than 32 levels of objects and arrays;"
        " flatten it"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("issueDate", "0001-01-01"), ("validFrom", "9999-12-31")],
)
def test_issue_date_outside_what_a_license_may_state_is_refused(world, field, value):
    body = world.issue(
        "hrss_region", "social-security-card", expect=422, **{field: value}
    )
    assert body["code"] == "invalid-request"
    assert body["message"] == (
        f"{field} {value} is outside the dates a license may state"
        " (1900-01-01 to 2999-12-31)"
    )


def test_issue_date_after_the_day_of_issuing_is_refused(world):
    # The test clock reads 2026-11-02 18:00 in China Standard Time.
    body = world.issue(issueDate="2026-11-03", expect=422)
    assert body["code"] == "issue-date-in-future"
    assert body["message"] == (
        "issueDate 2026-11-03 is after the day of issuing (2026-11-02, China"
        " Standard Time); a license is issued on its date of issue or later: give"
        " that date, or leave issueDate out for today"
    )


def test_issue_date_is_today_in_china_standard_time(world, clock):
    clock.moment = clock.moment.replace(hour=17)  # 01:00 on 11-03 in Urumqi's law
    document = world.issue(issueDate="2026-11-03")["document"]
    assert document["credentialSubject"]["license"]["issueDate"] == "2026-11-03"
    assert world.issue(issueDate="2026-11-04", expect=422)["code"] == (
        "issue-date-in-future"
    )


def test_license_issued_today_can_be_revoked_at_once(world):
    license_ = world.issue(issueDate="2026-11-02")
    world.event(license_["identifier"], "revoked")
