"""Live sync: records pushed one at a time, their outcomes, idempotency, rejections
read back, and who may do what."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conftest import T0
from gathering.support import card_row
from support.world import principal_of, type_code
from zhengzhao.gathering.live import push_record
from zhengzhao.storage.tables import gathering_pushes, licenses

CARD = type_code("resident-identity-card")
RECORDS = "/v1/gathering/records"
REJECTIONS = "/v1/gathering/rejections"


@pytest.fixture
def push(world):
    keys = iter(range(1, 10_000))

    def send(record, who="psb_tianshan", *, key=None, **params):
        headers = world.headers(who, **{"Idempotency-Key": key or f"k{next(keys)}"})
        return world.http.post(
            RECORDS, params={"type": CARD, **params}, json=record, headers=headers
        )

    return send


def count(node, table) -> int:
    with node.database.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_push_new_paper_number_is_accepted(push, world):
    response = push(card_row(1))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["outcome"] == "accepted" and body["paperNumber"] == "P0000001"
    (identifier,) = body["licenses"]
    assert body["events"] == [{"license": identifier, "sequence": 1, "kind": "issued"}]
    stored = world.http.get(
        f"/v1/licenses/{identifier}", headers=world.headers("psb_tianshan")
    )
    assert stored.status_code == 200


def test_push_same_record_again_is_unchanged(push, node):
    first = push(card_row(1)).json()
    again = push(card_row(1))
    assert again.status_code == 200
    assert again.json()["outcome"] == "unchanged"
    assert again.json()["licenses"] == first["licenses"]
    assert again.json()["events"] == []
    assert count(node, licenses) == 1


def test_push_changed_field_is_a_correction(push):
    (first,) = push(card_row(1)).json()["licenses"]
    response = push(card_row(1, address="新疆乌鲁木齐市天山区1号"))
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "updated"
    assert body["licenses"][0] == first and len(body["licenses"]) == 2
    assert [(e["license"], e["kind"]) for e in body["events"]] == [
        (first, "corrected"),
        (body["licenses"][1], "issued"),
    ]


def test_push_status_changes_record_their_events(push):
    (identifier,) = push(card_row(1)).json()["licenses"]
    suspended = push(card_row(1, ZZZT="02")).json()
    assert [(e["license"], e["sequence"], e["kind"]) for e in suspended["events"]] == [
        (identifier, 2, "suspended")
    ]
    released = push(card_row(1, ZZZT="01")).json()
    assert [e["kind"] for e in released["events"]] == ["released"]


def test_push_status_change_occurred_at_is_the_events_time(push, world):
    (identifier,) = push(card_row(1)).json()["licenses"]
    body = push(card_row(1, ZZZT="02", occurredAt="2026-11-01T09:30:00+08:00")).json()
    assert [e["kind"] for e in body["events"]] == ["suspended"]
    events = world.http.get(
        f"/v1/licenses/{identifier}/events", headers=world.headers("psb_tianshan")
    ).json()
    assert events[-1]["occurredAt"] == "2026-11-01T01:30:00Z"


def test_push_status_change_date_is_the_events_day(push, world):
    (identifier,) = push(card_row(1)).json()["licenses"]
    push(card_row(1, ZZZT="07", ZZZTBGRQ="2026-10-31"))
    events = world.http.get(
        f"/v1/licenses/{identifier}/events", headers=world.headers("psb_tianshan")
    ).json()
    assert events[-1]["occurredAt"] == "2026-10-30T16:00:00Z"


@pytest.mark.parametrize(
    ("extra", "field", "reason"),
    [
        (
            {"occurredAt": "2026-11-02T18:10:00+08:00"},  # the clock: 18:00 in Urumqi
            "occurredAt",
            "occurredAt 2026-11-02T18:10:00+08:00 is in the future; a status change"
            " is pushed after it happens",
        ),
        (
            {"occurredAt": "2026-11-01 09:30"},
            "occurredAt",
            "occurredAt 2026-11-01 09:30 is not a time with its offset, such as"
            " 2026-11-02T09:30:00+08:00",
        ),
        (
            {"occurredAt": "2026-11-01T09:30:00+08:00", "ZZZTBGRQ": "2026-10-31"},
            "ZZZTBGRQ",
            "ZZZTBGRQ 2026-10-31 and occurredAt 2026-11-01T01:30:00Z name different"
            " days; give one",
        ),
    ],
)
def test_push_with_a_wrong_time_of_change_is_rejected(push, extra, field, reason):
    push(card_row(1))
    response = push(card_row(1, ZZZT="02", **extra))
    assert response.status_code == 422
    assert response.json()["details"]["problems"] == [
        {"field": field, "value": extra[field], "reason": reason}
    ]


def test_push_of_a_paper_number_and_a_status_alone_changes_the_status(push, world):
    (identifier,) = push(card_row(1)).json()["licenses"]
    response = push({"ZZBH": "P0000001", "ZZZT": "02", "ZZZTBGRQ": "2026-11-01"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["outcome"], body["licenses"]) == ("updated", [identifier])
    assert [(e["license"], e["kind"]) for e in body["events"]] == [
        (identifier, "suspended")
    ]
    released = push(
        {"ZZBH": "P0000001", "ZZZT": "1", "occurredAt": "2026-11-02T08:00:00Z"}
    ).json()
    assert [e["kind"] for e in released["events"]] == ["released"]
    events = world.http.get(
        f"/v1/licenses/{identifier}/events", headers=world.headers("psb_tianshan")
    ).json()
    assert [(e["kind"], e["occurredAt"]) for e in events[1:]] == [
        ("suspended", "2026-10-31T16:00:00Z"),
        ("released", "2026-11-02T08:00:00Z"),
    ]
    again = push({"ZZBH": "P0000001", "ZZZT": "01", "ZZMC": "居民身份证"})
    assert (again.status_code, again.json()["outcome"]) == (200, "unchanged")


@pytest.mark.parametrize(
    ("record", "field", "reason"),
    [
        (
            {"ZZBH": "P0000009", "ZZZT": "07"},
            "ZZBH",
            "ZZBH P0000009 has not been gathered, so it has no status to change: a"
            " license's first push carries the whole record (CZZT, CZZTDM, the dates"
            " and the type's fields)",
        ),
        (
            {"ZZBH": "P0000001", "ZZZT": "03"},
            "ZZZT",
            "ZZZT 03 cannot be gathered: 03 (withdrawn) has no event of its own here;"
            " use 04 (cancelled) or 07 (revoked)",
        ),
        (
            {"ZZBH": "P0000001", "ZZZT": "07", "ZZZTBGRQ": "2025-12-31"},
            "ZZZTBGRQ",
            "ZZZTBGRQ 2025-12-31 is before the date of issue of ZZBH P0000001,"
            " 2026-01-05; a license changes status after it is issued",
        ),
        (
            {"ZZBH": "P0000001", "ZZZT": "07", "ZZBFJGDM": "X"},
            "ZZBFJGDM",
            "ZZBFJGDM X does not match the department gathering, ",
        ),
    ],
)
def test_push_of_a_status_alone_is_checked_as_a_row(push, world, record, field, reason):
    push(card_row(1))
    response = push(record)
    assert response.status_code == 422
    (problem,) = response.json()["details"]["problems"]
    assert problem["field"] == field and problem["reason"].startswith(reason)
    (identifier,) = push(card_row(1)).json()["licenses"]
    events = world.http.get(
        f"/v1/licenses/{identifier}/events", headers=world.headers("psb_tianshan")
    ).json()
    assert [event["kind"] for event in events] == ["issued"]


def test_push_of_a_status_alone_cannot_revive_a_final_license(push):
    push(card_row(1, ZZZT="07"))
    response = push({"ZZBH": "P0000001", "ZZZT": "01"})
    assert response.status_code == 422
    assert (
        "which is final, and does not become valid again"
        in (response.json()["message"])
    )


def test_push_later_last_day_is_an_extension(push):
    push(card_row(1))
    body = push(card_row(1, ZZYXQJZRQ="2046-01-04")).json()
    assert body["outcome"] == "updated"
    assert [e["kind"] for e in body["events"]] == ["extended", "issued"]


def test_push_replay_returns_the_first_answer_and_creates_nothing(push, node):
    first = push(card_row(1), key="same")
    again = push(card_row(1), key="same")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (count(node, licenses), count(node, gathering_pushes)) == (1, 1)


@pytest.mark.parametrize(
    ("record", "params"),
    [(card_row(1, CZZT="李四"), {}), (card_row(1), {"type": "X" * 21})],
    ids=["another-body", "another-type"],
)
def test_push_same_key_for_another_request_is_refused(push, record, params):
    push(card_row(1), key="same")
    response = push(record, key="same", **params)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency-key-reused"


def test_push_without_idempotency_key_is_refused(world):
    response = world.http.post(
        RECORDS,
        params={"type": CARD},
        json=card_row(1),
        headers=world.headers("psb_tianshan"),
    )
    assert response.status_code == 422
    assert "needs an Idempotency-Key" in response.json()["message"]


def test_push_that_is_not_an_object_is_refused(push):
    response = push(["ZZBH", "P1"])
    assert response.status_code == 422
    assert response.json()["code"] == "invalid-request"


def test_rejected_push_answers_every_problem_and_is_stored(push, world, node):
    record = card_row(
        1, ZZYXQJZRQ="2036-02-30", CZZTDM="650102199001011230", sex="X", colour="red"
    )
    response = push(record, key="bad")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "record-rejected"
    assert body["message"].startswith("the record cannot be gathered (4 problems): ")
    problems = body["details"]["problems"]
    assert [problem["field"] for problem in problems] == [
        "colour",
        "ZZYXQJZRQ",
        "CZZTDM",
        "sex",
    ]
    assert problems[0]["reason"].startswith(
        "colour is neither a GB/T 36903 metadata name nor a field of license type"
    )
    assert problems[1] == {
        "field": "ZZYXQJZRQ",
        "value": "2036-02-30",
        "reason": "ZZYXQJZRQ 2036-02-30 is not a date (YYYY-MM-DD)",
    }
    assert problems[2]["value"] == "6501**********1230"
    assert count(node, licenses) == 0

    # A replay answers the same and stores the rejection once.
    assert push(record, key="bad").json() == body
    listed = world.http.get(REJECTIONS, headers=world.headers("psb_tianshan")).json()
    (item,) = listed["items"]
    assert item["push"] == body["details"]["push"]
    assert item["paperNumber"] == "P0000001" and item["typeCode"] == CARD
    assert item["problems"] == problems


def test_push_the_lifecycle_refuses_is_rejected_and_changes_nothing(push, world):
    revoked = push(card_row(1, ZZZT="07")).json()
    assert [e["kind"] for e in revoked["events"]] == ["issued", "revoked"]
    response = push(card_row(1, ZZZT="02", address="新疆乌鲁木齐市天山区2号"))
    assert response.status_code == 422
    # The refusal names the field whose change the lifecycle refused.
    assert response.json()["details"]["problems"] == [
        {
            "field": "address",
            "value": None,
            "reason": "address: cannot record `corrected`: the license is revoked and"
            " no event can follow that",
        }
    ]
    again = push(card_row(1, ZZZT="01"))
    assert again.status_code == 422
    assert "which is final, and does not become valid again" in again.json()["message"]
    (identifier,) = revoked["licenses"]
    events = world.http.get(
        f"/v1/licenses/{identifier}/events", headers=world.headers("psb_tianshan")
    ).json()
    assert [event["kind"] for event in events] == ["issued", "revoked"]


def test_operator_pushes_for_a_named_department(push, world):
    department = world.departments["psb_tianshan"].credit_code
    response = push(card_row(1), "operator", department=department)
    assert response.status_code == 201, response.text
    assert response.json()["department"] == department
    unnamed = push(card_row(2), "operator")
    assert unnamed.status_code == 422
    assert "say which department" in unnamed.json()["message"]


def test_department_cannot_push_for_another_department(push, world, node):
    other = world.departments["psb_shayibake"].credit_code
    response = push(card_row(1), department=other)
    assert response.status_code == 403
    assert response.json()["code"] == "permission-denied"
    # Naming the other department as issuer inside the record is a rejected record.
    inside = push(card_row(2, ZZBFJGDM=other))
    assert inside.status_code == 422
    assert inside.json()["details"]["problems"][0]["reason"] == (
        f"ZZBFJGDM {other} does not match the department gathering,"
        f" {world.departments['psb_tianshan'].credit_code}"
    )
    assert count(node, licenses) == 0


def test_department_cannot_push_a_type_it_is_not_responsible_for(push, node):
    response = push(card_row(1), "market_urumqi")
    assert response.status_code == 403
    assert response.json()["code"] == "not-responsible"
    assert count(node, gathering_pushes) == 0


@pytest.mark.parametrize("who", ["auditor", "verifier"])
def test_readers_and_verifiers_cannot_push(push, node, who):
    response = push(card_row(1), who)
    assert response.status_code == 403
    assert response.json()["code"] == "permission-denied"
    assert count(node, gathering_pushes) == 0


def test_push_without_credentials_is_refused(world):
    response = world.http.post(
        RECORDS,
        params={"type": CARD},
        json=card_row(1),
        headers={"Idempotency-Key": "k"},
    )
    assert response.status_code == 401


def test_rejections_are_read_by_their_department_operators_and_auditors(push, world):
    push(card_row(1, CZZT=""))
    department = world.departments["psb_tianshan"].credit_code

    def listed(who, **params):
        return world.http.get(REJECTIONS, params=params, headers=world.headers(who))

    assert listed("psb_shayibake").json()["items"] == []
    refused = listed("psb_shayibake", department=department)
    assert refused.status_code == 403
    assert (
        refused.json()["message"] == "a department reads only its own rejected pushes"
    )
    for who in ("operator", "auditor"):
        assert len(listed(who).json()["items"]) == 1
        assert len(listed(who, department=department).json()["items"]) == 1
    assert listed("verifier").status_code == 403
    assert world.http.get(REJECTIONS).status_code == 401


def test_rejections_filter_by_type_and_time_and_page_by_cursor(push, world, clock):
    for number in range(1, 4):
        push(card_row(number, CZZT=""))
        clock.advance(minutes=10)
    headers = world.headers("psb_tianshan")

    first = world.http.get(REJECTIONS, params={"limit": 2}, headers=headers).json()
    assert [item["paperNumber"] for item in first["items"]] == ["P0000003", "P0000002"]
    rest = world.http.get(
        REJECTIONS, params={"limit": 2, "cursor": first["nextCursor"]}, headers=headers
    ).json()
    assert [item["paperNumber"] for item in rest["items"]] == ["P0000001"]
    assert rest["nextCursor"] is None

    window = {
        "since": (T0 + timedelta(minutes=5)).isoformat(),
        "until": (T0 + timedelta(minutes=20)).isoformat(),
    }
    found = world.http.get(REJECTIONS, params=window, headers=headers).json()
    assert [item["paperNumber"] for item in found["items"]] == ["P0000002"]
    other_type = world.http.get(
        REJECTIONS, params={"type": type_code("household-register")}, headers=headers
    ).json()
    assert other_type["items"] == []


def test_rejections_since_without_a_time_zone_is_refused(world):
    response = world.http.get(
        REJECTIONS,
        params={"since": "2026-11-02T00:00:00"},
        headers=world.headers("operator"),
    )
    assert response.status_code == 422
    assert "needs a time zone offset" in response.json()["message"]


def test_concurrent_pushes_of_one_new_record_issue_it_once(node, world):
    principal = principal_of(world, "psb_tianshan")
    rounds = 5  # a race that the lock did not prevent shows in one round or another
    outcomes: dict[int, list[str]] = {number: [] for number in range(1, rounds + 1)}

    def send(number: int, barrier: threading.Barrier) -> None:
        barrier.wait()
        with node.database.transaction() as conn:
            result = push_record(
                conn,
                node,
                principal=principal,
                department_code=None,
                type_code=CARD,
                record=card_row(number),
                now=T0,
            )
        outcomes[number].append(result.outcome.value)

    for number in outcomes:
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=send, args=(number, barrier)) for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert all(
        sorted(found) == ["accepted", "unchanged"] for found in outcomes.values()
    )
    assert count(node, licenses) == rounds
