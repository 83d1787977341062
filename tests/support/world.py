"""A small, real node for tests: regions, the seed catalog, departments and clients.

Departments (all with valid credit codes):

- ``psb_tianshan``: public security, county level (天山区 650102): identity cards and
  household registers;
- ``psb_shayibake``: public security, county level (沙依巴克区 650103), a second issuer
  of the same types, to prove departments cannot touch each other's licenses;
- ``market_urumqi``: market regulation, prefecture level (乌鲁木齐市 650100): business
  and food business licences;
- ``hrss_region``: human resources and social security, region level (650000):
  social security cards (a fixed ten-year term);
- ``land_tianshan``: natural resources, county level (650102): real estate
  certificates, which can be mortgaged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fastapi.testclient import TestClient

from zhengzhao.api.app import create_app
from zhengzhao.catalog.seed import load_department_kinds, load_seed_catalog
from zhengzhao.catalog.service import install_seed_catalog
from zhengzhao.directory.clients import create_client
from zhengzhao.directory.departments import register_department
from zhengzhao.directory.regions import load_regions
from zhengzhao.model.credit_code import CreditCode
from zhengzhao.model.parties import Department, Principal, Role
from zhengzhao.model.resident_id import ResidentId, resident_id_check_character
from zhengzhao.node import Node
from zhengzhao.seals.algorithms import Algorithm

OPERATOR = Principal(client_id="test-operator", name="tests", role=Role.OPERATOR)

DEPARTMENTS = {
    "psb_tianshan": ("乌鲁木齐市公安局天山区分局", "650102", "public-security", "1001"),
    "psb_shayibake": (
        "乌鲁木齐市公安局沙依巴克区分局",
        "650103",
        "public-security",
        "1002",
    ),
    "market_urumqi": (
        "乌鲁木齐市市场监督管理局",
        "650100",
        "market-regulation",
        "1003",
    ),
    "hrss_region": (
        "新疆维吾尔自治区人力资源和社会保障厅",
        "650000",
        "human-resources-social-security",
        "1004",
    ),
    "land_tianshan": (
        "乌鲁木齐市天山区自然资源局",
        "650102",
        "natural-resources",
        "1005",
    ),
}


def type_code(key: str) -> str:
    """The seed catalog code of the type with readable key ``key``."""
    return next(t.code for t in load_seed_catalog() if t.key == key)


def example_fields(key: str) -> dict[str, Any]:
    return dict(next(t.example for t in load_seed_catalog() if t.key == key))


def department_code(region: str, number: str) -> str:
    return CreditCode.build(
        registration_authority="1",
        category="1",
        division_code=region,
        organisation_body=f"7{number}000"[:8].ljust(8, "0"),
    ).value


def person_id(
    birth: date = date(1990, 1, 1), sequence: int = 123, region: str = "650102"
) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + resident_id_check_character(body)


def org_id(number: int = 1) -> str:
    return CreditCode.build(
        registration_authority="9",
        category="1",
        division_code="650102",
        organisation_body=f"MA{number:06d}",
    ).value


@dataclass
class World:
    node: Node
    http: TestClient
    departments: dict[str, Department] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    _keys: int = 0

    def headers(self, who: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **extra}

    def post(self, who: str, path: str, body: Any, *, key: str | None = None) -> Any:
        """POST as ``who`` with a fresh Idempotency-Key unless one is given."""
        self._keys += 1
        headers = self.headers(who, **{"Idempotency-Key": key or f"key-{self._keys}"})
        return self.http.post(path, json=body, headers=headers)

    def issue(
        self,
        who: str = "psb_tianshan",
        type_key: str = "resident-identity-card",
        *,
        holder: str | None = None,
        name: str = "张三",
        fields: dict[str, Any] | None = None,
        expect: int = 201,
        lenient_identifier: bool = False,
        **extra: Any,
    ) -> dict[str, Any]:
        """Issue a license over HTTP and return the response body."""
        holder_in: dict[str, Any] = {"identifier": holder or person_id(), "name": name}
        if lenient_identifier:
            holder_in["lenientIdentifier"] = True
        body = {
            "typeCode": type_code(type_key),
            "holder": holder_in,
            "fields": example_fields(type_key) if fields is None else fields,
            **extra,
        }
        if type_key == "resident-identity-card" and "validUntil" not in extra:
            body["validUntil"] = "2036-01-01"
        response = self.post(who, "/v1/licenses", body)
        assert response.status_code == expect, response.text
        result: dict[str, Any] = response.json()
        return result

    def event(
        self,
        identifier: str,
        kind: str,
        who: str = "psb_tianshan",
        expect: int = 201,
        **extra: Any,
    ) -> dict[str, Any]:
        response = self.post(
            who, f"/v1/licenses/{identifier}/events", {"kind": kind, **extra}
        )
        assert response.status_code == expect, response.text
        result: dict[str, Any] = response.json()
        return result


def build_world(
    node: Node,
    clock: Any,
    *,
    algorithm: Algorithm | None = None,
    keys_from: datetime | None = None,
) -> World:
    """The test region's departments and clients, registered at the clock's time;
    ``keys_from`` starts the departments' first keys earlier, for a history that
    begins before it."""
    now = clock.now()
    with node.database.transaction() as conn:
        load_regions(conn)
        install_seed_catalog(conn, region_code="650000", now=now)
        departments = {}
        for key, (name, region, kind, number) in DEPARTMENTS.items():
            departments[key], _ = register_department(
                conn,
                node,
                principal=OPERATOR,
                credit_code=department_code(region, number),
                name=name,
                region_code=region,
                kind=kind,
                known_kinds=frozenset(load_department_kinds()),
                algorithm=algorithm,
                keys_from=keys_from,
                now=now,
            )
        tokens = {
            role.value: create_client(
                conn, principal=None, name=role.value, role=role, now=now
            ).token
            for role in (Role.OPERATOR, Role.AUDITOR, Role.VERIFIER)
        }
        for key, department in departments.items():
            tokens[key] = create_client(
                conn,
                principal=None,
                name=key,
                role=Role.DEPARTMENT,
                department_code=department.credit_code,
                now=now,
            ).token
    app = create_app(node, clock=clock)
    return World(
        node=node,
        http=TestClient(app, raise_server_exceptions=False),
        departments=departments,
        tokens=tokens,
    )


def principal_of(world: World, key: str) -> Principal:
    return Principal(
        client_id=f"test-{key}",
        name=key,
        role=Role.DEPARTMENT,
        department=world.departments[key],
    )


__all__ = [
    "OPERATOR",
    "ResidentId",
    "World",
    "build_world",
    "department_code",
    "example_fields",
    "org_id",
    "person_id",
    "principal_of",
    "type_code",
]
