"""What a row does to the library: a first license, or what it says about a license
gathered before: nothing, or the events it implies.

A row with the paper number of a license already gathered (same type and issuer) is
compared with that license's newest version:

- the holder's name or surface fields differ: a correction of those;
- the last valid day is later: an extension to it;
- the status (``ZZZT``) differs: the events that lead from the stored status to it,
  as of the day the row says the status changed (``ZZZTBGRQ``), when it says so.

A status change dated by the row happened before the row was gathered, and so before
a correction or an extension the row also makes (those happen when it is gathered):
it is recorded first, on the version it happened to, and the new version follows. A
row without that date records the correction and the extension first, and the status
change after them, all as of its gathering. A license a dated change ends (revoked,
cancelled …) takes no correction after it, and such a row is refused.

Every refusal names what in the row caused it: the column and its value (``ZZZT``
and the code, ``ZZYXQJZRQ`` and the day, ``ZZZTBGRQ`` for a day the library cannot
record the change on), with the lifecycle's reason.

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

from zhengzhao.errors import InvalidRequest, TransitionRefused
from zhengzhao.issuance.lifecycle import EventRequest, record_event
from zhengzhao.issuance.service import HolderClaim, issue_prepared
from zhengzhao.model.classification import mask
from zhengzhao.model.license import Encumbrance, LicenseStatus
from zhengzhao.model.lifecycle import EventKind, State
from zhengzhao.model.parties import Department, Principal
from zhengzhao.model.time import local_date, start_of_day, to_rfc3339
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
    "Step",
    "apply_row",
    "apply_status",
    "implied_events",
    "implied_steps",
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
class Step:
    """An event a row implies, and what in the row asked for it."""

    request: EventRequest
    #: The column that asked for the event (``CZZT`` or a surface field for a
    #: correction, ``ZZYXQJZRQ`` for an extension, ``ZZZT`` for a status change).
    field: str
    #: Its value, as a report shows it (None for a surface field, which may be
    #: classified).
    value: str | None
    #: For a status change stated with a time: the column the time came from.
    dated_by: str | None = None


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
    steps = implied_steps(node, stored, row, original=original)
    identifiers, recorded = _record(
        conn, node, principal, identifier, steps, row=row.number, now=now
    )
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
    steps = _status_steps(
        State(current.status, current.encumbrance),
        row.state,
        row_number=row.number,
        paper_number=row.paper_number,
        changed_at=row.changed_at,
        dated_by=row.changed_from,
    )
    if steps:
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
    identifiers, notes = _record(
        conn, node, principal, identifier, steps, row=row.number, now=now
    )
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
    steps: list[Step],
    *,
    row: int,
    now: datetime,
) -> tuple[tuple[str, ...], list[EventNote]]:
    """Record the events of ``steps`` in order on license ``identifier``, following
    it to each new version; the versions touched and the events recorded. Raises
    `RowRejected` naming the step's column for an event the library refuses."""
    identifiers = [identifier]
    notes = []
    for step in steps:
        if step.dated_by is not None:
            _check_dated(conn, identifier, step, row=row)
        try:
            recorded = record_event(
                conn,
                node,
                principal=principal,
                identifier=identifier,
                request=step.request,
                now=now,
            )
        except (TransitionRefused, InvalidRequest) as exc:
            shown = f"{step.field} {step.value}" if step.value else step.field
            raise RowRejected(
                [
                    Rejection(
                        row_number=row,
                        field=step.field,
                        value=step.value,
                        reason=f"{shown}: {exc.message}",
                    )
                ]
            ) from exc
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


def _check_dated(conn: Connection, identifier: str, step: Step, *, row: int) -> None:
    """Refuse, naming the row's column, a status change dated before the version it
    would be recorded on was issued, or before its latest event: a license's
    history is recorded in order (as `record_event` checks, in the API's words)."""
    when = step.request.occurred_at
    stored = license_store.license_by_identifier(conn, identifier)
    assert when is not None and stored is not None and step.dated_by is not None
    issued = (
        start_of_day(stored.issue_date)
        if stored.issue_date is not None
        else stored.license.issued_at
    )
    latest = license_store.latest_event_time(conn, stored.row_id)
    if when >= issued and (latest is None or when >= latest):
        return
    stated = (
        local_date(when).isoformat()
        if step.dated_by == "ZZZTBGRQ"
        else to_rfc3339(when)
    )
    paper = stored.license.paper_number
    found = (
        f"version {stored.license.identifier} of ZZBH {paper} was issued on"
        f" {local_date(issued).isoformat()}"
        if when < issued
        else f"the latest event of ZZBH {paper} happened at {to_rfc3339(latest)}"
        if latest is not None
        else ""
    )
    raise RowRejected(
        [
            Rejection(
                row_number=row,
                field=step.dated_by,
                value=stated,
                reason=f"{step.dated_by} {stated} is before {found}; a license's"
                " changes are recorded in the order they happened: send the status"
                " change with the day it happened, after that",
            )
        ]
    )


