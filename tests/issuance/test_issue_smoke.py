from support.world import example_fields, person_id, type_code


def test_issue_over_http_returns_signed_license(world):
    response = world.http.post(
        "/v1/licenses",
        json={
            "typeCode": type_code("resident-identity-card"),
            "holder": {"identifier": person_id(), "name": "张三"},
            "fields": example_fields("resident-identity-card"),
            "validUntil": "2036-01-01",
        },
        headers=world.headers("psb_tianshan", **{"Idempotency-Key": "k1"}),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "valid"
    assert body["document"]["proof"]["cryptosuite"] == "ecdsa-jcs-2019"
