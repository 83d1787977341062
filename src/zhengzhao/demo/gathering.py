"""How the demo's departments bring their licenses into the library, month by month.

The demo assesses one month, the last whole month before it is built (``month``).
Licenses issued before it were gathered the day before it began (the *stock*); those
issued in it reach the library as each department's habits have them:

- a department with a **prompt system** issues through the platform as it issues the
  paper license, and records status changes at once;
- the others export **files** (JSON Lines, one per license type and sending day):
  their stock the day before the month, then on their sending days the licenses
  issued since (after a lag), the rows they fix, part of their stock sent late, and,
  for those whose system can do no better, on the month's last sending day a full
  export of everything (which the library finds unchanged). Their files carry
  defects in the shares their `Habits` say: holder identifiers with a wrong check
  character, required fields left out, rows repeated; some licenses they never send
  at all (the library then falls short of their declared volume), and a share of
  their rejected rows they send again, corrected, with the next file. A license
  whose one later event is a status change (a suspension, a revocation, a mortgage
  …) after it was first sent has the change in the next file after the department's
  lag, with its day (``ZZZTBGRQ``), so that their timeliness of status changes
  shows the files' lag.

What is issued after the month is gathered when the demo is built. Everything goes
through `gathering.service.submit_batch` and `run_submitted`, or the issuance
services, at the moment it happens in this story.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from zhengzhao.catalog.seed import load_seed_catalog
from zhengzhao.demo.synthetic import PlannedLicense
from zhengzhao.gathering.reader import SourceFormat
from zhengzhao.gathering.service import run_submitted, submit_batch
from zhengzhao.model.credit_code import CREDIT_CODE_ALPHABET
from zhengzhao.model.license import HolderKind
from zhengzhao.model.lifecycle import EventKind
from zhengzhao.model.parties import Department, Principal
from zhengzhao.model.time import CHINA_STANDARD_TIME, local_date, start_of_day
from zhengzhao.node import Node
from zhengzhao.oversight.months import Month
from zhengzhao.storage import gathering as gathering_store

__all__ = [
    "HABITS",
    "Habits",
    "Sent",
    "gather_by_files",
    "habits_of",
    "moment",
    "stock_moment",
    "with_paper_numbers",
]

#: When a department sends its files on a sending day, in its own time.
SENDING_HOUR = 17


@dataclass(frozen=True, kw_only=True)
class Habits:
    """How a department gathers: its channel, its timing and its defects."""

    name: str
    #: Sends files; otherwise issues through the platform as it goes.
    files: bool
    #: Days of the month it sends files on.
    sending_days: tuple[int, ...] = ()
    #: Days between issuing a license and putting it in the next file: least, most.
    lag_days: tuple[int, int] = (0, 0)
    #: Shares of rows with a wrong check character, and with a required field left
    #: out.
    bad_check: float = 0.0
    missing_field: float = 0.0
    #: Share of rows a file repeats.
    duplicate: float = 0.0
    #: Share of licenses never sent.
    withheld: float = 0.0
    #: Share of the stock sent in the month's files instead of before it.
    backlog: float = 0.0
    #: Share of rejected rows sent again, corrected, in the next file.
    fixed: float = 0.0
    #: Sends everything it holds on the month's last sending day.
    full_export: bool = False
    #: Hours between a status change and its record: least, most.
    event_lag_hours: tuple[float, float] = (0.0, 0.5)


HABITS = (
    Habits(name="prompt system", files=False),
    Habits(
        name="weekly files",
        files=True,
        sending_days=(3, 10, 17, 24, 28),
        lag_days=(0, 2),
        bad_check=0.004,
        missing_field=0.004,
        duplicate=0.01,
        fixed=0.9,
        event_lag_hours=(0.5, 12),
    ),
    Habits(
        name="fortnightly files",
        files=True,
        sending_days=(14, 28),
        lag_days=(3, 20),
        bad_check=0.02,
        missing_field=0.03,
        duplicate=0.02,
        withheld=0.06,
        backlog=0.02,
        fixed=0.5,
        full_export=True,
        event_lag_hours=(12, 120),
    ),
    Habits(
        name="careless files",
        files=True,
        sending_days=(8, 22, 28),
        lag_days=(1, 8),
        bad_check=0.06,
        missing_field=0.05,
        duplicate=0.05,
        withheld=0.15,
        backlog=0.1,
        fixed=0.15,
        event_lag_hours=(24, 720),
    ),
)


def habits_of(index: int) -> Habits:
    """The habits of the ``index``-th department of the demo's list."""
    return HABITS[index % len(HABITS)]


def moment(day: date, hour: int = SENDING_HOUR) -> datetime:
    """``hour`` o'clock of ``day`` in China Standard Time, as the UTC instant that
    every stored and signed time is."""
    return datetime.combine(day, time(hour), CHINA_STANDARD_TIME).astimezone(UTC)


