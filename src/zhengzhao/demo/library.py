"""Building the demo library: a synthetic Xinjiang node, issued through the services.

Nothing here writes to the database directly: departments are registered, licenses
gathered from files or issued, events recorded and expected volumes declared by the
same services the API calls, so the demo library is what a real node would hold after
the same history. How each department gathers, and when, is `zhengzhao.demo.gathering`.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from zhengzhao.catalog.seed import load_department_kinds, load_seed_catalog
from zhengzhao.catalog.service import install_seed_catalog
from zhengzhao.demo.gathering import (
    Habits,
    Sent,
    gather_by_files,
    habits_of,
    moment,
    stock_moment,
    with_paper_numbers,
)
from zhengzhao.demo.sharing import DemoHolder, applicants_of, set_up_sharing
from zhengzhao.demo.synthetic import (
    DemoDepartment,
    Organisation,
    Person,
    PlannedEvent,
    PlannedLicense,
    UniqueValues,
    demo_departments,
    department_for,
    make_organisations,
    make_people,
    plan_licenses,
)
from zhengzhao.directory.clients import create_client
from zhengzhao.directory.departments import register_department
from zhengzhao.directory.regions import XINJIANG, load_regions
from zhengzhao.issuance.lifecycle import EventRequest, record_event
from zhengzhao.issuance.service import (
    HolderClaim,
    IssueRequest,
    TypeCache,
    issue_prepared,
    prepare_issue,
)
from zhengzhao.model.lifecycle import EventKind
from zhengzhao.model.parties import Department, Principal, Role
from zhengzhao.model.time import SystemClock, local_date
from zhengzhao.node import Node
from zhengzhao.oversight.months import Month
from zhengzhao.oversight.volumes import VolumeDeclaration, declare_volume
from zhengzhao.storage import log as log_store
from zhengzhao.storage.migrate import upgrade
from zhengzhao.translog.sequencer import integrate_all

__all__ = [
    "CONFIG_NAME",
    "CREDENTIALS_NAME",
    "DATABASE_NAME",
    "DemoProgress",
    "DemoSummary",
    "build_demo_library",
    "demo_exists",
    "write_demo_config",
]

CONFIG_NAME = "zhengzhao.toml"
CREDENTIALS_NAME = "demo-credentials.json"
DATABASE_NAME = "zhengzhao.db"

#: Licenses per transaction: large enough to amortise commits, small enough that a
#: progress bar moves and a failure loses little.
CHUNK = 1_000
#: Events per transaction.
EVENT_CHUNK = 250
#: Persons per organisation in the synthetic population.
PERSONS_PER_ORGANISATION = 10


class DemoProgress(Protocol):
    """Where the build reports its stages and progress."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, done: int = 1) -> None: ...


@dataclass(frozen=True)
class DemoSummary:
    """What the build made."""

    departments: int
    holders: int
    licenses: int
    events: int
    #: The month the demo's quality report assesses (the last whole one).
    month: str = ""
    #: Files the departments sent.
    files: int = 0


def demo_exists(directory: Path) -> bool:
    return (directory / DATABASE_NAME).exists() and (directory / CONFIG_NAME).exists()


