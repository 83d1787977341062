"""Recording lifecycle events: check, decide, re-issue if needed, sign, store.

An event is recorded by the issuing department only. The state machine in
`zhengzhao.model.lifecycle` decides whether it may happen; an extension, a correction or
a transfer also issues the license's next version, linked to the one it replaces.
Everything happens in the caller's transaction.

The one event the node records by itself is an expiry (`record_expiry`): time, not a
department, ends a license's term, so the node records it, signed with the issuer's
key, for a license still in force after its last valid day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from zhengzhao.catalog.schema import validate_surface
from zhengzhao.catalog.types import ValidityKind, ValidityRule
from zhengzhao.errors import InvalidRequest, NotFound
from zhengzhao.issuance.service import (
    HolderClaim,
    IssuedLicense,
    IssueRequest,
    PreparedIssue,
    Succession,
    check_holder,
    check_license_date,
    issue_prepared,
    record_status_changes,
    require_active,
    sign_event,
)
from zhengzhao.model.license import License
from zhengzhao.model.license_id import LicenseIdentifier
from zhengzhao.model.lifecycle import (
    EventKind,
    LicenseEvent,
    Outcome,
    State,
    transition,
)
from zhengzhao.model.parties import Department, Principal
from zhengzhao.model.permissions import require_issuer
from zhengzhao.model.time import local_date, start_of_day, to_rfc3339
from zhengzhao.node import Node
from zhengzhao.storage import catalog as catalog_store
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import licenses as license_store

__all__ = [
    "EXPIRY_ACTOR",
    "EventRequest",
    "RecordedEvent",
    "record_event",
    "record_expiry",
]

#: How far in the future a stated event time may lie, for clocks that drift.
CLOCK_SKEW = timedelta(minutes=5)
#: The actor of the expiries the node records itself, and their reason.
EXPIRY_ACTOR = "node:expiry"
EXPIRY_REASON = "有效期届满"


@dataclass(frozen=True, kw_only=True)
class EventRequest:
    """An event as the issuing department states it."""

    kind: EventKind
    #: When it happened; defaults to when it is recorded.
    occurred_at: datetime | None = None
    reason: str | None = None
    #: Extension: the new last valid day (computed for fixed-term types).
    valid_until: date | None = None
    #: Correction: new values for some surface fields; the others stay.
    fields: dict[str, Any] | None = None
    #: Correction: the holder's corrected name (same identifier). Transfer: the new
    #: holder.
    holder: HolderClaim | None = None
    #: Annual inspection: `passed` or `failed`.
    inspection_result: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordedEvent:
    """The stored event, the license it was recorded on, and any new version."""

    event: LicenseEvent
    license: License
    successor: IssuedLicense | None = None


def record_event(
    conn: Connection,
    node: Node,
    *,
    principal: Principal,
    identifier: str,
    request: EventRequest,
    now: datetime,
) -> RecordedEvent:
    """Record ``request`` on license ``identifier``.

    The steps:
      1. load the license and check that the caller issued it;
      2. decide: check the request's own fields, then ask the state machine;
      3. re-issue the next version, for extension, correction and transfer;
      4. sign and store the event, update the status and the status lists.
    Raises `NotFound`, `PermissionDenied`, `InvalidRequest` or `TransitionRefused`
    (`TermEnded` for an event after the last valid day that needs a license in
    force).
    """
    # 1. Load and authorize.
    stored = license_store.license_by_identifier(conn, identifier, for_update=True)
    if stored is None:
        raise NotFound(f"no license {identifier}")
    require_issuer(principal, stored.issuer_id, what=f"record `{request.kind}`")
    return _record(
        conn, node, stored=stored, request=request, actor=principal.actor, now=now
    )


def record_expiry(
    conn: Connection, node: Node, *, identifier: str, as_of: date, now: datetime
) -> RecordedEvent | None:
    """Record that license ``identifier`` expired, if it is still in force (valid
    or suspended) and its last valid day lies before ``as_of``; None when it is
    not (another process changed it meanwhile).

    The event is dated the first instant after the last valid day, or the
    license's latest event if that came later, and signed with the issuer's key.
    Raises `DepartmentDeactivated` or `NoActiveKey` for an issuer that can sign
    nothing.
    """
    stored = license_store.license_by_identifier(conn, identifier, for_update=True)
    if stored is None:
        return None
    current = stored.license
    until = current.valid_until
    if current.status.is_terminal or until is None or until >= as_of:
        return None
    expired_at = start_of_day(until + timedelta(days=1))
    latest = license_store.latest_event_time(conn, stored.row_id)
    request = EventRequest(
        kind=EventKind.EXPIRED,
        occurred_at=max(expired_at, _issued_at(stored), latest or expired_at),
        reason=EXPIRY_REASON,
    )
    return _record(
        conn, node, stored=stored, request=request, actor=EXPIRY_ACTOR, now=now
    )


def _record(
    conn: Connection,
    node: Node,
    *,
    stored: license_store.StoredLicense,
    request: EventRequest,
    actor: str,
    now: datetime,
) -> RecordedEvent:
    """Steps 2 to 4 of `record_event`, for a license already loaded and allowed."""
    issuer = department_store.department_by_id(conn, stored.issuer_id)
    assert issuer is not None
    require_active(issuer)
    current = stored.license

    # 2. Decide.
    occurred_at = _occurred_at(request, now)
    _check_event_time(conn, stored, occurred_at)
    _check_request_shape(request)
    outcome = transition(
        request.kind,
        State(current.status, current.encumbrance),
        valid_until=current.valid_until,
        on=local_date(occurred_at),
    )
    key, signing_key = node.keyring.signer_at(conn, issuer, at=now)

    # 3. Re-issue.
    successor = None
    if outcome.successor is not None:
        successor = _reissue(
            conn,
            node,
            stored=stored,
            issuer=issuer,
            request=request,
            outcome=outcome,
            on=local_date(occurred_at),
            actor=actor,
            now=now,
        )

    # 4. Sign and store the event; update status and status lists.
    details = _event_details(request, successor)
    event = sign_event(
        node,
        key,
        signing_key,
        issuer=issuer,
        license_row_id=stored.row_id,
        license_identifier=current.identifier,
        sequence=license_store.next_event_sequence(conn, stored.row_id),
        kind=request.kind,
        occurred_at=occurred_at,
        reason=request.reason,
        details=details,
        actor=actor,
        now=now,
    )
    license_store.insert_events(conn, [event])
    license_store.update_state(
        conn,
        stored.row_id,
        status=outcome.state.status,
        encumbrance=outcome.state.encumbrance,
        now=now,
    )
    record_status_changes(
        conn,
        stored.issuer_id,
        current.status_index,
        before=current.status,
        after=outcome.state.status,
    )
    return RecordedEvent(
        event=LicenseEvent(
            license_identifier=current.identifier,
            sequence=event.sequence,
            kind=event.kind,
            occurred_at=event.occurred_at,
            recorded_at=event.recorded_at,
            actor=event.actor,
            reason=event.reason,
            document=event.document,
            document_hash=event.document_hash,
        ),
        license=replace(
            current,
            status=outcome.state.status,
            encumbrance=outcome.state.encumbrance,
            updated_at=now,
        ),
        successor=successor,
    )


def _occurred_at(request: EventRequest, now: datetime) -> datetime:
    """The event's time as an instant in UTC: one form for the signed event, the
    stored row and the log leaf, whatever offset the department wrote."""
    stated = request.occurred_at or now
    if stated.tzinfo is None:
        raise InvalidRequest("occurredAt needs a time zone offset")
    try:
        occurred_at = stated.astimezone(UTC)
    except OverflowError as exc:
        raise InvalidRequest(
            f"occurredAt {stated.isoformat()} is not a time the node can record"
        ) from exc
    if occurred_at > now + CLOCK_SKEW:
        raise InvalidRequest(
            f"occurredAt {stated.isoformat()} is in the future; events are"
            " recorded after they happen"
        )
    return occurred_at


def _check_event_time(
    conn: Connection, stored: license_store.StoredLicense, occurred_at: datetime
) -> None:
    """Refuse an event dated before the license's date of issue or before the latest
    event already recorded on it: a license's history is told in order."""
    license_ = stored.license
    issued = _issued_at(stored)
    if occurred_at < issued:
        raise InvalidRequest(
            f"occurredAt {to_rfc3339(occurred_at)} is before license"
            f" {license_.identifier} was issued ({to_rfc3339(issued)}); an event"
            " happens to a license that exists"
        )
    latest = license_store.latest_event_time(conn, stored.row_id)
    if latest is not None and occurred_at < latest:
        raise InvalidRequest(
            f"occurredAt {to_rfc3339(occurred_at)} is before the latest event"
            f" recorded on {license_.identifier} ({to_rfc3339(latest)}); record"
            " events in the order they happened"
        )


