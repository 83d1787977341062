"""Forms that fill themselves, for a holder or for a using party serving the matter.

`prefill_for_holder` fills a matter's form for the logged-in holder, or for the holder
whose agent the logged-in person is, from every valid license of the matter's types,
each value in clear: a holder sees its own data. `prefill_for_party` fills it for a
using party serving the matter, on the basis a share needs
(`zhengzhao.sharing.shares.resolve_scope`: the holder's authorization, used once;
the matter's legal basis and a stated reason; a department's own licenses for its
own matter); the party sees only the license types in scope and, of them, the fields
a share would show it in clear (`zhengzhao.sharing.disclosure.disclose_license`).

Both run in the caller's transaction, in these steps:

1. who asks: the holder acting (an agent's appointment checked), or the party and
   the matter it serves;
2. the scope: every type of the matter for the holder, the share's scope for a party;
3. the licenses: the holder's valid licenses of the types in scope, and what of each
   the caller may see;
4. the form: `zhengzhao.sharing.forms.prefill` on the day of ``now``;
5. the record: an access record (action ``prefill``) and its log leaf, in this
   transaction. Its details name, per form field and material, the license and field
   used or why none was, and what the prefill supplied (`Supplied`): never a value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from zhengzhao.errors import InvalidRequest
from zhengzhao.model.license import HolderKind
from zhengzhao.model.parties import Principal, UsingParty
from zhengzhao.model.time import local_date
from zhengzhao.node import Node
from zhengzhao.sharing.access import (
    AccessAction,
    AccessBasis,
    AccessEntry,
    AccessRecord,
    record_access,
)
from zhengzhao.sharing.agents import acting_for
from zhengzhao.sharing.disclosure import disclose_license
from zhengzhao.sharing.exemptions import Supplied
from zhengzhao.sharing.forms import HeldLicense, Prefill, covering, prefill
from zhengzhao.sharing.holders import HolderSession
from zhengzhao.sharing.identity import checked_identifier
from zhengzhao.sharing.matters import FieldSource, ServiceMatter
from zhengzhao.sharing.parties import acting_party, require_serves
from zhengzhao.sharing.scenarios import get_matter
from zhengzhao.sharing.shares import Scope, resolve_scope, valid_licenses
from zhengzhao.storage import catalog as catalog_store
from zhengzhao.storage.licenses import StoredLicense

__all__ = [
    "OUTCOME",
    "MadePrefill",
    "PrefillRequest",
    "prefill_for_holder",
    "prefill_for_party",
]

#: The outcome of an access record of a prefill that was made.
OUTCOME = "prefilled"


@dataclass(frozen=True, kw_only=True)
class PrefillRequest:
    """What a using party asks to have filled, and on which basis."""

    matter_code: str
    #: The holder; optional under an authorization, which names its holder.
    holder_identifier: str | None = None
    authorization_id: str | None = None
    #: Use the matter's legal basis instead of an authorization.
    legal_basis: bool = False
    #: Why, when on a legal basis (mandatory then).
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class MadePrefill:
    """A prefill's result and the access record written for it."""

    result: Prefill
    record: AccessRecord
    basis: AccessBasis
    authorization: str | None


@dataclass(frozen=True)
class _Read:
    """One of the holder's valid licenses, opened."""

    stored: StoredLicense
    document: dict[str, Any]
    held: HeldLicense


def prefill_for_holder(
    conn: Connection,
    node: Node,
    *,
    session: HolderSession,
    on_behalf_of: str | None,
    matter_code: str,
    now: datetime,
) -> MadePrefill:
    """Fill matter ``matter_code``'s form for the logged-in holder, or, with
    ``on_behalf_of``, for the holder who appointed the logged-in agent.

    Raises `AgentNotAppointed`, `NotFound` for an unknown matter, and
    `InvalidRequest` for a matter serving the other holder kind.
    """
    # 1. Who asks.
    acting = acting_for(conn, node, session=session, appointment_id=on_behalf_of)
    matter = get_matter(conn, matter_code).matter
    _require_kind(matter, acting.holder.kind, agent=acting.appointment is not None)

    # 2. The scope. 3. The licenses: all of the matter's types, every field.
    wanted = dict.fromkeys(matter.type_codes)
    read = _read(conn, node, acting.holder_index, wanted, issuer_id=None, now=now)

    # 4. The form.
    result = prefill(
        matter, [r.held for r in read], on=local_date(now), disclosed=_every_field
    )

    # 5. The record.
    entry = AccessEntry(
        action=AccessAction.PREFILL,
        holder_kind=acting.holder.kind,
        holder_identifier=acting.holder.identifier,
        holder_index=acting.holder_index,
        party=None,
        actor=acting.actor,
        matter_code=matter.code,
        basis=AccessBasis.HOLDER,
        outcome=OUTCOME,
        details=_details(result),
        license_ids=_row_ids(read, result),
    )
    record = record_access(conn, node, entry, now=now)
    return MadePrefill(
        result=result, record=record, basis=AccessBasis.HOLDER, authorization=None
    )


