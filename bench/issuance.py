"""Issuance and verification throughput, each against its bare signature primitive.

Measures, on one database (SQLite by default, PostgreSQL with --database-url):

- the bare primitive: ECDSA P-256 signatures (and verifications) of 64-byte messages,
  the size of a Data Integrity hashData;
- issuance through the API: licenses POSTed one after another to a real uvicorn
  server on loopback, each with its own Idempotency-Key;
- issuance through the service: `issue_licenses` in batches of --batch;
- verification through the service: `verify_license` against the node's trust list
  and its cached status lists;

and prints each as licenses per second and as a ratio to the primitive measured in
the same run. Run: .venv/bin/python bench/issuance.py [--count N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import httpx

from zhengzhao.catalog.seed import load_department_kinds, load_seed_catalog
from zhengzhao.catalog.service import install_seed_catalog
from zhengzhao.config import Settings
from zhengzhao.directory.clients import create_client
from zhengzhao.directory.departments import register_department
from zhengzhao.directory.regions import load_regions
from zhengzhao.issuance.service import HolderClaim, IssueRequest, issue_licenses
from zhengzhao.model.credit_code import CreditCode
from zhengzhao.model.parties import Principal, Role
from zhengzhao.model.resident_id import ResidentId
from zhengzhao.node import Node
from zhengzhao.seals.algorithms import Algorithm, SigningKey
from zhengzhao.storage.migrate import upgrade
from zhengzhao.storage.tables import metadata
from zhengzhao.verify.service import NodeStatusLists
from zhengzhao.verify.trust_list import TrustList, node_trust_list
from zhengzhao.verify.verifier import verify_license

TYPE_KEY = "household-register"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count", type=int, default=2000, help="licenses per measurement"
    )
    parser.add_argument(
        "--batch", type=int, default=500, help="licenses per transaction"
    )
    parser.add_argument(
        "--database-url", default=None, help="default: a fresh SQLite file"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'bench.db'}"
        node, department, token = _prepare(url, Path(scratch))
        print(
            f"database: {node.database.engine.dialect.name}, {args.count} licenses each"
        )

        sign_rate, verify_rate = _primitive(args.count)
        print(f"bare ECDSA P-256 sign:        {sign_rate:10.0f} /s")
        print(f"bare ECDSA P-256 verify:      {verify_rate:10.0f} /s")

        service_rate, documents = _service(node, department, args.count, args.batch)
        api_rate = _api(node, Path(scratch), token, min(args.count, 1000))
        check_rate = _verification(node, documents)

        print(
            f"issue via service (batched):  {service_rate:10.0f} /s"
            f"  = {service_rate / sign_rate:.3f} x bare sign"
        )
        print(
            f"issue via API (sequential):   {api_rate:10.0f} /s"
            f"  = {api_rate / sign_rate:.3f} x bare sign"
        )
        print(
            f"verify via service:           {check_rate:10.0f} /s"
            f"  = {check_rate / verify_rate:.3f} x bare verify"
        )
        node.close()


def _prepare(url: str, scratch: Path) -> tuple[Node, object, str]:
    settings = Settings(
        mode="development",
        database_url=url,
        master_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),  # type: ignore[arg-type]
        base_url="http://127.0.0.1:8977",
    )
    node = Node(settings)
    if not node.database.is_sqlite:
        with node.database.engine.begin() as conn:
            metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(node.database)
    now = datetime.now(UTC)
    operator = Principal(client_id="bench", name="bench", role=Role.OPERATOR)
    code = CreditCode.build(
        registration_authority="1",
        category="1",
        division_code="650102",
        organisation_body="70000001",
    ).value
    with node.database.transaction() as conn:
        load_regions(conn)
        install_seed_catalog(conn, region_code="650000", now=now)
        department, _ = register_department(
            conn,
            node,
            principal=operator,
            credit_code=code,
            name="天山区公安分局",
            region_code="650102",
            kind="public-security",
            known_kinds=frozenset(load_department_kinds()),
            now=now,
        )
        token = create_client(
            conn,
            principal=None,
            name="bench",
            role=Role.DEPARTMENT,
            department_code=code,
            now=now,
        ).token
    config = scratch / "bench.toml"
    config.write_text(
        f'mode = "development"\ndatabase_url = "{url}"\n'
        f'master_key = "{settings.master_key.get_secret_value()}"\n'  # type: ignore[union-attr]
        f'base_url = "{settings.base_url}"\n'
    )
    return node, department, token


def _requests(count: int, offset: int) -> list[IssueRequest]:
    seed = next(t for t in load_seed_catalog() if t.key == TYPE_KEY)
    requests = []
    for i in range(count):
        holder = ResidentId.build(
            division_code="650102",
            birth_date=date(1950 + (offset + i) % 60, 1 + i % 12, 1 + i % 28),
            sequence=(offset + i) % 1000,
        )
        requests.append(
            IssueRequest(
                type_code=seed.code,
                holder=HolderClaim(identifier=holder.value, name="张三"),
                fields=dict(seed.example),
            )
        )
    return requests


def _primitive(count: int) -> tuple[float, float]:
    key = SigningKey.generate(Algorithm.ECDSA_P256)
    messages = [os.urandom(64) for _ in range(count)]
    started = time.perf_counter()
    signatures = [key.sign(m) for m in messages]
    sign_rate = count / (time.perf_counter() - started)
    public = key.public_key()
    started = time.perf_counter()
    for message, signature in zip(messages, signatures, strict=True):
        public.verify(signature, message)
    return sign_rate, count / (time.perf_counter() - started)


def _service(
    node: Node, department: object, count: int, batch: int
) -> tuple[float, list[dict]]:
    requests = _requests(count, 0)
    documents: list[dict] = []
    started = time.perf_counter()
    for start in range(0, count, batch):
        with node.database.transaction() as conn:
            issued = issue_licenses(
                conn,
                node,
                issuer=department,
                requests=requests[start : start + batch],  # type: ignore[arg-type]
                actor="bench",
                now=datetime.now(UTC),
            )
        documents += [item.document for item in issued]
    return count / (time.perf_counter() - started), documents


def _api(node: Node, scratch: Path, token: str, count: int) -> float:
    config = scratch / "bench.toml"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zhengzhao",
            "--config",
            str(config),
            "serve",
            "--port",
            "8977",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url="http://127.0.0.1:8977", timeout=30) as client:
            _wait_for(client)
            bodies = [
                {
                    "typeCode": r.type_code,
                    "holder": {
                        "identifier": r.holder.identifier,
                        "name": r.holder.name,
                    },
                    "fields": r.fields,
                }
                for r in _requests(count, 500_000)
            ]
            headers = {"Authorization": f"Bearer {token}"}
            started = time.perf_counter()
            for body in bodies:
                response = client.post(
                    "/v1/licenses",
                    json=body,
                    headers=headers | {"Idempotency-Key": str(uuid.uuid4())},
                )
                response.raise_for_status()
            return count / (time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(client: httpx.Client) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if client.get("/v1/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the node did not start")


def _verification(node: Node, documents: list[dict]) -> float:
    now = datetime.now(UTC)
    with node.database.reading() as conn:
        trust = TrustList.from_json(
            node_trust_list(
                conn,
                node_name="bench",
                base_url=node.base_url,
                log_origin=node.settings.origin,
                now=now,
            )
        )
    lists = NodeStatusLists(node, now=now)
    verify_license(documents[0], trust_list=trust, status_lists=lists, now=now)  # warm
    started = time.perf_counter()
    for document in documents:
        report = verify_license(document, trust_list=trust, status_lists=lists, now=now)
        assert report.valid, report.summary
    return len(documents) / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
