"""Shares (用证): a using party reads a holder's licenses for one service matter.

`make_share` runs in the caller's transaction, in these steps:

1. the party and the matter: the caller acts for a party that serves the matter;
2. the scope: the holder's authorization (used once), the matter's legal basis with
   a stated reason, or, for a department reading for its own matter, the licenses
   it issued itself (`resolve_scope`);
3. the licenses: the holder's currently valid licenses of the types in scope;
4. what may be seen: granted (or asked-for) fields within the party's clearance,
   the holder's identifier masked further when the basis lets the party see the
   holder's birth date (`zhengzhao.sharing.disclosure`);
5. the record: an access record, and its log leaf, in this transaction;
6. the copies: one annotated copy per license, signed by the node, valid for
   `copy_validity_days` and never past the license's last day or the
   authorization's expiry.

Every refusal has its own error (see `zhengzhao.errors.SharingRefused`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from zhengzhao.errors import (
    AuthorizationMissing,
    FieldAboveClearance,
    FieldNotGranted,
    InvalidRequest,
    NoLegalBasis,
    ReasonRequired,
    TypeNotGranted,
)
from zhengzhao.issuance.credential import document_hash
from zhengzhao.model.classification import ClassificationLevel
from zhengzhao.model.license import LicenseStatus
from zhengzhao.model.parties import Principal, UsingParty
from zhengzhao.model.time import end_of_day, local_date
from zhengzhao.node import Node
from zhengzhao.sharing.access import (
    AccessAction,
    AccessBasis,
    AccessEntry,
    AccessRecord,
    record_access,
)
from zhengzhao.sharing.authorizations import take_use
from zhengzhao.sharing.copies import Annotation, build_copy, sign_copy
from zhengzhao.sharing.disclosure import (
    DisclosedLicense,
    clear_values,
    disclose_license,
    field_classes,
)
from zhengzhao.sharing.holders import open_identity
from zhengzhao.sharing.identity import checked_identifier
from zhengzhao.sharing.parties import acting_party, require_serves
from zhengzhao.sharing.scenarios import get_matter
from zhengzhao.storage import catalog as catalog_store
from zhengzhao.storage import licenses as license_store
from zhengzhao.storage.licenses import StoredLicense
from zhengzhao.storage.matters import MatterRecord

__all__ = [
    "FIELD_NAME_PATTERN",
    "MAX_FIELDS",
    "MAX_FIELD_NAME",
    "MAX_REASON",
    "MAX_TYPES",
    "TYPE_CODE_PATTERN",
    "Scope",
    "Share",
    "ShareRequest",
    "make_share",
    "narrowed",
    "resolve_scope",
    "valid_licenses",
]

#: Longest reason a use on a legal basis may state.
MAX_REASON = 500
#: The most license types one share or check may name, as a matter reads at most
#: as many materials, and the most fields it may name of one type: more than any
#: type of the seed catalog has (26 with the metadata fields).
MAX_TYPES = 50
MAX_FIELDS = 64
#: A field's name: a schema's property name or a GB/T 36903 metadata name.
MAX_FIELD_NAME = 64
FIELD_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
#: A license type's catalog code: a credit code and three digits.
TYPE_CODE_PATTERN = r"^[0-9A-Z]{21}$"
#: Licenses read per query while collecting a holder's valid ones.
_PAGE = 200


@dataclass(frozen=True, kw_only=True)
class ShareRequest:
    """What a using party asks for."""

    holder_identifier: str
    matter_code: str
    #: The holder's authorization to use; or None with ``legal_basis``.
    authorization_id: str | None = None
    #: Use the matter's legal basis instead of an authorization.
    legal_basis: bool = False
    #: Why, when on a legal basis (mandatory then).
    reason: str | None = None
    #: Only these fields of these types; None: everything the scope allows.
    fields: Mapping[str, Sequence[str]] | None = None


@dataclass(frozen=True, kw_only=True)
class Scope:
    """What a use may read, and why."""

    basis: AccessBasis
    holder_index: str
    #: The holder's identifier: as named, or as the authorization holds it.
    holder_identifier: str
    #: Fields per license type; None for a type: every field of it.
    wanted: dict[str, frozenset[str] | None]
    clearance: ClassificationLevel
    #: For the department's own data: only licenses of this issuer.
    issuer_id: int | None
    authorization: str | None
    #: The purpose stamped on copies: the holder's, or the stated reason.
    purpose: str
    reason: str | None
    #: When the authorization expires; None for a use without one.
    expires_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Share:
    """A share's access record and its copies."""

    record: AccessRecord
    scope: Scope
    copies: list[dict[str, Any]]


