"""The annotated-copy key exists before the server answers its first request."""

from datetime import datetime

from fastapi.testclient import TestClient

from zhengzhao.api.app import create_app


def test_server_start_makes_the_copy_key_before_any_share(world, node, clock):
    assert "annotatedCopies" not in world.http.get("/v1/trust-list").json()
    node.settings = node.settings.model_copy(
        update={"log_sequencer": False, "expiry_interval_hours": 0}
    )
    started = clock.now()
    with TestClient(create_app(node, clock=clock, background=True)) as client:
        trust = client.get("/v1/trust-list").json()
    key = trust["annotatedCopies"]
    assert key["id"] == "https://zz.test/v1/trust-list#annotated-copies"
    assert datetime.fromisoformat(key["validFrom"]) <= started
