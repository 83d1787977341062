"""Shares from many using parties against a real server, beside a bare endpoint.

Builds a node (SQLite by default, PostgreSQL with --database-url) with --holders
persons each holding a resident identity card, --parties using parties (third
parties with their own clients) serving one matter, and one authorization per
holder and party pair used; starts `zhengzhao serve` as a subprocess on a free
loopback port (one uvicorn worker, the log sequencer inside); then drives, from
--concurrency concurrent httpx clients in this process, in --rounds alternating
rounds (bare then share, then share then bare, ...) so that a change of the
machine's load during the run weighs on both alike:

- ``POST /v1/shares``: each request a random party sharing a random holder that
  authorized it, with its own Idempotency-Key: authorization used, licenses read and
  decrypted, access record and log leaf written, one annotated copy signed;
- ``GET /v1/parties/me``: the bare authenticated endpoint of the same server (the
  client's token checked, one read), with the same tokens and concurrency.

Both endpoints are plain `def` handlers run in the server's thread pool (DESIGN §7):
their ratio is the cost of the share itself. Prints requests per second and p50/p99
latency of each and the ratios. Run: .venv/bin/python bench/sharing.py [--requests N]
[--concurrency C] [--rounds R] [--parties P] [--holders H] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Connection

from zhengzhao.catalog.seed import load_department_kinds, load_seed_catalog
from zhengzhao.catalog.service import install_seed_catalog
from zhengzhao.config import Settings
from zhengzhao.directory.clients import create_client
from zhengzhao.directory.departments import register_department
from zhengzhao.directory.regions import load_regions
from zhengzhao.issuance.service import HolderClaim, IssueRequest, issue_licenses
from zhengzhao.model.classification import ClassificationLevel
from zhengzhao.model.credit_code import CreditCode
from zhengzhao.model.license import HolderKind
from zhengzhao.model.parties import Department, PartyKind, Principal, Role
from zhengzhao.model.resident_id import ResidentId
from zhengzhao.node import Node
from zhengzhao.sharing.authorizations import Grant, GrantRequest, grant_authorization
from zhengzhao.sharing.holders import HolderSession
from zhengzhao.sharing.identity import HolderIdentity
from zhengzhao.sharing.parties import register_party
from zhengzhao.sharing.scenarios import add_matter
from zhengzhao.storage.migrate import upgrade
from zhengzhao.storage.tables import metadata

MATTER = "650000-RS-BENCH"
CARD = "resident-identity-card"
OPERATOR = Principal(client_id="bench", name="bench", role=Role.OPERATOR)


@dataclass(frozen=True)
class Target:
    """One share to ask for: who asks, about whom, under which authorization."""

    token: str
    holder: str
    authorization: str


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--rounds", type=int, default=10, help="alternating rounds of both endpoints"
    )
    parser.add_argument("--parties", type=int, default=20)
    parser.add_argument("--holders", type=int, default=400)
    parser.add_argument("--database-url", default=None, help="default: SQLite")
    args = parser.parse_args()

    rounds = max(1, min(args.rounds, args.requests))
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'bench.db'}"
        port = _free_port()
        config, targets = _prepare(url, Path(scratch), args.parties, args.holders, port)
        print(
            f"database: {url.split(':')[0]}, {args.parties} parties,"
            f" {args.holders} holders, {len(targets)} authorizations,"
            f" {args.requests} requests per endpoint in {rounds} alternating"
            f" rounds, concurrency {args.concurrency}, port {port}"
        )
        server = _serve(config, port)
        try:
            share, bare = asyncio.run(
                _measure(targets, args.requests, args.concurrency, rounds, port)
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    _report("GET /v1/parties/me (bare)", bare, bare)
    _report("POST /v1/shares", share, bare)


def _free_port() -> int:
    """A loopback port nobody listens on: the one the system picks for port 0."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _prepare(
    url: str, scratch: Path, parties: int, holders: int, port: int
) -> tuple[Path, list[Target]]:
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    settings = Settings(
        mode="production",
        database_url=url,
        master_key=key,
        base_url=f"http://127.0.0.1:{port}",
    )
    node = Node(settings)
    if not node.database.is_sqlite:
        with node.database.engine.begin() as conn:
            metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(node.database)
    now = datetime.now(UTC)
    with node.database.transaction() as conn:
        load_regions(conn)
        install_seed_catalog(conn, region_code="650000", now=now)
        police = _department(conn, node, "70000001", "public-security", now)
        hrss = _department(
            conn, node, "70000002", "human-resources-social-security", now
        )
        issue_licenses(
            conn,
            node,
            issuer=police,
            requests=[_card(number) for number in range(holders)],
            actor="bench",
            now=now,
        )
        add_matter(
            conn,
            principal=OPERATOR,
            definition=_matter(),
            department_code=hrss.credit_code,
            now=now,
        )
        tokens = [_party(conn, number, now) for number in range(parties)]
        targets = _authorizations(conn, node, tokens, holders, now)
    node.close()
    config = scratch / "bench.toml"
    config.write_text(
        f'mode = "production"\ndatabase_url = "{url}"\nmaster_key = "{key}"\n'
        f'base_url = "{settings.base_url}"\nlog_merge_delay = 1.0\n'
    )
    return config, targets


