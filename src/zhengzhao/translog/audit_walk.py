"""The audit's one pass over the tree, in pages of `PAGE` indices.

Per index it compares the stored entry with the stored leaf hash and rebuilds the
entry's leaf from its event or record (`audit_leaves`); the stored leaf hashes feed
a `Frontier`, which gives the tree's root at every stored checkpoint's size, and a
`_TileCheck`, which recomputes every full tile's hash one level up. Entries are keyed
by their stored index, so a missing one is noticed where it is missing.

What needs the whole log to name (which index a misplaced leaf came from, which
event a lost entry logged) is collected as the pass goes and settled afterwards, so
memory grows with what is found, not with the log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection

from zhengzhao.errors import NoteInvalid
from zhengzhao.node import Node
from zhengzhao.storage import log as log_store
from zhengzhao.translog.audit_leaves import (
    Named,
    changed_fields,
    name_of,
    rebuild_row,
)
from zhengzhao.translog.audit_report import AuditReport, Finding
from zhengzhao.translog.merkle import (
    EMPTY_ROOT,
    Frontier,
    leaf_hash,
    root_from_leaf_hashes,
)
from zhengzhao.translog.note import (
    Checkpoint,
    CosignatureVerifier,
    NoteVerifier,
    open_note,
    verify_cosignature,
)
from zhengzhao.translog.tiles import TILE_WIDTH

__all__ = ["PAGE", "Candidate", "TreeWalk", "note_body"]

#: Indices read per query: 16 full tiles.
PAGE = 16 * TILE_WIDTH


def note_body(note: str) -> str:
    """The text of a signed note, without its signatures."""
    return note.partition("\n\n")[0] + "\n"


@dataclass(frozen=True)
class Candidate:
    """An event or record that is in no entry: perhaps the one a lost entry held."""

    #: The hash of the leaf it rebuilds today.
    hash: bytes
    named: Named


@dataclass
class _Open:
    """What the pass found and could not yet name."""

    #: Indices with no entry, each with its stored leaf hash if that is left.
    lost: list[tuple[int, bytes | None]] = field(default_factory=list)
    #: (index, leaf, its hash) of entries whose leaf is not the stored hash.
    misplaced: list[tuple[int, bytes, bytes]] = field(default_factory=list)
    #: (index, logged leaf, rebuilt leaf) of entries whose row makes another leaf.
    differing: list[tuple[int, bytes, bytes]] = field(default_factory=list)
    #: First and last index of each run of missing leaf hashes.
    missing_hashes: list[list[int]] = field(default_factory=list)


class TreeWalk:
    """The pass over indices ``0..extent-1``, of which the node's latest checkpoint
    covers ``0..covered-1``; `run`, then `settle`."""

    def __init__(
        self,
        node: Node,
        report: AuditReport,
        *,
        extent: int,
        covered: int,
        verifier: NoteVerifier | None,
        witnesses: Mapping[str, CosignatureVerifier],
        sizes: set[int],
    ) -> None:
        self._node = node
        self._report = report
        self._extent = extent
        self._covered = covered
        self._verifier = verifier
        self._witnesses = witnesses
        self._sizes = sizes
        self._frontier = Frontier()
        self._tiles = _TileCheck(node, report)
        self._open = _Open()
        #: The first index whose leaf hash and entry are both gone: no root after it.
        self.broken_at: int | None = None
        #: The rebuilt root at each size of ``sizes`` the pass could reach.
        self.roots: dict[int, bytes] = {}
        #: Entries present.
        self.present = 0
        #: The highest index with an entry.
        self.last_entry: int | None = None
        #: (license, sequence) of every event already reported `deleted`.
        self.deleted_events: set[tuple[str, int]] = set()

    def run(self, progress: Callable[[int], None]) -> None:
        """Read the tree page by page; ``progress`` gets the indices done."""
        if 0 in self._sizes:
            self.roots[0] = EMPTY_ROOT
        with self._node.database.reading() as conn:
            for stored, lines in self._checkpoints(conn, 0, 0):
                self._checkpoint(stored, lines, EMPTY_ROOT)
        for start in range(0, self._extent, PAGE):
            end = min(self._extent, start + PAGE)
            with self._node.database.reading() as conn:
                hashes = log_store.hashes_between(conn, 0, start, end)
                rows = {
                    row.index: row for row in log_store.audit_rows(conn, start, end)
                }
                signed = {
                    stored.size: (stored, lines)
                    for stored, lines in self._checkpoints(conn, start + 1, end)
                }
                for index in range(start, end):
                    tree = self._index(index, hashes.get(index), rows.get(index))
                    if index + 1 in signed:
                        root = tree.root() if tree is not None else None
                        self._checkpoint(*signed[index + 1], root)
            progress(end)

    def settle(
        self,
        conn: Connection,
        candidates: list[Candidate],
        claimed: list[tuple[int, bytes]],
    ) -> list[Candidate]:
        """Name what the pass left open. ``candidates`` are the events and records
        in no entry, in the order they were made; ``claimed`` the (size, root) of
        the checkpoints that say how far the log reached. Returns the candidates no
        lost entry claimed: events and records never logged."""
        self._report_missing_hashes()
        self._report_moved(conn)
        return self._report_lost(candidates, claimed)

    # --- the pass -----------------------------------------------------------------

    def _index(
        self, index: int, stored: bytes | None, row: log_store.AuditRow | None
    ) -> Frontier | None:
        """Check one index; the rebuilt tree up to it, if the pass reaches it."""
        if row is None:
            self._open.lost.append((index, stored))
        else:
            self._entry(row, stored)
        if stored is None and index < self._covered:
            self._missing_hash(index)
        value = stored if stored is not None else (leaf_hash(row.leaf) if row else None)
        if value is None and self.broken_at is None:
            self.broken_at = index
        if value is None or self.broken_at is not None:
            return None
        self._frontier.push(value)
        self._tiles.add(0, value)
        if index + 1 in self._sizes:
            self.roots[index + 1] = self._frontier.root()
        return self._frontier

    def _entry(self, row: log_store.AuditRow, stored: bytes | None) -> None:
        self.present += 1
        self.last_entry = row.index
        hashed = leaf_hash(row.leaf)
        if stored is not None and hashed != stored:
            self._open.misplaced.append((row.index, row.leaf, hashed))
        rebuilt = rebuild_row(self._node, row)
        named = name_of(row.leaf)
        if rebuilt.leaf is None:
            self._report_gone(row.index, named)
        elif rebuilt.leaf != row.leaf:
            self._open.differing.append((row.index, row.leaf, rebuilt.leaf))
        for problem in rebuilt.problems:
            self._report.add(Finding.about("changed", row.index, named, problem))

    def _report_gone(self, index: int, named: Named) -> None:
        if named.record is not None:
            detail = "the logged access record is gone"
        else:
            detail = f"the logged `{named.event or '?'}` event is gone"
        if named.license is not None and named.sequence is not None:
            self.deleted_events.add((named.license, named.sequence))
        self._report.add(Finding.about("deleted", index, named, detail))

    def _missing_hash(self, index: int) -> None:
        runs = self._open.missing_hashes
        if runs and runs[-1][1] == index - 1:
            runs[-1][1] = index
        else:
            runs.append([index, index])

    def _checkpoints(
        self, conn: Connection, low: int, high: int
    ) -> list[tuple[log_store.StoredCheckpoint, list[log_store.StoredCosignature]]]:
        """The stored checkpoints of sizes ``low..high``, each with its
        cosignatures."""
        cosignatures: dict[int, list[log_store.StoredCosignature]] = {}
        for line in log_store.cosignatures_between(conn, low, high):
            cosignatures.setdefault(line.size, []).append(line)
        return [
            (stored, cosignatures.get(stored.size, []))
            for stored in log_store.checkpoints_between(conn, low, high)
        ]

    def _checkpoint(
        self,
        stored: log_store.StoredCheckpoint,
        cosignatures: list[log_store.StoredCosignature],
        rebuilt: bytes | None,
    ) -> None:
        """A stored checkpoint: its signature, its root against ``rebuilt`` (the
        root of the stored leaf hashes, None when they are gone), its
        cosignatures."""
        body = note_body(stored.note)
        if self._verifier is not None:
            try:
                open_note(stored.note, [self._verifier])
            except NoteInvalid as exc:
                self._report.add(
                    Finding(
                        "bad-signature",
                        None,
                        None,
                        None,
                        f"the stored checkpoint of size {stored.size}: {exc.message}",
                    )
                )
        try:
            signed_root = Checkpoint.parse(body).root_hash
        except NoteInvalid:
            signed_root = stored.root_hash
        if rebuilt is not None and rebuilt != signed_root:
            self._report.add(
                Finding(
                    "damaged",
                    None,
                    None,
                    None,
                    f"the stored leaf hashes do not rebuild the root of the checkpoint"
                    f" of size {stored.size}",
                )
            )
        for line in cosignatures:
            self._cosignature(line, body)

    def _cosignature(self, line: log_store.StoredCosignature, body: str) -> None:
        verifier = self._witnesses.get(line.witness)
        if verifier is None:
            return  # a witness no longer configured: nothing to check it with
        try:
            verify_cosignature(line.signature, body, verifier)
        except NoteInvalid as exc:
            self._report.add(
                Finding(
                    "bad-cosignature",
                    None,
                    None,
                    None,
                    f"the cosignature of {line.witness} on the checkpoint of size"
                    f" {line.size}: {exc.message}",
                )
            )

    # --- settling -----------------------------------------------------------------

    def _report_missing_hashes(self) -> None:
        for first, last in self._open.missing_hashes:
            self._report.add(
                Finding(
                    "damaged",
                    first,
                    None,
                    None,
                    f"the stored leaf hashes {first}..{last} are missing",
                )
            )

    def _report_moved(self, conn: Connection) -> None:
        """A leaf (or a rebuilt leaf) stored as another index's hash was moved."""
        moved = self._open
        wanted = [hashed for _i, _leaf, hashed in moved.misplaced]
        wanted += [leaf_hash(rebuilt) for _i, _logged, rebuilt in moved.differing]
        where = log_store.leaf_hash_indices(conn, wanted) if wanted else {}
        for index, leaf, hashed in moved.misplaced:
            other = where.get(hashed)
            if other is not None and other != index:
                kind, detail = (
                    "reordered",
                    f"entry {index} holds the leaf logged at {other}",
                )
            else:
                kind, detail = (
                    "damaged",
                    "the stored leaf no longer hashes to the tile's hash",
                )
            self._report.add(Finding.about(kind, index, name_of(leaf), detail))
        for index, logged, rebuilt in moved.differing:
            named = name_of(logged)
            other = where.get(leaf_hash(rebuilt))
            what = "record" if named.record is not None else "event"
            if other is not None and other != index:
                kind, detail = (
                    "reordered",
                    f"the {what} now holds what entry {other} logged",
                )
            else:
                fields = ", ".join(changed_fields(logged, rebuilt))
                kind, detail = "changed", f"differs from what was logged in {fields}"
            self._report.add(Finding.about(kind, index, named, detail))

    def _report_lost(
        self, candidates: list[Candidate], claimed: list[tuple[int, bytes]]
    ) -> list[Candidate]:
        """Name each index with no entry by the event or record whose rebuilt leaf
        has its stored hash, or whose leaves complete a signed root where the
        stored hashes end; returns the candidates left."""
        by_hash: dict[bytes, Candidate] = {}
        for candidate in candidates:
            by_hash.setdefault(candidate.hash, candidate)
        named: dict[int, tuple[Candidate, str]] = {}
        for index, stored in self._open.lost:
            if stored is not None and stored in by_hash:
                named[index] = (by_hash.pop(stored), "")
        left = [c for c in candidates if by_hash.get(c.hash) is c]
        for index, candidate, size in self._name_tail(left, claimed):
            named[index] = (
                candidate,
                f", and completes the signed root of size {size}",
            )
            left.remove(candidate)
        unnamed = []
        for index, _stored in self._open.lost:
            if index not in named:
                unnamed.append(index)
                continue
            candidate, how = named[index]
            what = "record" if candidate.named.record is not None else "event"
            self._report.add(
                Finding.about(
                    self._lost_kind(index),
                    index,
                    candidate.named,
                    f"the entry is gone; the {what} it logged is still stored{how}",
                )
            )
        self._report_unnamed(unnamed)
        return left

    def _name_tail(
        self, left: list[Candidate], claimed: list[tuple[int, bytes]]
    ) -> list[tuple[int, Candidate, int]]:
        """(index, candidate, size) for the entries lost from where the pass broke
        off to the end, if the next candidates, appended there in the order they
        were made, rebuild the root of a checkpoint that reached that far."""
        start = self._tail_start()
        if start is None:
            return []
        for size, root in sorted(claimed, reverse=True):
            chosen = left[: size - start]
            if size <= start or len(chosen) != size - start:
                continue
            extended = self._frontier.copy()
            for candidate in chosen:
                extended.push(candidate.hash)
            if extended.root() == root:
                return [
                    (index, candidate, size)
                    for index, candidate in enumerate(chosen, start=start)
                ]
        return []

    def _tail_start(self) -> int | None:
        """Where the entries and their leaf hashes end for good: every index from
        it to the end lost without a hash. None if they do not end so."""
        start = self.broken_at
        if start is None:
            return None
        tail = [(index, h) for index, h in self._open.lost if index >= start]
        if [index for index, _h in tail] != list(range(start, self._extent)):
            return None
        return None if any(h is not None for _index, h in tail) else start

    def _lost_kind(self, index: int) -> str:
        """`deleted` for a hole before a stored entry, `truncated` at the end."""
        if self.last_entry is not None and index < self.last_entry:
            return "deleted"
        return "truncated"

    def _report_unnamed(self, indices: list[int]) -> None:
        runs: list[list[int]] = []
        for index in indices:
            kind = self._lost_kind(index)
            if (
                runs
                and runs[-1][1] == index - 1
                and self._lost_kind(runs[-1][0]) == kind
            ):
                runs[-1][1] = index
            else:
                runs.append([index, index])
        for first, last in runs:
            span = (
                f"entry {first} is" if first == last else f"entries {first}..{last} are"
            )
            self._report.add(
                Finding(
                    self._lost_kind(first),
                    first,
                    None,
                    None,
                    f"{span} gone, and no event or record stored today rebuilds"
                    " what was logged there",
                )
            )


