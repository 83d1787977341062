"""Transparency log throughput and proof latency, against the same tree in memory.

Measures, on one database (a fresh SQLite file by default, PostgreSQL with
--database-url, whose tables are dropped and recreated):

- the baseline: the RFC 9162 leaf hashes of N leaves, the c2sp.org/tlog-tiles
  tile-level hashes they complete and the tree's root, computed in memory with
  `merkle` and `tiles` in the sequencer's batches of `sequencer.BATCH`;
- filling the outbox: the N leaves bulk-inserted into ``log_outbox`` through
  SQLAlchemy, --fill-batch rows per transaction, as events queue them;
- integration: `sequencer.integrate_all` until the outbox is empty (entries, tile
  hashes, one signed checkpoint per batch), checked against the baseline's root;
- proof latency at size N: inclusion proofs of random leaves (the checkpoint, the
  leaf and its proof read as `service.license_inclusion` reads them, per event) and
  consistency proofs between random sizes (`service.consistency`), each against
  the same proof generated from the baseline's hashes in memory, with the SQL
  statements each proof executes beside log2(N).

Throughputs print as leaves per second and as a ratio to the baseline; latencies as
median and 95th percentile. Every proof is verified, outside the timing.

The leaves are license-event leaves encoded by `leaves.event_leaf` (RFC 8785 JSON,
about 330 to 410 bytes) for a pool of synthetic events of 1,024 licenses, reused in
turn with ``eventHash`` replaced by the SHA-256 of the leaf's index: every leaf is
distinct and byte for byte what `event_leaf` encodes for those values, without
paying for JCS a million times. Outbox rows carry no event row (``event_id`` NULL).

Run: .venv/bin/python bench/translog.py [--count N] [--database-url URL]
The default N is 1,000,000 (about 75 s on SQLite, 3 min on PostgreSQL, on two
cores). ``--count 10000000`` runs a 10-million-leaf log: about 13 min on SQLite,
with several GB of scratch space in the temporary directory (see TMPDIR).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import itertools
import math
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy import event

from zhengzhao.catalog.seed import load_seed_catalog
from zhengzhao.config import Settings
from zhengzhao.model.credit_code import CreditCode
from zhengzhao.model.license_id import LicenseIdentifier
from zhengzhao.model.lifecycle import EventKind
from zhengzhao.model.time import SystemClock
from zhengzhao.node import Node
from zhengzhao.storage import log as log_store
from zhengzhao.storage.migrate import upgrade
from zhengzhao.storage.tables import log_outbox, metadata
from zhengzhao.translog import sequencer
from zhengzhao.translog.leaves import event_leaf, read_leaf
from zhengzhao.translog.merkle import (
    HASH_SIZE,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from zhengzhao.translog.service import consistency
from zhengzhao.translog.tiles import (
    TiledHashReader,
    WholeTiles,
    stored_hashes_after_append,
)

TYPE_KEY = "household-register"
#: Distinct events encoded with `event_leaf`: enough variety of identifiers, kinds
#: and lengths; the eventHash makes each leaf unique.
POOL_LICENSES = 1024
#: The events of each pooled license, in order; only `issued` has a credentialHash.
POOL_EVENTS = (
    EventKind.ISSUED,
    EventKind.ANNUAL_INSPECTION,
    EventKind.SUSPENDED,
    EventKind.RELEASED,
)
#: The eventHash member of a leaf and the value it is encoded with, then replaced.
_EVENT_HASH = b'"eventHash":"'
_PLACEHOLDER = b"0" * 2 * HASH_SIZE
#: A fixed seed, so that two runs prove the same leaves and sizes.
SEED = 9162


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="leaves (N)")
    parser.add_argument(
        "--proofs", type=int, default=1000, help="proofs of each kind to time"
    )
    parser.add_argument(
        "--fill-batch", type=int, default=50_000, help="outbox rows per transaction"
    )
    parser.add_argument(
        "--database-url", default=None, help="default: a fresh SQLite file"
    )
    args = parser.parse_args()
    if args.count < 2:
        parser.error("--count must be at least 2: a consistency proof needs two sizes")

    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'bench.db'}"
        node = _prepare(url)
        statements = _StatementCounter(node)
        leaves = _LeafFactory.build()
        print(
            f"database: {node.database.engine.dialect.name}, {args.count:,} leaves"
            f" of {leaves.min_size}-{leaves.max_size} bytes,"
            f" log2(N) = {math.log2(args.count):.1f}"
        )
        with _progress() as bar:
            memory, hash_rate = _baseline(leaves, args.count, bar)
            fill_rate = _fill(node, leaves, args.count, args.fill_batch, bar)
            integration = _integrate(node, args.count, memory, statements, bar)
            rng = random.Random(SEED)
            inclusion = _inclusion(node, memory, args, rng, statements, bar)
            consistent = _consistency(node, memory, args, rng, statements, bar)
        _report(hash_rate, fill_rate, integration, inclusion, consistent, args.count)
        node.close()


def _prepare(url: str) -> Node:
    settings = Settings(
        mode="development",
        database_url=url,
        master_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        base_url="http://127.0.0.1:8977",
    )
    node = Node(settings)
    if not node.database.is_sqlite:
        with node.database.transaction() as conn:
            metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(node.database)
    return node


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )


# --- leaves ----------------------------------------------------------------------


@dataclass(frozen=True)
class _LeafFactory:
    """Pooled `event_leaf` encodings, each split around its eventHash value."""

    #: (bytes before the eventHash value, bytes after it), one pair per pooled event.
    parts: list[tuple[bytes, bytes]]
    min_size: int
    max_size: int

    @classmethod
    def build(cls) -> _LeafFactory:
        type_code = next(t.code for t in load_seed_catalog() if t.key == TYPE_KEY)
        issuer = CreditCode.build(
            registration_authority="1",
            category="1",
            division_code="650102",
            organisation_body="70000001",
        ).value
        encoded = [
            _pooled_leaf(type_code, issuer, number, sequence, kind)
            for number in range(POOL_LICENSES)
            for sequence, kind in enumerate(POOL_EVENTS, start=1)
        ]
        read_leaf(encoded[0])
        parts = []
        for leaf in encoded:
            before, marker, after = leaf.partition(_EVENT_HASH + _PLACEHOLDER)
            assert marker, "the placeholder eventHash is not in the leaf"
            parts.append((before + _EVENT_HASH, after))
        sizes = [len(leaf) for leaf in encoded]
        return cls(parts=parts, min_size=min(sizes), max_size=max(sizes))

    def leaves(self, start: int, end: int) -> list[bytes]:
        """Leaves ``start .. end-1``, the same on every call."""
        pool = len(self.parts)
        out = []
        for index in range(start, end):
            before, after = self.parts[index % pool]
            unique = hashlib.sha256(index.to_bytes(8, "big")).hexdigest().encode()
            out.append(before + unique + after)
        return out


def _pooled_leaf(
    type_code: str, issuer: str, number: int, sequence: int, kind: EventKind
) -> bytes:
    """Event ``sequence`` of license ``number``, with placeholder hashes."""
    identifier = LicenseIdentifier.build(
        type_code=type_code, issuer_code=issuer, serial=f"{number:08d}"
    )
    moment = datetime(2026, 3, 1, 9, 0, tzinfo=UTC) + timedelta(
        days=number, hours=sequence
    )
    placeholder = _PLACEHOLDER.decode()
    return event_leaf(
        license_identifier=str(identifier),
        sequence=sequence,
        event=kind.value,
        issuer_code=issuer,
        occurred_at=moment,
        recorded_at=moment,
        event_hash=placeholder,
        credential_hash=placeholder if kind is EventKind.ISSUED else None,
    )


def _batches(count: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, count, size):
        yield start, min(start + size, count)


# --- baseline: the tree in memory ------------------------------------------------


class _MemoryHashes:
    """Tile-level hashes in memory, one bytearray per level (`tiles.StoredHashes`)."""

    def __init__(self) -> None:
        self._levels: list[bytearray] = []

    def read(self, level: int, start: int, end: int) -> list[bytes]:
        row = self._levels[level]
        size = HASH_SIZE
        return [bytes(row[i * size : (i + 1) * size]) for i in range(start, end)]

    def store(self, hashes: list[tuple[int, int, bytes]]) -> None:
        for level, index, value in hashes:
            if level == len(self._levels):
                self._levels.append(bytearray())
            row = self._levels[level]
            assert len(row) == index * HASH_SIZE, "tile hashes out of order"
            row += value


@dataclass(frozen=True)
class _Memory:
    """The baseline's tree: its tile-level hashes and its root."""

    hashes: _MemoryHashes
    root: bytes

    @property
    def reader(self) -> TiledHashReader:
        return TiledHashReader(self.hashes)


