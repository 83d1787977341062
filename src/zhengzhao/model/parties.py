"""Who takes part: regions, departments, and the API clients that act for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = ["Department", "Principal", "Region", "Role"]


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


class Role(StrEnum):
    """What an API client may do.

    - ``operator`` runs the node: catalog, regions, departments, keys, clients.
    - ``department`` issues and manages the licenses of its own department only.
    - ``auditor`` reads everything and changes nothing.
    - ``verifier`` asks the node to verify licenses and nothing else.
    """

    OPERATOR = "operator"
    DEPARTMENT = "department"
    AUDITOR = "auditor"
    VERIFIER = "verifier"


@dataclass(frozen=True, kw_only=True)
class Principal:
    """The authenticated caller of one request."""

    client_id: str
    name: str
    role: Role
    #: The department a `department` client acts for; None for other roles.
    department: Department | None = None
    #: Created by `zhengzhao demo`: usable in development mode only.
    demo: bool = field(default=False)

    @property
    def actor(self) -> str:
        """How events and records name this caller."""
        return f"client:{self.client_id}"
