"""One license per type, issuer and paper number, whichever way it arrives: a license
issued over the API with a paper number the library holds already is refused."""

import threading
from datetime import date

from sqlalchemy import func, select

from conftest import T0
from gathering.support import card_row
from support.world import person_id, principal_of, type_code
from zhengzhao.errors import PaperNumberInUse
from zhengzhao.gathering.live import push_record
from zhengzhao.issuance.service import HolderClaim, IssueRequest, issue_licenses
from zhengzhao.storage.tables import licenses

CARD = type_code("resident-identity-card")


def push(world, record, who="psb_tianshan"):
    response = world.post(who, f"/v1/gathering/records?type={CARD}", record)
    assert response.status_code in (200, 201), response.text
    body: dict = response.json()
    return body


def issue(world, paper_number: str, who="psb_tianshan", type_key=None, **extra):
    body = {
        "typeCode": type_code(type_key or "resident-identity-card"),
        "holder": {"identifier": person_id(), "name": "张三"},
        "fields": {
            key: value
            for key, value in card_row(1).items()
            if key in ("sex", "ethnicity", "birthDate", "address")
        },
        "validUntil": "2036-01-04",
        "paperNumber": paper_number,
        **extra,
    }
    return world.post(who, "/v1/licenses", body)


def count(world) -> int:
    with world.node.database.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(licenses)).scalar())


def test_issue_with_a_gathered_paper_number_is_refused(world):
    (identifier,) = push(world, card_row(1))["licenses"]
    response = issue(world, "P0000001")
    assert response.status_code == 409
    assert response.json() == {
        "code": "paper-number-in-use",
        "message": f"paper number P0000001 is already on license {identifier} of"
        f" type {CARD}, issued by {world.departments['psb_tianshan'].credit_code}:"
        " to change that license record a correction or an extension (POST"
        f" /v1/licenses/{identifier}/events); a new license needs a paper number of"
        " its own",
        "details": {"paperNumber": "P0000001", "license": identifier},
    }
    assert count(world) == 1


def test_issue_with_a_paper_number_issued_before_is_refused(world):
    first = issue(world, "A-1")
    assert first.status_code == 201, first.text
    again = issue(world, "A-1")
    assert again.status_code == 409
    assert again.json()["details"]["license"] == first.json()["identifier"]


def test_refusal_names_the_current_version_of_a_corrected_license(world):
    push(world, card_row(1))
    corrected = push(world, card_row(1, CZZT="张三丰"))["licenses"][-1]
    response = issue(world, "P0000001")
    assert response.status_code == 409
    assert response.json()["details"]["license"] == corrected


def test_same_paper_number_of_another_issuer_is_issued(world):
    push(world, card_row(1))
    other_issuer = issue(world, "P0000001", who="psb_shayibake")
    assert other_issuer.status_code == 201, other_issuer.text
    assert count(world) == 2


def test_gathered_row_finds_a_license_issued_over_the_api(world):
    issued = issue(world, "P0000001", validFrom="2026-01-05", issueDate="2026-01-05")
    assert issued.status_code == 201, issued.text
    row = card_row(1, CZZTDM=person_id())
    body = push(world, row)
    assert body["outcome"] == "unchanged"
    assert body["licenses"] == [issued.json()["identifier"]]


def test_concurrent_push_and_issue_of_one_paper_number_make_one_license(world):
    node, principal = world.node, principal_of(world, "psb_tianshan")
    rounds = 5  # a race that the lock did not prevent shows in one round or another
    outcomes: dict[int, list[str]] = {number: [] for number in range(1, rounds + 1)}

    def pushed(number: int, barrier: threading.Barrier) -> None:
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

    def issued(number: int, barrier: threading.Barrier) -> None:
        row = card_row(number)
        request = IssueRequest(
            type_code=CARD,
            holder=HolderClaim(identifier=row["CZZTDM"], name=row["CZZT"]),
            fields={k: row[k] for k in ("sex", "ethnicity", "birthDate", "address")},
            issue_date=date(2026, 1, 5),
            valid_from=date(2026, 1, 5),
            valid_until=date(2036, 1, 4),
            paper_number=row["ZZBH"],
        )
        barrier.wait()
        try:
            with node.database.transaction() as conn:
                issue_licenses(
                    conn,
                    node,
                    issuer=world.departments["psb_tianshan"],
                    requests=[request],
                    actor="tests",
                    now=T0,
                )
        except PaperNumberInUse:
            outcomes[number].append("refused")
        else:
            outcomes[number].append("issued")

    for number in outcomes:
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=target, args=(number, barrier))
            for target in (pushed, issued)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # Either the push came first and the issue was refused, or the issue came
    # first and the push found its license: never two licenses.
    assert all(
        sorted(found) in (["accepted", "refused"], ["issued", "unchanged"])
        for found in outcomes.values()
    ), outcomes
    assert count(world) == rounds


def test_paper_number_is_read_in_upper_case(world):
    # National systems write serials in upper case; p0000001 is P0000001.
    first = push(world, card_row(1, ZZBH="p0000001"))
    assert first["paperNumber"] == "P0000001"
    again = push(world, card_row(1, ZZBH="P0000001"))
    assert (again["outcome"], again["licenses"]) == ("unchanged", first["licenses"])
    with world.node.database.reading() as conn:
        stored = conn.execute(select(licenses.c.paper_number)).scalars().all()
    assert stored == ["P0000001"]


def test_paper_number_keeps_letters_other_than_ascii_as_written(world):
    body = push(world, card_row(1, ZZBH="新ｐ001"))
    assert body["paperNumber"] == "新ｐ001"


def test_issue_in_lower_case_of_a_gathered_paper_number_is_refused(world):
    (identifier,) = push(world, card_row(1))["licenses"]
    response = issue(world, "p0000001")
    assert response.status_code == 409
    assert response.json()["details"] == {
        "paperNumber": "P0000001",
        "license": identifier,
    }


def test_gathered_row_finds_a_license_issued_in_lower_case_over_the_api(world):
    # The API keeps the paper number as gathering does, in upper case.
    issued = issue(world, "p0000001", validFrom="2026-01-05", issueDate="2026-01-05")
    assert issued.status_code == 201, issued.text
    answer = issued.json()
    signed = answer["document"]["credentialSubject"]["license"]
    assert answer["paperNumber"] == signed["paperNumber"] == "P0000001"
    body = push(world, card_row(1, ZZBH="p0000001", CZZTDM=person_id()))
    assert (body["outcome"], body["licenses"]) == (
        "unchanged",
        [issued.json()["identifier"]],
    )