def _baseline(leaves: _LeafFactory, count: int, bar: Progress) -> tuple[_Memory, float]:
    """Hash the leaves as the sequencer does, without the database; leaves/s."""
    task = bar.add_task("hashing in memory", total=count)
    stored = _MemoryHashes()
    elapsed = 0.0
    for start, end in _batches(count, sequencer.BATCH):
        batch = leaves.leaves(start, end)
        started = time.perf_counter()
        hashes = [leaf_hash(leaf) for leaf in batch]
        stored.store(stored_hashes_after_append(start, hashes, stored.read))
        elapsed += time.perf_counter() - started
        bar.advance(task, end - start)
    started = time.perf_counter()
    root = root_hash(count, TiledHashReader(stored))
    elapsed += time.perf_counter() - started
    return _Memory(hashes=stored, root=root), count / elapsed


# --- the real path: outbox and sequencer -----------------------------------------


def _fill(
    node: Node, leaves: _LeafFactory, count: int, batch: int, bar: Progress
) -> float:
    """Queue the leaves in ``log_outbox``, ``batch`` per transaction; leaves/s."""
    task = bar.add_task("filling the outbox", total=count)
    now = datetime.now(UTC)
    elapsed = 0.0
    for start, end in _batches(count, batch):
        rows = [
            {"event_id": None, "leaf": leaf, "created_at": now}
            for leaf in leaves.leaves(start, end)
        ]
        started = time.perf_counter()
        with node.database.transaction() as conn:
            conn.execute(log_outbox.insert(), rows)
        elapsed += time.perf_counter() - started
        bar.advance(task, end - start)
    return count / elapsed


