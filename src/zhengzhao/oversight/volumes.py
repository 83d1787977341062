"""Expected volumes on the responsibility list, and completeness against them.

For each license type and region the responsibility list names the department that
issues it; that department declares its **expected volume**: how many licenses of the
type its own system holds, as of a date. Operators record the declarations (one at a
time, or a CSV file of them); a department reads its own, auditors and operators all.

**Completeness** of a department's type in a month is gathered ÷ expected, where
*gathered* counts the licenses of that type and issuer in the library at the month's
end, each once by its version current then (`storage.volumes.gathered_counts`), and
*expected* is the latest declaration dated on or before the month's last day.

Completeness lists every type a department should gather, whether it declared a
volume or gathered anything: the responsibility list names, per type, the kind,
level and region of the departments that issue it, and each registered department
that matches is expected to declare and gather the type (`LineStatus.UNDECLARED`
until it declares). NOTE: the list is read as it stands now, not as it stood at the
month's end; the catalog keeps no history of it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Connection

from zhengzhao.errors import (
    Conflict,
    InputError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
)
from zhengzhao.issuance.service import TypeCache
from zhengzhao.model.divisions import division, within
from zhengzhao.model.parties import Department, Principal, Role
from zhengzhao.model.permissions import require_role
from zhengzhao.model.time import local_date
from zhengzhao.storage import catalog as catalog_store
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import volumes as store

from .months import Window

__all__ = [
    "IMPORT_COLUMNS",
    "CompletenessLine",
    "LineStatus",
    "VolumeDeclaration",
    "completeness",
    "declare_volume",
    "import_volumes",
    "list_volumes",
    "parse_volume_csv",
    "responsible_pairs",
]

#: Columns of a CSV file of declarations; ``as_of`` may be left out (today).
IMPORT_COLUMNS = ("department", "type", "expected", "as_of")
#: The largest count every database here stores.
_MAX_EXPECTED = 2**63 - 1
#: Problems listed in the message of a refused file; the rest are counted.
_LISTED = 5
#: Errors that refuse one row of a file rather than stop reading it.
_ROW_ERRORS = (InputError, NotFound, PermissionDenied, Conflict)


@dataclass(frozen=True, kw_only=True)
class VolumeDeclaration:
    """One expected volume to record."""

    department_code: str
    type_code: str
    expected: int
    #: The day the figure stands at; default: today.
    as_of: date | None = None


class LineStatus(StrEnum):
    """Where a completeness line comes from."""

    #: A declared volume stands at the month's end.
    DECLARED = "declared"
    #: The responsibility list gives the type to the department, which declared no
    #: volume of it.
    UNDECLARED = "undeclared"
    #: Gathered, though neither declared nor on the department's list (a line of the
    #: list withdrawn since).
    UNLISTED = "unlisted"


@dataclass(frozen=True, kw_only=True)
class CompletenessLine:
    """One department's completeness for one license type in a month."""

    department_id: int
    department_code: str
    department_name: str
    type_code: str
    type_name: str
    #: The declared volume standing at the month's end; None: none declared.
    expected: int | None
    #: The day the declared figure stands at.
    as_of: date | None
    #: Licenses of the type and department in the library at the month's end.
    gathered: int
    status: LineStatus

    @property
    def ratio(self) -> float | None:
        """gathered ÷ expected; None without a declaration (or a declared 0)."""
        if not self.expected:
            return None
        return self.gathered / self.expected


def declare_volume(
    conn: Connection,
    *,
    principal: Principal,
    declaration: VolumeDeclaration,
    now: datetime,
) -> store.VolumeRecord:
    """Record one expected volume (operators only), replacing one of the same day.

    Raises `PermissionDenied`, `NotFound` (department or type), `CatalogStateError`
    for a type not published, `NotResponsible` when the department is not on the
    responsibility list for the type, or `InvalidRequest` for a negative count or a
    date after today.
    """
    require_role(principal, Role.OPERATOR)
    today = local_date(now)
    department = _department(conn, declaration.department_code)
    _check(conn, department, declaration, today=today)
    as_of = declaration.as_of or today
    store.store_volume(
        conn,
        store.NewVolume(
            department_id=department.id,
            type_code=declaration.type_code,
            region_code=department.region_code,
            expected=declaration.expected,
            as_of=as_of,
            actor=principal.actor,
            now=now,
        ),
    )
    (record,) = store.standing_volumes(
        conn, on=as_of, department_id=department.id, type_code=declaration.type_code
    )
    return record