class _TileCheck:
    """Recomputes each full tile's hash one level up, as the stored hashes stream
    by, and compares it with the stored one: one row of at most 256 hashes per
    level in memory, stored hashes read `PAGE` at a time."""

    def __init__(self, node: Node, report: AuditReport) -> None:
        self._node = node
        self._report = report
        self._rows: list[list[bytes]] = []
        self._done: list[int] = []
        self._pages: dict[int, tuple[int | None, dict[int, bytes]]] = {}

    def add(self, level: int, value: bytes) -> None:
        while len(self._rows) <= level:
            self._rows.append([])
            self._done.append(0)
        row = self._rows[level]
        row.append(value)
        if len(row) < TILE_WIDTH:
            return
        parent = root_from_leaf_hashes(row)
        row.clear()
        index = self._done[level]
        self._done[level] += 1
        stored = self._stored(level + 1, index)
        if stored != parent:
            state = "missing" if stored is None else "wrong"
            self._report.add(
                Finding(
                    "damaged",
                    index * TILE_WIDTH ** (level + 1),
                    None,
                    None,
                    f"tile hash {index} of level {level + 1} is {state}",
                )
            )
        self.add(level + 1, parent)

    def _stored(self, level: int, index: int) -> bytes | None:
        start, hashes = self._pages.get(level, (None, {}))
        if start is None or not start <= index < start + PAGE:
            start = index
            with self._node.database.reading() as conn:
                hashes = log_store.hashes_between(conn, level, start, start + PAGE)
            self._pages[level] = (start, hashes)
        return hashes.get(index)
