"""Matters, using parties, holders and grants for the sharing tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from support.world import World, example_fields, person_id, type_code

ID_CARD = type_code("resident-identity-card")
HOUSEHOLD = type_code("household-register")
FOOD = type_code("food-business-licence")
BUSINESS = type_code("business-licence")

#: Social security card application, offered by the region's HRSS department.
CARD_MATTER = "650000-RS-0001"
#: On-site inspection of a food business: a legal basis, no consent needed.
INSPECTION_MATTER = "650100-SJ-0007"


def card_matter(**changes: Any) -> dict[str, Any]:
    """The social security card application, in the seed file's JSON form."""
    value: dict[str, Any] = {
        "code": CARD_MATTER,
        "name_zh": "社会保障卡申领",
        "name_en": "Social security card application",
        "department_kind": "human-resources-social-security",
        "holder_kind": "person",
        "materials": [
            {"type_code": ID_CARD, "required": True},
            {"type_code": HOUSEHOLD, "required": False},
        ],
        "form": [
            {
                "name": "applicantName",
                "label_zh": "申请人姓名",
                "label_en": "Applicant's name",
                "source": {"type_code": ID_CARD, "field": "CZZT"},
            },
            {
                "name": "idNumber",
                "label_zh": "公民身份号码",
                "label_en": "Resident ID number",
                "source": {"type_code": ID_CARD, "field": "CZZTDM"},
            },
            {
                "name": "address",
                "label_zh": "住址",
                "label_en": "Address",
                "source": {"type_code": ID_CARD, "field": "address"},
            },
            {
                "name": "phone",
                "label_zh": "联系电话",
                "label_en": "Phone",
                "source": None,
            },
        ],
        "legal_basis": None,
    }
    value.update(changes)
    return value


def inspection_matter(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "code": INSPECTION_MATTER,
        "name_zh": "食品经营现场检查",
        "name_en": "On-site inspection of a food business",
        "department_kind": "market-regulation",
        "holder_kind": "organisation",
        "materials": [
            {"type_code": FOOD, "required": True},
            {"type_code": BUSINESS, "required": True},
        ],
        "form": [],
        "legal_basis": "《中华人民共和国食品安全法》第一百一十条",
    }
    value.update(changes)
    return value


def matter_body(definition: dict[str, Any], department_code: str) -> dict[str, Any]:
    """``definition`` as the API takes it: camelCase, with the department's code."""
    return {
        "code": definition["code"],
        "nameZh": definition["name_zh"],
        "nameEn": definition["name_en"],
        "departmentCode": department_code,
        "holderKind": definition["holder_kind"],
        "materials": [
            {"typeCode": m["type_code"], "required": m["required"]}
            for m in definition["materials"]
        ],
        "form": [
            {
                "name": f["name"],
                "labelZh": f["label_zh"],
                "labelEn": f["label_en"],
                "source": (
                    {
                        "typeCode": f["source"]["type_code"],
                        "field": f["source"]["field"],
                    }
                    if f["source"]
                    else None
                ),
            }
            for f in definition["form"]
        ],
        "legalBasis": definition["legal_basis"],
    }


def add_matter(
    world: World, definition: dict[str, Any], department: str, *, expect: int = 201
) -> dict[str, Any]:
    code = world.departments[department].credit_code
    response = world.post("operator", "/v1/matters", matter_body(definition, code))
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


#: Credit codes of third parties (valid GB 32100 codes, registered in Urumqi).
BANK = "91650100MA00000159"
HOTEL = "91650100MA00000234"


def add_party(world: World, *, expect: int = 201, **body: Any) -> dict[str, Any]:
    response = world.post("operator", "/v1/parties", body)
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


def party_client(world: World, name: str, credit_code: str) -> str:
    """Create a using-party client for party ``credit_code`` as world token ``name``."""
    response = world.http.post(
        "/v1/clients",
        json={"name": name, "role": "using-party", "partyCode": credit_code},
        headers=world.headers("operator"),
    )
    assert response.status_code == 201, response.text
    world.tokens[name] = response.json()["token"]
    return name


def log_in(
    world: World, identifier: str, name: str = "张三", *, as_: str | None = None
) -> str:
    """Log in as a holder; the session token becomes world token ``as_``."""
    response = world.http.post(
        "/v1/holder-sessions",
        json={"credentials": {"identifier": identifier, "name": name}},
    )
    assert response.status_code == 201, response.text
    who = as_ or f"holder:{identifier}"
    world.tokens[who] = response.json()["token"]
    return who


HOLDER = person_id(date(1985, 6, 15), sequence=41)
HOLDER_NAME = "王芳"


@dataclass
class Sharing:
    """A world with the card matter, a bank serving it, and a holder's ID card."""

    world: World
    card: dict[str, Any]
    household: dict[str, Any]

    def grant(
        self,
        who: str | None = None,
        *,
        expect: int = 201,
        licenses: list[dict[str, Any]] | None = None,
        **changes: Any,
    ) -> dict[str, Any]:
        body = {
            "party": BANK,
            "matter": CARD_MATTER,
            "licenses": licenses
            if licenses is not None
            else [{"typeCode": ID_CARD, "fields": ["CZZT", "sex", "birthDate"]}],
            "purpose": "办理社会保障卡",
            "expiresAt": "2026-12-02T10:00:00Z",
            "uses": 3,
            **changes,
        }
        response = self.world.post(
            who or f"holder:{HOLDER}", "/v1/me/authorizations", body
        )
        assert response.status_code == expect, response.text
        result: dict[str, Any] = response.json()
        return result


def set_up_sharing(world: World, *, clearance: str = "internal") -> Sharing:
    """Matters, the bank (cleared to ``clearance``) and the holder's licenses."""
    add_matter(world, card_matter(), "hrss_region")
    add_matter(world, inspection_matter(), "market_urumqi")
    add_party(
        world,
        kind="third-party",
        creditCode=BANK,
        name="中国工商银行乌鲁木齐分行",
        clearance=clearance,
        matters=[CARD_MATTER],
    )
    party_client(world, "bank", BANK)
    # The card states the birth date the ID number carries, as real cards do.
    card = world.issue(
        holder=HOLDER,
        name=HOLDER_NAME,
        fields={**example_fields("resident-identity-card"), "birthDate": "1985-06-15"},
    )
    household = world.issue(
        type_key="household-register", holder=HOLDER, name=HOLDER_NAME
    )
    log_in(world, HOLDER, HOLDER_NAME)
    return Sharing(world=world, card=card, household=household)


def share(
    world: World, who: str = "bank", *, expect: int = 201, **body: Any
) -> dict[str, Any]:
    """POST /v1/shares as ``who`` for the holder and the card matter by default."""
    request = {"holder": HOLDER, "matter": CARD_MATTER, **body}
    response = world.post(who, "/v1/shares", request)
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


#: Hotel guest registration, offered by the Tianshan public security bureau.
HOTEL_MATTER = "650102-GA-0101"


def hotel_matter() -> dict[str, Any]:
    return card_matter(
        code=HOTEL_MATTER,
        name_zh="旅馆业住宿登记",
        name_en="Hotel guest registration",
        department_kind="public-security",
        materials=[{"type_code": ID_CARD, "required": True}],
        form=[],
    )


def set_up_hotel(world: World) -> None:
    """The hotel, cleared for public data only, serving guest registration."""
    add_matter(world, hotel_matter(), "psb_tianshan")
    add_party(
        world,
        kind="third-party",
        creditCode=HOTEL,
        name="乌鲁木齐某酒店",
        clearance="public",
        matters=[HOTEL_MATTER],
    )
    party_client(world, "hotel", HOTEL)
