"""Checks (核验): match or no match per claimed value, and nothing else.

A using party claims values about a holder: its name, its identifier, a field of one
of its licenses, or that it holds a valid license of a type. `make_check` answers
each claim with match or no match; no value, license or status leaves the node.

A check needs the same basis as a share (`zhengzhao.sharing.shares.resolve_scope`):
the holder's authorization, used once per check, or the matter's legal basis with
a reason, or a department's own licenses for its own matter. The holder may be
named, or be the one whose authorization is named. Each claim must be covered: its
license type in scope, its field one the type has and granted (the identifier claim
needs ``CZZTDM``, the name claim ``CZZT``). A field claim may name a surface field or
a metadata field (``ZZYXQJZRQ``, ``ZZBS`` ...), compared with the value the license
holds. The party's clearance does not limit a claim: a check reveals one bit per
claim, which is how a hotel confirms an identity number it may not receive.

To keep checks from enumerating values, one check claims each field at most once
(`DuplicateClaim`), and `take_check` counts claims, not checks, per party and
holder, and per party, in fixed windows kept in the database (`Settings`
``check_limit_per_holder`` a minute and ``check_limit_per_holder_daily`` a day,
``check_limit_per_party`` a minute), and refuses beyond with `RateLimited`. A check
carries at most `MAX_CLAIMS` claims, and never more than the smallest limit allows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from zhengzhao.config import Settings
from zhengzhao.errors import (
    DuplicateClaim,
    FieldNotGranted,
    InvalidRequest,
    RateLimited,
    TypeNotGranted,
)
from zhengzhao.model.parties import Principal, UsingParty
from zhengzhao.model.time import local_date
from zhengzhao.node import Node
from zhengzhao.sharing.access import (
    AccessAction,
    AccessEntry,
    AccessRecord,
    record_access,
)
from zhengzhao.sharing.disclosure import field_classes, license_values
from zhengzhao.sharing.identity import checked_identifier
from zhengzhao.sharing.parties import acting_party, require_serves
from zhengzhao.sharing.scenarios import get_matter
from zhengzhao.sharing.shares import Scope, resolve_scope, valid_licenses
from zhengzhao.storage import authorizations as authorization_store
from zhengzhao.storage import catalog as catalog_store
from zhengzhao.storage import check_counters
from zhengzhao.storage.licenses import StoredLicense
from zhengzhao.storage.matters import MatterRecord

__all__ = [
    "MAX_CLAIMS",
    "CheckRequest",
    "CheckResult",
    "Claim",
    "ClaimKind",
    "claims_per_check",
    "make_check",
    "take_check",
]

#: The most claims one check may carry.
MAX_CLAIMS = 10
_MINUTE = 60
_DAY = 86_400


class ClaimKind(StrEnum):
    HOLDER_NAME = "holder-name"
    HOLDER_IDENTIFIER = "holder-identifier"
    FIELD = "field"
    HOLDS_VALID = "holds-valid"


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One claimed value."""

    kind: ClaimKind
    #: The license type the claim is about; for the holder's name or identifier
    #: optional (any type in scope that grants it).
    type_code: str | None = None
    #: The field, for a `field` claim.
    field: str | None = None
    #: The claimed value; none for `holds-valid`.
    value: Any = None


@dataclass(frozen=True, kw_only=True)
class CheckRequest:
    matter_code: str
    claims: tuple[Claim, ...]
    holder_identifier: str | None = None
    authorization_id: str | None = None
    legal_basis: bool = False
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    #: One answer per claim, in order.
    matches: tuple[bool, ...]
    record: AccessRecord


def claims_per_check(settings: Settings) -> int:
    """The most claims one check may carry: `MAX_CLAIMS`, or fewer when a limit is
    lower, since a check beyond a limit could never be answered."""
    return min(
        MAX_CLAIMS,
        settings.check_limit_per_holder,
        settings.check_limit_per_holder_daily,
        settings.check_limit_per_party,
    )


