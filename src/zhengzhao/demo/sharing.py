"""Sharing in the demo: the seed scenario list, a bank, a hotel and a department as
using parties, authorizations ready to use, and prefills already made, so that a
share, a check and a prefill work at once and the exemption report has figures.

Everything goes through the sharing services, as the API would. The 54 matters of
the seed list (`zhengzhao.sharing.seed.load_seed_matters`) are registered each for a
department of its kind, as `zhengzhao matter seed` chooses it: the region's own when
the demo has one, else Urumqi's. The kinds no seed license type needs (tax bureaus,
housing and construction, the provident fund) get a department at region level.
Hotel guest registration, which the seed list lacks, is added as a matter of the
Tianshan district's own catalogue. The parties' clients are demo clients (refused
outside development mode); holders log in through the unsafe development identity
provider the demo configures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from zhengzhao.catalog.seed import load_department_kinds, load_seed_catalog
from zhengzhao.demo.departments import demo_department
from zhengzhao.demo.synthetic import PlannedLicense
from zhengzhao.directory.clients import create_client
from zhengzhao.directory.departments import register_department
from zhengzhao.model.classification import ClassificationLevel
from zhengzhao.model.license import HolderKind
from zhengzhao.model.parties import Department, PartyKind, Principal, Role
from zhengzhao.model.time import to_rfc3339
from zhengzhao.node import Node
from zhengzhao.sharing.authorizations import Grant, GrantRequest, grant_authorization
from zhengzhao.sharing.holders import HolderSession
from zhengzhao.sharing.identity import HolderIdentity
from zhengzhao.sharing.parties import register_party
from zhengzhao.sharing.prefills import prefill_for_holder
from zhengzhao.sharing.scenarios import save_matters
from zhengzhao.sharing.seed import load_seed_matters

__all__ = ["DemoHolder", "applicants_of", "set_up_sharing"]

_OPERATOR = Principal(client_id="demo-builder", name="demo builder", role=Role.OPERATOR)

#: The bank and the hotel: unified social credit codes of the demo (valid, made up).
BANK_CODE = "91650100MA00000159"
HOTEL_CODE = "91650100MA00000234"

#: Seed matters: application for a social security card, on-site inspection of a
#: food business (on the legal basis of 食品安全法 art. 110).
CARD_MATTER = "650000-015"
INSPECTION_MATTER = "650000-044"
#: Hotel guest registration, in the Tianshan district's own catalogue.
HOTEL_MATTER = "650102-001"
#: Applicants of each holder kind whose forms the demo fills, for every matter of
#: their kind: enough for the report in practice to have a figure for each.
APPLICANTS_PER_KIND = 4


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
    """A person or organisation of the demo population."""

    identifier: str
    name: str
    kind: HolderKind = HolderKind.PERSON


def applicants_of(planned: Iterable[PlannedLicense]) -> list[DemoHolder]:
    """The `APPLICANTS_PER_KIND` persons and organisations that hold the most of
    ``planned`` licenses, persons first: the demo fills their forms."""
    counts = Counter(
        DemoHolder(item.holder_identifier, item.holder_name, item.holder_kind)
        for item in planned
    )
    ranked = sorted(counts, key=lambda h: (-counts[h], h.identifier))
    return [
        holder
        for kind in (HolderKind.PERSON, HolderKind.ORGANISATION)
        for holder in [h for h in ranked if h.kind is kind][:APPLICANTS_PER_KIND]
    ]


def set_up_sharing(
    node: Node,
    departments: Iterable[Department],
    holders: Sequence[DemoHolder],
    *,
    applicants: Sequence[DemoHolder] = (),
    now: datetime,
) -> dict[str, Any]:
    """Matters, parties, their demo clients, two ``holders``' authorizations and
    the ``applicants``' prefills; what `demo-credentials.json` lists of them."""
    with node.database.transaction() as conn:
        offering = _departments(conn, node, list(departments), now=now)
        save_matters(
            conn, principal=_OPERATOR, definitions=_matters(), replace=False, now=now
        )
        market = next(
            d
            for d in offering
            if d.kind == "market-regulation" and d.region_code == "650100"
        )
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
        prefilled = _prefills(conn, node, applicants, now=now)
    return {
        "usingParties": parties,
        "holders": authorizations,
        "prefills": prefilled,
        "tryIt": [
            "login: POST /v1/holder-sessions with"
            ' {"credentials": {"identifier": <holder>, "name": <name>}}',
            "share: POST /v1/shares as the bank with"
            f' {{"holder": <holder>, "matter": "{CARD_MATTER}",'
            ' "authorization": <its id>} and an Idempotency-Key',
            "check: POST /v1/checks as the hotel with"
            f' {{"matter": "{HOTEL_MATTER}", "authorization": <its id>,'
            ' "claims": [{"claim": "holder-identifier", "value": <holder>}]}',
            f"prefill: POST /v1/matters/{CARD_MATTER}/prefill with an"
            " Idempotency-Key, as the holder (its session token) with {}, or as"
            ' the bank with {"authorization": <its id>}',
            "exemptions: GET /v1/reports/exemptions as the auditor",
        ],
    }


