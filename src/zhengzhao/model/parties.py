"""Who takes part: regions, departments, using parties, and the API clients that act
for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from zhengzhao.model.classification import ClassificationLevel

__all__ = ["Department", "PartyKind", "Principal", "Region", "Role", "UsingParty"]


@dataclass(frozen=True, kw_only=True)
class Region:
    """An administrative division (GB/T 2260) the node serves."""

    code: str
    name: str
    #: `province`, `prefecture` or `county`.
    level: str
    parent_code: str | None


@dataclass(frozen=True, kw_only=True)
class Department:
    """A government department that issues licenses."""

    #: The node's own row number; stable, but meaningless outside the node.
    id: int
    #: Its unified social credit code (GB 32100): its identity everywhere else.
    credit_code: str
    name: str
    name_en: str | None
    region_code: str
    #: Its kind from the catalog's department kinds (`public-security`, ...).
    kind: str
    #: Warnings recorded when its credit code was accepted in lenient mode.
    code_warnings: tuple[str, ...] = ()
    created_at: datetime | None = None
    #: When an operator deactivated it; it issues nothing from then on, and what it
    #: signed keeps verifying.
    deactivated_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.deactivated_at is None


class Role(StrEnum):
    """What an API client may do.

    - ``operator`` runs the node: catalog, regions, departments, keys, clients.
    - ``department`` issues and manages the licenses of its own department only.
    - ``auditor`` reads everything and changes nothing.
    - ``verifier`` asks the node to verify licenses and nothing else.
    - ``using-party`` reads licenses shared with its using party (用证方): shares and
      checks for the service matters the party may serve, with the holder's
      authorization or a legal basis.
    """

    OPERATOR = "operator"
    DEPARTMENT = "department"
    AUDITOR = "auditor"
    VERIFIER = "verifier"
    USING_PARTY = "using-party"


class PartyKind(StrEnum):
    """What a using party is."""

    #: A government department of this node, using licenses for its own matters.
    DEPARTMENT = "department"
    #: Anyone else entrusted with a matter: a bank, a hotel, a hospital.
    THIRD_PARTY = "third-party"


@dataclass(frozen=True, kw_only=True)
class UsingParty:
    """A department or third party registered to use licenses (用证方)."""

    #: The node's own row number.
    id: int
    #: Its unified social credit code (GB 32100): its identity everywhere else.
    credit_code: str
    name: str
    kind: PartyKind
    #: The department it is, for a `department` party; None for a third party.
    department_id: int | None
    #: The highest classification level of data it may receive.
    clearance: ClassificationLevel
    created_at: datetime
    #: When an operator disabled it; a disabled party can neither share nor check.
    disabled_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Principal:
    """The authenticated caller of one request."""

    client_id: str
    name: str
    role: Role
    #: The department a `department` client acts for; None for other roles.
    department: Department | None = None
    #: The using party a `using-party` client acts for; None for other roles.
    party: UsingParty | None = None
    #: Created by `zhengzhao demo`: usable in development mode only.
    demo: bool = field(default=False)

    @property
    def actor(self) -> str:
        """How events and records name this caller."""
        return f"client:{self.client_id}"
