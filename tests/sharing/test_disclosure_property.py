"""Property: over random license values, grants, clearances and bases, nothing beyond
what the basis allows within the party's clearance leaves the API in clear, and
what is masked keeps no more than the documented part of it.

Each example issues a new holder's licenses with random surface values (short
strings of one to three characters among them), then shares them on one basis:

- an authorization granting a random choice of types and fields to a party of a
  random clearance (sometimes asking for fewer at the share);
- a matter's legal basis, to a party of a random clearance;
- a department's own data, where every field is in clear and nothing of another
  department's license leaves.

The oracle never calls the platform's masking. Field levels come from the seed
catalog's schema; what a masked value may keep is restated from docs/sharing.md:
a name its first character (and the dots of a transliterated name); an enumerated
value, a date, a number, a code shorter than eleven characters or text shorter
than nine not one of its characters; anything else at most half of its characters
at their own positions; a resident ID number whose birth date the party may see
in clear nothing beyond its first four. No masked value of four characters or more
appears anywhere in the answer, unless the party may see it in clear elsewhere.
"""

import json
import os
import re
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharing.support import (
    CARD_MATTER,
    HOUSEHOLD,
    ID_CARD,
    add_matter,
    add_party,
    card_matter,
    log_in,
    party_client,
    set_up_sharing,
)
from support.world import World, person_id
from zhengzhao.catalog.seed import load_seed_catalog
from zhengzhao.model.credit_code import CreditCode

LEVELS = ["public", "internal", "sensitive", "secret"]
#: Metadata levels for a person's licenses, as docs/sharing.md states them.
METADATA = {
    "CZZT": "internal",
    "CZZTDM": "sensitive",
    "ZZBS": "internal",
    "ZZBH": "internal",
    "ZZBFRQ": "internal",
    "ZZYXQQSRQ": "internal",
    "ZZYXQJZRQ": "internal",
}
ALWAYS = {"ZZBFJG", "ZZBFJGDM"}
METADATA_DATES = {"ZZBFRQ", "ZZYXQQSRQ", "ZZYXQJZRQ"}
SEPARATORS = set("·•・")
#: A person matter of the Tianshan police that reads without consent.
LEGAL_MATTER = "650102-GA-9001"
#: A matter of the same police, which reads its own data for it.
OWN_MATTER = "650102-GA-0003"
TYPES = (ID_CARD, HOUSEHOLD)


def seed_schema(type_code: str) -> dict[str, Any]:
    (entry,) = [t for t in load_seed_catalog() if t.code == type_code]
    return dict(entry.schema)


def schema_levels(type_code: str) -> dict[str, str]:
    """Top-level fields and their most restrictive level, from the seed schema."""
    levels = {}
    for name, sub in seed_schema(type_code)["properties"].items():
        found = [sub["x-classification"]]
        stack = [sub]
        while stack:
            node = stack.pop()
            for child in node.get("properties", {}).values():
                found.append(child["x-classification"])
                stack.append(child)
            if isinstance(node.get("items"), dict):
                stack.append(node["items"])
        levels[name] = max(found, key=LEVELS.index)
    return levels


LEVELS_BY_TYPE = {code: {**schema_levels(code), **METADATA} for code in TYPES}


def person_name(type_code: str, name: str) -> bool:
    """Whether docs/sharing.md masks the field as a person's name."""
    node = seed_schema(type_code)["properties"].get(name, {})
    return name == "CZZT" or node.get("x-masking") == "name"


def hidden_whole(type_code: str, name: str, value: Any) -> bool:
    """Whether docs/sharing.md says a masked ``value`` keeps none of itself."""
    node = seed_schema(type_code)["properties"].get(name, {})
    if "enum" in node or node.get("format") in ("date", "date-time"):
        return True
    if name in METADATA_DATES or not isinstance(value, str):
        return True
    if re.fullmatch(r"[A-Za-z0-9-]+", value):
        return len(value) < 11
    return len(value) < 9


# Values: Chinese characters, digits and a few letters, often very short. (Letters
# that spell the answer's own keys, ZZBF or CZZT, would be found there.)
CHARS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
    st.sampled_from("abcdefgh0123456789"),
)


def text(max_size: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(CHARS, min_size=1, max_size=3),
        st.text(CHARS, min_size=4, max_size=min(12, max_size)),
        st.text(CHARS, min_size=1, max_size=max_size),
    )


DATES = st.dates(min_value=date(1940, 1, 1), max_value=date(2025, 12, 31))


