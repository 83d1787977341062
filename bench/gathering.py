"""Gathering throughput and memory against the bare bulk-insert rate of the database.

Writes a CSV file of --rows resident identity cards (synthetic holders from
`zhengzhao.demo.people`, with correct check characters and terms of validity by age
as the Resident Identity Card Law sets them), then measures on one database (SQLite
by default, PostgreSQL with --database-url):

- the bare bulk insert: the CSV's rows, ten text columns as wide as the file's,
  inserted into a scratch table with executemany in transactions of --chunk rows;
- gathering: `submit_batch` and `run_submitted` of the same file in a process of its
  own, chunks of --chunk rows, each one transaction; its peak resident memory is
  read as the batch passes checkpoints (100,000 rows, and the end), to show that it
  stays flat;
- for scale: two ECDSA P-256 signatures per row, the signing a gathered row needs
  (its credential and its `issued` event).

Prints rows per second, and gathering as a ratio to the bare insert measured in the
same run. --profile profiles a gathering of its own (at most 20,000 rows) and says
where the time goes.
Run: .venv/bin/python bench/gathering.py [--rows N] [--database-url URL] [--profile]
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import csv
import multiprocessing
import os
import pstats
import random
import resource
import secrets
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.engine import make_url

from zhengzhao.catalog.seed import load_department_kinds, load_seed_catalog
from zhengzhao.catalog.service import install_seed_catalog
from zhengzhao.config import Settings
from zhengzhao.demo.dates import add_years
from zhengzhao.demo.people import UniqueValues, make_people
from zhengzhao.directory.departments import register_department
from zhengzhao.directory.regions import load_regions
from zhengzhao.gathering.batches import ChunkDone
from zhengzhao.gathering.reader import SourceFormat
from zhengzhao.gathering.service import run_submitted, submit_batch
from zhengzhao.model.credit_code import CreditCode
from zhengzhao.model.parties import Principal, Role
from zhengzhao.model.time import SystemClock
from zhengzhao.node import Node
from zhengzhao.seals.algorithms import Algorithm, SigningKey
from zhengzhao.storage.engine import Database
from zhengzhao.storage.migrate import upgrade
from zhengzhao.storage.tables import metadata

TYPE_KEY = "resident-identity-card"
COLUMNS = (
    "ZZBH",
    "CZZT",
    "CZZTDM",
    "ZZBFRQ",
    "ZZYXQQSRQ",
    "ZZYXQJZRQ",
    "sex",
    "ethnicity",
    "birthDate",
    "address",
)
#: The day the synthetic cards are gathered; they were issued in the ten years before.
TODAY = date(2026, 11, 2)
#: People made at a time while the file is written.
_PEOPLE_BATCH = 10_000
#: The most rows the profile gathers: enough for a steady state, quick to run.
_PROFILE_ROWS = 20_000
OPERATOR = Principal(client_id="bench", name="bench", role=Role.OPERATOR)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows gathered")
    parser.add_argument("--chunk", type=int, default=500, help="rows per transaction")
    parser.add_argument(
        "--database-url", default=None, help="default: a fresh SQLite file"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also say where gathering's time goes"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
        settings = _settings(url)
        department = _prepare(settings)
        path = folder / "cards.csv"
        started = time.perf_counter()
        _write_cards(path, args.rows)
        print(
            f"database: {make_url(url).get_backend_name()}; {args.rows:,} rows"
            f" ({path.stat().st_size / 2**20:,.0f} MiB of CSV, written in"
            f" {time.perf_counter() - started:.0f} s); {args.chunk} rows per"
            " transaction"
        )

        sign_rate = _signing(min(args.rows, 20_000))
        insert_rate = _bare_insert(url, path, args.chunk)
        print(f"bare bulk insert:          {insert_rate:10,.0f} rows/s")
        print(
            f"two ECDSA P-256 signatures: {sign_rate / 2:9,.0f} rows/s"
            f"  = {sign_rate / 2 / insert_rate:.3f} x bare insert"
        )

        run = _in_child(_gather, settings, department, path, args.chunk, False)
        rate = run.rows / run.seconds
        print(
            f"gathering:                 {rate:10,.0f} rows/s"
            f"  = {rate / insert_rate:.3f} x bare insert"
            f"  ({run.rows:,} accepted in {run.seconds:,.0f} s;"
            f" {run.rows / run.cpu_seconds:,.0f} rows per CPU second of the"
            " gathering process)"
        )
        print("peak RSS of the gathering process:")
        for rows, kib in run.peaks:
            print(f"  after {rows:>9,} rows: {kib / 1024:7.1f} MiB")
        if args.profile:
            _profile_report(settings, department, folder, min(args.rows, _PROFILE_ROWS))


@dataclass
class Run:
    """What a gathering child process reports."""

    rows: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    #: (rows done, peak RSS in KiB) at each checkpoint.
    peaks: list[tuple[int, int]] = field(default_factory=list)
    profile: list[tuple[str, float]] = field(default_factory=list)
    profiled_seconds: float = 0.0


def _settings(url: str) -> Settings:
    return Settings(
        mode="development",
        database_url=url,
        master_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),  # type: ignore[arg-type]
        base_url="http://127.0.0.1:8977",
    )


def _prepare(settings: Settings) -> str:
    """A fresh library with one county public security bureau; its credit code."""
    node = Node(settings)
    if not node.database.is_sqlite:
        with node.database.engine.begin() as conn:
            metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            conn.exec_driver_sql("DROP TABLE IF EXISTS bench_bulk_insert")
    upgrade(node.database)
    code = CreditCode.build(
        registration_authority="1",
        category="1",
        division_code="650102",
        organisation_body="70000001",
    ).value
    now = datetime.now(UTC)
    with node.database.transaction() as conn:
        load_regions(conn)
        install_seed_catalog(conn, region_code="650000", now=now)
        register_department(
            conn,
            node,
            principal=OPERATOR,
            credit_code=code,
            name="乌鲁木齐市公安局天山区分局",
            region_code="650102",
            kind="public-security",
            known_kinds=frozenset(load_department_kinds()),
            now=now,
        )
    node.close()
    return code


def _write_cards(path: Path, rows: int, *, prefix: str = "650102") -> None:
    """``rows`` valid resident identity cards, each with its own holder; paper
    numbers are ``prefix`` and a sequence."""
    rng = random.Random(36903)
    unique = UniqueValues()
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        written = 0
        while written < rows:
            count = min(_PEOPLE_BATCH, rows - written)
            for person in make_people(rng, count, today=TODAY, unique=unique):
                issued = _issue_date(rng, person.birth_date)
                writer.writerow(
                    (
                        f"{prefix}{written:010d}",
                        person.name,
                        person.identifier,
                        issued.isoformat(),
                        issued.isoformat(),
                        _last_day(person.birth_date, issued),
                        person.sex,
                        person.ethnicity,
                        person.birth_date.isoformat(),
                        person.address,
                    )
                )
                written += 1


def _issue_date(rng: random.Random, birth: date) -> date:
    earliest = max(birth, TODAY - timedelta(days=3650))
    return earliest + timedelta(days=rng.randrange((TODAY - earliest).days + 1))


def _last_day(birth: date, issued: date) -> str:
    """The card's last day: 5, 10 or 20 years by age, long-term (empty) from 46."""
    age = (
        issued.year
        - birth.year
        - ((issued.month, issued.day) < (birth.month, birth.day))
    )
    years = 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else None
    if years is None:
        return ""
    return (add_years(issued, years) - timedelta(days=1)).isoformat()