def _departments(
    conn: Connection, node: Node, departments: list[Department], *, now: datetime
) -> list[Department]:
    """``departments`` and one at region level of each kind the seed matters need
    that none of them is."""
    have = {d.kind for d in departments}
    needed = sorted({m.department_kind for m in load_seed_matters()} - have)
    kinds = frozenset(load_department_kinds())
    for kind in needed:
        planned = demo_department(kind, "650000")
        department, _key = register_department(
            conn,
            node,
            principal=_OPERATOR,
            credit_code=planned.credit_code,
            name=planned.name,
            name_en=planned.name_en,
            region_code=planned.region_code,
            kind=planned.kind,
            known_kinds=kinds,
            now=now,
        )
        departments.append(department)
    return departments


def _matters() -> list[dict[str, Any]]:
    """The seed list, and hotel guest registration."""
    card = next(
        t.code for t in load_seed_catalog() if t.key == "resident-identity-card"
    )
    hotel = {
        "code": HOTEL_MATTER,
        "name_zh": "旅馆业住宿登记",
        "name_en": "Hotel guest registration",
        "department_kind": "public-security",
        "holder_kind": HolderKind.PERSON.value,
        "materials": [{"type_code": card, "required": True}],
        "form": [
            {
                "name": name,
                "label_zh": zh,
                "label_en": en,
                "source": {"type_code": card, "field": field},
                "required": True,
            }
            for name, zh, en, field in (
                ("guestName", "旅客姓名", "Guest's name", "CZZT"),
                ("idNumber", "公民身份号码", "ID number", "CZZTDM"),
            )
        ],
        "legal_basis": None,
    }
    return [*(m.to_json() for m in load_seed_matters()), hotel]


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


def _session(node: Node, holder: DemoHolder, *, now: datetime) -> HolderSession:
    """The holder as if logged in, for the builder to act in its name."""
    return HolderSession(
        session_id="demo-builder",
        holder=HolderIdentity(
            kind=holder.kind, identifier=holder.identifier, name=holder.name
        ),
        holder_index=node.vault.index(holder.kind, holder.identifier),
        provider="demo",
        expires_at=now,
    )


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
        granted = grant_authorization(
            conn,
            node,
            session=_session(node, holder, now=now),
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


def _prefills(
    conn: Connection, node: Node, applicants: Sequence[DemoHolder], *, now: datetime
) -> dict[str, int]:
    """Each applicant's form of every seed matter of its kind, filled once."""
    matters = load_seed_matters()
    made = 0
    for applicant in applicants:
        session = _session(node, applicant, now=now)
        for matter in matters:
            if matter.holder_kind is applicant.kind:
                prefill_for_holder(
                    conn,
                    node,
                    session=session,
                    on_behalf_of=None,
                    matter_code=matter.code,
                    now=now,
                )
                made += 1
    return {"applicants": len(applicants), "made": made}