def make_share(
    conn: Connection,
    node: Node,
    *,
    principal: Principal,
    request: ShareRequest,
    now: datetime,
) -> Share:
    """Share the holder's licenses with the caller's using party (see the module
    docstring); raises a `SharingRefused` naming why it may not."""
    # 1. The party, the matter, and what is asked.
    party = acting_party(conn, principal)
    record = get_matter(conn, request.matter_code)
    require_serves(conn, party, record)
    _check_asked(request.fields)
    holder_kind = record.matter.holder_kind
    identifier = checked_identifier(
        holder_kind, request.holder_identifier, today=local_date(now)
    )

    # 2. The scope.
    scope = resolve_scope(
        conn,
        node,
        party=party,
        record=record,
        holder_identifier=identifier,
        authorization_id=request.authorization_id,
        legal_basis=request.legal_basis,
        reason=request.reason,
        now=now,
    )
    whole = scope
    scope = narrowed(conn, scope, request.fields, record=record)

    # 3. The licenses. 4. What of them may be seen.
    opened = [
        _open(conn, node, stored)
        for stored in valid_licenses(
            conn, whole.holder_index, whole.wanted, issuer_id=whole.issuer_id, now=now
        )
    ]
    # What the basis would show in clear, asked for or not: one share asking for
    # fewer fields must not show more of the identifier than another would.
    allowed = [value for item in opened for value in item.clear_under(whole)]
    seen = [
        item.disclosed(scope, also_clear=allowed)
        for item in opened
        if item.stored.license.type_code in scope.wanted
    ]

    # 5. The record.
    access = record_access(
        conn,
        node,
        AccessEntry(
            action=AccessAction.SHARE,
            holder_kind=holder_kind,
            holder_identifier=identifier,
            holder_index=scope.holder_index,
            party=party,
            actor=principal.actor,
            matter_code=record.matter.code,
            basis=scope.basis,
            authorization_ref=scope.authorization,
            reason=scope.reason,
            outcome="disclosed",
            details={"licenses": [item.recorded() for item in seen]},
            license_ids=tuple(item.stored.row_id for item in seen),
        ),
        now=now,
    )

    # 6. The copies.
    copies = _copies(
        conn,
        node,
        seen,
        _annotation(party, record, scope, access, now),
        expires_at=scope.expires_at,
    )
    return Share(record=access, scope=scope, copies=copies)


