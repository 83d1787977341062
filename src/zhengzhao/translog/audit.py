"""Auditing the log against the node's own tables.

`audit` recomputes everything it can, and trusts only:

- the log key: the one pinned with ``vkey`` (the key the trust list published), or
  else the stored public key, and that only if the node's own wrapped private key,
  opened with the master key, makes it (`keys.unwrap_log_key`);
- a checkpoint obtained outside the node, if given (from a witness or a monitor);
- the configured witnesses' keys, for the cosignatures stored with checkpoints.

Its steps:

1. the keys, the latest checkpoint and the trusted one verify;
2. one pass over the tree, in pages (`audit_walk`): each entry's leaf is the stored
   leaf hash of its index and is rebuilt by its event or record as stored today
   (`audit_leaves`); the stored leaf hashes rebuild the root of every stored
   checkpoint, whose signatures and cosignatures verify; every full tile's hash
   one level up is right;
3. what the pass left open: a leaf found at another index is `reordered`; an index
   with no entry is `deleted` (`truncated` at the end), named by the event or
   record whose rebuilt leaf has the stored hash, or whose leaves complete a signed
   root where the stored hashes end;
4. the trusted checkpoint: of the same size it must be the node's tree; smaller, a
   consistency proof from the stored hashes must lead from its root to the rebuilt
   root; else the log `forked`;
5. events and records never logged are `inserted`; a license whose events skip a
   number lost the missing ones (`deleted`);
6. every license's stored status and encumbrance is the state its events lead to
   through the lifecycle state machine (`audit_states`), else `state-changed`.

Memory grows with what is found, not with the log: entries, hashes and checkpoints
are read `audit_walk.PAGE` indices at a time.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from zhengzhao.errors import (
    KeyDecryptionFailed,
    LogKeyMismatch,
    LogProofInvalid,
    LogStoreDamaged,
    NoteInvalid,
)
from zhengzhao.node import Node
from zhengzhao.storage import log as log_store
from zhengzhao.translog.audit_leaves import (
    UNOPENED_CREDENTIAL,
    Named,
    rebuild,
    rebuild_access,
)
from zhengzhao.translog.audit_report import FINDING_KINDS, AuditReport, Finding
from zhengzhao.translog.audit_states import check_states
from zhengzhao.translog.audit_walk import Candidate, TreeWalk, note_body
from zhengzhao.translog.keys import LOG_KEY, unwrap_log_key
from zhengzhao.translog.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    leaf_hash,
    verify_consistency,
)
from zhengzhao.translog.note import (
    Checkpoint,
    CosignatureVerifier,
    NoteVerifier,
    open_note,
)
from zhengzhao.translog.sequencer import DatabaseHashes
from zhengzhao.translog.tiles import TiledHashReader, WholeTiles

__all__ = ["FINDING_KINDS", "AuditReport", "Finding", "audit"]


def audit(
    node: Node,
    *,
    trusted: str | None = None,
    vkey: str | None = None,
    progress: Callable[[int], None] = lambda _done: None,
) -> AuditReport:
    """Audit the log. ``trusted`` is a checkpoint note obtained outside the node;
    ``vkey`` the log's verifier key (C2SP form) as published, then the only key
    trusted. Raises `NoteInvalid` for a malformed ``vkey``."""
    pinned = NoteVerifier.from_vkey(vkey) if vkey is not None else None
    with node.database.reading() as conn:
        stored_key = log_store.node_key(conn, LOG_KEY)
        latest = log_store.latest_checkpoint(conn)
        last = log_store.last_entry_index(conn)
    if latest is None and trusted is None and last is None:
        report = AuditReport(size=0)
        check_states(node, report)
        return report

    # 1. The keys, the latest checkpoint and the trusted one.
    report = AuditReport(size=latest.size if latest else 0)
    verifier = _log_verifier(node, report, stored_key, pinned)
    witnesses = {
        v.name: v
        for v in (
            CosignatureVerifier.from_vkey(w.vkey) for w in node.settings.witnesses
        )
    }
    head = _head(node, report, latest, entries=last is not None)
    outside = (
        _outside(report, trusted, verifier, list(witnesses.values()))
        if trusted is not None
        else None
    )

    # 2. One pass over the tree.
    extent = max(head.size, outside.size if outside else 0)
    walk = TreeWalk(
        node,
        report,
        extent=extent,
        covered=head.size,
        verifier=verifier,
        witnesses=witnesses,
        sizes={head.size, *([outside.size] if outside else [])},
    )
    walk.run(progress)

    # 3. What the pass left open, named by what is stored today.
    claimed = [(head.size, head.root_hash)]
    if outside is not None:
        claimed.append((outside.size, outside.root_hash))
    with node.database.reading() as conn:
        candidates = _candidates(node, conn, report)
        left = walk.settle(conn, candidates, claimed)
    if walk.present < head.size and (walk.last_entry or -1) + 1 < head.size:
        report.add(
            Finding(
                "truncated",
                (walk.last_entry or -1) + 1,
                None,
                None,
                f"the checkpoint covers {head.size} entries but only {walk.present}"
                " are stored",
            )
        )

    # 4. The trusted checkpoint against the rebuilt tree.
    if outside is not None:
        _against_trusted(node, report, walk, head, outside)

    # 5. Events and records never logged; events missing from their license.
    for candidate in left:
        report.add(_inserted(candidate.named))
    _sequence_gaps(node, report, walk.deleted_events)

    # 6. Each license's state against its events.
    check_states(node, report)
    return report


def _log_verifier(
    node: Node,
    report: AuditReport,
    stored: log_store.StoredNodeKey | None,
    pinned: NoteVerifier | None,
) -> NoteVerifier | None:
    """The key checkpoints must verify with; None when none can be trusted."""
    own: NoteVerifier | None = None
    if stored is None:
        report.add(_key_finding("the log has entries or checkpoints but no stored key"))
    else:
        try:
            unwrap_log_key(stored, kek=node.settings.master_keys.key_encryption)
            own = NoteVerifier(stored.name, stored.public_key)
        except (LogKeyMismatch, KeyDecryptionFailed) as exc:
            report.add(_key_finding(exc.message))
    if pinned is None:
        return own
    if stored is not None:
        held = NoteVerifier(stored.name, stored.public_key).verifier_key
        if held != pinned.verifier_key:
            report.add(
                _key_finding(
                    f"the node's stored log key is {held}, not the pinned"
                    f" {pinned.verifier_key}"
                )
            )
    return pinned


def _key_finding(detail: str) -> Finding:
    return Finding("untrusted-key", None, None, None, detail)


def _head(
    node: Node,
    report: AuditReport,
    latest: log_store.StoredCheckpoint | None,
    *,
    entries: bool,
) -> Checkpoint:
    """The latest stored checkpoint (its signature is checked with the others)."""
    if latest is None:
        if entries:
            report.add(
                Finding(
                    "damaged", None, None, None, "the log has entries but no checkpoint"
                )
            )
        return Checkpoint(origin=node.settings.origin, size=0, root_hash=EMPTY_ROOT)
    try:
        return Checkpoint.parse(note_body(latest.note))
    except NoteInvalid as exc:
        report.add(
            Finding(
                "damaged",
                None,
                None,
                None,
                f"the latest checkpoint is not a checkpoint: {exc.message}",
            )
        )
        return Checkpoint(
            origin=node.settings.origin, size=latest.size, root_hash=latest.root_hash
        )


def _outside(
    report: AuditReport,
    trusted: str,
    verifier: NoteVerifier | None,
    witnesses: list[CosignatureVerifier],
) -> Checkpoint | None:
    """The trusted checkpoint, if it verifies with the log key (and any
    cosignature of a configured witness with that witness's key)."""
    try:
        if verifier is None:
            return Checkpoint.parse(note_body(trusted))  # nothing to check it with
        return Checkpoint.parse(open_note(trusted, [verifier, *witnesses]).body)
    except NoteInvalid as exc:
        report.add(
            Finding(
                "bad-signature",
                None,
                None,
                None,
                f"the trusted checkpoint: {exc.message}",
            )
        )
        return None


def _candidates(node: Node, conn: Connection, report: AuditReport) -> list[Candidate]:
    """Events and records in no entry, in the order they were made, with the
    hash of the leaf each rebuilds today. An issuance among them whose credential
    no longer opens is reported `changed` as well."""
    dated = []
    for _event_id, event in log_store.unlogged_event_rows(conn):
        rebuilt = rebuild(node, event)
        assert rebuilt.leaf is not None
        named = Named(
            license=event.license_identifier, sequence=event.sequence, event=event.kind
        )
        if rebuilt.unopened:
            report.add(Finding.about("changed", None, named, UNOPENED_CREDENTIAL))
        dated.append((event.recorded_at, Candidate(leaf_hash(rebuilt.leaf), named)))
    for access in log_store.unlogged_access_rows(conn):
        made = rebuild_access(node, access)
        if made.leaf is None:
            continue  # its holder no longer opens: it cannot be matched
        moment = access.columns["occurred_at"]
        named = Named(record=access.public_id)
        dated.append((moment, Candidate(leaf_hash(made.leaf), named)))
    dated.sort(key=lambda item: item[0])
    return [candidate for _moment, candidate in dated]


def _inserted(named: Named) -> Finding:
    if named.record is not None:
        return Finding.about(
            "inserted", None, named, "an access record that was never logged"
        )
    return Finding.about(
        "inserted", None, named, f"a `{named.event}` event that was never logged"
    )


def _against_trusted(
    node: Node,
    report: AuditReport,
    walk: TreeWalk,
    head: Checkpoint,
    outside: Checkpoint,
) -> None:
    """The trusted checkpoint must be the node's tree, or be extended by it."""
    old, new = outside.size, head.size
    if old > new:
        report.add(
            Finding(
                "truncated",
                new,
                None,
                None,
                f"a checkpoint of size {old} was published, but the node's latest is"
                f" {new}: entries were removed",
            )
        )
        rebuilt = walk.roots.get(old)
        if rebuilt is not None and rebuilt != outside.root_hash:
            report.add(
                _forked(f"the stored entries up to size {old} rebuild another root")
            )
        return
    if old == new:
        if outside.root_hash != head.root_hash:
            report.add(
                _forked(
                    f"the trusted checkpoint and the node's latest are two different"
                    f" trees of size {old}"
                )
            )
        return
    new_root = walk.roots.get(new, head.root_hash)
    try:
        with node.database.reading() as conn:
            reader = TiledHashReader(WholeTiles(DatabaseHashes(conn), new))
            proof = consistency_proof(old, new, reader)
        verify_consistency(
            old_size=old,
            new_size=new,
            old_root=outside.root_hash,
            new_root=new_root,
            proof=proof,
        )
    except LogStoreDamaged:
        rebuilt = walk.roots.get(old)
        if rebuilt is not None and rebuilt != outside.root_hash:
            report.add(
                _forked(f"the stored leaf hashes rebuild another tree of size {old}")
            )
    except LogProofInvalid as exc:
        report.add(
            _forked(
                f"the tree of size {new} rebuilt from the stored hashes does not extend"
                f" the trusted checkpoint of size {old}: {exc.message}"
            )
        )


def _forked(detail: str) -> Finding:
    return Finding("forked", None, None, None, detail)


def _sequence_gaps(
    node: Node, report: AuditReport, reported: set[tuple[str, int]]
) -> None:
    with node.database.reading() as conn:
        gaps = log_store.event_sequence_gaps(conn)
    for identifier, missing in gaps:
        for sequence in missing:
            if (identifier, sequence) in reported:
                continue
            report.add(
                Finding(
                    "deleted",
                    None,
                    identifier,
                    sequence,
                    f"the license has no event #{sequence}: its row was deleted",
                )
            )