@dataclass(frozen=True, kw_only=True)
class Sent:
    """A planned license the library holds, and since when."""

    item: PlannedLicense
    identifier: str
    gathered_at: datetime


@dataclass
class _Row:
    """One planned license on its way through a department's files."""

    item: PlannedLicense
    #: When its first file is sent.
    send_at: datetime
    #: `check` or `field` when its first row is defective.
    defect: str | None = None
    #: Whether the department sends it again, corrected.
    fixed: bool = False
    #: When the library accepted it, once it has.
    gathered_at: datetime | None = None
    sent: list[datetime] = field(default_factory=list)
    #: The file that carries its status change, and the change's national code;
    #: None when its events are recorded through the platform.
    change_at: datetime | None = None
    change_code: str | None = None


class _At:
    """A clock that stands at one moment: a file gathered when it was sent."""

    def __init__(self, instant: datetime) -> None:
        self._instant = instant

    def now(self) -> datetime:
        return self._instant


def gather_by_files(
    node: Node,
    *,
    department: Department,
    habits: Habits,
    items: list[PlannedLicense],
    month: Month,
    stock_at: datetime,
    now: datetime,
    directory: Path,
    principal: Principal,
    rng: random.Random,
) -> tuple[list[Sent], int]:
    """Gather ``items`` as a department with file-sending ``habits`` would: the
    gathered licenses, and the number of files sent."""
    rows = _plan_rows(habits, items, month, stock_at, now, rng)
    moments = sorted(
        {row.send_at for row in rows}
        | {row.change_at for row in rows if row.change_at is not None}
        | set(_sending_moments(habits, month))
    )
    dump_at = None
    if habits.full_export:
        dump_at = max((m for m in moments if m < month.end), default=None)
    files = 0
    for index, instant in enumerate(moments):
        due = _due(rows, instant, moments[index - 1] if index else None, dump_at)
        for type_code, lines in _by_type(due).items():
            body = [line for row in lines for line in _lines(row, instant, rng, habits)]
            path = (
                directory
                / department.credit_code
                / (f"{instant:%Y%m%d}-{type_code}.jsonl")
            )
            _write(path, body)
            _gather(node, department, type_code, path, instant, principal)
            files += 1
    return _gathered(node, department, rows), files


def _plan_rows(
    habits: Habits,
    items: list[PlannedLicense],
    month: Month,
    stock_at: datetime,
    now: datetime,
    rng: random.Random,
) -> list[_Row]:
    days = _sending_moments(habits, month)
    rows = []
    for item in items:
        if rng.random() < habits.withheld:
            continue
        if item.issue_date < month.first_day and rng.random() >= habits.backlog:
            send_at = stock_at
        elif item.issue_date < month.first_day:
            send_at = rng.choice(days) if days else now
        else:
            ready = moment(
                item.issue_date + timedelta(days=rng.randint(*habits.lag_days))
            )
            send_at = next((d for d in days if d >= ready), now)
        defect = None
        if rng.random() < habits.bad_check:
            defect = "check"
        elif rng.random() < habits.missing_field and _required(item.type_code):
            defect = "field"
        row = _Row(
            item=item,
            send_at=min(send_at, now),
            defect=defect,
            fixed=defect is not None and rng.random() < habits.fixed,
        )
        _plan_change(row, habits, days, now, rng)
        rows.append(row)
    return rows


#: The status each event a file can state leaves, as its national code (ZZZT).
_CHANGE_CODES = {
    EventKind.SUSPENDED: "02",
    EventKind.CANCELLED: "04",
    EventKind.REVOKED: "07",
    EventKind.ABOLISHED: "08",
    EventKind.MORTGAGED: "09",
    EventKind.PLEDGED: "10",
}


def _plan_change(
    row: _Row,
    habits: Habits,
    days: list[datetime],
    now: datetime,
    rng: random.Random,
) -> None:
    """Send the license's one status change in a file, when it has one and it
    happens after the license's first clean file."""
    events = row.item.events
    if (
        row.defect is not None
        or len(events) != 1
        or events[0].kind not in (_CHANGE_CODES)
    ):
        return
    (event,) = events
    if moment(event.occurred_on, 0) <= row.send_at:
        return
    ready = moment(event.occurred_on + timedelta(days=rng.randint(*habits.lag_days)))
    ready = max(ready, row.send_at + timedelta(minutes=1))
    change_at = next((d for d in days if d >= ready), now)
    if change_at > now or local_date(change_at) < event.occurred_on:
        return
    row.change_at, row.change_code = change_at, _CHANGE_CODES[event.kind]


def _sending_moments(habits: Habits, month: Month) -> list[datetime]:
    last = month.last_day.day
    return sorted(
        {moment(month.first_day.replace(day=min(d, last))) for d in habits.sending_days}
    )