def import_volumes(
    conn: Connection, *, principal: Principal, text: str, now: datetime
) -> int:
    """Record every declaration of a CSV file (`parse_volume_csv`), or none: each
    is checked first, and a file with any bad row is refused naming its rows.
    Returns how many were stored; operators only.
    """
    require_role(principal, Role.OPERATOR)
    declarations = parse_volume_csv(text)
    today = local_date(now)
    checked: list[VolumeDeclaration] = []
    problems: list[str] = []
    for number, declaration in declarations:
        try:
            _check(
                conn,
                _department(conn, declaration.department_code),
                declaration,
                today=today,
            )
        except _ROW_ERRORS as exc:
            problems.append(f"row {number}: {exc.message}")
        else:
            checked.append(declaration)
    if problems:
        raise InvalidRequest(_refusal(problems))
    if not checked:
        raise InvalidRequest("the file has no declarations; nothing was recorded")
    for declaration in checked:
        declare_volume(conn, principal=principal, declaration=declaration, now=now)
    return len(checked)


def parse_volume_csv(text: str) -> list[tuple[int, VolumeDeclaration]]:
    """The declarations of a CSV file with the `IMPORT_COLUMNS` header, each with
    its row number (the header is row 1); raises `InvalidRequest` naming every row
    that cannot be read."""
    try:
        return _read_csv(text)
    except csv.Error as exc:
        raise InvalidRequest(f"the file cannot be read as CSV: {exc}") from exc


def _read_csv(text: str) -> list[tuple[int, VolumeDeclaration]]:
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or ()]
    missing = [name for name in IMPORT_COLUMNS[:3] if name not in header]
    if missing:
        raise InvalidRequest(
            f"the file lacks the column{'s' if len(missing) > 1 else ''}"
            f" {', '.join(missing)}; its header must read"
            f" {','.join(IMPORT_COLUMNS)} (as_of may be left out)"
        )
    found: list[tuple[int, VolumeDeclaration]] = []
    problems: list[str] = []
    for offset, raw in enumerate(reader, start=2):
        row = {str(k).strip(): (v or "").strip() for k, v in raw.items() if k}
        try:
            found.append((offset, _declaration(row)))
        except InvalidRequest as exc:
            problems.append(f"row {offset}: {exc.message}")
    if problems:
        raise InvalidRequest(_refusal(problems))
    return found


def list_volumes(
    conn: Connection,
    *,
    principal: Principal,
    department_code: str | None = None,
    type_code: str | None = None,
    on: date,
) -> list[store.VolumeRecord]:
    """The expected volumes standing on day ``on``: a department's own; any for
    operators and auditors."""
    department = _readable_department(conn, principal, department_code)
    return store.standing_volumes(
        conn,
        on=on,
        department_id=department.id if department else None,
        type_code=type_code,
    )


def completeness(
    conn: Connection,
    *,
    principal: Principal,
    window: Window,
    department_code: str | None = None,
) -> list[CompletenessLine]:
    """Completeness per department and type at the end of ``window``: every type
    with a declared volume, every type the responsibility list gives a department
    (declared or not), and every type gathered. A department reads its own lines
    only."""
    department = _readable_department(conn, principal, department_code)
    return completeness_lines(
        conn, window=window, department_id=department.id if department else None
    )