@dataclass(frozen=True)
class _Integration:
    rate: float
    batches: int
    statements: int
    #: Seconds per integration of the first and of the last ten batches.
    first: float
    last: float


def _integrate(
    node: Node,
    count: int,
    memory: _Memory,
    statements: _StatementCounter,
    bar: Progress,
) -> _Integration:
    """Run the sequencer until the outbox is empty; check the root it signed."""
    task = bar.add_task("integrating", total=count)
    marks = [time.perf_counter()]

    def advance(added: int) -> None:
        marks.append(time.perf_counter())
        bar.advance(task, added)

    statements.reset()
    added = sequencer.integrate_all(node, clock=SystemClock(), progress=advance)
    elapsed = marks[-1] - marks[0]
    with node.database.reading() as conn:
        latest = log_store.latest_checkpoint(conn)
    if added != count or latest is None or latest.root_hash != memory.root:
        raise RuntimeError(
            f"the sequencer integrated {added} of {count} leaves to root"
            f" {latest.root_hash.hex() if latest else None}, expected the baseline's"
            f" {memory.root.hex()}"
        )
    steps = [b - a for a, b in itertools.pairwise(marks)]
    return _Integration(
        rate=count / elapsed,
        batches=len(steps),
        statements=statements.total,
        first=statistics.median(steps[:10]),
        last=statistics.median(steps[-10:]),
    )


# --- proofs ----------------------------------------------------------------------


class _StatementCounter:
    """Counts SQL statements sent to the database, and those reading tile hashes."""

    def __init__(self, node: Node) -> None:
        self.total = 0
        self.hash_reads = 0
        event.listen(node.database.engine, "before_cursor_execute", self._count)

    def reset(self) -> None:
        self.total = self.hash_reads = 0

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self.total += 1
        if "FROM log_hashes" in statement:
            self.hash_reads += 1


@dataclass(frozen=True)
class _Latency:
    """Seconds per proof through the database and in memory, and SQL per proof."""

    database: list[float]
    memory: list[float]
    statements: list[int]
    hash_reads: list[int]


def _timed_proofs(
    count: int,
    through_database: Callable[[int], object],
    in_memory: Callable[[int], object],
    statements: _StatementCounter,
    advance: Callable[[], None],
) -> tuple[_Latency, list[Any]]:
    """Time proof ``0 .. count-1`` both ways; the database's answers, to verify."""
    latency = _Latency(database=[], memory=[], statements=[], hash_reads=[])
    answers = []
    for number in range(count):
        statements.reset()
        started = time.perf_counter()
        answers.append(through_database(number))
        latency.database.append(time.perf_counter() - started)
        latency.statements.append(statements.total)
        latency.hash_reads.append(statements.hash_reads)
        started = time.perf_counter()
        in_memory(number)
        latency.memory.append(time.perf_counter() - started)
        advance()
    return latency, answers


