import copy
import json
from importlib import resources
from typing import Any

import pytest

from zhengzhao.catalog.schema import check_type_schema, field_levels, validate_surface
from zhengzhao.catalog.seed import (
    SeedLicenseType,
    load_department_kinds,
    load_seed_catalog,
    parse_seed_catalog,
)
from zhengzhao.errors import InvalidRequest, SchemaViolation
from zhengzhao.model.classification import ClassificationLevel
from zhengzhao.model.license import HolderKind

CATALOG = load_seed_catalog()
BY_KEY = {license_type.key: license_type for license_type in CATALOG}

# The types of the Xinjiang plan (新政办发〔2022〕59号) that the seed must hold.
PLAN_TYPES = {
    "居民身份证",
    "居民户口簿",
    "社会保障卡",
    "医保电子凭证",
    "机动车驾驶证",
    "机动车登记证书",
    "结婚证",
    "出生医学证明",
    "不动产权证书",
    "学历证书",
    "学位证书",
    "专业技术人员职业资格证书",
    "职业技能等级证书",
    "营业执照",
    "食品经营许可证",
    "事业单位法人证书",
    "社会团体法人登记证书",
    "企业投资项目备案证明",
}
# Codes found in public material; every other code is marked synthetic.
REAL_CODES = {
    "resident-identity-card": "11100000000013127D001",
    "marriage-certificate": "111000000000131433001",
    "real-estate-certificate": "11100000MB03271699001",
    "business-licence": "11100000MB0143028R001",
}

# GB 32100: the 31 characters a unified social credit code may use.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_MODULUS = 31
# GB 11714: weights of the organisation code's eight body characters, modulus 11.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_MODULUS = 11


def _credit_code_check(code: str) -> str:
    total = sum(
        _CREDIT_ALPHABET.index(char) * pow(3, position, _CREDIT_MODULUS)
        for position, char in enumerate(code[:17])
    )
    return _CREDIT_ALPHABET[
        (_CREDIT_MODULUS - total % _CREDIT_MODULUS) % _CREDIT_MODULUS
    ]


def _organisation_code_check(body: str) -> str:
    # Letters count 10 for A up to 35 for Z, as base-36 digits do.
    total = sum(
        int(char, 36) * weight for char, weight in zip(body, _ORG_WEIGHTS, strict=True)
    )
    remainder = _ORG_MODULUS - total % _ORG_MODULUS
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def test_credit_code_check_matches_known_codes() -> None:
    # The check itself, on the code DESIGN quotes and on a provincial department's.
    for code in ("11100000000013338W", "11430000006122244L", "11220000013544541J"):
        assert _credit_code_check(code) == code[17]
        assert _organisation_code_check(code[8:16]) == code[16]


def test_seed_holds_every_type_of_the_plan() -> None:
    assert {license_type.name_zh for license_type in CATALOG} >= PLAN_TYPES


def test_seed_keys_and_codes_are_unique() -> None:
    assert len({t.key for t in CATALOG}) == len(CATALOG)
    assert len({t.code for t in CATALOG}) == len(CATALOG)


@pytest.mark.parametrize("license_type", CATALOG, ids=lambda t: t.key)
def test_seed_type_code_has_valid_credit_code_prefix(
    license_type: SeedLicenseType,
) -> None:
    code = license_type.code
    assert len(code) == 21
    assert code[18:].isdigit()
    assert code[:18] == license_type.authority_code
    assert set(code[:18]) <= set(_CREDIT_ALPHABET)
    assert _credit_code_check(code) == code[17]
    assert _organisation_code_check(code[8:16]) == code[16]
    # A ministry is a government organ registered by the establishment authority.
    assert code[:8] == "11100000"


@pytest.mark.parametrize("license_type", CATALOG, ids=lambda t: t.key)
def test_seed_schema_passes_type_check(license_type: SeedLicenseType) -> None:
    check_type_schema(license_type.schema)


@pytest.mark.parametrize("license_type", CATALOG, ids=lambda t: t.key)
def test_seed_every_field_is_classified(license_type: SeedLicenseType) -> None:
    levels = field_levels(license_type.schema)
    assert set(levels) == set(license_type.schema["properties"])
    assert all(isinstance(level, ClassificationLevel) for level in levels.values())


@pytest.mark.parametrize("license_type", CATALOG, ids=lambda t: t.key)
def test_seed_example_is_valid_surface_data(license_type: SeedLicenseType) -> None:
    validate_surface(license_type.schema, license_type.example)


@pytest.mark.parametrize("license_type", CATALOG, ids=lambda t: t.key)
def test_seed_example_missing_a_required_field_is_rejected(
    license_type: SeedLicenseType,
) -> None:
    required = license_type.schema["required"][0]
    example = {k: v for k, v in license_type.example.items() if k != required}
    with pytest.raises(SchemaViolation) as raised:
        validate_surface(license_type.schema, example)
    assert raised.value.details["errors"] == [
        {
            "path": f"fields.{required}",
            "pointer": f"/{required}",
            "message": "required field is missing",
        }
    ]


