"""Auditing the log against the node's own tables.

`audit` trusts only the log key's signature (and, if given, a checkpoint obtained
elsewhere, from a witness or a monitor) and recomputes everything else:

1. the latest checkpoint verifies, and is not smaller than the trusted one;
2. from the tiles: the stored leaf hashes rebuild the checkpoint's root, each leaf
   hashes to its stored hash, and every stored tile hash above them is right;
3. from the events: each logged leaf is rebuilt from the event row as stored today
   (its license, issuer, kind, sequence, times, and the hash of its signed document;
   for an issuance, the hash of the license credential too), and each event row must
   agree with its own signed document; likewise each access record's leaf is rebuilt
   from the record's row (the hash of its record document), whose holder index must
   be the blind index of the holder it names.

Each difference becomes a `Finding` naming the event or record: `changed`,
`deleted` (the row is gone), `inserted` (an event or record that was never logged),
`reordered` (an entry's event now holds what another entry logged), `truncated` (the
log holds less than a checkpoint promised) or `damaged` (tile hashes that do not add
up).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from zhengzhao.errors import CryptoError, InvalidDocument, LogStoreDamaged, NoteInvalid
from zhengzhao.issuance.credential import document_hash
from zhengzhao.model.time import to_rfc3339
from zhengzhao.node import Node
from zhengzhao.sharing.access import holder_identifier_of, record_document, record_hash
from zhengzhao.storage import log as log_store
from zhengzhao.storage.access import stored_access_record
from zhengzhao.translog.keys import LOG_KEY
from zhengzhao.translog.leaves import (
    ACCESS_KIND,
    EventLeaf,
    access_leaf,
    event_leaf,
    leaf_kind,
    read_access_leaf,
    read_leaf,
)
from zhengzhao.translog.merkle import leaf_hash, root_from_leaf_hashes
from zhengzhao.translog.note import Checkpoint, NoteVerifier, open_note
from zhengzhao.translog.tiles import TILE_WIDTH

__all__ = ["AuditReport", "Finding", "audit"]

#: Entries read per query.
_CHUNK = 10_000


@dataclass(frozen=True)
class Finding:
    """One thing the audit found wrong."""

    #: `changed`, `deleted`, `inserted`, `reordered`, `truncated` or `damaged`.
    kind: str
    #: The log index concerned, where there is one.
    index: int | None
    #: The license and event sequence concerned, where known.
    license: str | None
    sequence: int | None
    detail: str
    #: The access record concerned, for a finding about one.
    record: str | None = None

    def __str__(self) -> str:
        where = f"entry {self.index}" if self.index is not None else "event"
        what = f" ({self.license} #{self.sequence})" if self.license else ""
        if self.record is not None:
            where = f"entry {self.index}" if self.index is not None else "record"
            what = f" (access record {self.record})"
        return f"{self.kind}: {where}{what}: {self.detail}"


@dataclass
class AuditReport:
    """What the audit checked and found."""

    size: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings


def audit(
    node: Node,
    *,
    trusted: str | None = None,
    progress: Callable[[int], None] = lambda _done: None,
) -> AuditReport:
    """Audit the log; ``trusted`` is a checkpoint note obtained outside the node."""
    # 1. The latest checkpoint, against the log key and the trusted view.
    with node.database.reading() as conn:
        stored_key = log_store.node_key(conn, LOG_KEY)
        latest = log_store.latest_checkpoint(conn)
        entries = log_store.entry_count(conn)
    if stored_key is None or latest is None:
        return AuditReport(size=0)
    verifier = NoteVerifier(stored_key.name, stored_key.public_key)
    checkpoint = Checkpoint.parse(open_note(latest.note, [verifier]).body)
    report = AuditReport(size=checkpoint.size)
    if trusted is not None:
        _against_trusted(report, trusted, verifier, checkpoint)
    if entries < checkpoint.size:
        report.findings.append(
            Finding(
                "truncated",
                entries,
                None,
                None,
                f"the checkpoint covers {checkpoint.size} entries but only {entries}"
                " are stored",
            )
        )

    # 2. The tiles rebuild the root. 3. The events rebuild the leaves.
    _audit_tiles(node, report, checkpoint)
    _audit_events(node, report, checkpoint.size, progress)
    return report


def _against_trusted(
    report: AuditReport, trusted: str, verifier: NoteVerifier, checkpoint: Checkpoint
) -> None:
    try:
        outside = Checkpoint.parse(open_note(trusted, [verifier]).body)
    except NoteInvalid as exc:
        report.findings.append(
            Finding(
                "damaged", None, None, None, f"the trusted checkpoint: {exc.message}"
            )
        )
        return
    if outside.size > checkpoint.size:
        report.findings.append(
            Finding(
                "truncated",
                checkpoint.size,
                None,
                None,
                f"a checkpoint of size {outside.size} was published, but the node's"
                f" latest is {checkpoint.size}: entries were removed",
            )
        )


def _audit_tiles(node: Node, report: AuditReport, checkpoint: Checkpoint) -> None:
    size = checkpoint.size
    with node.database.reading() as conn:
        try:
            hashes = log_store.read_hashes(conn, 0, 0, size)
        except LogStoreDamaged as exc:
            report.findings.append(Finding("damaged", None, None, None, exc.message))
            return
        for start in range(0, size, _CHUNK):
            leaves = log_store.entries(conn, start, min(size, start + _CHUNK))
            for offset, leaf in enumerate(leaves):
                if leaf_hash(leaf) != hashes[start + offset]:
                    report.findings.append(
                        Finding(
                            "damaged",
                            start + offset,
                            None,
                            None,
                            "the stored leaf no longer hashes to the tile's hash",
                        )
                    )
        level, row = 0, hashes
        while len(row) >= TILE_WIDTH:
            level += 1
            parents = [
                root_from_leaf_hashes(row[i : i + TILE_WIDTH])
                for i in range(0, len(row) - len(row) % TILE_WIDTH, TILE_WIDTH)
            ]
            stored = log_store.read_hashes(conn, level, 0, len(parents))
            for index, (mine, theirs) in enumerate(zip(parents, stored, strict=True)):
                if mine != theirs:
                    report.findings.append(
                        Finding(
                            "damaged",
                            index * TILE_WIDTH**level,
                            None,
                            None,
                            f"tile hash {index} of level {level} is wrong",
                        )
                    )
            row = parents
    if root_from_leaf_hashes(hashes) != checkpoint.root_hash:
        report.findings.append(
            Finding(
                "damaged",
                None,
                None,
                None,
                f"the stored leaf hashes do not rebuild the root of size {size}",
            )
        )


def _audit_events(
    node: Node, report: AuditReport, size: int, progress: Callable[[int], None]
) -> None:
    logged: dict[bytes, int] = {}
    rebuilt: list[tuple[log_store.AuditRow, bytes | None, list[str]]] = []
    with node.database.reading() as conn:
        for start in range(0, size, _CHUNK):
            for row in log_store.audit_rows(conn, start, min(size, start + _CHUNK)):
                logged[row.leaf] = row.index
                rebuilt.append((row, *_rebuild(node, row)))
            progress(min(size, start + _CHUNK))
        unlogged = log_store.unlogged_events(conn)
        unlogged_records = log_store.unlogged_access_records(conn)
    for row, leaf, disagreements in rebuilt:
        if _is_access(row):
            report.findings.extend(_compare_access(row, leaf, disagreements, logged))
        else:
            report.findings.extend(_compare(row, leaf, disagreements, logged))
    for public_id in unlogged_records:
        report.findings.append(
            Finding(
                "inserted",
                None,
                None,
                None,
                "an access record that was never logged",
                record=public_id,
            )
        )
    for _event_id, identifier, sequence, kind in unlogged:
        report.findings.append(
            Finding(
                "inserted",
                None,
                identifier,
                sequence,
                f"a `{kind}` event that was never logged",
            )
        )


def _is_access(row: log_store.AuditRow) -> bool:
    return row.access_record_id is not None or leaf_kind(row.leaf) == ACCESS_KIND


def _rebuild(node: Node, row: log_store.AuditRow) -> tuple[bytes | None, list[str]]:
    """The leaf the event row makes today, and where the row contradicts its
    signed document."""
    if _is_access(row):
        return _rebuild_access(node, row)
    event = row.event
    if event is None:
        return None, []
    credential_hash = None
    if event.kind == "issued":
        text = node.vault.open_document(
            event.license_document_cipher, license_identifier=event.license_identifier
        )
        credential_hash = document_hash(text)
    leaf = event_leaf(
        license_identifier=event.license_identifier,
        sequence=event.sequence,
        event=event.kind,
        issuer_code=event.issuer_code,
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        event_hash=document_hash(event.document),
        credential_hash=credential_hash,
    )
    return leaf, _against_document(event)


def _rebuild_access(
    node: Node, row: log_store.AuditRow
) -> tuple[bytes | None, list[str]]:
    """The leaf the access record's row makes today, and what in the row
    contradicts itself."""
    if row.access is None:
        return None, []
    stored = stored_access_record(row.access.columns)
    try:
        identifier = holder_identifier_of(node, stored)
    except CryptoError:
        return row.leaf, ["its sealed holder identifier no longer opens"]
    document = record_document(stored, holder_identifier=identifier)
    leaf = access_leaf(
        record=stored.public_id,
        recorded_at=stored.occurred_at,
        record_hash=record_hash(document),
    )
    problems = []
    if node.vault.index(stored.holder_kind, identifier) != stored.holder_index:
        problems.append("its holder index is not the index of the holder it names")
    return leaf, problems


def _compare_access(
    row: log_store.AuditRow,
    leaf: bytes | None,
    problems: list[str],
    logged: dict[bytes, int],
) -> list[Finding]:
    try:
        record: str | None = read_access_leaf(row.leaf).record
    except InvalidDocument:
        record = row.access.public_id if row.access else None
    if leaf is None:
        return [
            Finding(
                "deleted",
                row.index,
                None,
                None,
                "the logged access record is gone",
                record=record,
            )
        ]
    findings = []
    if leaf != row.leaf:
        other = logged.get(leaf)
        kind, detail = (
            ("reordered", f"the record now holds what entry {other} logged")
            if other is not None and other != row.index
            else (
                "changed",
                "differs from what was logged in "
                + ", ".join(_changed_fields(row.leaf, leaf)),
            )
        )
        findings.append(Finding(kind, row.index, None, None, detail, record=record))
    findings.extend(
        Finding(
            "changed",
            row.index,
            None,
            None,
            f"the access record contradicts itself: {problem}",
            record=record,
        )
        for problem in problems
    )
    return findings


def _against_document(event: log_store.LoggedEvent) -> list[str]:
    try:
        document = json.loads(event.document)
    except ValueError:
        return ["the signed event document is not JSON"]
    claims = {
        "license": event.license_identifier,
        "sequence": event.sequence,
        "kind": event.kind,
        "occurredAt": to_rfc3339(event.occurred_at),
    }
    found = [name for name, value in claims.items() if document.get(name) != value]
    if document.get("reason") != event.reason:
        found.append("reason")
    return found


def _compare(
    row: log_store.AuditRow,
    leaf: bytes | None,
    disagreements: list[str],
    logged: dict[bytes, int],
) -> list[Finding]:
    was = _decode(row.leaf)
    license_, sequence = (was.license, was.sequence) if was else (None, None)
    if leaf is None:
        return [
            Finding(
                "deleted",
                row.index,
                license_,
                sequence,
                f"the logged `{was.event if was else '?'}` event is gone",
            )
        ]
    findings = []
    if leaf != row.leaf:
        other = logged.get(leaf)
        if other is not None and other != row.index:
            findings.append(
                Finding(
                    "reordered",
                    row.index,
                    license_,
                    sequence,
                    f"the event now holds what entry {other} logged",
                )
            )
        else:
            fields = _changed_fields(row.leaf, leaf)
            findings.append(
                Finding(
                    "changed",
                    row.index,
                    license_,
                    sequence,
                    f"differs from what was logged in {', '.join(fields)}",
                )
            )
    if disagreements:
        findings.append(
            Finding(
                "changed",
                row.index,
                license_,
                sequence,
                "the event row contradicts its signed document in "
                + ", ".join(disagreements),
            )
        )
    return findings


def _decode(leaf: bytes) -> EventLeaf | None:
    try:
        return read_leaf(leaf)
    except InvalidDocument:
        return None


def _changed_fields(before: bytes, after: bytes) -> list[str]:
    try:
        old, new = json.loads(before), json.loads(after)
    except ValueError:
        return ["its bytes"]
    names = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    return names or ["its bytes"]
