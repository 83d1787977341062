"""Who may do what: the authorization rules, written once.

Handlers authenticate the caller; services call these checks before they act, so that
the API, the web pages and the CLI all obey the same rules.
"""

from __future__ import annotations

from zhengzhao.errors import PermissionDenied
from zhengzhao.model.parties import Principal, Role

__all__ = ["require_issuer", "require_reader_of", "require_role"]


def require_role(principal: Principal, *roles: Role) -> None:
    """Raise `PermissionDenied` unless the caller has one of ``roles``."""
    if principal.role not in roles:
        allowed = " or ".join(role.value for role in roles)
        raise PermissionDenied(
            f"this needs the {allowed} role; client {principal.client_id} is"
            f" {principal.role.value}"
        )


def require_issuer(principal: Principal, issuer_id: int, *, what: str) -> None:
    """Only the issuing department itself may change its licenses."""
    require_role(principal, Role.DEPARTMENT)
    department = principal.department
    if department is None or department.id != issuer_id:
        raise PermissionDenied(
            f"{what}: only the issuing department may do this, and client"
            f" {principal.client_id} acts for another department"
        )


def require_reader_of(principal: Principal, issuer_id: int) -> None:
    """Operators and auditors read every license; a department reads its own."""
    if principal.role in (Role.OPERATOR, Role.AUDITOR):
        return
    if principal.role is Role.DEPARTMENT and principal.department is not None:
        if principal.department.id == issuer_id:
            return
        raise PermissionDenied(
            "a department reads only the licenses it issued; this one was issued by"
            " another department"
        )
    raise PermissionDenied(
        f"client {principal.client_id} ({principal.role.value}) may not read licenses"
    )
