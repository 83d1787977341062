"""Records pushed one at a time by departmental systems (live sync), with outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from zhengzhao.storage.tables import (
    departments,
    gathering_push_problems,
    gathering_pushes,
)

__all__ = [
    "NewPush",
    "PushProblem",
    "StoredPush",
    "insert_push",
    "list_rejected_pushes",
]

#: The longest field name and paper number the tables hold.
_FIELD_CHARS = 120
_PAPER_CHARS = 64


@dataclass(frozen=True, kw_only=True)
class PushProblem:
    """One problem of a rejected push."""

    #: The field or metadata name at fault, when one is.
    field: str | None
    #: The value found, masked where the field's classification asks for it.
    value: str | None
    reason: str
    #: `identifier`, `schema` or `other`, as a rejected row's (`Category`).
    category: str = "other"


@dataclass(frozen=True, kw_only=True)
class NewPush:
    """A push as it is recorded, in the transaction that acted on it."""

    department_id: int
    type_code: str
    #: The record's ``ZZBH``, when it has one.
    paper_number: str | None
    #: `accepted`, `updated`, `unchanged` or `rejected`.
    outcome: str
    #: The newest version of the license after the push; None when rejected.
    license_identifier: str | None
    actor: str
    received_at: datetime
    #: The id of the last license event stored when the push was received: only
    #: a later event can fix a rejected push.
    event_mark: int
    problems: Sequence[PushProblem] = ()


@dataclass(frozen=True, kw_only=True)
class StoredPush:
    """A recorded push, with the credit code of its department."""

    id: int
    department_code: str
    type_code: str
    paper_number: str | None
    outcome: str
    license_identifier: str | None
    actor: str
    received_at: datetime
    problems: tuple[PushProblem, ...]


def insert_push(conn: Connection, push: NewPush) -> int:
    """Record ``push`` and its problems; its id."""
    push_id = int(
        conn.execute(
            gathering_pushes.insert().returning(gathering_pushes.c.id),
            {
                "department_id": push.department_id,
                "type_code": push.type_code,
                # A paper number too long to gather is kept as far as it fits: the
                # problem that rejected it quotes it whole.
                "paper_number": (
                    push.paper_number[:_PAPER_CHARS] if push.paper_number else None
                ),
                "outcome": push.outcome,
                "license_identifier": push.license_identifier,
                "actor": push.actor,
                "received_at": push.received_at,
                "event_mark": push.event_mark,
            },
        ).scalar_one()
    )
    if push.problems:
        conn.execute(
            gathering_push_problems.insert(),
            [
                {
                    "push_id": push_id,
                    "field": problem.field[:_FIELD_CHARS] if problem.field else None,
                    "value": problem.value,
                    "reason": problem.reason,
                    "category": problem.category,
                }
                for problem in push.problems
            ],
        )
    return push_id


def list_rejected_pushes(
    conn: Connection,
    *,
    department_id: int | None,
    type_code: str | None,
    since: datetime | None,
    until: datetime | None,
    before_id: int = 0,
    limit: int = 100,
) -> list[StoredPush]:
    """Rejected pushes newest first, from before ``before_id`` (0: the newest),
    received in ``[since, until)``."""
    query = (
        select(gathering_pushes, departments.c.credit_code)
        .join(departments, departments.c.id == gathering_pushes.c.department_id)
        .where(gathering_pushes.c.outcome == "rejected")
        .order_by(gathering_pushes.c.id.desc())
        .limit(limit)
    )
    if department_id is not None:
        query = query.where(gathering_pushes.c.department_id == department_id)
    if type_code is not None:
        query = query.where(gathering_pushes.c.type_code == type_code)
    if since is not None:
        query = query.where(gathering_pushes.c.received_at >= since)
    if until is not None:
        query = query.where(gathering_pushes.c.received_at < until)
    if before_id:
        query = query.where(gathering_pushes.c.id < before_id)
    rows = conn.execute(query).all()
    problems = _problems(conn, [row.id for row in rows])
    return [
        StoredPush(
            id=row.id,
            department_code=row.credit_code,
            type_code=row.type_code,
            paper_number=row.paper_number,
            outcome=row.outcome,
            license_identifier=row.license_identifier,
            actor=row.actor,
            received_at=row.received_at,
            problems=tuple(problems.get(row.id, ())),
        )
        for row in rows
    ]


def _problems(conn: Connection, push_ids: list[int]) -> dict[int, list[PushProblem]]:
    found: dict[int, list[PushProblem]] = {}
    if not push_ids:
        return found
    rows = conn.execute(
        select(gathering_push_problems)
        .where(gathering_push_problems.c.push_id.in_(push_ids))
        .order_by(gathering_push_problems.c.id)
    )
    for row in rows:
        found.setdefault(row.push_id, []).append(
            PushProblem(
                field=row.field,
                value=row.value,
                reason=row.reason,
                category=row.category,
            )
        )
    return found