def write_demo_config(directory: Path, *, port: int) -> Path:
    """Write the demo node's settings: development mode, SQLite next to them."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CONFIG_NAME
    path.write_text(
        "# Demo node: development mode, synthetic data, the published demo key.\n"
        "# Never use these settings for real licenses.\n"
        'mode = "development"\n'
        f'database_url = "sqlite:///{directory / DATABASE_NAME}"\n'
        f'base_url = "http://127.0.0.1:{port}"\n'
        'node_name = "xinjiang.demo.zhengzhao"\n'
        "# Holders log in as whoever they claim to be: for the demo only.\n"
        'identity_provider = "unsafe-development"\n'
        f"port = {port}\n",
        encoding="utf-8",
    )
    return path


def build_demo_library(
    node: Node,
    *,
    directory: Path,
    holders: int,
    seed: int,
    progress: DemoProgress,
    now: datetime | None = None,
) -> DemoSummary:
    """Build the demo library from nothing into ``node``'s (SQLite) database.

    The steps:
      1. a fresh database with the Xinjiang divisions and the seed catalog;
      2. the departments, each with its first key, and the demo API clients;
      3. the synthetic population and the licenses each holder has;
      4. gathering them, department by department, from files or as issued;
      5. the later lifecycle events, each recorded as late as its department is;
      6. the expected volumes each department declares for the month assessed;
      7. sharing: the seed service matters, using parties, ready authorizations
         and a few holders' prefills;
      8. sequencing the transparency log: every event in a signed checkpoint.
    """
    now = now or datetime.now(UTC)
    today = local_date(now)
    rng = random.Random(seed)
    month = Month.of(today).previous()

    # 1. A fresh database.
    _remove_database(directory)
    upgrade(node.database)
    with node.database.transaction() as conn:
        load_regions(conn, XINJIANG)
        install_seed_catalog(conn, region_code=XINJIANG, now=now)

    # 2. Departments, keys and clients.
    plan_departments = demo_departments()
    progress.stage("departments and keys", len(plan_departments))
    departments = _register_departments(
        node,
        plan_departments,
        now=now,
        keys_from=stock_moment(month) - KEYS_AHEAD,
        progress=progress,
    )
    _write_credentials(node, directory, departments, now=now)

    # 3. Population and plans.
    unique = UniqueValues()
    organisation_count = max(1, holders // (PERSONS_PER_ORGANISATION + 1))
    people = make_people(rng, holders - organisation_count, today=today, unique=unique)
    organisations = make_organisations(
        rng, organisation_count, today=today, unique=unique
    )
    population: list[Person | Organisation] = [*people, *organisations]
    plans: dict[str, list[PlannedLicense]] = defaultdict(list)
    for holder in population:
        for planned in plan_licenses(holder, rng, today=today, unique=unique):
            issuer = department_for(
                planned.type_code, holder.division_code, plan_departments
            )
            plans[issuer.credit_code].append(planned)

    # 4. Gather.
    total = sum(len(items) for items in plans.values())
    progress.stage("gathering licenses", total)
    gathered: list[tuple[Department, Sent, Habits]] = []
    files = 0
    for index, planned_department in enumerate(plan_departments):
        code = planned_department.credit_code
        habits = habits_of(index)
        department = departments[code]
        if habits.files:
            plans[code] = with_paper_numbers(department, plans[code])
            sent, sent_files = gather_by_files(
                node,
                department=department,
                habits=habits,
                items=plans[code],
                month=month,
                stock_at=stock_moment(month),
                now=now,
                directory=directory / "gathering",
                principal=_operator(),
                rng=rng,
            )
            files += sent_files
        else:
            sent = _issue_as_issued(node, department, plans[code], month=month, now=now)
        gathered += [(department, item, habits) for item in sent]
        progress.advance(len(plans[code]))

    # 5. Later events.
    with_events = [item for item in gathered if item[1].item.events]
    progress.stage(
        "recording later events", sum(len(i[1].item.events) for i in with_events)
    )
    events = _record_events(node, with_events, now=now, rng=rng, progress=progress)

    # 6. Expected volumes.
    _declare_volumes(node, departments, plans, month=month, now=now)

    # 7. Sharing.
    progress.stage("matters, parties, consent", 1)
    sharing = set_up_sharing(
        node,
        departments.values(),
        _card_holders(gathered, today=today),
        applicants=applicants_of(sent.item for _department, sent, _ in gathered),
        now=now,
    )
    _add_to_credentials(directory, sharing)
    progress.advance()

    # 8. The transparency log.
    with node.database.reading() as conn:
        pending = log_store.pending_count(conn)
    progress.stage("sequencing the log", pending)
    integrate_all(node, clock=SystemClock(), progress=progress.advance)
    return DemoSummary(
        departments=len(departments),
        holders=len(people) + len(organisations),
        licenses=total,
        events=events,
        month=str(month),
        files=files,
    )


def _remove_database(directory: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        (directory / f"{DATABASE_NAME}{suffix}").unlink(missing_ok=True)


#: How long before the stock is gathered the departments' first keys start: a key
#: signs nothing dated before its start, and the library's history is dated from then.
KEYS_AHEAD = timedelta(days=1)


def _operator() -> Principal:
    return Principal(client_id="demo-builder", name="demo builder", role=Role.OPERATOR)


def _register_departments(
    node: Node,
    planned: Sequence[DemoDepartment],
    *,
    now: datetime,
    keys_from: datetime,
    progress: DemoProgress,
) -> dict[str, Department]:
    kinds = frozenset(load_department_kinds())
    registered = {}
    with node.database.transaction() as conn:
        for item in planned:
            department, _key = register_department(
                conn,
                node,
                principal=_operator(),
                credit_code=item.credit_code,
                name=item.name,
                name_en=item.name_en,
                region_code=item.region_code,
                kind=item.kind,
                known_kinds=kinds,
                now=now,
                keys_from=keys_from,
            )
            registered[department.credit_code] = department
            progress.advance()
    return registered


def _write_credentials(
    node: Node, directory: Path, departments: dict[str, Department], *, now: datetime
) -> None:
    clients = []
    with node.database.transaction() as conn:
        for role in (Role.OPERATOR, Role.AUDITOR, Role.VERIFIER):
            issued = create_client(
                conn,
                principal=None,
                name=f"demo {role.value}",
                role=role,
                demo=True,
                now=now,
            )
            clients.append({"role": role.value, "token": issued.token})
        for department in departments.values():
            issued = create_client(
                conn,
                principal=None,
                name=f"demo {department.name}",
                role=Role.DEPARTMENT,
                department_code=department.credit_code,
                demo=True,
                now=now,
            )
            clients.append(
                {
                    "role": "department",
                    "department": department.credit_code,
                    "departmentName": department.name,
                    "token": issued.token,
                }
            )
    document = {
        "warning": "DEMO ONLY: these clients work in development mode only and are"
        " refused by a node in production mode.",
        "baseUrl": node.base_url,
        "usage": "curl -H 'Authorization: Bearer <token>' <baseUrl>/v1/catalog/types",
        "clients": clients,
    }
    (directory / CREDENTIALS_NAME).write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _card_holders(
    gathered: Sequence[tuple[Department, Sent, Habits]], *, today: date
) -> list[DemoHolder]:
    """A few persons whose identity card stays valid, for ready authorizations."""
    types = {t.key: t.code for t in load_seed_catalog()}
    card = types["resident-identity-card"]
    found = [
        DemoHolder(sent.item.holder_identifier, sent.item.holder_name)
        for _department, sent, _habits in gathered
        if sent.item.type_code == card
        and not sent.item.events
        and (sent.item.valid_until is None or sent.item.valid_until > today)
    ]
    return found[:2]


def _add_to_credentials(directory: Path, sharing: dict[str, object]) -> None:
    path = directory / CREDENTIALS_NAME
    document = json.loads(path.read_text(encoding="utf-8"))
    document.update(sharing)
    path.write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _issue_as_issued(
    node: Node,
    department: Department,
    items: list[PlannedLicense],
    *,
    month: Month,
    now: datetime,
) -> list[Sent]:
    """Issue through the platform as a department with a prompt system does: the
    stock the day before the month, later licenses on their day of issue."""
    on_day: dict[datetime, list[PlannedLicense]] = defaultdict(list)
    for item in items:
        if item.issue_date < month.first_day:
            on_day[stock_moment(month)].append(item)
        else:
            on_day[min(moment(item.issue_date, 10), now)].append(item)
    sent = []
    for instant in sorted(on_day):
        sent += _issue(node, department, on_day[instant], now=instant)
    return sent


def _issue(
    node: Node, department: Department, items: list[PlannedLicense], *, now: datetime
) -> list[Sent]:
    actor = "demo:issued"
    today = local_date(now)
    results = []
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        with node.database.transaction() as conn:
            cache = TypeCache(conn, department)
            prepared = [
                prepare_issue(
                    conn,
                    issuer=department,
                    request=_request(item),
                    today=today,
                    cache=cache,
                )
                for item in chunk
            ]
            issued = issue_prepared(
                conn, node, issuer=department, prepared=prepared, actor=actor, now=now
            )
        results += [
            Sent(item=item, identifier=result.license.identifier, gathered_at=now)
            for result, item in zip(issued, chunk, strict=True)
        ]
    return results


def _request(item: PlannedLicense) -> IssueRequest:
    return IssueRequest(
        type_code=item.type_code,
        holder=HolderClaim(identifier=item.holder_identifier, name=item.holder_name),
        fields=dict(item.fields),
        issue_date=item.issue_date,
        valid_from=item.valid_from,
        valid_until=item.valid_until,
        paper_number=item.paper_number,
    )


def _record_events(
    node: Node,
    gathered: list[tuple[Department, Sent, Habits]],
    *,
    now: datetime,
    rng: random.Random,
    progress: DemoProgress,
) -> int:
    count = 0
    for start in range(0, len(gathered), EVENT_CHUNK):
        with node.database.transaction() as conn:
            for department, sent, habits in gathered[start : start + EVENT_CHUNK]:
                principal = Principal(
                    client_id="demo-gathering",
                    name=department.name,
                    role=Role.DEPARTMENT,
                    department=department,
                )
                current = sent.identifier
                recorded = sent.gathered_at
                for event in sent.item.events:
                    occurred, recorded = _times(
                        event, habits, after=recorded, now=now, rng=rng
                    )
                    result = record_event(
                        conn,
                        node,
                        principal=principal,
                        identifier=current,
                        request=_event_request(event, occurred=occurred),
                        now=recorded,
                    )
                    if result.successor is not None:
                        current = result.successor.license.identifier
                    count += 1
                    progress.advance()
    return count


def _times(
    event: PlannedEvent,
    habits: Habits,
    *,
    after: datetime,
    now: datetime,
    rng: random.Random,
) -> tuple[datetime, datetime]:
    """When an event happened (midday of its day) and when its department records
    it: after its lag, after what the license saw before, and before ``now``."""
    occurred = moment(event.occurred_on, 12)
    lag = timedelta(hours=rng.uniform(*habits.event_lag_hours))
    recorded = max(occurred + lag, after + timedelta(minutes=1))
    recorded = min(recorded, now - timedelta(seconds=1))
    return min(occurred, recorded), recorded


def _event_request(event: PlannedEvent, *, occurred: datetime) -> EventRequest:
    return EventRequest(
        kind=EventKind(event.kind),
        occurred_at=occurred,
        reason=event.reason,
        valid_until=event.valid_until,
        fields=dict(event.fields) if event.fields else None,
        inspection_result="passed"
        if event.kind == EventKind.ANNUAL_INSPECTION
        else None,
    )


def _declare_volumes(
    node: Node,
    departments: dict[str, Department],
    plans: dict[str, list[PlannedLicense]],
    *,
    month: Month,
    now: datetime,
) -> None:
    """Each department declares, as of the month's last day, how many licenses of
    each type its own system holds: every one it issued by then, sent or not."""
    with node.database.transaction() as conn:
        for code, items in plans.items():
            counts: dict[str, int] = defaultdict(int)
            for item in items:
                if item.issue_date <= month.last_day:
                    counts[item.type_code] += 1
            for type_code, expected in sorted(counts.items()):
                declare_volume(
                    conn,
                    principal=_operator(),
                    declaration=VolumeDeclaration(
                        department_code=departments[code].credit_code,
                        type_code=type_code,
                        expected=expected,
                        as_of=month.last_day,
                    ),
                    now=now,
                )