def _due(
    rows: list[_Row],
    instant: datetime,
    previous: datetime | None,
    dump_at: datetime | None,
) -> list[_Row]:
    """The rows a file sent at ``instant`` carries."""
    due = []
    for row in rows:
        first = row.send_at == instant or row.change_at == instant
        refix = (
            row.defect is not None
            and row.fixed
            and row.gathered_at is None
            and row.sent
            and previous is not None
            and row.sent[-1] == previous
        )
        dump = instant == dump_at and row.send_at < instant
        if first or refix or dump:
            due.append(row)
    return due


def _by_type(rows: Iterable[_Row]) -> dict[str, list[_Row]]:
    grouped: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        grouped[row.item.type_code].append(row)
    return grouped


def _lines(
    row: _Row, instant: datetime, rng: random.Random, habits: Habits
) -> list[dict[str, Any]]:
    """The file lines of ``row`` sent at ``instant``: defective until fixed. The
    first clean line is the one the library accepts."""
    row.sent.append(instant)
    defective = row.defect is not None and not (row.fixed and len(row.sent) > 1)
    if not defective and row.gathered_at is None:
        row.gathered_at = instant
    values = _values(row.item, row.defect if defective else None)
    if row.change_at is not None and instant >= row.change_at:
        (event,) = row.item.events
        values["ZZZT"] = row.change_code
        values["ZZZTBGRQ"] = event.occurred_on.isoformat()
    return [values, values] if rng.random() < habits.duplicate else [values]


def _values(item: PlannedLicense, defect: str | None) -> dict[str, Any]:
    holder = item.holder_identifier
    fields = dict(item.fields)
    if defect == "check":
        holder = _wrong_check(holder, person=item.holder_kind is HolderKind.PERSON)
    elif defect == "field":
        fields.pop(_required(item.type_code)[0], None)
    values: dict[str, Any] = {
        "ZZBH": item.paper_number,
        "CZZT": item.holder_name,
        "CZZTDM": holder,
        "ZZBFRQ": item.issue_date.isoformat(),
        "ZZYXQQSRQ": item.valid_from.isoformat(),
    }
    if item.valid_until is not None:
        values["ZZYXQJZRQ"] = item.valid_until.isoformat()
    return {**values, **fields}


def _wrong_check(identifier: str, *, person: bool) -> str:
    """``identifier`` with the next character of its alphabet as check character."""
    alphabet = "0123456789X" if person else CREDIT_CODE_ALPHABET
    index = (alphabet.index(identifier[-1]) + 1) % len(alphabet)
    return identifier[:-1] + alphabet[index]


def _write(path: Path, lines: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for values in lines:
            out.write(json.dumps(values, ensure_ascii=False) + "\n")


def _gather(
    node: Node,
    department: Department,
    type_code: str,
    path: Path,
    instant: datetime,
    principal: Principal,
) -> None:
    clock = _At(instant)
    submission = submit_batch(
        node,
        principal=principal,
        department_code=department.credit_code,
        type_code=type_code,
        path=path,
        format=SourceFormat.JSONL,
        mapping=None,
        filename=path.name,
        keep_copy=False,
        now=instant,
    )
    run_submitted(
        node, submission=submission, principal=principal, path=path, clock=clock
    )


def _gathered(node: Node, department: Department, rows: list[_Row]) -> list[Sent]:
    """The rows the library holds, with their licenses' current identifiers."""
    sent = [r for r in rows if r.gathered_at is not None and r.item.paper_number]
    papers: dict[str, set[str]] = defaultdict(set)
    for row in sent:
        assert row.item.paper_number is not None
        papers[row.item.type_code].add(row.item.paper_number)
    with node.database.reading() as conn:
        current = {
            type_code: gathering_store.current_identifiers(
                conn,
                type_code=type_code,
                issuer_id=department.id,
                paper_numbers=numbers,
            )
            for type_code, numbers in papers.items()
        }
    found = []
    for row in sent:
        assert row.gathered_at is not None and row.item.paper_number is not None
        identifier = current[row.item.type_code].get(row.item.paper_number)
        if identifier is not None:
            # A change a file carried is recorded; the platform records the rest.
            item = row.item if row.change_at is None else replace(row.item, events=())
            found.append(
                Sent(item=item, identifier=identifier, gathered_at=row.gathered_at)
            )
    return found


def _required(type_code: str) -> tuple[str, ...]:
    return _REQUIRED.get(type_code, ())


_REQUIRED = {
    seed.code: tuple(seed.schema.get("required", ())) for seed in load_seed_catalog()
}


def with_paper_numbers(
    department: Department, items: list[PlannedLicense]
) -> list[PlannedLicense]:
    """``items``, each with a paper number: a department that gathers by files
    numbers its records, and the number is how a later file finds a license."""
    numbered = []
    for index, item in enumerate(items, start=1):
        if item.paper_number is None:
            item = replace(item, paper_number=f"{department.region_code}{index:09d}")
        numbered.append(item)
    return numbered


def stock_moment(month: Month) -> datetime:
    """When the stock was gathered: the evening before the month began."""
    return (start_of_day(month.first_day) - timedelta(hours=6)).astimezone(UTC)