def resolve_scope(
    conn: Connection,
    node: Node,
    *,
    party: UsingParty,
    record: MatterRecord,
    holder_identifier: str | None,
    authorization_id: str | None,
    legal_basis: bool,
    reason: str | None,
    now: datetime,
) -> Scope:
    """What ``party`` may read of a holder for matter ``record``, and why.

    With an authorization, it is used once (`take_use`); the holder it names is
    the holder read, and must be the one named here if one is. Raises
    `AuthorizationMissing` when there is no basis at all, `NoLegalBasis` or
    `ReasonRequired` for a legal basis that is not there or not stated, and the
    refusals of `take_use`.
    """
    matter = record.matter
    holder_index = None
    if holder_identifier is not None:
        holder_index = node.vault.index(matter.holder_kind, holder_identifier)
    if authorization_id is not None:
        if legal_basis:
            raise InvalidRequest("name an authorization or the legal basis, not both")
        used = take_use(
            conn,
            authorization_id=authorization_id,
            party=party,
            holder_index=holder_index,
            record=record,
            now=now,
        )
        holder = open_identity(
            node,
            used.holder_kind,
            used.holder_cipher,
            context=f"authorization:{used.public_id}",
        )
        return Scope(
            basis=AccessBasis.AUTHORIZATION,
            holder_index=used.holder_index,
            holder_identifier=holder.identifier,
            wanted={g["type_code"]: frozenset(g["fields"]) for g in used.grants},
            clearance=party.clearance,
            issuer_id=None,
            authorization=used.public_id,
            purpose=used.purpose,
            reason=None,
            expires_at=used.expires_at,
        )
    if holder_identifier is None or holder_index is None:
        raise InvalidRequest("name the holder, or an authorization that names it")
    if legal_basis:
        if matter.legal_basis is None:
            raise NoLegalBasis(
                f"matter {matter.code} has no legal basis for use without consent;"
                " ask the holder for an authorization"
            )
        stated = (reason or "").strip()
        if not stated or len(stated) > MAX_REASON:
            raise ReasonRequired(
                f"a use on the legal basis of matter {matter.code}"
                f" ({matter.legal_basis}) must state its reason, in at most"
                f" {MAX_REASON} characters"
            )
        return Scope(
            basis=AccessBasis.LEGAL_BASIS,
            holder_index=holder_index,
            holder_identifier=holder_identifier,
            wanted=dict.fromkeys(matter.type_codes),
            clearance=party.clearance,
            issuer_id=None,
            authorization=None,
            purpose=f"{matter.legal_basis}: {stated}",
            reason=stated,
        )
    if party.department_id is not None and party.department_id == record.department_id:
        # A department reading the licenses it issued itself, for its own matter.
        return Scope(
            basis=AccessBasis.OWN_DATA,
            holder_index=holder_index,
            holder_identifier=holder_identifier,
            wanted=dict.fromkeys(matter.type_codes),
            clearance=ClassificationLevel.SECRET,
            issuer_id=party.department_id,
            authorization=None,
            purpose=matter.name_zh,
            reason=None,
        )
    otherwise = " (or use the matter's legal basis, with a reason)"
    raise AuthorizationMissing(
        f"no authorization was named for matter {matter.code}; ask the holder to"
        " grant one and name it" + (otherwise if matter.legal_basis else "")
    )


def narrowed(
    conn: Connection,
    scope: Scope,
    fields: Mapping[str, Sequence[str]] | None,
    *,
    record: MatterRecord,
) -> Scope:
    """``scope`` limited to ``fields`` by type; raises `TypeNotGranted`,
    `FieldNotGranted` or `FieldAboveClearance` for anything beyond it."""
    if fields is None:
        return scope
    wanted: dict[str, frozenset[str] | None] = {}
    for type_code, names in fields.items():
        if type_code not in scope.wanted:
            raise TypeNotGranted(
                f"license type {type_code} is not covered by this use's"
                f" {scope.basis.value} for matter {record.matter.code}"
            )
        allowed = scope.wanted[type_code]
        classes = _classes(conn, type_code, record)
        for name in names:
            if allowed is not None and name not in allowed:
                raise FieldNotGranted(
                    f"field {name!r} of license type {type_code} was not granted;"
                    " ask only for granted fields, or for a new authorization"
                )
            level = classes.get(name)
            if level is None:
                raise InvalidRequest(f"license type {type_code} has no field {name!r}")
            if level > scope.clearance:
                raise FieldAboveClearance(
                    f"field {name!r} of license type {type_code} is {level.value},"
                    f" above the party's {scope.clearance.value} clearance"
                )
        wanted[type_code] = frozenset(names)
    return replace(scope, wanted=wanted)


def _check_asked(fields: Mapping[str, Sequence[str]] | None) -> None:
    """Refuse an empty ``fields``: it would use the basis and read nothing."""
    if fields is None:
        return
    if not fields or not all(fields.values()):
        raise InvalidRequest(
            "`fields` names at least one license type and at least one field of"
            " each; leave it out to read everything the basis allows"
        )