def completeness_lines(
    conn: Connection, *, window: Window, department_id: int | None = None
) -> list[CompletenessLine]:
    """`completeness` without the caller's check, for the quality assessment."""
    declared = {
        (item.department_id, item.type_code): item
        for item in store.standing_volumes(
            conn, on=_last_day(window), department_id=department_id
        )
    }
    gathered = store.gathered_counts(
        conn, until=window.end, department_id=department_id
    )
    names = {t.code: t.name_zh for t in catalog_store.list_types(conn)}
    departments = {
        d.id: d
        for d in department_store.list_departments(conn)
        if department_id is None or d.id == department_id
    }
    # A department registered after the window is not expected to have gathered.
    listed = responsible_pairs(
        conn,
        [
            d
            for d in departments.values()
            if d.created_at is None or d.created_at < window.end
        ],
    )
    lines = []
    for key in sorted(set(declared) | set(gathered) | listed):
        department = departments[key[0]]
        item = declared.get(key)
        lines.append(
            CompletenessLine(
                department_id=department.id,
                department_code=department.credit_code,
                department_name=department.name,
                type_code=key[1],
                type_name=names.get(key[1], key[1]),
                expected=item.expected if item else None,
                as_of=item.as_of if item else None,
                gathered=gathered.get(key, 0),
                status=(
                    LineStatus.DECLARED
                    if item
                    else LineStatus.UNDECLARED
                    if key in listed
                    else LineStatus.UNLISTED
                ),
            )
        )
    lines.sort(key=lambda line: (line.department_code, line.type_code))
    return lines


def responsible_pairs(
    conn: Connection, departments: list[Department]
) -> set[tuple[int, str]]:
    """(department, type) for every published type the responsibility list gives
    one of ``departments``: a line of its kind and of its region's level, for a
    region it lies in."""
    lines = catalog_store.list_responsibilities(conn)
    published = {
        code
        for code in {line.type_code for line in lines}
        if catalog_store.published_version(conn, code) is not None
    }
    pairs = set()
    for department in departments:
        level = division(department.region_code).level.value
        for line in lines:
            if (
                line.type_code in published
                and line.department_kind == department.kind
                and line.department_level == level
                and within(department.region_code, line.region_code)
            ):
                pairs.add((department.id, line.type_code))
    return pairs


def _last_day(window: Window) -> date:
    """The last day the window reaches into, in China Standard Time."""
    return min(window.month.last_day, local_date(window.end))


def _check(
    conn: Connection,
    department: Department,
    declaration: VolumeDeclaration,
    *,
    today: date,
) -> None:
    TypeCache(conn, department).get(declaration.type_code)
    if not 0 <= declaration.expected <= _MAX_EXPECTED:
        raise InvalidRequest(
            f"expected volume {declaration.expected} is not a count of licenses;"
            " give 0 or more"
        )
    if declaration.as_of is not None and declaration.as_of > today:
        raise InvalidRequest(
            f"as_of {declaration.as_of.isoformat()} is after today"
            f" ({today.isoformat()}); a declared figure stands at a day that has come"
        )


def _declaration(row: dict[str, str]) -> VolumeDeclaration:
    for name in IMPORT_COLUMNS[:3]:
        if not row.get(name):
            raise InvalidRequest(f"{name} is empty")
    try:
        expected = int(row["expected"])
    except ValueError:
        raise InvalidRequest(
            f"expected {row['expected']!r} is not a whole number"
        ) from None
    as_of = None
    if row.get("as_of"):
        try:
            as_of = date.fromisoformat(row["as_of"])
        except ValueError:
            raise InvalidRequest(
                f"as_of {row['as_of']!r} is not a date (YYYY-MM-DD)"
            ) from None
    return VolumeDeclaration(
        department_code=row["department"].upper(),
        type_code=row["type"].upper(),
        expected=expected,
        as_of=as_of,
    )


def _refusal(problems: list[str]) -> str:
    shown = "; ".join(problems[:_LISTED])
    more = len(problems) - _LISTED
    tail = f"; and {more} more rows" if more > 0 else ""
    return (
        f"nothing was recorded: {len(problems)} row{'s' if len(problems) > 1 else ''}"
        f" cannot be: {shown}{tail}"
    )


def _department(conn: Connection, code: str) -> Department:
    department = department_store.department_by_code(conn, code.strip().upper())
    if department is None:
        raise NotFound(f"no department with credit code {code}")
    return department


def _readable_department(
    conn: Connection, principal: Principal, department_code: str | None
) -> Department | None:
    """The department whose figures the caller asks for (None: all of them)."""
    require_role(principal, Role.OPERATOR, Role.AUDITOR, Role.DEPARTMENT)
    if principal.role is Role.DEPARTMENT:
        own = principal.department
        if own is None or department_code not in (None, own.credit_code):
            raise PermissionDenied(
                "a department reads only its own expected volumes and completeness"
            )
        return own
    return _department(conn, department_code) if department_code else None
