"""Request bodies over the node's limit are refused with 413 `request-too-large`
before they are read, over real HTTP; a gathering upload keeps its own limit."""

import httpx
import pytest

from support.live import free_port, serving
from support.world import type_code
from zhengzhao.api.app import create_app

LIMIT = 4096


@pytest.fixture
def url(world, node, clock):
    node.settings = node.settings.model_copy(
        update={"request_body_bytes": LIMIT, "gathering_upload_bytes": 3 * LIMIT}
    )
    with serving(create_app(node, clock=clock), free_port()) as base:
        yield base


def expect_too_large(response):
    assert response.status_code == 413, response.text
    body = response.json()
    assert body["code"] == "request-too-large"
    assert body["message"] == (
        "the request body is larger than the 4,096 bytes this endpoint takes; send"
        " a smaller one (the node's operator sets the limit with"
        " `request_body_bytes`)"
    )


def chunks(total, size=1024):
    for start in range(0, total, size):
        yield b" " * min(size, total - start)


def test_body_declared_over_the_limit_is_refused_before_authentication(url):
    response = httpx.post(f"{url}/v1/verify", content=b" " * (LIMIT + 1), timeout=10)
    expect_too_large(response)


def test_body_streamed_over_the_limit_without_a_length_is_refused(url, world):
    response = httpx.post(
        f"{url}/v1/licenses",
        content=chunks(LIMIT * 8),
        headers={**world.headers("psb_tianshan"), "Content-Type": "application/json"},
        timeout=10,
    )
    expect_too_large(response)


def test_body_streamed_to_a_route_reading_it_itself_is_refused(url):
    response = httpx.post(
        f"{url}/v1/holder-sessions", content=chunks(LIMIT + 1), timeout=10
    )
    expect_too_large(response)


def test_body_within_the_limit_is_served(url, world):
    response = httpx.post(
        f"{url}/v1/verify",
        json={"not": "a license"},
        headers=world.headers("verifier"),
        timeout=10,
    )
    assert response.status_code != 413


def gather(url, world, size):
    header = "ZZBH,CZZT,CZZTDM\n"
    rows = header + "".join(
        f"P{n:08d},张三,650102199001011239\n" for n in range(size // 40 + 1)
    )
    return httpx.post(
        f"{url}/v1/gathering/batches",
        params={"type": type_code("resident-identity-card")},
        content=rows.encode()[:size],
        headers={**world.headers("psb_tianshan"), "Content-Type": "text/csv"},
        timeout=30,
    )


def test_gathering_upload_is_held_to_its_own_limit_not_the_request_limit(url, world):
    assert gather(url, world, 2 * LIMIT).status_code == 202
    refused = gather(url, world, 4 * LIMIT)
    assert refused.status_code == 413
    assert refused.json()["code"] == "upload-too-large"