def _issued_at(stored: license_store.StoredLicense) -> datetime:
    """When the license began to exist: its stated date of issue, else when it was
    stored."""
    if stored.issue_date is not None:
        return start_of_day(stored.issue_date)
    return stored.license.issued_at


_ALLOWED = {
    "valid_until": {EventKind.EXTENDED},
    "fields": {EventKind.CORRECTED},
    "holder": {EventKind.CORRECTED, EventKind.TRANSFERRED},
    "inspection_result": {EventKind.ANNUAL_INSPECTION},
}
_NAMES = {
    "valid_until": "validUntil",
    "fields": "fields",
    "holder": "holder",
    "inspection_result": "inspectionResult",
}


def _check_request_shape(request: EventRequest) -> None:
    for attribute, kinds in _ALLOWED.items():
        if getattr(request, attribute) is not None and request.kind not in kinds:
            allowed = ", ".join(sorted(kind.value for kind in kinds))
            raise InvalidRequest(
                f"`{_NAMES[attribute]}` does not apply to `{request.kind}`; it is for"
                f" {allowed}"
            )
    if request.kind is EventKind.TRANSFERRED and request.holder is None:
        raise InvalidRequest("a transfer needs `holder`: the new holder")
    if request.kind is EventKind.CORRECTED and not (request.fields or request.holder):
        raise InvalidRequest("a correction needs `fields` or `holder` to correct")
    if request.inspection_result not in (None, "passed", "failed"):
        raise InvalidRequest("inspectionResult is `passed` or `failed`")