def _department(
    conn: Connection, node: Node, body: str, kind: str, now: datetime
) -> Department:
    code = CreditCode.build(
        registration_authority="1",
        category="1",
        division_code="650102",
        organisation_body=body,
    ).value
    department, _ = register_department(
        conn,
        node,
        principal=OPERATOR,
        credit_code=code,
        name=f"bench {kind}",
        region_code="650102",
        kind=kind,
        known_kinds=frozenset(load_department_kinds()),
        now=now,
    )
    return department


def _holder(number: int) -> str:
    return ResidentId.build(
        division_code="650102",
        birth_date=date(1950 + number % 60, 1 + number % 12, 1 + number % 28),
        sequence=number % 1000,
    ).value


def _card(number: int) -> IssueRequest:
    seed = next(t for t in load_seed_catalog() if t.key == CARD)
    return IssueRequest(
        type_code=seed.code,
        holder=HolderClaim(identifier=_holder(number), name="张三"),
        fields=dict(seed.example),
        valid_until=date(2040, 1, 1),
    )


def _matter() -> dict[str, object]:
    seed = next(t for t in load_seed_catalog() if t.key == CARD)
    return {
        "code": MATTER,
        "name_zh": "社会保障卡申领",
        "name_en": "Social security card application",
        "holder_kind": "person",
        "materials": [{"type_code": seed.code, "required": True}],
        "form": [],
    }


def _party(conn: Connection, number: int, now: datetime) -> tuple[str, str]:
    code = CreditCode.build(
        registration_authority="9",
        category="1",
        division_code="650100",
        organisation_body=f"MC{number:06d}",
    ).value
    register_party(
        conn,
        principal=OPERATOR,
        credit_code=code,
        name=f"用证方 {number}",
        kind=PartyKind.THIRD_PARTY,
        clearance=ClassificationLevel.INTERNAL,
        matter_codes=[MATTER],
        now=now,
    )
    token = create_client(
        conn,
        principal=None,
        name=f"bench party {number}",
        role=Role.USING_PARTY,
        party_code=code,
        now=now,
    ).token
    return code, token