def _inclusion(
    node: Node,
    memory: _Memory,
    args: argparse.Namespace,
    rng: random.Random,
    statements: _StatementCounter,
    bar: Progress,
) -> _Latency:
    """Inclusion proofs of random leaves, read as `license_inclusion` reads them."""
    task = bar.add_task("inclusion proofs", total=args.proofs)
    indices = [rng.randrange(args.count) for _ in range(args.proofs)]

    def through_database(number: int) -> tuple[bytes, list[bytes]]:
        index = indices[number]
        with node.database.reading() as conn:
            latest = log_store.latest_checkpoint(conn)
            assert latest is not None
            (leaf,) = log_store.entries(conn, index, index + 1)
            reader = TiledHashReader(
                WholeTiles(sequencer.DatabaseHashes(conn), latest.size)
            )
            return leaf, inclusion_proof(index, latest.size, reader)

    def in_memory(number: int) -> list[bytes]:
        return inclusion_proof(indices[number], args.count, memory.reader)

    latency, answers = _timed_proofs(
        args.proofs, through_database, in_memory, statements, lambda: bar.advance(task)
    )
    for index, (leaf, proof) in zip(indices, answers, strict=True):
        verify_inclusion(
            leaf_hash=leaf_hash(leaf),
            index=index,
            size=args.count,
            proof=proof,
            root=memory.root,
        )
    return latency


def _consistency(
    node: Node,
    memory: _Memory,
    args: argparse.Namespace,
    rng: random.Random,
    statements: _StatementCounter,
    bar: Progress,
) -> _Latency:
    """Consistency proofs between random sizes, through `service.consistency`."""
    task = bar.add_task("consistency proofs", total=args.proofs)
    pairs = [
        sorted(rng.sample(range(1, args.count + 1), 2)) for _ in range(args.proofs)
    ]

    def through_database(number: int) -> list[bytes]:
        old, new = pairs[number]
        return consistency(node, old, new)

    def in_memory(number: int) -> list[bytes]:
        old, new = pairs[number]
        return consistency_proof(old, new, memory.reader)

    latency, answers = _timed_proofs(
        args.proofs, through_database, in_memory, statements, lambda: bar.advance(task)
    )
    for (old, new), proof in zip(pairs, answers, strict=True):
        verify_consistency(
            old_size=old,
            new_size=new,
            old_root=root_hash(old, memory.reader),
            new_root=root_hash(new, memory.reader),
            proof=proof,
        )
    return latency


# --- report ----------------------------------------------------------------------


def _report(
    hash_rate: float,
    fill_rate: float,
    integration: _Integration,
    inclusion: _Latency,
    consistent: _Latency,
    count: int,
) -> None:
    both = 1 / (1 / fill_rate + 1 / integration.rate)
    print(f"hash in memory (baseline):    {hash_rate:10.0f} leaves/s")
    for name, rate in (
        ("fill the outbox:             ", fill_rate),
        ("integrate (sequencer):       ", integration.rate),
        ("fill + integrate:            ", both),
    ):
        print(f"{name} {rate:10.0f} leaves/s  = {rate / hash_rate:.3f} x baseline")
    print(
        f"  {integration.batches} integrations of up to {sequencer.BATCH} leaves,"
        f" {integration.statements / integration.batches:.1f} SQL statements each;"
        f" median {integration.first:.3f} s each for the first 10,"
        f" {integration.last:.3f} s for the last 10"
    )
    bound = 2 * count.bit_length()
    print(
        f"proofs at size {count:,}: log2(N) = {math.log2(count):.1f},"
        f" generator bound 2 * bit_length(N) = {bound} hash reads"
    )
    _print_latency("inclusion proof:  ", inclusion)
    _print_latency("consistency proof:", consistent)


def _print_latency(name: str, latency: _Latency) -> None:
    database, memory = _percentiles(latency.database), _percentiles(latency.memory)
    print(
        f"{name} median {database[0] * 1e3:6.3f} ms, p95 {database[1] * 1e3:6.3f} ms"
        f"  = {database[0] / memory[0]:5.1f} x in memory"
        f" (median {memory[0] * 1e3:.3f} ms, p95 {memory[1] * 1e3:.3f} ms)"
    )
    print(
        f"  SQL statements per proof: mean {statistics.fmean(latency.statements):.1f},"
        f" max {max(latency.statements)}; of them log_hashes reads: mean"
        f" {statistics.fmean(latency.hash_reads):.1f}, max {max(latency.hash_reads)}"
    )


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    """(median, 95th percentile)."""
    ordered = sorted(seconds)
    return statistics.median(ordered), ordered[math.ceil(0.95 * len(ordered)) - 1]


if __name__ == "__main__":
    main()
