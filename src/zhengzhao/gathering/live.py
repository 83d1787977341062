"""Live sync: a departmental system pushes its licenses one at a time, as they change.

A pushed record is one JSON object with the keys of a JSON Lines row (GB/T 36903
metadata names and the type's field names), and ``occurredAt``, when its status
changed, to the second; it goes through exactly the checks of a batch's row
(`RowChecker`): a new paper number is issued; the type, issuer and
``ZZBH`` of a license gathered before make it a no-op when nothing differs, and
otherwise the correction, extension or status change the record implies
(`implied_steps`). A record of a license gathered before may also be its paper
number and new status alone (with the day or time of the change): the status events
that lead there. The record's effects, the push with its outcome and, for a
rejected record, its problems commit in the caller's transaction, together.

A rejected record is an outcome rather than an error: it is stored, so that the
department can read back what was refused, and answered with every problem found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from zhengzhao.errors import InvalidRequest
from zhengzhao.issuance.lifecycle import CLOCK_SKEW
from zhengzhao.issuance.service import TypeCache
from zhengzhao.model.parties import Principal
from zhengzhao.model.time import local_date
from zhengzhao.node import Node
from zhengzhao.storage import gathering as batch_store
from zhengzhao.storage import pushes as store
from zhengzhao.storage.gathering import Category, Rejection

from .rows import (
    ROW_ERRORS,
    STATUS_KEYS,
    CheckedRow,
    RowChecker,
    RowRejected,
    StatusRow,
    paper_number,
)
from .service import acting_for, gathering_department, reading_department
from .updates import Applied, EventNote, Outcome, apply_row, apply_status

__all__ = ["PushResult", "push_record", "rejected_pushes"]

#: The most rejected pushes one page of a listing holds.
MAX_PAGE = 500
#: A pushed record is one row; its rejections carry this row number.
_ROW = 1
#: The key of a push that says when its status changed, to the second.
OCCURRED_AT = "occurredAt"


@dataclass(frozen=True, kw_only=True)
class PushResult:
    """What one pushed record did."""

    #: The push's number, by which its rejection is read back.
    push_id: int
    outcome: Outcome
    #: The issuing department's credit code.
    department_code: str
    type_code: str
    paper_number: str | None
    #: The license versions the push touched, oldest first; the last is the newest.
    licenses: tuple[str, ...] = ()
    events: tuple[EventNote, ...] = ()
    #: Every problem of a rejected record, values masked as in batch reports.
    problems: tuple[store.PushProblem, ...] = ()
    #: Warnings to pass on, such as a pilot-era credit code accepted leniently.
    warnings: tuple[str, ...] = ()


def push_record(
    conn: Connection,
    node: Node,
    *,
    principal: Principal,
    department_code: str | None,
    type_code: str,
    record: Any,
    now: datetime,
) -> PushResult:
    """Gather one pushed ``record`` of license type ``type_code``, in the caller's
    transaction.

    The steps:
      1. authorize: the caller, the department, its responsibility for the type;
      2. check the record as a batch row (every problem, not the first);
      3. issue it, or update the license gathered from it before, in a savepoint,
         so that a change the lifecycle refuses leaves nothing behind;
      4. store the push with its outcome (and, if rejected, its problems).
    Raises `PermissionDenied`, `NotResponsible` or `NotFound` for a caller who may
    not push this, `DepartmentDeactivated` for a department that may push no more,
    and `InvalidRequest` for a record that is not a JSON object.
    """
    # 1. Authorize.
    issuer = gathering_department(conn, principal, department_code)
    cache = TypeCache(conn, issuer)
    license_type, version = cache.get(type_code)
    checker = RowChecker(issuer=issuer, license_type=license_type, version=version)
    values = _values(record)
    paper = paper_number(values) or None
    result = PushResult(
        push_id=0,
        outcome=Outcome.REJECTED,
        department_code=issuer.credit_code,
        type_code=license_type.code,
        paper_number=paper,
    )

    # 2. Check.
    problems: list[Rejection] = []
    occurred_at = _occurred_at(values.pop(OCCURRED_AT, None), now, problems)
    unknown = checker.unknown_columns(values)
    problems += _unknown_keys(checker, unknown)
    known = {name: value for name, value in values.items() if name not in unknown}
    checked: CheckedRow | StatusRow | None = None
    try:
        if _changes_status_only(known):
            checked = checker.check_status(
                number=_ROW,
                values=known,
                today=local_date(now),
                occurred_at=occurred_at,
            )
        else:
            checked = checker.check(
                number=_ROW,
                values=known,
                today=local_date(now),
                cache=cache,
                occurred_at=occurred_at,
            )
    except RowRejected as exc:
        problems.extend(exc.rejections)
    if problems or checked is None:
        return _stored(conn, result, principal, issuer.id, now, problems=problems)

    # 3. Issue or update.
    batch_store.lock_paper_numbers(
        conn,
        type_code=license_type.code,
        issuer_id=issuer.id,
        paper_numbers=[checked.paper_number],
    )
    identifier = batch_store.current_identifiers(
        conn,
        type_code=license_type.code,
        issuer_id=issuer.id,
        paper_numbers=[checked.paper_number],
    ).get(checked.paper_number)
    try:
        with conn.begin_nested():
            applied = _apply(
                conn,
                node,
                principal=acting_for(principal, issuer),
                row=checked,
                identifier=identifier,
                now=now,
            )
    except RowRejected as exc:
        return _stored(conn, result, principal, issuer.id, now, problems=exc.rejections)
    except ROW_ERRORS as exc:
        lines = checker.rejections(_ROW, exc, known)
        return _stored(conn, result, principal, issuer.id, now, problems=lines)

    # 4. Store the push.
    done = PushResult(
        push_id=0,
        outcome=applied.outcome,
        department_code=issuer.credit_code,
        type_code=license_type.code,
        paper_number=paper,
        licenses=applied.identifiers,
        events=applied.events,
        warnings=checked.prepared.warnings if isinstance(checked, CheckedRow) else (),
    )
    return _stored(conn, done, principal, issuer.id, now, problems=[])


def rejected_pushes(
    conn: Connection,
    *,
    principal: Principal,
    department_code: str | None,
    type_code: str | None,
    since: datetime | None,
    until: datetime | None,
    before_id: int = 0,
    limit: int = 100,
) -> list[store.StoredPush]:
    """Rejected pushes newest first, received in ``[since, until)``: a department's
    own; any department's, or all, for operators and auditors.

    Raises `PermissionDenied`, `NotFound`, or `InvalidRequest` for a time without
    a time zone.
    """
    department = reading_department(
        conn, principal, department_code, what="rejected pushes"
    )
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidRequest(
                f"{name} needs a time zone offset, such as {moment.isoformat()}+08:00"
            )
    return store.list_rejected_pushes(
        conn,
        department_id=department.id if department else None,
        type_code=type_code,
        since=since,
        until=until,
        before_id=before_id,
        limit=max(1, min(limit, MAX_PAGE)),
    )


def _values(record: Any) -> dict[str, Any]:
    if not isinstance(record, Mapping):
        raise InvalidRequest(
            "a pushed record is one JSON object of GB/T 36903 metadata names and the"
            ' type\'s fields, such as {"ZZBH": "…", "CZZT": "…", "CZZTDM": "…"}'
        )
    # As in a JSON Lines row: a null or empty value is a missing one.
    return {str(key): item for key, item in record.items() if item not in (None, "")}


def _changes_status_only(values: Mapping[str, Any]) -> bool:
    """Whether a record is a status change alone: a ``ZZZT`` and nothing of the
    license but its paper number, names and codes."""
    return "ZZZT" in values and set(values) <= STATUS_KEYS


def _apply(
    conn: Connection,
    node: Node,
    *,
    principal: Principal,
    row: CheckedRow | StatusRow,
    identifier: str | None,
    now: datetime,
) -> Applied:
    if isinstance(row, CheckedRow):
        assert principal.department is not None
        return apply_row(
            conn,
            node,
            issuer=principal.department,
            principal=principal,
            row=row,
            identifier=identifier,
            now=now,
        )
    if identifier is None:
        raise RowRejected(
            [
                Rejection(
                    row_number=_ROW,
                    field="ZZBH",
                    value=row.paper_number,
                    reason=f"ZZBH {row.paper_number} has not been gathered, so it has"
                    " no status to change: a license's first push carries the whole"
                    " record (CZZT, CZZTDM, the dates and the type's fields)",
                )
            ]
        )
    return apply_status(
        conn, node, principal=principal, row=row, identifier=identifier, now=now
    )


def _occurred_at(
    value: Any, now: datetime, problems: list[Rejection]
) -> datetime | None:
    """A push's ``occurredAt``: an RFC 3339 time with its offset, not to come."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        reason = (
            f"{OCCURRED_AT} {value} is not a time with its offset, such as"
            " 2026-11-02T09:30:00+08:00"
        )
    elif moment > now + CLOCK_SKEW:
        reason = (
            f"{OCCURRED_AT} {value} is in the future; a status change is pushed"
            " after it happens"
        )
    else:
        return moment.astimezone(UTC)
    problems.append(
        Rejection(row_number=_ROW, field=OCCURRED_AT, value=str(value), reason=reason)
    )
    return None


def _unknown_keys(checker: RowChecker, unknown: list[str]) -> list[Rejection]:
    return [
        Rejection(
            row_number=_ROW,
            field=name,
            value=None,
            reason=f"{name} is neither a GB/T 36903 metadata name nor a field of"
            f" license type {checker.license_type.code} ({checker.known_names()})",
            category=Category.SCHEMA,
        )
        for name in unknown
    ]


def _stored(
    conn: Connection,
    result: PushResult,
    principal: Principal,
    department_id: int,
    now: datetime,
    *,
    problems: list[Rejection],
) -> PushResult:
    lines = tuple(
        store.PushProblem(
            field=item.field,
            value=item.value,
            reason=item.reason,
            category=item.category.value,
        )
        for item in problems
    )
    push_id = store.insert_push(
        conn,
        store.NewPush(
            department_id=department_id,
            type_code=result.type_code,
            paper_number=result.paper_number,
            outcome=result.outcome.value,
            license_identifier=result.licenses[-1] if result.licenses else None,
            actor=principal.actor,
            received_at=now,
            event_mark=batch_store.latest_event_id(conn),
            problems=lines,
        ),
    )
    return replace(result, push_id=push_id, problems=lines)
