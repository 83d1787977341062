"""Property: over random grants, clearances and requests, nothing beyond the granted
fields within the party's clearance leaves the API in clear.

Each example registers a party with a random clearance, has the holder grant it a
random choice of license types and fields (sometimes asking for fewer at the share),
shares, and parses every copy: each field is in clear exactly when it was wanted and
its level (read from the catalog's schema here, not from the platform's code) is
within the clearance, and masked otherwise; and no hidden value of length four or
more appears anywhere in the response.
"""

import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharing.support import (
    BANK,
    CARD_MATTER,
    HOLDER,
    HOUSEHOLD,
    ID_CARD,
    set_up_sharing,
)
from support.world import World
from zhengzhao.catalog.seed import load_seed_catalog
from zhengzhao.model.classification import mask
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


def schema_levels(type_code: str) -> dict[str, str]:
    """Top-level fields and their most restrictive level, from the seed schema."""
    (entry,) = [t for t in load_seed_catalog() if t.code == type_code]
    levels = {}
    for name, sub in entry.schema["properties"].items():
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


LEVELS_BY_TYPE = {
    code: {**schema_levels(code), **METADATA} for code in (ID_CARD, HOUSEHOLD)
}


@st.composite
def grants(draw: Any) -> dict[str, Any]:
    types = draw(
        st.lists(st.sampled_from([ID_CARD, HOUSEHOLD]), min_size=1, unique=True)
    )
    chosen = {
        code: draw(st.lists(st.sampled_from(sorted(LEVELS_BY_TYPE[code])), unique=True))
        for code in types
    }
    clearance = draw(st.sampled_from(LEVELS))
    narrow = draw(st.booleans())
    asked = None
    if narrow:
        asked = {
            code: [
                f
                for f in fields
                if LEVELS.index(LEVELS_BY_TYPE[code][f]) <= LEVELS.index(clearance)
                and draw(st.booleans())
            ]
            for code, fields in chosen.items()
        }
    return {"grants": chosen, "clearance": clearance, "asked": asked}


class Parties:
    """A new using party per example, each with its own client."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.count = 0

    def new(self, clearance: str) -> str:
        self.count += 1
        code = CreditCode.build(
            registration_authority="9",
            category="1",
            division_code="650100",
            organisation_body=f"MB{self.count:06d}",
        ).value
        self.world.post(
            "operator",
            "/v1/parties",
            {
                "kind": "third-party",
                "creditCode": code,
                "name": f"测试用证方{self.count}",
                "clearance": clearance,
                "matters": [CARD_MATTER],
            },
        )
        response = self.world.http.post(
            "/v1/clients",
            json={"name": code, "role": "using-party", "partyCode": code},
            headers=self.world.headers("operator"),
        )
        self.world.tokens[code] = response.json()["token"]
        return code


def originals(sharing: Any) -> dict[str, dict[str, Any]]:
    """Each license's values by field name, as the issuer signed them."""
    values = {}
    for issued in (sharing.card, sharing.household):
        document = issued["document"]
        subject = document["credentialSubject"]
        values[issued["typeCode"]] = {
            **subject["fields"],
            "CZZT": subject["holder"]["name"],
            "CZZTDM": subject["holder"]["identifier"],
            "ZZBS": issued["identifier"],
            "ZZBH": issued["paperNumber"],
            "ZZBFRQ": subject["license"]["issueDate"],
            "ZZYXQQSRQ": issued["validFrom"],
            "ZZYXQJZRQ": issued["validUntil"],
        }
    return values


def shown(copy: dict[str, Any]) -> dict[str, Any]:
    subject = copy["credentialSubject"]
    return {
        **subject["fields"],
        **subject["license"]["metadata"],
        "CZZT": subject["holder"]["name"],
        "CZZTDM": subject["holder"]["identifier"],
    }


def masked(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return mask(value)


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


FUZZ = settings(
    max_examples=int(os.environ.get("ZHENGZHAO_PROPERTY_EXAMPLES", "30")),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_nothing_beyond_the_grant_and_clearance_leaves_the_api(world):
    sharing = set_up_sharing(world)
    parties = Parties(world)
    values = originals(sharing)

    @FUZZ
    @given(case=grants())
    def run(case: dict[str, Any]) -> None:
        party = parties.new(case["clearance"])
        granted = sharing.grant(
            party=party,
            licenses=[
                {"typeCode": code, "fields": fields}
                for code, fields in case["grants"].items()
            ],
        )
        body: dict[str, Any] = {"authorization": granted["id"]}
        if case["asked"] is not None:
            body["fields"] = case["asked"]
        response = world.post(
            party, "/v1/shares", {"holder": HOLDER, "matter": CARD_MATTER, **body}
        )
        assert response.status_code == 201, response.text
        copies = response.json()["copies"]
        wanted = case["asked"] or case["grants"]
        types = [c["credentialSubject"]["license"]["typeCode"] for c in copies]
        assert sorted(types) == sorted(case["grants"])
        hidden: list[str] = []
        visible_text: list[str] = []
        for copy in copies:
            code = copy["credentialSubject"]["license"]["typeCode"]
            levels, original = LEVELS_BY_TYPE[code], values[code]
            seen = shown(copy)
            assert set(seen) == set(original)
            expected_visible = ALWAYS | {
                name
                for name in wanted[code]
                if name in original
                and LEVELS.index(levels[name]) <= LEVELS.index(case["clearance"])
            }
            assert copy["credentialSubject"]["disclosed"] == sorted(expected_visible), (
                case
            )
            for name, value in original.items():
                if name in expected_visible:
                    assert seen[name] == value, name
                    visible_text += strings(value)
                else:
                    assert seen[name] == masked(value), name
                    hidden += [s for s in strings(value) if len(s) >= 4]
        text = json.dumps(response.json(), ensure_ascii=False)
        # The stamp and proof hold times and names of their own (a date of issue
        # may equal the day the copy is made).
        stamps = json.dumps(
            [{k: v for k, v in c.items() if k != "credentialSubject"} for c in copies],
            ensure_ascii=False,
        )
        for value in hidden:
            if value in stamps or any(value in seen for seen in visible_text):
                continue
            assert value not in text, value

    run()
    assert parties.count >= 10
    assert BANK  # the fixture's own party stays untouched by the examples
