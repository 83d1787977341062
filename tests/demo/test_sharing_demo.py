"""The demo's sharing: matters, parties with demo clients, ready authorizations that
a share and a check can use at once."""

import json
import uuid

import pytest
from fastapi.testclient import TestClient

from conftest import random_master_key
from zhengzhao.api.app import create_app
from zhengzhao.config import Settings
from zhengzhao.demo.library import CREDENTIALS_NAME, DATABASE_NAME, build_demo_library
from zhengzhao.node import Node
from zhengzhao.sharing.identity import UnsafeIdentityProviderWarning


class Quiet:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, done: int = 1) -> None:
        pass


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo")
    settings = Settings(
        mode="development",
        database_url=f"sqlite:///{directory / DATABASE_NAME}",
        master_key=random_master_key(),  # type: ignore[arg-type]
        identity_provider="unsafe-development",
    )
    node = Node(settings)
    build_demo_library(node, directory=directory, holders=33, seed=7, progress=Quiet())
    credentials = json.loads((directory / CREDENTIALS_NAME).read_text())
    with pytest.warns(UnsafeIdentityProviderWarning):
        app = create_app(node)
    yield TestClient(app), credentials
    node.close()


def test_demo_lists_parties_and_authorizations(demo):
    _http, credentials = demo
    names = [party["name"] for party in credentials["usingParties"]]
    assert names == [
        "中国工商银行股份有限公司乌鲁木齐分行",
        "乌鲁木齐天山宾馆",
        "乌鲁木齐市市场监督管理局",
    ]
    assert len(credentials["holders"]) == 2


def test_demo_bank_shares_at_once(demo):
    http, credentials = demo
    bank = credentials["usingParties"][0]["token"]
    holder = credentials["holders"][0]
    response = http.post(
        "/v1/shares",
        json={
            "holder": holder["identifier"],
            "matter": holder["matter"],
            "authorization": holder["authorization"],
        },
        headers={
            "Authorization": f"Bearer {bank}",
            "Idempotency-Key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 201, response.text
    (copy,) = response.json()["copies"]
    assert copy["credentialSubject"]["holder"]["name"] == holder["name"]


def test_demo_hotel_checks_at_once(demo):
    http, credentials = demo
    hotel = credentials["usingParties"][1]["token"]
    holder = credentials["holders"][1]
    response = http.post(
        "/v1/checks",
        json={
            "matter": holder["matter"],
            "authorization": holder["authorization"],
            "claims": [{"claim": "holder-identifier", "value": holder["identifier"]}],
        },
        headers={"Authorization": f"Bearer {hotel}"},
    )
    assert response.json()["results"] == [{"claim": 0, "match": True}]


def _auditor(credentials):
    (client,) = [c for c in credentials["clients"] if c["role"] == "auditor"]
    return {"Authorization": f"Bearer {client['token']}"}


def test_demo_ships_the_seed_scenario_list_and_hotel_registration(demo):
    http, credentials = demo
    response = http.get("/v1/matters?limit=200", headers=_auditor(credentials))
    items = response.json()["items"]
    codes = [item["code"] for item in items]
    assert len(codes) == 55 and codes[0] == "650000-001" and "650102-001" in codes
    for item in items:
        assert item["department"]["creditCode"]  # each offered by a department
    kinds = {item["departmentKind"] for item in items}
    assert {"tax", "housing-provident-fund", "housing-construction"} <= kinds


def test_demo_prefills_give_the_exemption_report_figures(demo):
    http, credentials = demo
    assert credentials["prefills"]["made"] > 0
    body = http.get("/v1/reports/exemptions", headers=_auditor(credentials)).json()
    practice = body["practice"]["overall"]
    assert practice["prefills"] == credentials["prefills"]["made"]
    assert 0 < practice["materials"]["ratio"] <= 1
    assert body["design"]["overall"]["materials"]["ratio"] == 1.0
    assert body["target"]["materials"] == 0.4


def test_demo_holder_prefills_at_once(demo):
    http, credentials = demo
    holder = credentials["holders"][0]
    login = http.post(
        "/v1/holder-sessions",
        json={
            "credentials": {"identifier": holder["identifier"], "name": holder["name"]}
        },
    )
    token = login.json()["token"]
    response = http.post(
        f"/v1/matters/{holder['matter']}/prefill",
        json={},
        headers={
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 201, response.text
    fields = {f["name"]: f for f in response.json()["form"]}
    assert fields["applicantName"]["value"] == holder["name"]