def take_check(
    node: Node,
    *,
    principal: Principal,
    holder_identifier: str | None,
    authorization_id: str | None,
    matter_code: str,
    claims: int,
    now: datetime,
) -> None:
    """Count a check's ``claims`` against the caller's limits, in a transaction of
    its own, so that refused and failing checks count too; raises `RateLimited`
    beyond, and `InvalidRequest` for more claims than one check may carry."""
    _check_claim_count(claims, node.settings)
    moment = int(now.timestamp())
    with node.database.transaction() as conn:
        party = acting_party(conn, principal)
        subject = _subject(
            conn, node, party, holder_identifier, authorization_id, matter_code, now
        )
        settings = node.settings
        limits = [
            (subject, _MINUTE, settings.check_limit_per_holder),
            (subject, _DAY, settings.check_limit_per_holder_daily),
            ("*", _MINUTE, settings.check_limit_per_party),
        ]
        check_counters.forget_before(conn, party_id=party.id, before=moment - 2 * _DAY)
        exceeded = []
        for who, window, limit in limits:
            start = moment - moment % window
            counted = check_counters.count(
                conn,
                party_id=party.id,
                subject=who,
                window_seconds=window,
                window_start=start,
                amount=claims,
            )
            if counted > limit:
                exceeded.append((start + window - moment, window, limit, who))
    if exceeded:
        retry, window, limit, who = max(exceeded)
        about = "about one holder" if who != "*" else "in all"
        span = "a minute" if window == _MINUTE else "a day"
        raise RateLimited(
            f"using party {party.credit_code} may make {limit} claims {about} in"
            f" {span}; retry after {retry} seconds",
            retry_after=retry,
        )


def make_check(
    conn: Connection,
    node: Node,
    *,
    principal: Principal,
    request: CheckRequest,
    now: datetime,
) -> CheckResult:
    """Answer the claims of ``request`` (see the module docstring)."""
    # 1. The party, the matter, the claims' shape.
    party = acting_party(conn, principal)
    record = get_matter(conn, request.matter_code)
    require_serves(conn, party, record)
    _check_claim_count(len(request.claims), node.settings)
    for claim in request.claims:
        _check_shape(claim)
    _refuse_duplicates(request.claims)
    named = None
    if request.holder_identifier is not None:
        named = checked_identifier(
            record.matter.holder_kind, request.holder_identifier, today=local_date(now)
        )

    # 2. The scope: what the claims may be about.
    scope = resolve_scope(
        conn,
        node,
        party=party,
        record=record,
        holder_identifier=named,
        authorization_id=request.authorization_id,
        legal_basis=request.legal_basis,
        reason=request.reason,
        now=now,
    )
    for claim in request.claims:
        _check_covered(conn, claim, scope, record)

    # 3. The answers.
    licenses = valid_licenses(
        conn, scope.holder_index, scope.wanted, issuer_id=scope.issuer_id, now=now
    )
    documents = [_document(node, stored) for stored in licenses]
    matches = tuple(
        _matches(claim, scope, licenses, documents) for claim in request.claims
    )

    # 4. The record.
    access = record_access(
        conn,
        node,
        AccessEntry(
            action=AccessAction.CHECK,
            holder_kind=record.matter.holder_kind,
            holder_identifier=scope.holder_identifier,
            holder_index=scope.holder_index,
            party=party,
            actor=principal.actor,
            matter_code=record.matter.code,
            basis=scope.basis,
            authorization_ref=scope.authorization,
            reason=scope.reason,
            outcome="checked",
            details={
                "claims": [
                    {
                        "claim": claim.kind.value,
                        "typeCode": claim.type_code,
                        "field": claim.field,
                        "match": match,
                    }
                    for claim, match in zip(request.claims, matches, strict=True)
                ],
                "licenses": [stored.license.identifier for stored in licenses],
            },
            license_ids=tuple(stored.row_id for stored in licenses),
        ),
        now=now,
    )
    return CheckResult(matches=matches, record=access)


_FIELD_OF = {ClaimKind.HOLDER_NAME: "CZZT", ClaimKind.HOLDER_IDENTIFIER: "CZZTDM"}
#: Fields about the holder, the same whatever license carries them.
_HOLDER_FIELDS = frozenset(_FIELD_OF.values())


def _check_claim_count(claims: int, settings: Settings) -> None:
    most = claims_per_check(settings)
    if not 1 <= claims <= most:
        raise InvalidRequest(
            f"a check carries 1 to {most} claims, and this one carries {claims};"
            " split it, within the party's limits"
        )


def _check_shape(claim: Claim) -> None:
    if claim.kind is ClaimKind.FIELD and (claim.type_code is None or not claim.field):
        raise InvalidRequest("a field claim names its license type and its field")
    if claim.kind is ClaimKind.HOLDS_VALID and claim.type_code is None:
        raise InvalidRequest("a holds-valid claim names its license type")
    if claim.kind is not ClaimKind.HOLDS_VALID and claim.value is None:
        raise InvalidRequest(f"a {claim.kind.value} claim states the claimed value")