def _signing(count: int) -> float:
    key = SigningKey.generate(Algorithm.ECDSA_P256)
    messages = [os.urandom(64) for _ in range(count)]
    started = time.perf_counter()
    for message in messages:
        key.sign(message)
    return count / (time.perf_counter() - started)


def _bare_insert(url: str, path: Path, chunk: int) -> float:
    """Rows per second of the CSV's rows inserted into a scratch table."""
    scratch = MetaData()
    table = Table(
        "bench_bulk_insert",
        scratch,
        Column("id", Integer, primary_key=True, autoincrement=True),
        *(Column(name, String(200)) for name in COLUMNS),
    )
    database = Database(url)
    scratch.create_all(database.engine)
    rows = 0
    try:
        started = time.perf_counter()
        with path.open(encoding="utf-8", newline="") as source:
            reader = csv.DictReader(source)
            while batch := [row for _, row in zip(range(chunk), reader, strict=False)]:
                with database.transaction() as conn:
                    conn.execute(table.insert(), batch)
                rows += len(batch)
        return rows / (time.perf_counter() - started)
    finally:
        scratch.drop_all(database.engine)
        database.dispose()


def _in_child(*args: Any) -> Run:
    """Run ``args[0](*args[1:])`` in a fresh process, so that its memory is its own."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return Run(**pool.apply(args[0], args[1:]))


def _gather(
    settings: Settings, department: str, path: Path, chunk: int, profile: bool
) -> dict[str, Any]:
    node = Node(settings)
    clock = SystemClock()
    submission = submit_batch(
        node,
        principal=OPERATOR,
        department_code=department,
        type_code=next(t.code for t in load_seed_catalog() if t.key == TYPE_KEY),
        path=path,
        format=SourceFormat.CSV,
        mapping=None,
        filename=path.name,
        keep_copy=False,
        now=clock.now(),
    )
    run = Run()
    rows_in_file = sum(1 for _ in path.open(encoding="utf-8")) - 1
    checkpoints = sorted({n for n in (rows_in_file // 10, 100_000) if n < rows_in_file})

    def advance(done: ChunkDone) -> None:
        rows = done.counts.rows_done
        while checkpoints and rows >= checkpoints[0]:
            checkpoints.pop(0)
            run.peaks.append((rows, _peak_rss_kib()))

    profiler = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    view = run_submitted(
        node,
        submission=submission,
        principal=OPERATOR,
        path=path,
        clock=clock,
        chunk_rows=chunk,
        on_chunk=advance,
    )
    if profiler is not None:
        profiler.disable()
    run.seconds = time.perf_counter() - started
    run.cpu_seconds = time.process_time() - cpu
    counts = view.record.counts
    if counts.rejected or counts.accepted != counts.rows_done:
        raise RuntimeError(f"the benchmark's rows should all be accepted: {counts}")
    run.rows = counts.accepted
    if not run.peaks or run.peaks[-1][0] != run.rows:
        run.peaks.append((run.rows, _peak_rss_kib()))
    if profiler is not None:
        run.profile = _shares(pstats.Stats(profiler))
        run.profiled_seconds = run.seconds
    node.close()
    return asdict(run)


def _peak_rss_kib() -> int:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


#: Where a gathered row's time goes: a name, and the functions (the end of the
#: file's path, the function's name) whose cumulative time it is. The parts overlap
#: where one calls another (signing includes canonical JSON and ECDSA).
_PARTS = (
    ("reading the CSV", (("gathering/reader.py", "_csv_rows"),)),
    ("checking rows (schema, identifiers, dates)", (("gathering/rows.py", "check"),)),
    ("canonical JSON (RFC 8785) of documents", (("seals/jcs.py", "canonicalize"),)),
    (
        "signing credentials and events",
        (
            ("issuance/service.py", "sign_credential"),
            ("issuance/service.py", "sign_event"),
        ),
    ),
    (
        "ECDSA P-256 itself",
        (
            (
                "~",
                "<method 'sign' of"
                " 'cryptography.hazmat.bindings._rust.openssl.ec.ECPrivateKey'"
                " objects>",
            ),
        ),
    ),
    (
        "encrypting documents and identifiers",
        (
            ("issuance/vault.py", "seal_document"),
            ("issuance/vault.py", "seal_identifier"),
        ),
    ),
    (
        "storing licenses, events and log leaves",
        (
            ("storage/licenses.py", "insert_licenses"),
            ("storage/licenses.py", "insert_events"),
        ),
    ),
    (
        "looking up and locking paper numbers",
        (
            ("storage/gathering.py", "current_identifiers"),
            ("storage/gathering.py", "lock_paper_numbers"),
        ),
    ),
    (
        "committing",
        (
            ("~", "<method 'commit' of 'sqlite3.Connection' objects>"),
            ("psycopg/connection.py", "commit"),
        ),
    ),
)


def _shares(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Cumulative seconds of each part of `_PARTS`."""
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    found = []
    for name, functions in _PARTS:
        seconds = sum(
            cumulative
            for (filename, _line, function), (*_, cumulative, _callers) in table.items()
            if any(
                filename.endswith(suffix) and function == wanted
                for suffix, wanted in functions
            )
        )
        found.append((name, seconds))
    return found


def _profile_report(
    settings: Settings, department: str, folder: Path, rows: int
) -> None:
    path = folder / "profiled.csv"
    # Paper numbers of their own, so that the profiled run issues new licenses.
    _write_cards(path, rows, prefix="650199")
    run = _in_child(_gather, settings, department, path, 500, True)
    print(
        f"where the time goes (cProfile of {run.rows:,} more rows, {run.seconds:.1f} s"
        " under the profiler; parts overlap):"
    )
    for name, seconds in run.profile:
        print(f"  {name:<45} {100 * seconds / run.profiled_seconds:5.1f} %")


if __name__ == "__main__":
    sys.exit(main())