def _authorizations(
    conn: Connection,
    node: Node,
    parties: list[tuple[str, str]],
    holders: int,
    now: datetime,
) -> list[Target]:
    seed = next(t for t in load_seed_catalog() if t.key == CARD)
    targets = []
    for number in range(holders):
        identifier = _holder(number)
        session = HolderSession(
            session_id=f"bench{number}",
            holder=HolderIdentity(
                kind=HolderKind.PERSON, identifier=identifier, name="张三"
            ),
            holder_index=node.vault.index(HolderKind.PERSON, identifier),
            provider="bench",
            expires_at=now + timedelta(hours=1),
        )
        code, token = parties[number % len(parties)]
        granted = grant_authorization(
            conn,
            node,
            session=session,
            on_behalf_of=None,
            request=GrantRequest(
                party_code=code,
                matter_code=MATTER,
                grants=(
                    Grant(type_code=seed.code, fields=("CZZT", "sex", "birthDate")),
                ),
                purpose="bench",
                expires_at=now + timedelta(days=30),
                uses=1000,
            ),
            now=now,
        )
        targets.append(Target(token=token, holder=identifier, authorization=granted.id))
    return targets


def _serve(config: Path, port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zhengzhao",
            "--config",
            str(config),
            "serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        while time.monotonic() < deadline:
            try:
                if client.get("/v1/health").status_code == 200:
                    return server
            except httpx.TransportError:
                time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the node did not start")


@dataclass(frozen=True)
class Run:
    seconds: float
    latencies: list[float]

    def __add__(self, other: Run) -> Run:
        return Run(self.seconds + other.seconds, self.latencies + other.latencies)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _measure(
    targets: list[Target], count: int, concurrency: int, rounds: int, port: int
) -> tuple[Run, Run]:
    """Both endpoints in ``rounds`` rounds of about ``count / rounds`` requests
    each, their order swapped every round; each endpoint's time is the sum of its
    rounds'."""
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60
    ) as client:
        rng = random.Random(2022)
        picks = [rng.choice(targets) for _ in range(count)]
        await _run(client, picks[: concurrency * 2], concurrency, _bare)  # warm up
        await _run(client, picks[: concurrency * 2], concurrency, _share)
        bare, share = Run(0.0, []), Run(0.0, [])
        for number in range(rounds):
            part = picks[number * count // rounds : (number + 1) * count // rounds]
            if number % 2 == 0:
                bare += await _run(client, part, concurrency, _bare)
                share += await _run(client, part, concurrency, _share)
            else:
                share += await _run(client, part, concurrency, _share)
                bare += await _run(client, part, concurrency, _bare)
    return share, bare


async def _bare(client: httpx.AsyncClient, target: Target) -> None:
    response = await client.get(
        "/v1/parties/me", headers={"Authorization": f"Bearer {target.token}"}
    )
    response.raise_for_status()


async def _share(client: httpx.AsyncClient, target: Target) -> None:
    response = await client.post(
        "/v1/shares",
        json={
            "holder": target.holder,
            "matter": MATTER,
            "authorization": target.authorization,
        },
        headers={
            "Authorization": f"Bearer {target.token}",
            "Idempotency-Key": str(uuid.uuid4()),
        },
    )
    response.raise_for_status()
    assert len(response.json()["copies"]) == 1


async def _run(
    client: httpx.AsyncClient,
    picks: list[Target],
    concurrency: int,
    request: Callable[[httpx.AsyncClient, Target], Awaitable[None]],
) -> Run:
    queue: asyncio.Queue[Target] = asyncio.Queue()
    for target in picks:
        queue.put_nowait(target)
    latencies: list[float] = []

    async def worker() -> None:
        while not queue.empty():
            target = queue.get_nowait()
            started = time.perf_counter()
            await request(client, target)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Run(seconds=time.perf_counter() - started, latencies=latencies)


def _report(name: str, run: Run, baseline: Run) -> None:
    p50, p99 = run.percentile(0.50) * 1000, run.percentile(0.99) * 1000
    print(
        f"{name:28} {run.rate:8.0f} req/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms"
        f"  = {run.rate / baseline.rate:.3f} x bare req/s,"
        f" {run.percentile(0.5) / baseline.percentile(0.5):.1f} x bare p50"
    )


if __name__ == "__main__":
    main()