def implied_events(
    node: Node,
    stored: StoredLicense,
    row: CheckedRow,
    *,
    original: FirstVersion | None = None,
) -> list[EventRequest]:
    """The events, in order, that make ``stored`` say what ``row`` says; none when
    nothing differs (`implied_steps`, without what asked for each)."""
    steps = implied_steps(node, stored, row, original=original)
    return [step.request for step in steps]


def implied_steps(
    node: Node,
    stored: StoredLicense,
    row: CheckedRow,
    *,
    original: FirstVersion | None = None,
) -> list[Step]:
    """The events, in order, that make ``stored`` say what ``row`` says, each with
    the column that asked for it; none when nothing differs. ``original`` is the
    license's first version, whose dates a row must repeat. Raises `RowRejected`
    for a change gathering cannot make."""
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

    edits = []
    correction = _correction(subject, prepared.request.fields, prepared.request.holder)
    if correction is not None:
        edits.append(correction)
    extension = _extension(row, current.valid_until)
    if extension is not None:
        edits.append(extension)
    changes: list[Step] = []
    if row.state is not None:
        changes = _status_steps(
            State(current.status, current.encumbrance),
            row.state,
            row_number=row.number,
            paper_number=row.paper_number,
            changed_at=row.changed_at,
            dated_by=row.changed_from,
        )
        if changes:
            _check_changed_after_issue(
                row.number, row.paper_number, row.changed_at, original
            )
    if not changes or row.changed_at is None:
        return edits + changes
    if edits and row.state is not None and row.state.status.is_terminal:
        _refuse_edit_after_end(row, edits)
    return changes + edits


def _refuse_edit_after_end(row: CheckedRow, edits: list[Step]) -> NoReturn:
    assert row.state is not None and row.changed_at is not None
    code = _code(row.state)
    edited = " and ".join(dict.fromkeys(step.field for step in edits))
    _refuse(
        row,
        "ZZZT",
        code,
        f"ZZZT {code}: the row ends license ZZBH {row.paper_number} as of"
        f" {row.changed_from} {local_date(row.changed_at).isoformat()} and also"
        f" changes {edited}, which the library can record only after that day, on"
        f" a license that has ended: send the row with the data the license had"
        f" when it ended, or record the change through the API first, dated before",
    )


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
) -> Step | None:
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
    request = EventRequest(
        kind=EventKind.CORRECTED,
        reason=REASON,
        fields=changed or None,
        holder=(
            HolderClaim(identifier=subject["holder"]["identifier"], name=new_name)
            if renamed
            else None
        ),
    )
    if renamed:
        return Step(request=request, field="CZZT", value=new_name)
    return Step(request=request, field=min(changed), value=None)


def _extension(row: CheckedRow, stored_until: Any) -> Step | None:
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
    return Step(
        request=EventRequest(kind=EventKind.EXTENDED, reason=REASON, valid_until=until),
        field="ZZYXQJZRQ",
        value=until.isoformat(),
    )


def _code(state: State) -> str:
    return next(code for code, known in STATUS_CODES.items() if known == state)


def _status_steps(
    current: State,
    target: State,
    *,
    row_number: int,
    paper_number: str,
    changed_at: datetime | None,
    dated_by: str,
) -> list[Step]:
    """Release, discharge, then suspend, encumber or end: the shortest way from
    ``current`` to ``target``, each event as of ``changed_at`` (None: when it is
    recorded), which came from ``dated_by``. Raises `RowRejected` for a final
    status left."""
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
    code = _code(target)
    if not kinds:
        # Only a final status leads nowhere: no event makes a license valid again.
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
        Step(
            request=EventRequest(kind=kind, reason=REASON, occurred_at=changed_at),
            field="ZZZT",
            value=code,
            dated_by=dated_by if changed_at is not None else None,
        )
        for kind in kinds
    ]


def _refuse(row: CheckedRow, field: str, value: str, reason: str) -> NoReturn:
    raise RowRejected(
        [Rejection(row_number=row.number, field=field, value=value, reason=reason)]
    )