def prefill_for_party(
    conn: Connection,
    node: Node,
    *,
    principal: Principal,
    request: PrefillRequest,
    now: datetime,
) -> MadePrefill:
    """Fill a matter's form for the caller's using party, as far as the basis of a
    share lets it see (module docstring); raises the `SharingRefused` a share would
    for the same request."""
    # 1. Who asks: the party, serving the matter.
    party = acting_party(conn, principal)
    record = get_matter(conn, request.matter_code)
    require_serves(conn, party, record)
    matter = record.matter
    named = None
    if request.holder_identifier is not None:
        named = checked_identifier(
            matter.holder_kind, request.holder_identifier, today=local_date(now)
        )

    # 2. The scope, as for a share (an authorization is used once).
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

    # 3. The licenses in scope, and what of each the party may see.
    read = _read(
        conn, node, scope.holder_index, scope.wanted, issuer_id=scope.issuer_id, now=now
    )
    day = local_date(now)
    visible = _visible(conn, read, scope, day=day)

    # 4. The form.
    result = prefill(
        matter,
        [r.held for r in read],
        on=day,
        disclosed=_sees(visible),
        readable=frozenset(scope.wanted),
    )

    # 5. The record.
    entry = _party_entry(party, principal, matter, scope, result, read)
    access = record_access(conn, node, entry, now=now)
    return MadePrefill(
        result=result,
        record=access,
        basis=scope.basis,
        authorization=scope.authorization,
    )


def _require_kind(matter: ServiceMatter, kind: HolderKind, *, agent: bool) -> None:
    if kind is matter.holder_kind:
        return
    whom = "the holder you act for is" if agent else "you are"
    raise InvalidRequest(
        f"matter {matter.code} ({matter.name_zh}) serves {matter.holder_kind.value}s,"
        f" and {whom} {'an' if kind is HolderKind.ORGANISATION else 'a'}"
        f" {kind.value}; choose a matter for {kind.value}s (GET /v1/matters)"
    )


def _every_field(_source: FieldSource) -> bool:
    return True


def _read(
    conn: Connection,
    node: Node,
    holder_index: str,
    wanted: Mapping[str, object],
    *,
    issuer_id: int | None,
    now: datetime,
) -> list[_Read]:
    found = valid_licenses(conn, holder_index, wanted, issuer_id=issuer_id, now=now)
    return [_opened(node, stored) for stored in found]


def _opened(node: Node, stored: StoredLicense) -> _Read:
    item = stored.license
    text = node.vault.open_document(
        stored.document_cipher, license_identifier=item.identifier
    )
    document: dict[str, Any] = json.loads(text)
    subject = document["credentialSubject"]
    metadata = {
        "CZZT": subject["holder"]["name"],
        "CZZTDM": subject["holder"]["identifier"],
        "ZZBH": item.paper_number,
        "ZZBFJG": document["issuer"]["name"],
        "ZZBFJGDM": item.issuer_code,
        "ZZBFRQ": subject["license"]["issueDate"],
    }
    held = HeldLicense(
        identifier=item.identifier,
        type_code=item.type_code,
        status=item.status,
        valid_from=item.valid_from,
        valid_until=item.valid_until,
        surface=subject["fields"],
        metadata={name: str(value) for name, value in metadata.items() if value},
    )
    return _Read(stored, document, held)


def _visible(
    conn: Connection, read: Sequence[_Read], scope: Scope, *, day: date
) -> dict[str, frozenset[str]]:
    """Per license type, the top-level fields a share would show the party in clear
    of the license the prefill reads."""
    chosen = covering([r.held for r in read], day)
    visible: dict[str, frozenset[str]] = {}
    for item in read:
        stored = item.stored.license
        if chosen.get(stored.type_code) is not item.held:
            continue
        version = catalog_store.get_version(conn, stored.type_code, stored.type_version)
        assert version is not None  # a license keeps the version it was issued under
        view = disclose_license(
            stored,
            item.document,
            schema=version.schema,
            wanted=scope.wanted[stored.type_code],
            clearance=scope.clearance,
        )
        visible[stored.type_code] = frozenset(view.disclosed)
    return visible


def _sees(visible: Mapping[str, frozenset[str]]) -> Callable[[FieldSource], bool]:
    def sees(source: FieldSource) -> bool:
        top = source.field.split(".", 1)[0].removesuffix("[]")
        return top in visible.get(source.type_code, frozenset())

    return sees


def _party_entry(
    party: UsingParty,
    principal: Principal,
    matter: ServiceMatter,
    scope: Scope,
    result: Prefill,
    read: Sequence[_Read],
) -> AccessEntry:
    return AccessEntry(
        action=AccessAction.PREFILL,
        holder_kind=matter.holder_kind,
        holder_identifier=scope.holder_identifier,
        holder_index=scope.holder_index,
        party=party,
        actor=principal.actor,
        matter_code=matter.code,
        basis=scope.basis,
        authorization_ref=scope.authorization,
        reason=scope.reason,
        outcome=OUTCOME,
        details=_details(result),
        license_ids=_row_ids(read, result),
    )


def _details(result: Prefill) -> dict[str, Any]:
    """What the record says of a prefill: sources and reasons, never values."""
    return {
        "date": result.on.isoformat(),
        "form": [
            {
                "name": item.field.name,
                "license": item.license_identifier,
                "field": item.field.source.field
                if item.filled and item.field.source is not None
                else None,
                "emptyBecause": item.empty_because.value
                if item.empty_because is not None
                else None,
            }
            for item in result.fields
        ],
        "materials": [
            {
                "typeCode": item.material.type_code,
                "required": item.material.required,
                "license": item.license_identifier,
            }
            for item in result.materials
        ],
        "supplied": Supplied.of(result).to_json(),
    }


def _row_ids(read: Sequence[_Read], result: Prefill) -> tuple[int, ...]:
    used = set(result.licenses_used)
    return tuple(r.stored.row_id for r in read if r.held.identifier in used)
