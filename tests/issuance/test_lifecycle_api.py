"""Lifecycle events over the API: the state machine, re-issues, status lists."""

from datetime import date, timedelta

import pytest

from support.world import org_id, person_id


def report(world, document):
    response = world.http.post(
        "/v1/verify", json=document, headers=world.headers("verifier")
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_suspension_and_release_move_status_and_status_list(world):
    license_ = world.issue()
    identifier = license_["identifier"]
    suspended = world.event(identifier, "suspended", reason="暂扣: 违法调查")
    assert suspended["license"]["status"] == "suspended"
    assert suspended["license"]["statusCode"] == "02"
    assert report(world, license_["document"])["status"]["outcome"] == "failed"

    released = world.event(identifier, "released")
    assert released["license"]["status"] == "valid"
    assert report(world, license_["document"])["verdict"] == "valid"


def test_release_of_license_never_suspended_is_refused(world):
    identifier = world.issue()["identifier"]
    body = world.event(identifier, "released", expect=409)
    assert body["code"] == "transition-refused"
    assert body["message"] == (
        "cannot record `released`: it was never suspended, so there is nothing to"
        " release"
    )


def test_extension_of_revoked_license_is_refused(world):
    identifier = world.issue()["identifier"]
    world.event(identifier, "revoked", reason="吊销")
    body = world.event(identifier, "extended", validUntil="2046-01-01", expect=409)
    assert "the license is revoked" in body["message"]


def test_revocation_makes_verification_fail_on_status(world):
    license_ = world.issue()
    world.event(license_["identifier"], "revoked")
    result = report(world, license_["document"])
    assert result["verdict"] == "invalid"
    assert "revocation list" in result["status"]["detail"]


def test_extension_issues_linked_new_version_and_supersedes_old(world, clock):
    old = world.issue(validUntil="2027-01-01")
    recorded = world.event(old["identifier"], "extended", validUntil="2037-01-01")
    successor = recorded["successor"]
    assert successor["identifier"].split(".")[-3] == old["identifier"].split(".")[-3]
    assert successor["version"] == 2
    assert successor["identifier"].split(".")[-2] == "002"
    assert successor["supersedes"] == old["identifier"]
    assert successor["validUntil"] == "2037-01-01"
    assert (
        successor["document"]["credentialSubject"]["license"]["supersedes"]
        == old["identifier"]
    )
    assert recorded["license"]["status"] == "superseded"
    assert recorded["license"]["statusCode"] == "05"
    assert recorded["license"]["supersededBy"] == successor["identifier"]
    assert (
        recorded["event"]["document"]["details"]["successor"] == successor["identifier"]
    )
    assert report(world, old["document"])["verdict"] == "invalid"
    assert report(world, successor["document"])["verdict"] == "valid"


def test_extension_must_end_after_current_last_day(world):
    identifier = world.issue(validUntil="2030-01-01")["identifier"]
    body = world.event(identifier, "extended", validUntil="2029-01-01", expect=422)
    assert "must end after the current last day 2030-01-01" in body["message"]


def test_extension_of_fixed_term_license_computes_new_term(world):
    identifier = world.issue(
        "hrss_region",
        "social-security-card",
        issueDate="2016-03-15",
        validFrom="2016-03-15",
    )["identifier"]
    successor = world.event(identifier, "extended", who="hrss_region")["successor"]
    assert successor["validUntil"] == "2036-03-14"


def test_correction_reissues_with_corrected_field_and_keeps_others(world):
    old = world.issue()
    recorded = world.event(
        old["identifier"],
        "corrected",
        fields={"address": "新疆乌鲁木齐市天山区新华北路1号"},
        holder={
            "identifier": old["document"]["credentialSubject"]["holder"]["identifier"],
            "name": "张叁",
        },
    )
    fields = recorded["successor"]["document"]["credentialSubject"]["fields"]
    assert fields["address"] == "新疆乌鲁木齐市天山区新华北路1号"
    assert fields["sex"] == old["document"]["credentialSubject"]["fields"]["sex"]
    assert (
        recorded["successor"]["document"]["credentialSubject"]["holder"]["name"]
        == "张叁"
    )
    assert recorded["event"]["document"]["details"]["correctedFields"] == [
        "address",
        "holder.name",
    ]


def test_correction_with_invalid_field_is_refused_and_changes_nothing(world):
    old = world.issue()
    body = world.event(
        old["identifier"], "corrected", fields={"birthDate": "not a date"}, expect=422
    )
    assert body["code"] == "schema-violation"
    current = world.http.get(
        f"/v1/licenses/{old['identifier']}", headers=world.headers("auditor")
    ).json()
    assert current["status"] == "valid"


def test_correction_cannot_change_holder_identifier(world):
    identifier = world.issue()["identifier"]
    body = world.event(
        identifier,
        "corrected",
        holder={"identifier": person_id(date(1991, 1, 1)), "name": "张三"},
        expect=422,
    )
    assert "cannot change the holder's identifier" in body["message"]


def test_transfer_reissues_to_new_holder(world):
    old = world.issue("land_tianshan", "real-estate-certificate")
    buyer = person_id(date(1980, 3, 3), 77)
    recorded = world.event(
        old["identifier"],
        "transferred",
        who="land_tianshan",
        holder={"identifier": buyer, "name": "买方"},
    )
    assert recorded["license"]["status"] == "transferred"
    assert recorded["license"]["statusCode"] == "06"
    holder = recorded["successor"]["document"]["credentialSubject"]["holder"]
    assert holder["identifier"] == buyer
    assert "holder" not in recorded["event"]["document"]["details"]


def test_mortgage_blocks_transfer_until_discharged(world):
    identifier = world.issue("land_tianshan", "real-estate-certificate")["identifier"]
    mortgaged = world.event(identifier, "mortgaged", who="land_tianshan")
    assert mortgaged["license"]["statusCode"] == "09"
    buyer = {"identifier": person_id(date(1980, 3, 3), 77), "name": "买方"}
    body = world.event(
        identifier, "transferred", who="land_tianshan", holder=buyer, expect=409
    )
    assert "discharged before a transfer" in body["message"]
    world.event(identifier, "discharged", who="land_tianshan")
    world.event(identifier, "transferred", who="land_tianshan", holder=buyer)


def test_transfer_to_same_holder_is_refused(world):
    old = world.issue("land_tianshan", "real-estate-certificate")
    holder = old["document"]["credentialSubject"]["holder"]
    body = world.event(
        old["identifier"],
        "transferred",
        who="land_tianshan",
        holder={"identifier": holder["identifier"], "name": holder["name"]},
        expect=422,
    )
    assert "new holder" in body["message"]


def test_expiry_before_last_day_is_refused_and_after_is_recorded(world, clock):
    identifier = world.issue(
        issueDate="2020-01-01", validFrom="2020-01-01", validUntil="2026-11-01"
    )["identifier"]
    body = world.event(
        identifier, "expired", occurredAt="2026-10-30T12:00:00+08:00", expect=409
    )
    assert "valid until 2026-11-01" in body["message"]
    recorded = world.event(identifier, "expired")
    assert recorded["license"]["statusCode"] == "05"


def test_event_in_the_future_is_refused(world):
    identifier = world.issue()["identifier"]
    body = world.event(
        identifier, "suspended", occurredAt="2030-01-01T00:00:00Z", expect=422
    )
    assert "in the future" in body["message"]


def test_event_time_beyond_what_the_node_can_record_is_refused(world):
    identifier = world.issue()["identifier"]
    body = world.event(
        identifier, "suspended", occurredAt="0001-01-01T00:00:00+14:00", expect=422
    )
    assert body["code"] == "invalid-request"
    assert body["message"] == (
        "occurredAt 0001-01-01T00:00:00+14:00 is not a time the node can record"
    )


def test_event_before_the_license_was_issued_is_refused(world):
    body = world.issue(issueDate="2026-10-01")
    response = world.event(
        body["identifier"], "suspended", occurredAt="0001-01-01T00:00:00Z", expect=422
    )
    assert response["code"] == "invalid-request"
    assert response["message"] == (
        "occurredAt 0001-01-01T00:00:00Z is before license"
        f" {body['identifier']} was issued (2026-10-01T00:00:00+08:00); an event"
        " happens to a license that exists"
    )
    world.event(body["identifier"], "suspended", occurredAt="2026-10-01T00:00:00+08:00")


def test_event_before_the_latest_event_is_refused(world, clock):
    identifier = world.issue(issueDate="2026-01-01")["identifier"]
    world.event(identifier, "suspended", occurredAt="2026-06-01T00:00:00Z")
    body = world.event(
        identifier, "released", occurredAt="2026-05-01T00:00:00Z", expect=422
    )
    assert body["message"] == (
        "occurredAt 2026-05-01T00:00:00Z is before the latest event recorded on"
        f" {identifier} (2026-06-01T00:00:00Z); record events in the order they"
        " happened"
    )
    world.event(identifier, "released", occurredAt="2026-06-01T00:00:00Z")


def test_event_within_the_clock_skew_is_recorded(world, clock):
    identifier = world.issue()["identifier"]
    ahead = (clock.now() + timedelta(minutes=4)).isoformat()
    world.event(identifier, "suspended", occurredAt=ahead)


def test_event_field_not_meant_for_kind_is_refused(world):
    identifier = world.issue()["identifier"]
    body = world.event(identifier, "revoked", validUntil="2040-01-01", expect=422)
    assert body["message"] == (
        "`validUntil` does not apply to `revoked`; it is for extended"
    )


def test_event_by_another_department_is_refused(world):
    identifier = world.issue()["identifier"]
    body = world.event(identifier, "revoked", who="psb_shayibake", expect=403)
    assert "only the issuing department" in body["message"]


@pytest.mark.parametrize("who", ["auditor", "operator", "verifier"])
def test_event_by_non_department_roles_is_refused(world, who):
    identifier = world.issue()["identifier"]
    body = world.event(identifier, "revoked", who=who, expect=403)
    assert body["code"] == "permission-denied"


def test_event_on_unknown_license_is_not_found(world):
    body = world.event("1.2.156.3005.2.X", "revoked", expect=404)
    assert body["code"] == "not-found"


def test_event_unknown_kind_is_refused_by_shape(world):
    identifier = world.issue()["identifier"]
    body = world.event(identifier, "stolen", expect=422)
    assert body["code"] == "invalid-request"


def test_events_are_numbered_and_signed_in_order(world):
    identifier = world.issue()["identifier"]
    world.event(identifier, "annual-inspection", inspectionResult="passed")
    world.event(identifier, "suspended")
    events = world.http.get(
        f"/v1/licenses/{identifier}/events", headers=world.headers("psb_tianshan")
    ).json()
    assert [(e["sequence"], e["kind"]) for e in events] == [
        (1, "issued"),
        (2, "annual-inspection"),
        (3, "suspended"),
    ]
    assert all(
        e["document"]["proof"]["cryptosuite"] == "ecdsa-jcs-2019" for e in events
    )


def test_event_replay_with_same_key_records_once(world):
    identifier = world.issue()["identifier"]
    first = world.post(
        "psb_tianshan",
        f"/v1/licenses/{identifier}/events",
        {"kind": "suspended"},
        key="ev",
    )
    second = world.post(
        "psb_tianshan",
        f"/v1/licenses/{identifier}/events",
        {"kind": "suspended"},
        key="ev",
    )
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    events = world.http.get(
        f"/v1/licenses/{identifier}/events", headers=world.headers("auditor")
    ).json()
    assert len(events) == 2


def test_organisation_license_cancellation(world):
    identifier = world.issue(
        "market_urumqi",
        "business-licence",
        holder=org_id(3),
        name="天山商贸有限公司",
        validUntil="2046-01-01",
    )["identifier"]
    recorded = world.event(
        identifier, "cancelled", who="market_urumqi", reason="注销登记"
    )
    assert recorded["license"]["statusCode"] == "04"


def test_correction_of_suspended_license_keeps_successor_suspended(world):
    old = world.issue()
    world.event(old["identifier"], "suspended")
    recorded = world.event(old["identifier"], "corrected", fields={"ethnicity": "回"})
    successor = recorded["successor"]
    assert successor["status"] == "suspended"
    result = report(world, successor["document"])
    assert "suspension list marks it suspended" in result["status"]["detail"]


def lapsed(world, **extra):
    """A license whose last valid day, 2026-11-01, was yesterday."""
    return world.issue(
        issueDate="2020-01-01", validFrom="2020-01-01", validUntil="2026-11-01", **extra
    )["identifier"]


@pytest.mark.parametrize("kind", ["annual-inspection", "suspended", "mortgaged"])
def test_event_after_the_last_valid_day_is_refused_as_term_ended(world, kind):
    body = world.event(lapsed(world), kind, expect=409)
    assert body["code"] == "license-term-ended"
    assert body["message"].startswith(
        f"cannot record `{kind}` on 2026-11-02: the license was valid until"
        " 2026-11-01, and after that only `cancelled`, `expired`, `extended`,"
        " `revoked` can be recorded"
    )
    assert body["details"] == {
        "event": kind,
        "validUntil": "2026-11-01",
        "on": "2026-11-02",
    }


def test_event_dated_within_the_term_is_recorded_after_it(world):
    identifier = lapsed(world)
    recorded = world.event(
        identifier, "suspended", occurredAt="2026-11-01T23:00:00+08:00"
    )
    assert recorded["license"]["status"] == "suspended"


@pytest.mark.parametrize(
    ("kind", "code"), [("revoked", "07"), ("cancelled", "04"), ("expired", "05")]
)
def test_ending_after_the_last_valid_day_is_recorded(world, kind, code):
    recorded = world.event(lapsed(world), kind)
    assert recorded["license"]["statusCode"] == code


def test_late_extension_after_the_last_valid_day_is_recorded(world):
    recorded = world.event(lapsed(world), "extended", validUntil="2036-11-01")
    assert recorded["successor"]["validUntil"] == "2036-11-01"
    assert recorded["successor"]["status"] == "valid"
