"""The scenario list: service matters registered for the departments that offer them.

A matter's JSON names a department *kind*; the node stores it for one concrete
department of that kind, so that a share can tell whose matter it serves. Operators
add and replace matters; every authenticated caller may read them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from zhengzhao.catalog.schema import field_levels
from zhengzhao.errors import Conflict, InvalidRequest, NotFound
from zhengzhao.model.parties import Department, Principal, Role
from zhengzhao.model.permissions import require_role
from zhengzhao.sharing.matters import ServiceMatter
from zhengzhao.storage import catalog as catalog_store
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import matters as matter_store
from zhengzhao.storage.matters import MatterRecord

__all__ = [
    "MAX_PAGE",
    "MatterPage",
    "add_matter",
    "get_matter",
    "list_matters",
    "replace_matter",
    "save_matter",
]

#: The most matters one page of a listing returns.
MAX_PAGE = 200

# Matter codes appear in URLs: letters, digits, dots, dashes and underscores.
_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")


@dataclass(frozen=True)
class MatterPage:
    """One page of matters."""

    items: list[MatterRecord]
    #: Pass as ``after`` for the next page; None on the last page.
    next_cursor: int | None


def add_matter(
    conn: Connection,
    *,
    principal: Principal,
    definition: Mapping[str, Any],
    department_code: str,
    now: datetime,
) -> MatterRecord:
    """Register the matter ``definition`` (the JSON `ServiceMatter.from_json` reads)
    for department ``department_code`` (operators only).

    ``department_kind`` may be left out of the definition: it is the department's.
    Raises `InvalidRequest` for a definition the catalog cannot serve and `Conflict`
    when the code is taken.
    """
    require_role(principal, Role.OPERATOR)
    department = _department(conn, department_code)
    matter = _checked(conn, definition, department)
    if matter_store.matter_by_code(conn, matter.code) is not None:
        raise Conflict(
            f"matter {matter.code} is already registered; replace it with PUT"
            f" /v1/matters/{matter.code} (or `zhengzhao matter add --replace`)"
        )
    matter_store.insert_matter(conn, matter, department_id=department.id, now=now)
    return get_matter(conn, matter.code)


def replace_matter(
    conn: Connection,
    *,
    principal: Principal,
    code: str,
    definition: Mapping[str, Any],
    department_code: str,
    now: datetime,
) -> MatterRecord:
    """Replace the stored definition of matter ``code`` (operators only).

    Authorizations granted for the matter stay, and keep only what they granted.
    """
    require_role(principal, Role.OPERATOR)
    current = get_matter(conn, code)
    department = _department(conn, department_code)
    matter = _checked(conn, definition, department)
    if matter.code != code:
        raise InvalidRequest(
            f"the definition is of matter {matter.code}, not {code}; a matter's code"
            " cannot change"
        )
    matter_store.replace_matter(
        conn, current.row_id, matter, department_id=department.id, now=now
    )
    return get_matter(conn, code)


def save_matter(
    conn: Connection,
    *,
    principal: Principal,
    definition: Mapping[str, Any],
    department_code: str,
    replace: bool,
    now: datetime,
) -> MatterRecord:
    """`add_matter`, or with ``replace`` `replace_matter` where the code is taken."""
    code = str(definition.get("code", "")).strip()
    if replace and matter_store.matter_by_code(conn, code) is not None:
        return replace_matter(
            conn,
            principal=principal,
            code=code,
            definition=definition,
            department_code=department_code,
            now=now,
        )
    return add_matter(
        conn,
        principal=principal,
        definition=definition,
        department_code=department_code,
        now=now,
    )


def get_matter(conn: Connection, code: str) -> MatterRecord:
    """Matter ``code``; raises `NotFound`."""
    found = matter_store.matter_by_code(conn, code)
    if found is None:
        raise NotFound(f"no service matter {code}; `GET /v1/matters` lists them")
    return found


def list_matters(
    conn: Connection,
    *,
    department_code: str | None = None,
    after: int = 0,
    limit: int = 100,
) -> MatterPage:
    """Matters in the order they were registered, optionally of one department."""
    department_id = None
    if department_code is not None:
        department_id = _department(conn, department_code).id
    limit = max(1, min(limit, MAX_PAGE))
    rows = matter_store.list_matters(
        conn, department_id=department_id, after_row_id=after, limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return MatterPage(rows, rows[-1].row_id if more else None)


def _department(conn: Connection, credit_code: str) -> Department:
    department = department_store.department_by_code(conn, credit_code)
    if department is None:
        raise InvalidRequest(f"no department with credit code {credit_code}")
    return department


def _checked(
    conn: Connection, definition: Mapping[str, Any], department: Department
) -> ServiceMatter:
    """The matter of ``definition`` once everything it names exists."""
    value = dict(definition)
    kind = value.setdefault("department_kind", department.kind)
    if kind != department.kind:
        raise InvalidRequest(
            f"the matter is offered by a {kind} department, but"
            f" {department.credit_code} ({department.name}) is {department.kind}"
        )
    matter = ServiceMatter.from_json(value)
    if not _CODE.fullmatch(matter.code):
        raise InvalidRequest(
            f"matter code {matter.code!r} may hold only letters, digits, '.', '-' and"
            " '_', at most 64 of them"
        )
    _check_names(matter)
    for type_code in matter.type_codes:
        _check_sources(conn, matter, type_code)
    return matter


def _check_names(matter: ServiceMatter) -> None:
    materials = [m.type_code for m in matter.materials]
    repeated = {code for code in materials if materials.count(code) > 1}
    if repeated:
        raise InvalidRequest(
            f"matter {matter.code} lists license type {sorted(repeated)[0]} twice"
            " among its materials"
        )
    names = [f.name for f in matter.form]
    twice = {name for name in names if names.count(name) > 1}
    if twice:
        raise InvalidRequest(
            f"matter {matter.code} has two form fields named {sorted(twice)[0]!r}"
        )


def _check_sources(conn: Connection, matter: ServiceMatter, type_code: str) -> None:
    if catalog_store.get_type(conn, type_code) is None:
        raise InvalidRequest(
            f"matter {matter.code} needs license type {type_code}, which the catalog"
            " does not hold"
        )
    version = catalog_store.published_version(conn, type_code)
    if version is None:
        raise InvalidRequest(
            f"license type {type_code} has no published version; publish one before"
            f" matter {matter.code} can use it"
        )
    known = field_levels(version.schema)
    for form_field in matter.form:
        source = form_field.source
        if source is None or source.type_code != type_code or source.is_metadata:
            continue
        if source.field not in known:
            raise InvalidRequest(
                f"form field {form_field.name!r} of matter {matter.code} is filled"
                f" from {type_code} field {source.field!r}, which that type does not"
                " have; its fields are: " + ", ".join(sorted(known))
            )
