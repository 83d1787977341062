"""Using parties (用证方): who may receive licenses, for which matters, how much.

A using party is a department of this node or a third party (a bank, a hotel), known
by its unified social credit code. It may serve the matters an operator registered
it for; a department party also serves its own department's matters without being
registered for them. Its clearance is the highest classification level it may
receive (`zhengzhao.model.classification`): fields above it leave the node masked.

Clients act for a party in two ways: a client of role ``using-party`` created for it,
or a ``department`` client of a department registered as a party.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from zhengzhao.errors import (
    Conflict,
    InvalidRequest,
    MatterNotAllowed,
    NotAUsingParty,
    NotFound,
)
from zhengzhao.model.classification import ClassificationLevel
from zhengzhao.model.credit_code import CreditCode
from zhengzhao.model.parties import PartyKind, Principal, Role, UsingParty
from zhengzhao.model.permissions import require_role
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import matters as matter_store
from zhengzhao.storage import parties as party_store
from zhengzhao.storage.matters import MatterRecord

__all__ = [
    "PartyView",
    "acting_party",
    "get_party",
    "list_parties",
    "register_party",
    "require_serves",
    "update_party",
]


@dataclass(frozen=True, kw_only=True)
class PartyView:
    """A using party with the matters it is registered for."""

    party: UsingParty
    #: Codes of the matters it was registered for (its own department's not listed).
    matter_codes: tuple[str, ...]
    #: Credit code of the department it is, for a department party.
    department_code: str | None


def register_party(
    conn: Connection,
    *,
    principal: Principal,
    credit_code: str | None,
    name: str | None,
    kind: PartyKind,
    department_code: str | None = None,
    clearance: ClassificationLevel,
    matter_codes: Sequence[str] = (),
    now: datetime,
) -> PartyView:
    """Register a using party (operators only).

    A department party is named by ``department_code`` and takes the department's
    credit code and name; a third party needs both. Raises `InvalidRequest` for an
    unknown department or matter and `Conflict` when the party exists.
    """
    require_role(principal, Role.OPERATOR)
    department_id = None
    if kind is PartyKind.DEPARTMENT:
        if department_code is None:
            raise InvalidRequest("a department party needs the department's code")
        department = department_store.department_by_code(conn, department_code)
        if department is None:
            raise InvalidRequest(f"no department with credit code {department_code}")
        if credit_code is not None and credit_code != department.credit_code:
            raise InvalidRequest(
                f"a department party has its department's credit code"
                f" {department.credit_code}, not {credit_code}"
            )
        credit_code, name, department_id = (
            department.credit_code,
            name or department.name,
            department.id,
        )
    elif department_code is not None:
        raise InvalidRequest("a third party is no department; leave out its code")
    if credit_code is None or not (name or "").strip():
        raise InvalidRequest("a third party needs its credit code and its name")
    code = CreditCode.parse(credit_code, lenient=True).value
    if party_store.party_by_code(conn, code) is not None:
        raise Conflict(f"using party {code} is already registered")
    matter_ids = _matter_ids(conn, matter_codes)
    party = party_store.insert_party(
        conn,
        credit_code=code,
        name=(name or "").strip(),
        kind=kind,
        department_id=department_id,
        clearance=clearance,
        now=now,
    )
    party_store.set_matters(conn, party.id, matter_ids)
    return _view(conn, party)


def update_party(
    conn: Connection,
    *,
    principal: Principal,
    credit_code: str,
    name: str | None = None,
    clearance: ClassificationLevel | None = None,
    matter_codes: Sequence[str] | None = None,
    disabled: bool | None = None,
    now: datetime,
) -> PartyView:
    """Change a party's name, clearance, matters or whether it is disabled
    (operators only); what is not given stays."""
    require_role(principal, Role.OPERATOR)
    party = _party(conn, credit_code)
    disabled_at = party.disabled_at
    if disabled is not None:
        disabled_at = (disabled_at or now) if disabled else None
    party_store.update_party(
        conn,
        party.id,
        name=(name or party.name).strip(),
        clearance=clearance or party.clearance,
        disabled_at=disabled_at,
        now=now,
    )
    if matter_codes is not None:
        party_store.set_matters(conn, party.id, _matter_ids(conn, matter_codes))
    return _view(conn, _party(conn, credit_code))


def get_party(conn: Connection, *, principal: Principal, credit_code: str) -> PartyView:
    """One party: operators and auditors read any, a party's own clients their own."""
    party = _party(conn, credit_code)
    if principal.role not in (Role.OPERATOR, Role.AUDITOR):
        if acting_party(conn, principal).id != party.id:
            raise NotFound(f"no using party {credit_code}")
    return _view(conn, party)


def list_parties(conn: Connection, *, principal: Principal) -> list[PartyView]:
    """Every using party (operators and auditors)."""
    require_role(principal, Role.OPERATOR, Role.AUDITOR)
    return [_view(conn, party) for party in party_store.list_parties(conn)]


def acting_party(conn: Connection, principal: Principal) -> UsingParty:
    """The using party the caller acts for; raises `NotAUsingParty`."""
    party = None
    if principal.role is Role.USING_PARTY:
        party = principal.party
    elif principal.role is Role.DEPARTMENT and principal.department is not None:
        party = party_store.party_of_department(conn, principal.department.id)
        if party is None:
            raise NotAUsingParty(
                f"department {principal.department.credit_code} is not registered as"
                " a using party; an operator registers it with `zhengzhao party add"
                " --kind department`"
            )
    if party is None:
        raise NotAUsingParty(
            f"client {principal.client_id} ({principal.role.value}) acts for no using"
            " party; use a using-party client or a department's own client"
        )
    if party.disabled_at is not None:
        raise NotAUsingParty(
            f"using party {party.credit_code} is disabled; ask the node's operator"
        )
    return party


def require_serves(conn: Connection, party: UsingParty, record: MatterRecord) -> None:
    """Raise `MatterNotAllowed` unless ``party`` may serve the matter."""
    if party.department_id is not None and party.department_id == record.department_id:
        return
    if party_store.serves(conn, party.id, record.row_id):
        return
    raise MatterNotAllowed(
        f"using party {party.credit_code} ({party.name}) is not registered for matter"
        f" {record.matter.code} ({record.matter.name_zh}); ask the node's operator to"
        " add the matter to the party"
    )


def _party(conn: Connection, credit_code: str) -> UsingParty:
    party = party_store.party_by_code(conn, credit_code)
    if party is None:
        raise NotFound(f"no using party {credit_code}")
    return party


def _matter_ids(conn: Connection, codes: Sequence[str]) -> list[int]:
    ids = []
    for code in codes:
        record = matter_store.matter_by_code(conn, code)
        if record is None:
            raise InvalidRequest(f"no service matter {code}")
        ids.append(record.row_id)
    return ids


def _view(conn: Connection, party: UsingParty) -> PartyView:
    matter_ids = party_store.matter_ids_of(conn, party.id)
    records = matter_store.matters_by_ids(conn, matter_ids)
    department = (
        department_store.department_by_id(conn, party.department_id)
        if party.department_id is not None
        else None
    )
    return PartyView(
        party=party,
        matter_codes=tuple(record.matter.code for record in records),
        department_code=department.credit_code if department else None,
    )
