"""Departments: registering them, with their first signing key, and finding them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from zhengzhao.errors import Conflict, InvalidRequest, NotFound, PermissionDenied
from zhengzhao.model.credit_code import parse_credit_code
from zhengzhao.model.parties import Department, Principal, Role
from zhengzhao.model.permissions import require_role
from zhengzhao.node import Node
from zhengzhao.seals.algorithms import Algorithm
from zhengzhao.seals.keys import KeyRecord
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import regions as region_store

__all__ = ["get_department", "register_department", "rotate_key"]


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
) -> tuple[Department, KeyRecord]:
    """Register a department and create its first signing key (operators only).

    The credit code is checked strictly; with ``lenient_code`` a pilot-era code
    whose check character fails is accepted, and the warning is kept with the
    department.
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
    )
    return department, key


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
