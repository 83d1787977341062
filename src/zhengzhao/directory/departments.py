"""Departments: registering them, with their first signing key, and finding them."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection

from zhengzhao.errors import Conflict, InvalidRequest, NotFound, PermissionDenied
from zhengzhao.model.credit_code import parse_credit_code
from zhengzhao.model.parties import Department, Principal, Role
from zhengzhao.model.permissions import require_role
from zhengzhao.node import Node
from zhengzhao.seals.algorithms import Algorithm
from zhengzhao.seals.keyring import note_key_change
from zhengzhao.seals.keys import KeyRecord
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import regions as region_store

__all__ = [
    "deactivate_department",
    "get_department",
    "register_department",
    "rename_department",
    "rotate_key",
]

logger = logging.getLogger(__name__)


def register_department(
    conn: Connection,
    node: Node,
    *,
    principal: Principal,
    credit_code: str,
    name: str,
    name_en: str | None = None,
    region_code: str,
    kind: str,
    known_kinds: frozenset[str],
    algorithm: Algorithm | None = None,
    lenient_code: bool = False,
    now: datetime,
    keys_from: datetime | None = None,
) -> tuple[Department, KeyRecord]:
    """Register a department and create its first signing key (operators only).

    The credit code is checked strictly; with ``lenient_code`` a pilot-era code
    whose check character fails is accepted, and the warning is kept with the
    department. The key signs from ``now``, or from ``keys_from`` for a library
    built with the history it signs (the demo's).
    """
    require_role(principal, Role.OPERATOR)
    code = parse_credit_code(
        credit_code,
        lenient=lenient_code,
        flag="lenientCreditCode set to true (or --lenient)",
    )
    if not name.strip():
        raise InvalidRequest("a department needs a name")
    if region_store.get_region(conn, region_code) is None:
        raise InvalidRequest(
            f"region {region_code} is not served by this node; load it first"
        )
    if kind not in known_kinds:
        raise InvalidRequest(
            f"department kind {kind!r} is unknown; known kinds: "
            + ", ".join(sorted(known_kinds))
        )
    if department_store.department_by_code(conn, code.value) is not None:
        raise Conflict(f"department {code.value} is already registered")
    department = department_store.insert_department(
        conn,
        credit_code=code.value,
        name=name.strip(),
        name_en=name_en,
        region_code=region_code,
        kind=kind,
        code_warnings=code.warnings,
        now=now,
    )
    key = node.keyring.create_key(
        conn,
        department,
        algorithm=algorithm or Algorithm(node.settings.default_algorithm),
        now=now,
        starts=keys_from,
    )
    return department, key


def rename_department(
    conn: Connection,
    *,
    principal: Principal | None,
    credit_code: str,
    name: str | None = None,
    name_en: str | None = None,
) -> Department:
    """Change a department's name or English name (operators; ``principal`` None is
    the local CLI); what is not given stays, and an empty English name removes it.

    The trust list names the department's keys by the new name from then on, so
    verification reports show it; licenses keep the name they were issued under.
    """
    if principal is not None:
        require_role(principal, Role.OPERATOR)
    department = get_department(conn, credit_code)
    if name is not None and not name.strip():
        raise InvalidRequest("a department needs a name")
    department_store.rename_department(
        conn,
        department.id,
        name=name.strip() if name is not None else department.name,
        name_en=name_en.strip() or None if name_en is not None else department.name_en,
    )
    note_key_change(conn)  # the trust list carries the name
    return get_department(conn, credit_code)


def deactivate_department(
    conn: Connection, *, principal: Principal | None, credit_code: str, now: datetime
) -> Department:
    """Deactivate a department from ``now`` (operators; ``principal`` None is the local
    CLI): it issues no license and records no event any more. Its keys stay on the
    trust list and its status lists stay published, so that what it signed keeps
    verifying. Deactivating it again changes nothing.
    """
    if principal is not None:
        require_role(principal, Role.OPERATOR)
    department = get_department(conn, credit_code)
    department_store.deactivate_department(conn, department.id, now=now)
    logger.info("department %s deactivated", credit_code)
    return get_department(conn, credit_code)


def get_department(conn: Connection, credit_code: str) -> Department:
    department = department_store.department_by_code(conn, credit_code)
    if department is None:
        raise NotFound(f"no department with credit code {credit_code}")
    return department


def rotate_key(
    conn: Connection,
    node: Node,
    *,
    principal: Principal,
    credit_code: str,
    algorithm: Algorithm | None = None,
    now: datetime,
) -> KeyRecord:
    """Start a new key for a department; the old one keeps verifying what it signed.

    Operators rotate any department's key; a department rotates its own.
    """
    department = get_department(conn, credit_code)
    if principal.role is not Role.OPERATOR:
        require_role(principal, Role.DEPARTMENT)
        if principal.department is None or principal.department.id != department.id:
            raise PermissionDenied("a department may rotate only its own keys")
    return node.keyring.create_key(
        conn,
        department,
        algorithm=algorithm or Algorithm(node.settings.default_algorithm),
        now=now,
    )
