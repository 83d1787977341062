"""A license whose stored ciphertext no longer opens is answered 503
`stored-record-damaged`, pointing the operator to the audit: never a 500."""

from sqlalchemy import text

from support.world import person_id


def damage(node, identifier, column):
    with node.database.transaction() as conn:
        conn.execute(
            text(f"UPDATE licenses SET {column} = :c WHERE identifier = :i"),
            {"c": b"\x01" + bytes(40), "i": identifier},
        )


def expect_damaged(response, identifier, what):
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["code"] == "stored-record-damaged"
    assert body["message"].startswith(
        f"the stored {what} of license {identifier} does not open with the node's"
        " master key: it was changed, or moved from another license, in the database"
    )
    assert "run `zhengzhao log audit`" in body["message"]


def test_read_of_a_license_whose_credential_does_not_open_is_503(world, node):
    identifier = world.issue()["identifier"]
    damage(node, identifier, "document_cipher")
    response = world.http.get(
        f"/v1/licenses/{identifier}", headers=world.headers("psb_tianshan")
    )
    expect_damaged(response, identifier, "credential")


def test_search_finding_a_license_whose_credential_does_not_open_is_503(world, node):
    holder = person_id(sequence=211)
    identifier = world.issue(holder=holder)["identifier"]
    damage(node, identifier, "document_cipher")
    response = world.http.post(
        "/v1/licenses/search",
        json={"holder": holder},
        headers=world.headers("psb_tianshan"),
    )
    expect_damaged(response, identifier, "credential")


def test_event_on_a_license_whose_credential_does_not_open_is_503(world, node):
    identifier = world.issue()["identifier"]
    damage(node, identifier, "document_cipher")
    response = world.post(
        "psb_tianshan",
        f"/v1/licenses/{identifier}/events",
        {"kind": "corrected", "fields": {"address": "新地址"}},
    )
    expect_damaged(response, identifier, "credential")