def _about(claim: Claim) -> tuple[str, str | None]:
    """What a claim is about: a field of a type (the holder's name and identifier
    whatever the type), or holding a valid license of a type."""
    if claim.kind is ClaimKind.HOLDS_VALID:
        return "holds-valid", claim.type_code
    field = _FIELD_OF.get(claim.kind, claim.field) or ""
    return field, None if field in _HOLDER_FIELDS else claim.type_code


def _refuse_duplicates(claims: Sequence[Claim]) -> None:
    """Refuse two claims about the same thing: they would guess at one value."""
    first: dict[tuple[str, str | None], int] = {}
    for number, claim in enumerate(claims):
        about = _about(claim)
        if about in first:
            field, type_code = about
            what = (
                f"holding a valid license of type {type_code}"
                if field == "holds-valid"
                else f"field {field!r}"
                + (f" of license type {type_code}" if type_code else "")
            )
            raise DuplicateClaim(
                f"claims {first[about]} and {number} are both about {what}; a check"
                " claims each field once"
            )
        first[about] = number


def _check_covered(
    conn: Connection, claim: Claim, scope: Scope, record: MatterRecord
) -> None:
    """Raise unless the scope covers the claim."""
    if claim.type_code is not None and claim.type_code not in scope.wanted:
        raise TypeNotGranted(
            f"license type {claim.type_code} is not covered by this check's"
            f" {scope.basis.value}"
        )
    field = _FIELD_OF.get(claim.kind, claim.field)
    if field is None or claim.kind is ClaimKind.HOLDS_VALID:
        return
    if claim.type_code is not None and field not in _HOLDER_FIELDS:
        _check_field_exists(conn, claim.type_code, field, record)
    if not _types_granting(field, claim, scope):
        raise FieldNotGranted(
            f"a {claim.kind.value} claim needs field {field!r} granted"
            + (f" for license type {claim.type_code}" if claim.type_code else "")
            + "; ask the holder to grant it"
        )


def _check_field_exists(
    conn: Connection, type_code: str, field: str, record: MatterRecord
) -> None:
    version = catalog_store.published_version(conn, type_code)
    known = field_classes(version.schema, record.matter.holder_kind) if version else {}
    if field not in known:
        raise InvalidRequest(
            f"license type {type_code} has no field {field!r}; claim one of its"
            " fields: " + ", ".join(sorted(known))
        )


def _types_granting(field: str, claim: Claim, scope: Scope) -> list[str]:
    types = [claim.type_code] if claim.type_code else list(scope.wanted)
    return [
        code
        for code in types
        if scope.wanted.get(code) is None or field in (scope.wanted[code] or ())
    ]


def _matches(
    claim: Claim,
    scope: Scope,
    licenses: Sequence[StoredLicense],
    documents: Sequence[dict[str, Any]],
) -> bool:
    if claim.kind is ClaimKind.HOLDER_IDENTIFIER:
        return _same(claim.value, scope.holder_identifier)
    field = _FIELD_OF.get(claim.kind, claim.field)
    types = set(_types_granting(field or "", claim, scope))
    if claim.kind is ClaimKind.HOLDS_VALID:
        types = {claim.type_code or ""}
    for stored, document in zip(licenses, documents, strict=True):
        if stored.license.type_code not in types:
            continue
        if claim.kind is ClaimKind.HOLDS_VALID:
            return True
        actual = license_values(stored.license, document).get(field or "")
        if _same(claim.value, actual):
            return True
    return False


def _same(claimed: Any, actual: Any) -> bool:
    if isinstance(claimed, str) and isinstance(actual, str):
        left, right = claimed.strip(), actual.strip()
        if left.isascii() and right.isascii():
            return left.upper() == right.upper()
        return left == right
    return bool(claimed == actual) and type(claimed) is type(actual)


def _document(node: Node, stored: StoredLicense) -> dict[str, Any]:
    text = node.vault.open_document(
        stored.document_cipher, license_identifier=stored.license.identifier
    )
    value: dict[str, Any] = json.loads(text)
    return value


def _subject(
    conn: Connection,
    node: Node,
    party: UsingParty,
    holder_identifier: str | None,
    authorization_id: str | None,
    matter_code: str,
    now: datetime,
) -> str:
    """What the per-holder limits count under: the holder's blind index."""
    record = get_matter(conn, matter_code)
    kind = record.matter.holder_kind
    if holder_identifier is not None:
        identifier = checked_identifier(kind, holder_identifier, today=local_date(now))
        return node.vault.index(kind, identifier)
    if authorization_id is not None:
        stored = authorization_store.authorization_by_public_id(conn, authorization_id)
        if stored is not None and stored.party_id == party.id:
            return stored.holder_index
    return "unnamed"
