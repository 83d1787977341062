import copy
from typing import Any

import pytest

from zhengzhao.catalog import schema as schema_module
from zhengzhao.catalog.schema import validate_surface
from zhengzhao.errors import SchemaViolation


def _field(level: str, json_type: str = "string", **extra: Any) -> dict[str, Any]:
    return {
        "type": json_type,
        "title": "字段",
        "x-title-en": "Field",
        "x-classification": level,
        **extra,
    }


SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["birthDate", "sex"],
    "properties": {
        "birthDate": _field("internal", format="date"),
        "bornAt": _field("internal", format="date-time"),
        "sex": _field("internal", enum=["男", "女"]),
        "weightGrams": _field("secret", "integer", minimum=300),
        "idNumber": _field("sensitive", pattern="^[0-9]{17}[0-9X]$"),
        "note": _field("public", maxLength=200),
        "vehicle": {
            **_field("internal", "object"),
            "additionalProperties": False,
            "properties": {"plate": _field("internal", pattern="^新[A-Z]")},
        },
        "inspections": {
            **_field("internal", "array"),
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"date": _field("internal", format="date")},
            },
        },
    },
}
VALID: dict[str, Any] = {"birthDate": "1990-01-01", "sex": "男"}


def _problems(data: dict[str, Any], **kwargs: Any) -> list[dict[str, str]]:
    with pytest.raises(SchemaViolation) as raised:
        validate_surface(SCHEMA, data, **kwargs)
    errors: list[dict[str, str]] = raised.value.details["errors"]
    return errors


def _only(data: dict[str, Any]) -> str:
    problems = _problems({**VALID, **data})
    assert len(problems) == 1, problems
    return f"{problems[0]['path']}: {problems[0]['message']}"


def test_validate_surface_accepts_valid_data() -> None:
    validate_surface(SCHEMA, VALID)
    validate_surface(
        SCHEMA,
        {
            **VALID,
            "bornAt": "1990-01-01T08:35:00+08:00",
            "vehicle": {"plate": "新A12345"},
            "inspections": [{"date": "2020-05-01"}],
        },
    )


@pytest.mark.parametrize(
    "bad", ["1990-02-30", "1990-2-3", "19900101", "", "1990-13-01"]
)
def test_validate_surface_rejects_bad_date(bad: str) -> None:
    assert _only({"birthDate": bad}) == (
        f"fields.birthDate: {bad!r} is not a valid date (YYYY-MM-DD)"
    )


@pytest.mark.parametrize(
    "good", ["2024-05-01T09:30:00Z", "2024-05-01t09:30:00.5+08:00"]
)
def test_validate_surface_accepts_rfc3339_date_time(good: str) -> None:
    validate_surface(SCHEMA, {**VALID, "bornAt": good})


@pytest.mark.parametrize(
    "bad",
    [
        "2024-05-01T09:30:00",  # RFC 3339 needs a time zone
        "2024-05-01 09:30:00+08:00",
        "2024-05-01T25:00:00Z",
        "2024-05-01",
    ],
)
def test_validate_surface_rejects_bad_date_time(bad: str) -> None:
    assert _only({"bornAt": bad}).startswith(
        f"fields.bornAt: {bad!r} is not a valid date and time (RFC 3339"
    )


def test_validate_surface_names_missing_required_field() -> None:
    problems = _problems({"birthDate": "1990-01-01"})
    assert problems == [
        {
            "path": "fields.sex",
            "pointer": "/sex",
            "message": "required field is missing",
        }
    ]


def test_validate_surface_rejects_wrong_type() -> None:
    assert _only({"weightGrams": "3250"}) == (
        "fields.weightGrams: expected a whole number, found text '***'"
    )


def test_validate_surface_rejects_object_for_text() -> None:
    assert _only({"note": {"a": 1}}) == "fields.note: expected text, found an object"


def test_validate_surface_rejects_unknown_field() -> None:
    message = _only({"photo": "x"})
    assert message.startswith("fields.photo: unknown field; this type has birthDate")


def test_validate_surface_rejects_value_outside_enum() -> None:
    assert _only({"sex": "M"}) == "fields.sex: 'M' is not one of 男, 女"


def test_validate_surface_names_nested_path() -> None:
    assert _only({"vehicle": {"plate": "ABC"}}) == (
        "fields.vehicle.plate: 'ABC' does not match the pattern ^新[A-Z]"
    )


def test_validate_surface_names_array_item_path() -> None:
    data = {"inspections": [{"date": "2020-01-01"}, {"date": "2020-02-30"}]}
    problems = _problems({**VALID, **data})
    assert [(p["path"], p["pointer"]) for p in problems] == [
        ("fields.inspections[1].date", "/inspections/1/date")
    ]


def test_validate_surface_collects_every_problem_in_path_order() -> None:
    data = {"birthDate": "1990-02-30", "weightGrams": 12, "extra": 1}
    with pytest.raises(SchemaViolation) as raised:
        validate_surface(SCHEMA, data)
    paths = [problem["path"] for problem in raised.value.details["errors"]]
    assert paths == [
        "fields.birthDate",
        "fields.extra",
        "fields.sex",
        "fields.weightGrams",
    ]
    assert raised.value.code == "schema-violation"
    assert raised.value.message.startswith(
        "the surface data does not match the license type's schema (4 problems): "
        "fields.birthDate: '1990-02-30' is not a valid date"
    )
    assert raised.value.message.endswith("send the license again.")


def test_validate_surface_masks_values_above_internal() -> None:
    # Messages are shown and logged: a sensitive value appears only masked.
    message = _only({"idNumber": "65010219900101123"})
    assert message == (
        "fields.idNumber: '6501*********1123' does not match the pattern "
        "^[0-9]{17}[0-9X]$"
    )


def test_validate_surface_cuts_long_values() -> None:
    message = _only({"note": "长" * 300})
    assert "…" in message
    assert message.count("长") < 50


def test_validate_surface_uses_given_root() -> None:
    problems = _problems({"birthDate": "x", "sex": "男"}, root="surface")
    assert problems[0]["path"] == "surface.birthDate"


def test_validate_surface_rejects_unusable_schema() -> None:
    broken = copy.deepcopy(SCHEMA)
    del broken["properties"]["sex"]["x-classification"]
    with pytest.raises(SchemaViolation, match="sex: the field has no"):
        validate_surface(broken, VALID)


def test_validate_surface_compiles_each_schema_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked: list[object] = []
    real = schema_module.check_type_schema

    def counting(schema: Any) -> None:
        checked.append(schema)
        real(schema)

    monkeypatch.setattr(schema_module, "check_type_schema", counting)
    fresh = copy.deepcopy(SCHEMA)
    fresh["properties"]["note"]["maxLength"] = 199  # not compiled by earlier tests
    for _ in range(3):
        validate_surface(fresh, VALID)
    validate_surface(copy.deepcopy(fresh), VALID)  # equal schema, another object
    assert len(checked) == 1


def test_validate_surface_cache_ignores_later_changes_to_the_schema() -> None:
    mine = copy.deepcopy(SCHEMA)
    mine["properties"]["note"]["maxLength"] = 198  # not compiled by earlier tests
    pristine = copy.deepcopy(mine)
    validate_surface(mine, VALID)
    mine["properties"]["sex"]["enum"] = ["x"]  # the caller changes its own dict
    validate_surface(pristine, VALID)  # still checked against what was compiled
