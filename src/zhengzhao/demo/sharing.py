"""Sharing in the demo: a few service matters, a bank, a hotel and a department as
using parties, and authorizations ready to use, so that a share works at once.

Everything goes through the sharing services, as the API would. The parties' clients
are demo clients (refused outside development mode); holders log in through the
unsafe development identity provider the demo configures. Three matters are enough
to try a share under an authorization, a check, and a use on a legal basis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from zhengzhao.catalog.seed import load_seed_catalog
from zhengzhao.directory.clients import create_client
from zhengzhao.model.classification import ClassificationLevel
from zhengzhao.model.license import HolderKind
from zhengzhao.model.parties import Department, PartyKind, Principal, Role
from zhengzhao.model.time import to_rfc3339
from zhengzhao.node import Node
from zhengzhao.sharing.authorizations import Grant, GrantRequest, grant_authorization
from zhengzhao.sharing.holders import HolderSession
from zhengzhao.sharing.identity import HolderIdentity
from zhengzhao.sharing.parties import register_party
from zhengzhao.sharing.scenarios import add_matter

__all__ = ["DemoHolder", "set_up_sharing"]

_OPERATOR = Principal(client_id="demo-builder", name="demo builder", role=Role.OPERATOR)

#: The bank and the hotel: unified social credit codes of the demo (valid, made up).
BANK_CODE = "91650100MA00000159"
HOTEL_CODE = "91650100MA00000234"

CARD_MATTER = "650000-RS-0001"
HOTEL_MATTER = "650102-GA-0101"
INSPECTION_MATTER = "650100-SJ-0007"


@dataclass(frozen=True)
class _Party:
    kind: PartyKind
    code: str
    name: str
    clearance: ClassificationLevel


_BANK = _Party(
    PartyKind.THIRD_PARTY,
    BANK_CODE,
    "中国工商银行股份有限公司乌鲁木齐分行",
    ClassificationLevel.INTERNAL,
)
# A hotel may receive public data only; it checks identities (核验) instead.
_HOTEL = _Party(
    PartyKind.THIRD_PARTY, HOTEL_CODE, "乌鲁木齐天山宾馆", ClassificationLevel.PUBLIC
)


@dataclass(frozen=True)
class DemoHolder:
    """A person of the demo population who holds a valid identity card."""

    identifier: str
    name: str


def set_up_sharing(
    node: Node,
    departments: Iterable[Department],
    holders: Sequence[DemoHolder],
    *,
    now: datetime,
) -> dict[str, Any]:
    """Matters, parties, their demo clients and two holders' authorizations; what
    `demo-credentials.json` lists of them."""
    offering = {(d.kind, d.region_code): d for d in departments}
    with node.database.transaction() as conn:
        for definition, kind, region in _matters():
            add_matter(
                conn,
                principal=_OPERATOR,
                definition=definition,
                department_code=offering[(kind, region)].credit_code,
                now=now,
            )
        market = offering[("market-regulation", "650100")]
        parties = [
            _party(conn, _BANK, matters=[CARD_MATTER], now=now),
            _party(conn, _HOTEL, matters=[HOTEL_MATTER], now=now),
            _party(
                conn,
                _Party(
                    PartyKind.DEPARTMENT,
                    market.credit_code,
                    market.name,
                    ClassificationLevel.SENSITIVE,
                ),
                matters=[],
                now=now,
                department=market,
            ),
        ]
        authorizations = _authorizations(conn, node, holders, now=now)
    return {
        "usingParties": parties,
        "holders": authorizations,
        "tryIt": [
            "login: POST /v1/holder-sessions with"
            ' {"credentials": {"identifier": <holder>, "name": <name>}}',
            "share: POST /v1/shares as the bank with"
            f' {{"holder": <holder>, "matter": "{CARD_MATTER}",'
            ' "authorization": <its id>} and an Idempotency-Key',
            "check: POST /v1/checks as the hotel with"
            f' {{"matter": "{HOTEL_MATTER}", "authorization": <its id>,'
            ' "claims": [{"claim": "holder-identifier", "value": <holder>}]}',
        ],
    }


def _matters() -> list[tuple[dict[str, Any], str, str]]:
    types = {t.key: t.code for t in load_seed_catalog()}
    card, household = types["resident-identity-card"], types["household-register"]

    def source(type_code: str, field: str) -> dict[str, str]:
        return {"type_code": type_code, "field": field}

    card_form = [
        {"name": name, "label_zh": zh, "label_en": en, "source": source(card, field)}
        for name, zh, en, field in (
            ("applicantName", "申请人姓名", "Name", "CZZT"),
            ("idNumber", "公民身份号码", "ID number", "CZZTDM"),
            ("address", "住址", "Address", "address"),
        )
    ]
    return [
        (
            {
                "code": CARD_MATTER,
                "name_zh": "社会保障卡申领",
                "name_en": "Social security card application",
                "holder_kind": HolderKind.PERSON.value,
                "materials": [
                    {"type_code": card, "required": True},
                    {"type_code": household, "required": False},
                ],
                "form": card_form,
            },
            "human-resources-social-security",
            "650000",
        ),
        (
            {
                "code": HOTEL_MATTER,
                "name_zh": "旅馆业住宿登记",
                "name_en": "Hotel guest registration",
                "holder_kind": HolderKind.PERSON.value,
                "materials": [{"type_code": card, "required": True}],
            },
            "public-security",
            "650102",
        ),
        (
            {
                "code": INSPECTION_MATTER,
                "name_zh": "食品经营现场检查",
                "name_en": "On-site inspection of a food business",
                "holder_kind": HolderKind.ORGANISATION.value,
                "materials": [
                    {"type_code": types["food-business-licence"], "required": True},
                    {"type_code": types["business-licence"], "required": True},
                ],
                "legal_basis": "《中华人民共和国食品安全法》第一百一十条",
            },
            "market-regulation",
            "650100",
        ),
    ]


def _party(
    conn: Connection,
    party: _Party,
    *,
    matters: list[str],
    now: datetime,
    department: Department | None = None,
) -> dict[str, Any]:
    view = register_party(
        conn,
        principal=_OPERATOR,
        credit_code=party.code,
        name=party.name,
        kind=party.kind,
        department_code=department.credit_code if department else None,
        clearance=party.clearance,
        matter_codes=matters,
        now=now,
    )
    issued = create_client(
        conn,
        principal=None,
        name=f"demo {party.name}",
        role=Role.USING_PARTY,
        party_code=view.party.credit_code,
        demo=True,
        now=now,
    )
    return {
        "name": party.name,
        "creditCode": view.party.credit_code,
        "kind": party.kind.value,
        "clearance": party.clearance.value,
        "matters": list(view.matter_codes),
        "token": issued.token,
    }


def _authorizations(
    conn: Connection, node: Node, holders: Sequence[DemoHolder], *, now: datetime
) -> list[dict[str, Any]]:
    types = {t.key: t.code for t in load_seed_catalog()}
    card = types["resident-identity-card"]
    plans = [
        (BANK_CODE, CARD_MATTER, ("CZZT", "sex", "birthDate"), "办理社会保障卡"),
        (HOTEL_CODE, HOTEL_MATTER, ("CZZT", "CZZTDM"), "入住登记核验身份"),
    ]
    listed = []
    for holder, (party, matter, fields, purpose) in zip(holders, plans, strict=False):
        session = HolderSession(
            session_id="demo-builder",
            holder=HolderIdentity(
                kind=HolderKind.PERSON, identifier=holder.identifier, name=holder.name
            ),
            holder_index=node.vault.index(HolderKind.PERSON, holder.identifier),
            provider="demo",
            expires_at=now,
        )
        granted = grant_authorization(
            conn,
            node,
            session=session,
            on_behalf_of=None,
            request=GrantRequest(
                party_code=party,
                matter_code=matter,
                grants=(Grant(type_code=card, fields=fields),),
                purpose=purpose,
                expires_at=now + timedelta(days=90),
                uses=50,
            ),
            now=now,
        )
        listed.append(
            {
                "identifier": holder.identifier,
                "name": holder.name,
                "authorization": granted.id,
                "party": party,
                "matter": matter,
                "expiresAt": to_rfc3339(granted.expires_at),
            }
        )
    return listed