def test_seed_driving_licence_rejects_bad_date_and_class() -> None:
    licence = BY_KEY["motor-vehicle-driving-licence"]
    data = {**licence.example, "firstIssueDate": "2012-02-30", "vehicleClasses": "Z9"}
    with pytest.raises(SchemaViolation) as raised:
        validate_surface(licence.schema, data)
    assert [p["path"] for p in raised.value.details["errors"]] == [
        "fields.firstIssueDate",
        "fields.vehicleClasses",
    ]
    assert "'2012-02-30' is not a valid date" in raised.value.message


@pytest.mark.parametrize("license_type", CATALOG, ids=lambda t: t.key)
def test_seed_surface_excludes_holder_identity(license_type: SeedLicenseType) -> None:
    # The platform keeps the holder's name and identifier apart from the surface.
    names = {name.lower() for name in license_type.schema["properties"]}
    assert not names & {"name", "holdername", "idnumber", "creditcode", "uscc"}


def test_seed_classifications_follow_the_rules() -> None:
    def level(key: str, field: str) -> ClassificationLevel:
        return field_levels(BY_KEY[key].schema)[field]

    assert level("resident-identity-card", "address") is ClassificationLevel.SENSITIVE
    assert level("business-licence", "legalRepresentative") is (
        ClassificationLevel.PUBLIC
    )
    assert level("birth-medical-certificate", "healthStatus") is (
        ClassificationLevel.SECRET
    )
    assert level("household-register", "religion") is ClassificationLevel.SECRET
    assert level("social-security-card", "bankAccountNumber") is (
        ClassificationLevel.SECRET
    )


@pytest.mark.parametrize("license_type", CATALOG, ids=lambda t: t.key)
def test_seed_type_is_complete(license_type: SeedLicenseType) -> None:
    assert license_type.holder_kind in set(HolderKind)
    assert license_type.template == f"templates/{license_type.key}-v1"
    assert license_type.validity["kind"] in {
        "permanent",
        "fixed-years",
        "issuer-supplied",
    }
    assert license_type.responsibilities
    assert all(r.levels and r.note for r in license_type.responsibilities)
    assert license_type.source.startswith(("real: ", "synthetic: "))


def test_seed_marks_real_and_synthetic_codes() -> None:
    for license_type in CATALOG:
        real = REAL_CODES.get(license_type.key)
        if real is None:
            assert license_type.source.startswith("synthetic: "), license_type.key
        else:
            assert license_type.code == real
            assert license_type.source.startswith("real: ")


def test_seed_responsibility_kinds_exist() -> None:
    kinds = load_department_kinds()
    for license_type in CATALOG:
        assert license_type.department_kind in kinds
        for responsibility in license_type.responsibilities:
            assert responsibility.department_kind in kinds


def test_department_kinds_are_government_organs() -> None:
    kinds = load_department_kinds()
    assert {"public-security", "civil-affairs", "market-regulation"} <= set(kinds)
    # A housing provident fund centre is a public institution (事业单位), not an organ.
    institutions = {"housing-provident-fund"}
    for kind in kinds.values():
        expected = "12" if kind.key in institutions else "11"
        assert kind.credit_code_prefix == expected, kind.key
        assert kind.name_zh_province and kind.name_zh_local and kind.name_en
    assert all("事业单位" in kinds[key].note for key in institutions)


def test_seed_loader_returns_fresh_objects() -> None:
    first = load_seed_catalog()
    first[0].example["sex"] = "女"  # type: ignore[index]
    assert load_seed_catalog()[0].example["sex"] == "男"


def _document() -> dict[str, Any]:
    text = resources.files("zhengzhao").joinpath("data", "catalog.json").read_text()
    document: dict[str, Any] = json.loads(text)
    return document


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("holder_kind", "robot", "holder_kind: 'robot' is not one of person"),
        ("code", "11100000000013127D01", "code: '11100000000013127D01' is not 18"),
        ("code", "11100000MB0143028R001", "does not start with its authority's"),
        ("department_kind", "weather", "department_kind: 'weather' is not a dep"),
        ("validity", {"kind": "lunar"}, "validity: validity rule kind 'lunar'"),
    ],
)
def test_parse_seed_catalog_rejects_inconsistent_type(
    field: str, value: Any, problem: str
) -> None:
    document = _document()
    document["types"][0][field] = copy.deepcopy(value)
    with pytest.raises(InvalidRequest) as raised:
        parse_seed_catalog(document, load_department_kinds())
    assert raised.value.message.startswith("seed catalog type 'resident-identity-card'")
    assert problem in raised.value.message


def test_parse_seed_catalog_rejects_unknown_level() -> None:
    document = _document()
    document["types"][0]["responsibilities"][0]["levels"] = ["township"]
    with pytest.raises(InvalidRequest, match="levels: 'township' is not one of"):
        parse_seed_catalog(document, load_department_kinds())
