"""What a row does to the library: a first license, or what it says about a license
gathered before: nothing, or the events it implies.

A row with the paper number of a license already gathered (same type and issuer) is
compared with that license's newest version:

- the holder's name or surface fields differ: a correction of those;
- the last valid day is later: an extension to it;
- the status (``ZZZT``) differs: the events that lead from the stored status to it.

What a row leaves empty is kept: an empty cell never erases a stored value. The date
of issue and first valid day are taken from the first gathering only, because an
extension starts the new version on its own day. A different holder identifier, a
shorter validity and a permanent license given a last day are refused: they are not
corrections but another license, which the department records through the API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NoReturn

from sqlalchemy import Connection

from zhengzhao.issuance.lifecycle import EventRequest, record_event
from zhengzhao.issuance.service import HolderClaim, issue_prepared
from zhengzhao.model.classification import mask
from zhengzhao.model.license import Encumbrance, LicenseStatus
from zhengzhao.model.lifecycle import EventKind, State
from zhengzhao.model.parties import Department, Principal
from zhengzhao.node import Node
from zhengzhao.storage import licenses as license_store
from zhengzhao.storage.gathering import Rejection
from zhengzhao.storage.licenses import StoredLicense

from .rows import STATUS_CODES, CheckedRow, RowRejected

__all__ = ["Applied", "EventNote", "Outcome", "apply_row", "implied_events"]

#: The reason events carry when a gathered row caused them.
REASON = "gathered from the issuing department's system"

_ENDINGS = {
    LicenseStatus.REVOKED: EventKind.REVOKED,
    LicenseStatus.CANCELLED: EventKind.CANCELLED,
    LicenseStatus.ABOLISHED: EventKind.ABOLISHED,
    LicenseStatus.EXPIRED: EventKind.EXPIRED,
}


class Outcome(StrEnum):
    """What gathering a row did."""

    #: A first license was issued.
    ACCEPTED = "accepted"
    #: A gathered license was corrected, extended or changed status.
    UPDATED = "updated"
    #: The row says what the gathered license says.
    UNCHANGED = "unchanged"
    #: The row failed a check; nothing changed.
    REJECTED = "rejected"


@dataclass(frozen=True, kw_only=True)
class EventNote:
    """One event a row caused: on which license version, its number, its kind."""

    license: str
    sequence: int
    kind: EventKind


@dataclass(frozen=True, kw_only=True)
class Applied:
    """What gathering one checked row did to the library."""

    outcome: Outcome
    #: The license versions the row touched, oldest first; the last is the newest.
    identifiers: tuple[str, ...]
    #: The events recorded, in order; a new version's `issued` event included.
    events: tuple[EventNote, ...]


def apply_row(
    conn: Connection,
    node: Node,
    *,
    issuer: Department,
    principal: Principal,
    row: CheckedRow,
    identifier: str | None,
    now: datetime,
) -> Applied:
    """Issue ``row`` as a first license in the status it states (``identifier``
    None), or make license ``identifier``, gathered before, say what the row says.

    Runs in the caller's transaction; raises `RowRejected` for a change gathering
    cannot make and the lifecycle's errors for one the state machine refuses, after
    which the caller rolls back what was written (a savepoint).
    """
    first = identifier is None
    notes = []
    if identifier is None:
        (issued,) = issue_prepared(
            conn,
            node,
            issuer=issuer,
            prepared=[row.prepared],
            actor=principal.actor,
            now=now,
        )
        identifier = issued.license.identifier
        notes.append(EventNote(license=identifier, sequence=1, kind=EventKind.ISSUED))
    stored = license_store.license_by_identifier(conn, identifier, for_update=True)
    assert stored is not None
    identifiers = [identifier]
    for event in implied_events(node, stored, row):
        recorded = record_event(
            conn,
            node,
            principal=principal,
            identifier=identifier,
            request=event,
            now=now,
        )
        notes.append(
            EventNote(
                license=identifier,
                sequence=recorded.event.sequence,
                kind=recorded.event.kind,
            )
        )
        if recorded.successor is not None:
            identifier = recorded.successor.license.identifier
            identifiers.append(identifier)
            notes.append(
                EventNote(license=identifier, sequence=1, kind=EventKind.ISSUED)
            )
    outcome = Outcome.UPDATED if notes else Outcome.UNCHANGED
    if first:
        outcome = Outcome.ACCEPTED
    return Applied(outcome=outcome, identifiers=tuple(identifiers), events=tuple(notes))


def implied_events(
    node: Node, stored: StoredLicense, row: CheckedRow
) -> list[EventRequest]:
    """The events, in order, that make ``stored`` say what ``row`` says; none when
    nothing differs. Raises `RowRejected` for a change gathering cannot make."""
    current = stored.license
    subject = json.loads(
        node.vault.open_document(
            stored.document_cipher, license_identifier=current.identifier
        )
    )["credentialSubject"]
    prepared = row.prepared
    holder = subject["holder"]
    if prepared.holder_identifier != holder["identifier"]:
        _refuse(
            row,
            "CZZTDM",
            mask(prepared.holder_identifier),
            f"ZZBH {row.paper_number} was gathered for another holder"
            f" ({mask(holder['identifier'])}); a new holder is a transfer, which the"
            " department records through the API",
        )

    events = []
    correction = _correction(subject, prepared.request.fields, prepared.request.holder)
    if correction is not None:
        events.append(correction)
    extension = _extension(row, current.valid_until)
    if extension is not None:
        events.append(extension)
    if row.state is not None:
        events.extend(_status_events(State(current.status, current.encumbrance), row))
    return events


def _correction(
    subject: dict[str, Any], fields: dict[str, Any], holder: HolderClaim
) -> EventRequest | None:
    stored_fields = subject["fields"]
    changed = {
        name: value
        for name, value in fields.items()
        if stored_fields.get(name) != value
    }
    new_name = holder.name.strip()
    renamed = new_name != subject["holder"]["name"]
    if not changed and not renamed:
        return None
    return EventRequest(
        kind=EventKind.CORRECTED,
        reason=REASON,
        fields=changed or None,
        holder=(
            HolderClaim(identifier=subject["holder"]["identifier"], name=new_name)
            if renamed
            else None
        ),
    )


def _extension(row: CheckedRow, stored_until: Any) -> EventRequest | None:
    until = row.prepared.valid_until
    if until is None or until == stored_until:
        return None
    if stored_until is None:
        _refuse(
            row,
            "ZZYXQJZRQ",
            until.isoformat(),
            f"ZZYXQJZRQ {until.isoformat()}: license ZZBH {row.paper_number} was"
            " gathered as permanent and cannot be given a last day",
        )
    if until < stored_until:
        _refuse(
            row,
            "ZZYXQJZRQ",
            until.isoformat(),
            f"ZZYXQJZRQ {until.isoformat()} is before the gathered license's last day"
            f" {stored_until.isoformat()}; a license is not shortened: cancel or"
            " revoke it instead (ZZZT)",
        )
    return EventRequest(kind=EventKind.EXTENDED, reason=REASON, valid_until=until)


def _status_events(current: State, row: CheckedRow) -> list[EventRequest]:
    """Release, discharge, then suspend, encumber or end: the shortest way there."""
    target = row.state
    assert target is not None
    if target == current:
        return []
    kinds = []
    if current.status is LicenseStatus.SUSPENDED and (
        target.status is LicenseStatus.VALID
    ):
        kinds.append(EventKind.RELEASED)
    if current.encumbrance is not None and target.encumbrance != current.encumbrance:
        if not target.status.is_terminal:
            kinds.append(EventKind.DISCHARGED)
    if target.status is LicenseStatus.SUSPENDED:
        kinds.append(EventKind.SUSPENDED)
    elif target.status in _ENDINGS:
        kinds.append(_ENDINGS[target.status])
    if target.encumbrance is not None and target.encumbrance != current.encumbrance:
        kinds.append(
            EventKind.MORTGAGED
            if target.encumbrance is Encumbrance.MORTGAGED
            else EventKind.PLEDGED
        )
    if not kinds:
        # Only a final status leads nowhere: no event makes a license valid again.
        code = next(code for code, state in STATUS_CODES.items() if state == target)
        _refuse(
            row,
            "ZZZT",
            code,
            f"ZZZT {code}: license ZZBH {row.paper_number} is {current.status.value},"
            " which is final, and does not become valid again; a new license needs"
            " a new paper number",
        )
    return [EventRequest(kind=kind, reason=REASON) for kind in kinds]


def _refuse(row: CheckedRow, field: str, value: str, reason: str) -> NoReturn:
    raise RowRejected(
        [Rejection(row_number=row.number, field=field, value=value, reason=reason)]
    )