def valid_licenses(
    conn: Connection,
    holder_index: str,
    wanted: Mapping[str, object],
    *,
    issuer_id: int | None,
    now: datetime,
) -> list[StoredLicense]:
    """The holder's licenses of the ``wanted`` types that are valid at ``now``:
    current versions, status valid (an encumbrance does not matter), inside their
    validity window."""
    today = local_date(now)
    found: list[StoredLicense] = []
    after = 0
    while True:
        rows = license_store.licenses_of_holder(
            conn, holder_index, issuer_id=issuer_id, after_row_id=after, limit=_PAGE
        )
        for stored in rows:
            item = stored.license
            if (
                item.type_code in wanted
                and item.status is LicenseStatus.VALID
                and item.valid_from <= today
                and (item.valid_until is None or today <= item.valid_until)
            ):
                found.append(stored)
        if len(rows) < _PAGE:
            return found
        after = rows[-1].row_id


@dataclass(frozen=True)
class _Opened:
    """A valid license of the holder, its credential opened."""

    stored: StoredLicense
    document: dict[str, Any]
    schema: Mapping[str, Any]
    source_hash: str

    def clear_under(self, scope: Scope) -> list[Any]:
        """What ``scope`` lets the party see of it in clear."""
        return clear_values(
            self.stored.license,
            self.document,
            schema=self.schema,
            wanted=scope.wanted[self.stored.license.type_code],
            clearance=scope.clearance,
        )

    def disclosed(self, scope: Scope, *, also_clear: Sequence[Any]) -> _Seen:
        view = disclose_license(
            self.stored.license,
            self.document,
            schema=self.schema,
            wanted=scope.wanted[self.stored.license.type_code],
            clearance=scope.clearance,
            also_clear=also_clear,
        )
        return _Seen(self.stored, view, self.source_hash)


@dataclass(frozen=True)
class _Seen:
    """A license as the party may see it, and the hash of its credential."""

    stored: StoredLicense
    view: DisclosedLicense
    source_hash: str

    def recorded(self) -> dict[str, Any]:
        """What the access record says of it."""
        return {
            "identifier": self.stored.license.identifier,
            "typeCode": self.stored.license.type_code,
            "disclosed": list(self.view.disclosed),
        }


def _open(conn: Connection, node: Node, stored: StoredLicense) -> _Opened:
    text = node.vault.open_document(
        stored.document_cipher, license_identifier=stored.license.identifier
    )
    version = catalog_store.get_version(
        conn, stored.license.type_code, stored.license.type_version
    )
    assert version is not None  # a license keeps the version it was issued under
    return _Opened(stored, json.loads(text), version.schema, document_hash(text))


def _annotation(
    party: UsingParty,
    record: MatterRecord,
    scope: Scope,
    access: AccessRecord,
    now: datetime,
) -> Annotation:
    return Annotation(
        purpose=scope.purpose,
        party_code=party.credit_code,
        party_name=party.name,
        matter_code=record.matter.code,
        matter_name=record.matter.name_zh,
        basis=scope.basis.value,
        authorization=scope.authorization,
        reason=scope.reason,
        access_record=access.id,
        made_at=now,
    )


def _copies(
    conn: Connection,
    node: Node,
    seen: Sequence[_Seen],
    annotation: Annotation,
    *,
    expires_at: datetime | None,
) -> list[dict[str, Any]]:
    """One signed copy per license, valid for `copy_validity_days` and never past
    the license's last day or the authorization's expiry."""
    now = annotation.made_at
    signer = node.copy_keys.signer(conn, now=now)
    expiry = now + timedelta(days=node.settings.copy_validity_days)
    if expires_at is not None:
        expiry = min(expiry, expires_at)
    copies = []
    for number, item in enumerate(seen, start=1):
        last = item.stored.license.valid_until
        copy = build_copy(
            item.view,
            number=number,
            source_hash=item.source_hash,
            annotation=annotation,
            expires_at=min(expiry, end_of_day(last)) if last else expiry,
            base_url=node.base_url,
            node_name=node.settings.node_name,
        )
        copies.append(sign_copy(copy, signer=signer, now=now))
    return copies


def _classes(
    conn: Connection, type_code: str, record: MatterRecord
) -> dict[str, ClassificationLevel]:
    version = catalog_store.published_version(conn, type_code)
    if version is None:
        return {}
    return field_classes(version.schema, record.matter.holder_kind)