@st.composite
def holders(draw: Any) -> dict[str, Any]:
    """A holder (its birth date: `Library.issue` numbers it) and the surface data
    of its ID card and household register."""
    birth = draw(DATES)
    name = draw(st.text(CHARS, min_size=1, max_size=4))
    if draw(st.booleans()):
        name += "·" + draw(st.text(CHARS, min_size=1, max_size=4))
    # Half the time the license states the birth date the ID number carries.
    stated = birth if draw(st.booleans()) else draw(DATES)
    sex = draw(st.sampled_from(["男", "女"]))
    card = {
        "sex": sex,
        "ethnicity": draw(text(20)),
        "birthDate": stated.isoformat(),
        "address": draw(text(120)),
    }
    household = {
        "householdNumber": draw(st.from_regex(r"[0-9A-Z]{6,12}", fullmatch=True)),
        "householdType": draw(st.sampled_from(["家庭户", "集体户"])),
        "relationToHead": draw(text(20)),
        "sex": sex,
        "ethnicity": card["ethnicity"],
        "birthDate": stated.isoformat(),
        "address": draw(text(120)),
        "registrationDate": draw(DATES).isoformat(),
    }
    for optional, size in (("formerName", 40), ("religion", 20), ("workplace", 80)):
        if draw(st.booleans()):
            household[optional] = draw(text(size))
    if draw(st.booleans()):
        household["maritalStatus"] = draw(st.sampled_from(["未婚", "已婚", "离婚"]))
    return {
        "birth": birth,
        "name": name,
        "fields": {ID_CARD: card, HOUSEHOLD: household},
    }


DISTRICTS = ["650102", "650103", "650104", "650105", "650106", "650107"]


