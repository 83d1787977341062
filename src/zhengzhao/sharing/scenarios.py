"""The scenario list: service matters registered for the departments that offer them.

A matter's JSON names a department *kind*; the node stores it for one concrete
department of that kind, so that a share can tell whose matter it serves: the one
named, or one chosen by its kind (`zhengzhao.sharing.seed.offering_department`).
Operators add and replace matters; every authenticated caller, holders included,
may read them and the parties serving each (`parties_serving`), so that a holder
can find whom to authorize.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from zhengzhao.catalog.schema import field_levels
from zhengzhao.errors import Conflict, InvalidRequest, NotFound
from zhengzhao.model.classification import ClassificationLevel
from zhengzhao.model.parties import Department, Principal, Role, UsingParty
from zhengzhao.model.permissions import require_role
from zhengzhao.sharing.matters import ServiceMatter
from zhengzhao.sharing.seed import offering_department
from zhengzhao.storage import catalog as catalog_store
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import matters as matter_store
from zhengzhao.storage import parties as party_store
from zhengzhao.storage.matters import MatterRecord

__all__ = [
    "MAX_PAGE",
    "MatterPage",
    "ServingParty",
    "add_matter",
    "get_matter",
    "list_matters",
    "parties_serving",
    "replace_matter",
    "save_matter",
    "save_matters",
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


@dataclass(frozen=True, kw_only=True)
class ServingParty:
    """A using party serving a matter, as anyone who may read matters sees it."""

    credit_code: str
    name: str
    #: The highest classification level it may receive in clear.
    clearance: ClassificationLevel
    #: The matters it serves: those it is registered for and, for a department
    #: party, the ones its own department offers.
    matter_codes: tuple[str, ...]


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


def save_matters(
    conn: Connection,
    *,
    principal: Principal,
    definitions: Sequence[Mapping[str, Any]],
    department_code: str | None = None,
    replace: bool = False,
    now: datetime,
) -> list[MatterRecord]:
    """`save_matter` for each of ``definitions``, in order (operators only).

    Each is registered for the department its ``department`` member names, else for
    ``department_code``, else for the active department of its ``department_kind``
    that `offering_department` chooses. Raises `InvalidRequest` naming every matter
    whose kind has no such department, before registering any.
    """
    require_role(principal, Role.OPERATOR)
    departments = department_store.list_departments(conn)
    offering = [_offering(d, department_code, departments) for d in definitions]
    missing = [
        (str(d.get("code")), str(d.get("department_kind")))
        for d, code in zip(definitions, offering, strict=True)
        if code is None
    ]
    if missing:
        kinds = sorted({kind for _code, kind in missing})
        raise InvalidRequest(
            "no active department of kind "
            + ", ".join(kinds)
            + " is registered to offer matters "
            + ", ".join(code for code, _kind in missing)
            + "; register one (`zhengzhao department add CODE NAME --region R"
            ' --kind K`), name one in a "department" member, or pass --department'
        )
    return [
        save_matter(
            conn,
            principal=principal,
            definition=definition,
            department_code=code,
            replace=replace,
            now=now,
        )
        for definition, code in zip(definitions, offering, strict=True)
        if code is not None
    ]


def parties_serving(conn: Connection, code: str) -> list[ServingParty]:
    """The active parties that may serve matter ``code``: those registered for it,
    and the department party of the department offering it; raises `NotFound`."""
    record = get_matter(conn, code)
    parties = party_store.parties_registered_for(conn, record.row_id)
    own = party_store.party_of_department(conn, record.department_id)
    if own is not None and all(p.id != own.id for p in parties):
        parties.append(own)
    return [
        _serving(conn, party)
        for party in sorted(parties, key=lambda p: p.credit_code)
        if party.disabled_at is None
    ]


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


def _offering(
    definition: Mapping[str, Any],
    default: str | None,
    departments: Sequence[Department],
) -> str | None:
    named = definition.get("department")
    if isinstance(named, str) and named.strip():
        return named.strip()
    if default is not None:
        return default
    if not isinstance(definition.get("department_kind"), str):
        raise InvalidRequest(
            f"matter {definition.get('code')!r} names no department and no"
            " department_kind; give either, or pass --department"
        )
    matter = ServiceMatter.from_json(dict(definition))
    chosen = offering_department(matter, departments)
    return chosen.credit_code if chosen is not None else None


def _serving(conn: Connection, party: UsingParty) -> ServingParty:
    ids = party_store.matter_ids_of(conn, party.id)
    codes = [record.matter.code for record in matter_store.matters_by_ids(conn, ids)]
    if party.department_id is not None:
        codes += _codes_of_department(conn, party.department_id)
    return ServingParty(
        credit_code=party.credit_code,
        name=party.name,
        clearance=party.clearance,
        matter_codes=tuple(sorted(set(codes))),
    )


def _codes_of_department(conn: Connection, department_id: int) -> list[str]:
    codes: list[str] = []
    after = 0
    while True:
        rows = matter_store.list_matters(
            conn, department_id=department_id, after_row_id=after, limit=MAX_PAGE
        )
        codes += [record.matter.code for record in rows]
        if len(rows) < MAX_PAGE:
            return codes
        after = rows[-1].row_id


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
