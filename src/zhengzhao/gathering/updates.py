"""What a row does to the library: a first license, or what it says about a license
gathered before: nothing, or the events it implies.

A row with the paper number of a license already gathered (same type and issuer) is
compared with that license's newest version:

- the holder's name or surface fields differ: a correction of those;
- the last valid day is later: an extension to it;
- the status (``ZZZT``) differs: the events that lead from the stored status to it,
  as of the day the row says the status changed (``ZZZTBGRQ``), when it says so.

What a row leaves empty is kept: an empty cell never erases a stored value. The date
of issue and first valid day are taken from the first gathering only, because an
extension starts the new version on its own day; a row that states others than
those is refused, rather than counted unchanged. A different holder identifier, a
shorter validity and a permanent license given a last day are refused: they are not
corrections but another license, which the department records through the API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NoReturn

from sqlalchemy import Connection

from zhengzhao.issuance.lifecycle import EventRequest, record_event
from zhengzhao.issuance.service import HolderClaim, issue_prepared
from zhengzhao.model.classification import mask
from zhengzhao.model.license import Encumbrance, LicenseStatus
from zhengzhao.model.lifecycle import EventKind, State
from zhengzhao.model.parties import Department, Principal
from zhengzhao.model.time import local_date
from zhengzhao.node import Node
from zhengzhao.storage import gathering as batch_store
from zhengzhao.storage import licenses as license_store
from zhengzhao.storage.gathering import FirstVersion, Rejection
from zhengzhao.storage.licenses import StoredLicense

from .rows import STATUS_CODES, CheckedRow, RowRejected, StatusRow

__all__ = [
    "Applied",
    "EventNote",
    "Outcome",
    "apply_row",
    "apply_status",
    "implied_events",
    "status_events",
]

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
    original = batch_store.first_version(
        conn,
        type_code=stored.license.type_code,
        issuer_id=stored.issuer_id,
        paper_number=row.paper_number,
        serial=stored.license.serial,
    )
    events = implied_events(node, stored, row, original=original)
    identifiers, recorded = _record(conn, node, principal, identifier, events, now)
    notes += recorded
    outcome = Outcome.UPDATED if notes else Outcome.UNCHANGED
    if first:
        outcome = Outcome.ACCEPTED
    return Applied(outcome=outcome, identifiers=identifiers, events=tuple(notes))


def apply_status(
    conn: Connection,
    node: Node,
    *,
    principal: Principal,
    row: StatusRow,
    identifier: str,
    now: datetime,
) -> Applied:
    """Make license ``identifier``, gathered before, take the status ``row`` says
    (a push of its paper number and status alone): the status events that lead
    there, or none. Raises as `apply_row` does."""
    stored = license_store.license_by_identifier(conn, identifier, for_update=True)
    assert stored is not None
    current = stored.license
    events = status_events(
        State(current.status, current.encumbrance),
        row.state,
        row_number=row.number,
        paper_number=row.paper_number,
        changed_at=row.changed_at,
    )
    if events:
        original = batch_store.first_version(
            conn,
            type_code=current.type_code,
            issuer_id=stored.issuer_id,
            paper_number=row.paper_number,
            serial=current.serial,
        )
        _check_changed_after_issue(
            row.number, row.paper_number, row.changed_at, original
        )
    identifiers, notes = _record(conn, node, principal, identifier, events, now)
    return Applied(
        outcome=Outcome.UPDATED if notes else Outcome.UNCHANGED,
        identifiers=identifiers,
        events=tuple(notes),
    )


def _record(
    conn: Connection,
    node: Node,
    principal: Principal,
    identifier: str,
    events: list[EventRequest],
    now: datetime,
) -> tuple[tuple[str, ...], list[EventNote]]:
    """Record ``events`` in order on license ``identifier``, following it to each
    new version; the versions touched and the events recorded."""
    identifiers = [identifier]
    notes = []
    for event in events:
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
    return tuple(identifiers), notes


def implied_events(
    node: Node,
    stored: StoredLicense,
    row: CheckedRow,
    *,
    original: FirstVersion | None = None,
) -> list[EventRequest]:
    """The events, in order, that make ``stored`` say what ``row`` says; none when
    nothing differs. ``original`` is the license's first version, whose dates a
    row must repeat. Raises `RowRejected` for a change gathering cannot make."""
    current = stored.license
    if original is not None:
        _check_first_dates(row, original, current_from=current.valid_from)
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
        changes = status_events(
            State(current.status, current.encumbrance),
            row.state,
            row_number=row.number,
            paper_number=row.paper_number,
            changed_at=row.changed_at,
        )
        if changes:
            _check_changed_after_issue(
                row.number, row.paper_number, row.changed_at, original
            )
        events.extend(changes)
    return events


def _check_first_dates(
    row: CheckedRow, original: FirstVersion, *, current_from: date
) -> None:
    """Refuse a stated date of issue or first valid day that is not the one the
    license was gathered with (a first valid day may also be the current
    version's: an extension starts its version on its own day)."""
    request = row.prepared.request
    stated = request.issue_date
    if (
        stated is not None
        and original.issue_date is not None
        and stated != original.issue_date
    ):
        _refuse(
            row,
            "ZZBFRQ",
            stated.isoformat(),
            f"ZZBFRQ {stated.isoformat()}: the date of issue differs from the"
            f" gathered {original.issue_date.isoformat()} of ZZBH {row.paper_number};"
            " a gathered license keeps its date of issue: send the gathered date, or"
            " give another license its own paper number",
        )
    starts = request.valid_from
    if starts is not None and starts not in (original.valid_from, current_from):
        _refuse(
            row,
            "ZZYXQQSRQ",
            starts.isoformat(),
            f"ZZYXQQSRQ {starts.isoformat()}: the first valid day differs from the"
            f" gathered {original.valid_from.isoformat()} of ZZBH {row.paper_number};"
            " a gathered license keeps its first valid day (an extension changes"
            " only ZZYXQJZRQ): send the gathered day",
        )


def _check_changed_after_issue(
    number: int,
    paper_number: str,
    changed: datetime | None,
    original: FirstVersion | None,
) -> None:
    issued = original.issue_date if original is not None else None
    if changed is None or issued is None or local_date(changed) >= issued:
        return
    day = local_date(changed).isoformat()
    raise RowRejected(
        [
            Rejection(
                row_number=number,
                field="ZZZTBGRQ",
                value=day,
                reason=f"ZZZTBGRQ {day} is before the date of issue of ZZBH"
                f" {paper_number}, {issued.isoformat()}; a license changes status"
                " after it is issued",
            )
        ]
    )


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


def status_events(
    current: State,
    target: State,
    *,
    row_number: int,
    paper_number: str,
    changed_at: datetime | None,
) -> list[EventRequest]:
    """Release, discharge, then suspend, encumber or end: the shortest way from
    ``current`` to ``target``, each event as of ``changed_at`` (None: when it is
    recorded). Raises `RowRejected` for a final status left."""
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
        raise RowRejected(
            [
                Rejection(
                    row_number=row_number,
                    field="ZZZT",
                    value=code,
                    reason=f"ZZZT {code}: license ZZBH {paper_number} is"
                    f" {current.status.value}, which is final, and does not become"
                    " valid again; a new license needs a new paper number",
                )
            ]
        )
    return [
        EventRequest(kind=kind, reason=REASON, occurred_at=changed_at) for kind in kinds
    ]


def _refuse(row: CheckedRow, field: str, value: str, reason: str) -> NoReturn:
    raise RowRejected(
        [Rejection(row_number=row.number, field=field, value=value, reason=reason)]
    )