class Library:
    """Issues each example's holder and reads back what the issuer signed."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.examples = 0

    def issue(self, holder: dict[str, Any], issuers: dict[str, str]) -> dict[str, Any]:
        """The licenses of ``holder``, issued by ``issuers`` (by type), to a new
        person born on its birth date; by type, each license's values by field
        name, as the issuer signed them."""
        self.examples += 1
        # A new number each time, shrinking included: a sequence and a district.
        district = DISTRICTS[self.examples // 1000 % len(DISTRICTS)]
        holder["identifier"] = person_id(
            holder["birth"], sequence=self.examples % 1000, region=district
        )
        keys = {ID_CARD: "resident-identity-card", HOUSEHOLD: "household-register"}
        values = {}
        for code, issuer in issuers.items():
            issued = self.world.issue(
                issuer,
                keys[code],
                holder=holder["identifier"],
                name=holder["name"],
                fields=holder["fields"][code],
            )
            values[code] = originals(issued)
        return values


def originals(issued: dict[str, Any]) -> dict[str, Any]:
    subject = issued["document"]["credentialSubject"]
    return {
        **subject["fields"],
        "CZZT": subject["holder"]["name"],
        "CZZTDM": subject["holder"]["identifier"],
        "ZZBS": issued["identifier"],
        "ZZBH": issued["paperNumber"],
        "ZZBFRQ": subject["license"]["issueDate"],
        "ZZYXQQSRQ": issued["validFrom"],
        "ZZYXQJZRQ": issued["validUntil"],
    }


def shown(copy: dict[str, Any]) -> dict[str, Any]:
    subject = copy["credentialSubject"]
    return {
        **subject["fields"],
        **subject["license"]["metadata"],
        "CZZT": subject["holder"]["name"],
        "CZZTDM": subject["holder"]["identifier"],
    }


def within(level: str, clearance: str) -> bool:
    return LEVELS.index(level) <= LEVELS.index(clearance)


def visible_fields(
    code: str, original: dict[str, Any], wanted: Any, clearance: str
) -> set[str]:
    """The fields of ``original`` in clear (the issuer's, always shown, aside)."""
    levels = LEVELS_BY_TYPE[code]
    return {
        name
        for name in original
        if name in levels
        and (wanted is None or name in wanted)
        and within(levels[name], clearance)
    }


def birth_date_in_clear(identifier: str, values: list[Any]) -> bool:
    birth = identifier[6:14]
    return any(birth in re.sub(r"[^0-9]", "", str(value)) for value in values)


def kept(original: str, masked: str) -> set[int]:
    """Positions at which the masked value shows the original's character."""
    return {i for i, (a, b) in enumerate(zip(original, masked, strict=False)) if a == b}


def assert_masked(
    code: str, name: str, original: Any, masked: Any, *, id_guard: bool
) -> None:
    """``masked`` keeps no more of ``original`` than docs/sharing.md allows."""
    if original is None:
        assert masked is None, name
        return
    assert masked != original, name
    if isinstance(original, dict):
        for key, item in original.items():
            assert_masked(code, f"{name}.{key}", item, masked[key], id_guard=False)
        return
    masked = str(masked)
    if person_name(code, name):
        assert set(masked) - {"*"} <= {original[0]} | SEPARATORS, (original, masked)
        return
    if name == "CZZTDM" and id_guard:
        assert kept(original, masked) <= {0, 1, 2, 3}, (original, masked)
        return
    if hidden_whole(code, name, original):
        # Not one of its characters: neither where it stood nor anywhere else.
        assert not set(str(original)) & set(masked), (name, original, masked)
        return
    assert len(kept(original, masked)) <= len(original) // 2, (name, original, masked)


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def check_answer(
    answer: dict[str, Any],
    values: dict[str, dict[str, Any]],
    *,
    wanted: dict[str, Any],
    granted: dict[str, Any],
    clearance: str,
) -> None:
    """Every copy of ``answer`` against the licenses' ``values`` (by type): in clear
    exactly the ``wanted`` fields within ``clearance``, the rest masked;
    ``granted`` is what the basis allows whatever was asked."""
    copies = answer["copies"]
    copy_of = {c["credentialSubject"]["license"]["typeCode"]: c for c in copies}
    assert len(copy_of) == len(copies) and set(copy_of) <= set(values)
    in_clear_anywhere: list[Any] = []
    for code, original in values.items():
        if code in granted:
            visible = visible_fields(code, original, granted[code], clearance)
            in_clear_anywhere += [original[name] for name in visible]
    holder = next(iter(values.values()))["CZZTDM"]
    id_guard = birth_date_in_clear(holder, in_clear_anywhere)
    hidden: list[str] = []
    clear_text: list[str] = []
    masked_text: list[str] = []
    for code, copy in copy_of.items():
        original = values[code]
        seen = shown(copy)
        assert set(seen) == set(original)
        visible = visible_fields(code, original, wanted[code], clearance)
        assert copy["credentialSubject"]["disclosed"] == sorted(visible | ALWAYS)
        for name, value in original.items():
            if name in visible:
                assert seen[name] == value, name
                clear_text += strings(value)
            else:
                assert_masked(code, name, value, seen[name], id_guard=id_guard)
                hidden += [s for s in strings(value) if len(s) >= 4]
                masked_text += strings(seen[name])
    text = json.dumps(answer, ensure_ascii=False)
    # What is not a license's value: the stamp, the proof, the header, the hash
    # (a date of issue may equal the day the copy is made, a value the hash's hex).
    stamps = json.dumps(
        {
            **answer,
            "copies": [
                {**c, "credentialSubject": header(c["credentialSubject"])}
                for c in copies
            ],
        },
        ensure_ascii=False,
    )
    for value in hidden:
        # A masked value shows only its own kept characters (checked above); a
        # hidden value found among them is that other value's kept part.
        if value in stamps or any(value in seen for seen in clear_text + masked_text):
            continue
        assert value not in text, value


def header(subject: dict[str, Any]) -> dict[str, Any]:
    license = {k: v for k, v in subject["license"].items() if k != "metadata"}
    return {"license": license, "source": subject["source"]}


class Parties:
    """One third party per clearance, serving ``matters``."""

    def __init__(self, world: World, matters: list[str]) -> None:
        self.codes = {}
        for number, clearance in enumerate(LEVELS):
            code = CreditCode.build(
                registration_authority="9",
                category="1",
                division_code="650100",
                organisation_body=f"MB{number:06d}",
            ).value
            add_party(
                world,
                kind="third-party",
                creditCode=code,
                name=f"测试用证方{number}",
                clearance=clearance,
                matters=matters,
            )
            party_client(world, code, code)
            self.codes[clearance] = code


@st.composite
def grants(draw: Any) -> dict[str, Any]:
    types = draw(st.lists(st.sampled_from(TYPES), min_size=1, unique=True))
    chosen = {
        code: draw(st.lists(st.sampled_from(sorted(LEVELS_BY_TYPE[code])), unique=True))
        for code in types
    }
    clearance = draw(st.sampled_from(LEVELS))
    asked = None
    if draw(st.booleans()):
        asked = {
            code: [
                f
                for f in fields
                if within(LEVELS_BY_TYPE[code][f], clearance) and draw(st.booleans())
            ]
            for code, fields in chosen.items()
        }
        # A share names at least one field of each type it names.
        asked = {code: fields for code, fields in asked.items() if fields} or None
    return {"grants": chosen, "clearance": clearance, "asked": asked}


FUZZ = settings(
    max_examples=int(os.environ.get("ZHENGZHAO_PROPERTY_EXAMPLES", "30")),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEWER = settings(
    FUZZ,
    max_examples=max(5, int(os.environ.get("ZHENGZHAO_PROPERTY_EXAMPLES", "30")) // 2),
)
POLICE = {ID_CARD: "psb_tianshan", HOUSEHOLD: "psb_tianshan"}


def share(world: World, who: str, body: dict[str, Any]) -> dict[str, Any]:
    response = world.post(who, "/v1/shares", body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_nothing_beyond_the_grant_and_clearance_leaves_the_api(world):
    set_up_sharing(world)
    parties = Parties(world, [CARD_MATTER])
    library = Library(world)

    @FUZZ
    @given(holder=holders(), case=grants())
    def run(holder: dict[str, Any], case: dict[str, Any]) -> None:
        values = library.issue(holder, POLICE)
        me = log_in(world, holder["identifier"], holder["name"])
        party = parties.codes[case["clearance"]]
        granted = world.post(
            me,
            "/v1/me/authorizations",
            {
                "party": party,
                "matter": CARD_MATTER,
                "licenses": [
                    {"typeCode": code, "fields": fields}
                    for code, fields in case["grants"].items()
                ],
                "purpose": "测试",
                "expiresAt": "2026-12-02T10:00:00Z",
                "uses": 1,
            },
        ).json()
        body: dict[str, Any] = {
            "holder": holder["identifier"],
            "matter": CARD_MATTER,
            "authorization": granted["id"],
        }
        if case["asked"] is not None:
            body["fields"] = case["asked"]
        answer = share(world, party, body)
        wanted = case["asked"] or case["grants"]
        types = sorted(
            c["credentialSubject"]["license"]["typeCode"] for c in answer["copies"]
        )
        assert types == sorted(wanted)
        check_answer(
            answer,
            values,
            wanted=wanted,
            granted=case["grants"],
            clearance=case["clearance"],
        )

    run()
    assert library.examples >= 10


def test_nothing_beyond_the_clearance_leaves_on_a_legal_basis(world):
    set_up_sharing(world)
    add_matter(
        world,
        card_matter(
            code=LEGAL_MATTER,
            name_zh="治安检查",
            department_kind="public-security",
            legal_basis="《中华人民共和国人民警察法》第九条",
        ),
        "psb_tianshan",
    )
    parties = Parties(world, [LEGAL_MATTER])
    library = Library(world)

    @FEWER
    @given(holder=holders(), clearance=st.sampled_from(LEVELS))
    def run(holder: dict[str, Any], clearance: str) -> None:
        values = library.issue(holder, POLICE)
        party = parties.codes[clearance]
        answer = share(
            world,
            party,
            {
                "holder": holder["identifier"],
                "matter": LEGAL_MATTER,
                "legalBasis": True,
                "reason": "现场核查",
            },
        )
        assert answer["basis"] == "legal-basis"
        every = dict.fromkeys(TYPES)
        check_answer(answer, values, wanted=every, granted=every, clearance=clearance)

    run()
    assert library.examples >= 5


def test_a_department_reads_its_own_data_in_full_and_nothing_else(world):
    set_up_sharing(world)
    add_matter(
        world,
        card_matter(
            code=OWN_MATTER, name_zh="户口迁移", department_kind="public-security"
        ),
        "psb_tianshan",
    )
    police = world.departments["psb_tianshan"].credit_code
    add_party(world, kind="department", departmentCode=police, clearance="public")
    library = Library(world)

    @FEWER
    @given(holder=holders())
    def run(holder: dict[str, Any]) -> None:
        values = library.issue(
            holder, {ID_CARD: "psb_tianshan", HOUSEHOLD: "psb_shayibake"}
        )
        answer = share(
            world,
            "psb_tianshan",
            {"holder": holder["identifier"], "matter": OWN_MATTER},
        )
        assert answer["basis"] == "own-data"
        card, other = values[ID_CARD], values[HOUSEHOLD]
        (copy,) = answer["copies"]
        # Its own ID card, every field in clear whatever its registered clearance.
        assert shown(copy) == card
        assert copy["credentialSubject"]["masked"] == []
        text = json.dumps(answer, ensure_ascii=False)
        assert other["ZZBS"] not in text
        mine = set(strings(card))
        for value in strings(other):
            if len(value) >= 4 and not any(value in seen for seen in mine):
                assert value not in text, value

    run()
    assert library.examples >= 5
