import copy
from typing import Any

import pytest

from zhengzhao.catalog.schema import check_type_schema, field_levels
from zhengzhao.catalog.seed import load_seed_catalog
from zhengzhao.errors import SchemaViolation
from zhengzhao.model.classification import ClassificationLevel


def _field(level: str = "internal", **extra: Any) -> dict[str, Any]:
    return {
        "type": "string",
        "title": "字段",
        "x-title-en": "Field",
        "x-classification": level,
        **extra,
    }


def _schema() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "required": ["plate"],
        "properties": {
            "plate": _field("internal", pattern="^新[A-Z]"),
            "owner": {
                "type": "object",
                "title": "所有人",
                "x-title-en": "Owner",
                "x-classification": "sensitive",
                "additionalProperties": False,
                "properties": {"address": _field("sensitive")},
            },
            "inspections": {
                "type": "array",
                "title": "检验记录",
                "x-title-en": "Inspections",
                "x-classification": "internal",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"date": _field("public", format="date")},
                },
            },
        },
    }


@pytest.fixture
def schema() -> dict[str, Any]:
    return _schema()


def test_check_type_schema_accepts_classified_closed_schema(
    schema: dict[str, Any],
) -> None:
    check_type_schema(schema)


def test_check_type_schema_rejects_invalid_json_schema(schema: dict[str, Any]) -> None:
    schema["properties"]["plate"]["type"] = "strin"
    with pytest.raises(SchemaViolation, match="not valid JSON Schema 2020-12"):
        check_type_schema(schema)


def test_check_type_schema_rejects_non_object_root() -> None:
    with pytest.raises(SchemaViolation, match='needs "type": "object"'):
        check_type_schema({"type": "array", "items": _field()})


def test_check_type_schema_rejects_open_object(schema: dict[str, Any]) -> None:
    del schema["additionalProperties"]
    with pytest.raises(SchemaViolation, match=r"\(root\): .*additionalProperties"):
        check_type_schema(schema)


def test_check_type_schema_rejects_open_nested_object(schema: dict[str, Any]) -> None:
    schema["properties"]["owner"]["additionalProperties"] = True
    with pytest.raises(SchemaViolation, match=r"owner: .*additionalProperties"):
        check_type_schema(schema)


def test_check_type_schema_rejects_unclassified_field(schema: dict[str, Any]) -> None:
    del schema["properties"]["plate"]["x-classification"]
    with pytest.raises(SchemaViolation, match='plate: the field has no "x-class'):
        check_type_schema(schema)


def test_check_type_schema_names_nested_unclassified_field(
    schema: dict[str, Any],
) -> None:
    del schema["properties"]["owner"]["properties"]["address"]["x-classification"]
    with pytest.raises(SchemaViolation) as raised:
        check_type_schema(schema)
    assert "owner.address" in raised.value.message
    assert raised.value.details == {"path": "owner.address"}


def test_check_type_schema_names_field_inside_array_items(
    schema: dict[str, Any],
) -> None:
    del schema["properties"]["inspections"]["items"]["properties"]["date"]["title"]
    with pytest.raises(SchemaViolation, match=r"inspections\[\]\.date: .*'title'"):
        check_type_schema(schema)


def test_check_type_schema_rejects_unknown_level(schema: dict[str, Any]) -> None:
    schema["properties"]["plate"]["x-classification"] = "confidential"
    with pytest.raises(SchemaViolation, match="plate: unknown classification"):
        check_type_schema(schema)


def test_check_type_schema_rejects_missing_english_title(
    schema: dict[str, Any],
) -> None:
    schema["properties"]["plate"]["x-title-en"] = " "
    with pytest.raises(SchemaViolation, match="plate: the field has no 'x-title-en'"):
        check_type_schema(schema)


def test_check_type_schema_rejects_bad_metadata_name(schema: dict[str, Any]) -> None:
    schema["properties"]["plate"]["x-metadata"] = "zz mc"
    with pytest.raises(SchemaViolation, match="x-metadata 'zz mc'"):
        check_type_schema(schema)


def test_check_type_schema_rejects_unknown_masking(schema: dict[str, Any]) -> None:
    schema["properties"]["plate"]["x-masking"] = "surname"
    with pytest.raises(SchemaViolation, match="plate: x-masking 'surname' is unknown"):
        check_type_schema(schema)


def test_seed_catalog_marks_person_names_for_name_masking() -> None:
    names = {
        name
        for seed in load_seed_catalog()
        for name, field in seed.schema["properties"].items()
        if field.get("x-masking") == "name"
    }
    assert {"spouseName", "motherName", "fatherName", "legalRepresentative"} <= names


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("$ref", "#/$defs/owner"), ("anyOf", [{}]), ("patternProperties", {})],
)
def test_check_type_schema_refuses_unnamed_field_routes(
    schema: dict[str, Any], keyword: str, value: Any
) -> None:
    schema["properties"]["owner"][keyword] = value
    with pytest.raises(SchemaViolation) as raised:
        check_type_schema(schema)
    assert f"owner: {keyword!r} is not allowed" in raised.value.message


def test_check_type_schema_allows_keyword_names_as_field_names(
    schema: dict[str, Any],
) -> None:
    # A field may be called "if": only schema keywords are refused, not names.
    schema["properties"]["if"] = _field()
    check_type_schema(schema)


def test_check_type_schema_refuses_unenforced_format(schema: dict[str, Any]) -> None:
    schema["properties"]["plate"]["format"] = "email"
    with pytest.raises(SchemaViolation, match="format 'email' is not enforced"):
        check_type_schema(schema)


def test_check_type_schema_rejects_required_field_without_property(
    schema: dict[str, Any],
) -> None:
    schema["required"] = ["plate", "vin"]
    with pytest.raises(SchemaViolation, match="required field 'vin' is not a prop"):
        check_type_schema(schema)


def test_field_levels_maps_every_path(schema: dict[str, Any]) -> None:
    assert field_levels(schema) == {
        "plate": ClassificationLevel.INTERNAL,
        "owner": ClassificationLevel.SENSITIVE,
        "owner.address": ClassificationLevel.SENSITIVE,
        "inspections": ClassificationLevel.INTERNAL,
        "inspections[].date": ClassificationLevel.PUBLIC,
    }


def test_field_levels_returns_a_copy(schema: dict[str, Any]) -> None:
    field_levels(schema).clear()
    assert "plate" in field_levels(copy.deepcopy(schema))


def test_field_levels_rejects_unchecked_schema(schema: dict[str, Any]) -> None:
    schema["properties"]["plate"]["x-classification"] = "top-secret"
    with pytest.raises(SchemaViolation, match="plate"):
        field_levels(schema)