def _reissue(
    conn: Connection,
    node: Node,
    *,
    stored: license_store.StoredLicense,
    issuer: Department,
    request: EventRequest,
    outcome: Outcome,
    on: date,
    actor: str,
    now: datetime,
) -> IssuedLicense:
    """Issue the version that replaces ``stored``, in the state the outcome names."""
    assert outcome.successor is not None
    current = stored.license
    subject = json.loads(
        node.vault.open_document(
            stored.document_cipher, license_identifier=current.identifier
        )
    )["credentialSubject"]
    license_type = catalog_store.get_type(conn, current.type_code)
    version = catalog_store.get_version(conn, current.type_code, current.type_version)
    assert license_type is not None and version is not None

    # The identifier passed its check when the license was issued; a pilot-era
    # code accepted then is not refused now.
    holder = HolderClaim(
        identifier=subject["holder"]["identifier"],
        name=subject["holder"]["name"],
        lenient_identifier=True,
    )
    fields = dict(subject["fields"])
    valid_from, valid_until = current.valid_from, current.valid_until
    if request.kind is EventKind.EXTENDED:
        valid_from = on
        valid_until = _extended_until(request, current, version.validity)
    elif request.kind is EventKind.CORRECTED:
        holder = _corrected_holder(holder, request.holder)
        fields.update(request.fields or {})
        validate_surface(version.schema, fields)
    else:
        assert request.holder is not None
        holder, valid_from = request.holder, on
    holder_identifier, warnings = check_holder(
        license_type.holder_kind, holder, today=on
    )
    if (
        request.kind is EventKind.TRANSFERRED
        and holder_identifier == subject["holder"]["identifier"]
    ):
        raise InvalidRequest("a transfer needs a new holder, not the current one")

    prepared = PreparedIssue(
        request=IssueRequest(
            type_code=current.type_code,
            holder=holder,
            fields=fields,
            paper_number=current.paper_number,
        ),
        license_type=license_type,
        type_version=version,
        holder_kind=license_type.holder_kind,
        holder_identifier=holder_identifier,
        issue_date=on,
        valid_from=valid_from,
        valid_until=valid_until,
        warnings=warnings,
        holder_code_lenient=bool(warnings),
        succession=Succession(
            predecessor=current.identifier,
            predecessor_row_id=stored.row_id,
            identifier=LicenseIdentifier.parse(current.identifier).next_version(),
            state=outcome.successor,
            cause=request.kind,
            reason=request.reason,
        ),
    )
    (successor,) = issue_prepared(
        conn, node, issuer=issuer, prepared=[prepared], actor=actor, now=now
    )
    return successor


def _extended_until(
    request: EventRequest, current: License, validity: ValidityRule
) -> date:
    if current.valid_until is None:
        raise InvalidRequest("the license is permanent; there is nothing to extend")
    if validity.kind is ValidityKind.FIXED_YEARS and request.valid_until is None:
        computed = validity.last_day(current.valid_until + timedelta(days=1), None)
        assert computed is not None
        return computed
    if request.valid_until is None:
        raise InvalidRequest("an extension needs `validUntil`: the new last valid day")
    check_license_date("validUntil", request.valid_until)
    if request.valid_until <= current.valid_until:
        raise InvalidRequest(
            f"an extension must end after the current last day"
            f" {current.valid_until.isoformat()}; got {request.valid_until.isoformat()}"
        )
    return request.valid_until


def _corrected_holder(
    holder: HolderClaim, correction: HolderClaim | None
) -> HolderClaim:
    if correction is None:
        return holder
    if correction.identifier.strip().upper() != holder.identifier:
        raise InvalidRequest(
            "a correction cannot change the holder's identifier: that is a different"
            " holder; cancel this license and issue a new one"
        )
    return replace(holder, name=correction.name)


def _event_details(
    request: EventRequest, successor: IssuedLicense | None
) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if (
        request.inspection_result is not None
        or request.kind is EventKind.ANNUAL_INSPECTION
    ):
        details["inspectionResult"] = request.inspection_result or "passed"
    if request.kind is EventKind.CORRECTED:
        corrected = sorted(request.fields or {})
        if request.holder is not None:
            corrected.append("holder.name")
        details["correctedFields"] = corrected
    if successor is not None:
        details["successor"] = successor.license.identifier
        if successor.license.valid_until is not None:
            details["validUntil"] = successor.license.valid_until.isoformat()
    return details
