import copy
import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest

from zhengzhao.catalog.schema import field_levels
from zhengzhao.catalog.seed import load_department_kinds, load_seed_catalog
from zhengzhao.errors import InvalidRequest
from zhengzhao.model.license import HolderKind
from zhengzhao.model.parties import Department
from zhengzhao.sharing.matters import LICENSE_METADATA_FIELDS, ServiceMatter
from zhengzhao.sharing.seed import (
    check_matter,
    load_seed_matters,
    offering_department,
    parse_seed_matters,
)

MATTERS = load_seed_matters()
BY_NAME = {matter.name_zh: matter for matter in MATTERS}
TYPES = {license_type.code: license_type for license_type in load_seed_catalog()}
TYPE_BY_KEY = {license_type.key: license_type.code for license_type in TYPES.values()}
KINDS = frozenset(load_department_kinds())

ID_CARD = TYPE_BY_KEY["resident-identity-card"]
HOUSEHOLD_REGISTER = TYPE_BY_KEY["household-register"]
BUSINESS_LICENCE = TYPE_BY_KEY["business-licence"]

# Scenarios the Xinjiang plan (新政办发〔2022〕59号) names, one matter of each.
PLAN_SCENARIOS = {
    "出生登记",
    "内地居民结婚登记",
    "户口迁移登记（自治区内）",
    "社会保障卡申领",
    "企业职工基本养老保险关系转移接续",
    "异地就医备案",
    "异地就医医疗费用手工报销",
    "住房公积金异地转移接续",
    "不动产转移登记（存量房买卖）",
    "就业登记",
    "创业担保贷款申请",
    "有限责任公司设立登记（自然人投资）",
    "企业变更登记",
    "企业注销登记",
    "食品经营许可证核发",
    "建筑工程施工许可证核发",
    "新办纳税人涉税事项综合申请",
    "食品经营者监督检查",
}


def _document() -> dict[str, Any]:
    text = resources.files("zhengzhao").joinpath("data", "matters.json").read_text()
    document: dict[str, Any] = json.loads(text)
    return document


def _parse(document: dict[str, Any]) -> tuple[ServiceMatter, ...]:
    return parse_seed_matters(document, types=TYPES, kinds=KINDS)


def test_seed_matters_are_at_least_thirty_of_the_region() -> None:
    assert len(MATTERS) >= 30
    assert all(matter.code.startswith("650000-") for matter in MATTERS)
    assert len({matter.code for matter in MATTERS}) == len(MATTERS)


def test_seed_matters_cover_the_plan_scenarios() -> None:
    assert set(BY_NAME) >= PLAN_SCENARIOS


def test_seed_matters_serve_persons_and_organisations_from_every_type() -> None:
    assert {matter.holder_kind for matter in MATTERS} == set(HolderKind)
    assert {code for matter in MATTERS for code in matter.type_codes} == set(TYPES)


def test_seed_matters_are_numbered_in_file_order() -> None:
    numbers = [int(matter.code.split("-")[1]) for matter in MATTERS]
    assert numbers == list(range(1, len(MATTERS) + 1))


def test_seed_matters_file_holds_exactly_their_json_form() -> None:
    # Nothing in the file is lost on reading: each entry is what to_json writes.
    for entry, matter in zip(_document()["matters"], MATTERS, strict=True):
        assert matter.to_json() == entry


def test_seed_matter_sources_name_fields_of_their_types() -> None:
    for matter in MATTERS:
        for item in matter.form:
            if item.source is None:
                continue
            known = field_levels(TYPES[item.source.type_code].schema)
            assert item.source.field in {*known, *LICENSE_METADATA_FIELDS}, item.name


def test_seed_marriage_registration_needs_id_card_and_household_register() -> None:
    matter = BY_NAME["内地居民结婚登记"]
    required = {m.type_code for m in matter.materials if m.required}
    assert required == {ID_CARD, HOUSEHOLD_REGISTER}
    assert matter.department_kind == "civil-affairs"


def test_seed_divorce_registration_needs_the_marriage_certificate() -> None:
    matter = BY_NAME["内地居民离婚登记"]
    required = {m.type_code for m in matter.materials if m.required}
    assert TYPE_BY_KEY["marriage-certificate"] in required


def test_seed_food_business_licence_needs_a_business_licence() -> None:
    matter = BY_NAME["食品经营许可证核发"]
    assert [(m.type_code, m.required) for m in matter.materials] == [
        (BUSINESS_LICENCE, True)
    ]
    assert matter.holder_kind is HolderKind.ORGANISATION


def test_seed_birth_registration_reads_the_birth_medical_certificate() -> None:
    matter = BY_NAME["出生登记"]
    certificate = TYPE_BY_KEY["birth-medical-certificate"]
    assert [m.type_code for m in matter.materials] == [certificate]
    assert {f.source.field for f in matter.form if f.source} >= {
        "CZZT",
        "motherName",
        "motherIdNumber",
    }


def test_seed_inspections_and_enforcement_cite_a_legal_basis() -> None:
    cited = {matter.name_zh for matter in MATTERS if matter.legal_basis}
    assert cited == {
        "人民警察查验居民身份证",
        "道路交通安全违法行为现场检查",
        "劳动保障监察现场检查",
        "建设工程质量安全监督检查",
        "食品经营者监督检查",
        "市场主体登记事项随机抽查",
        "税务检查",
    }
    assert BY_NAME["食品经营者监督检查"].legal_basis is not None
    assert "第一百一十条" in BY_NAME["食品经营者监督检查"].legal_basis


def test_seed_department_kinds_include_tax_and_provident_fund() -> None:
    offering = {matter.department_kind for matter in MATTERS}
    assert {"tax", "housing-provident-fund"} <= offering <= KINDS


def _set(document: dict[str, Any], path: list[Any], value: Any) -> None:
    target: Any = document["matters"][0]
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = copy.deepcopy(value)


# (path into the first matter, new value, member named, part of the problem)
MISTAKES = [
    (["code"], "XJ-001", "code", "is not a GB/T 2260 division code, a hyphen"),
    (["code"], "999999-001", "code", "'999999-001' is not a GB/T 2260"),
    (["department_kind"], "weather", "department_kind", "'weather' is not a dep"),
    (["holder_kind"], "robot", "holder_kind", "'robot' is not one of person"),
    (["name_en"], " ", "name_en", "expected text, found ' '"),
    (["materials", 0, "type_code"], "X" * 21, "materials[0].type_code", "not a"),
    (
        ["materials", 0, "type_code"],
        BUSINESS_LICENCE,
        "materials[0].type_code",
        "are held by organisations, but the matter serves persons",
    ),
    (["materials", 0, "required"], "yes", "materials[0].required", "expected boo"),
    (["form", 0, "name"], "ChildName", "form[0].name", "is not in lower camel case"),
    (["form", 1, "name"], "childName", "form[1].name", "names another field"),
    (
        ["form", 1, "source", "field"],
        "sexx",
        "form[1].source.field",
        "'sexx' is not a field of license type 11100000X90000038A901: 'sexx' is not"
        " one of sex, birthDateTime",
    ),
    (
        ["form", 1, "source", "field"],
        "sex[]",
        "form[1].source.field",
        "'sex' in 'sex[]' is not a list",
    ),
    (
        ["form", 1, "source", "field"],
        "sex..x",
        "form[1].source.field",
        "'' is not a member name",
    ),
    (
        ["form", 1, "source", "type_code"],
        BUSINESS_LICENCE,
        "form[1].source.type_code",
        "are held by organisations",
    ),
    (["form", 0, "lable_zh"], "姓名", "form[0].lable_zh", "unknown member"),
    (["form", 0, "source"], "CZZT", "form[0].source", "expected optional object"),
    (["legal_basis"], "依法检查", "legal_basis", "cite the law in 《》"),
    (["materails"], [], "materails", "unknown member; expected code, name_zh"),
]


@pytest.mark.parametrize(
    ("path", "value", "member", "problem"),
    MISTAKES,
    ids=[f"{m[2]}={m[1]!r}"[:40] for m in MISTAKES],
)
def test_parse_seed_matters_names_matter_and_member_of_a_mistake(
    path: list[Any], value: Any, member: str, problem: str
) -> None:
    document = _document()
    _set(document, path, value)
    with pytest.raises(InvalidRequest) as raised:
        _parse(document)
    code = document["matters"][0]["code"]
    assert raised.value.message.startswith(f"service matter {code}, {member}: ")
    assert problem in raised.value.message
    assert raised.value.details == {"matter": code, "member": member}


def test_parse_seed_matters_refuses_a_repeated_code() -> None:
    document = _document()
    document["matters"][1]["code"] = "650000-001"
    with pytest.raises(InvalidRequest, match="another matter has the same code"):
        _parse(document)


def test_parse_seed_matters_refuses_a_repeated_material() -> None:
    document = _document()
    materials = document["matters"][0]["materials"]
    materials.append(dict(materials[0], required=False))
    with pytest.raises(InvalidRequest) as raised:
        _parse(document)
    assert raised.value.details["member"] == "materials[1].type_code"
    assert "is a material of the matter already" in raised.value.message


def test_parse_seed_matters_refuses_a_missing_member() -> None:
    document = _document()
    del document["matters"][2]["form"]
    with pytest.raises(InvalidRequest) as raised:
        _parse(document)
    assert raised.value.message == (
        "service matter 650000-003, form: the member is missing"
    )


def test_parse_seed_matters_labels_a_matter_without_code_by_position() -> None:
    document = _document()
    del document["matters"][4]["code"]
    with pytest.raises(InvalidRequest, match=r"^service matter #5, code: the member"):
        _parse(document)


def test_parse_seed_matters_accepts_an_omitted_required_flag() -> None:
    document = _document()
    del document["matters"][0]["materials"][0]["required"]
    assert _parse(document)[0].materials[0].required


# A type with nested objects and lists, as an operator may define one.
NESTED_SCHEMA = {
    "type": "object",
    "properties": {
        "vehicle": {
            "type": "object",
            "properties": {"plate": {"type": "string"}},
        },
        "owners": {
            "type": "array",
            "items": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
        "tags": {"type": "array", "items": {"type": "string"}},
        "plate": {"type": "string"},
    },
}


class NestedType:
    holder_kind = HolderKind.PERSON
    schema = NESTED_SCHEMA


def _matter_reading(field: str) -> ServiceMatter:
    return ServiceMatter.from_json(
        {
            "code": "650100-001",
            "name_zh": "测试",
            "name_en": "Test",
            "department_kind": "public-security",
            "holder_kind": "person",
            "materials": [{"type_code": "NESTED"}],
            "form": [
                {
                    "name": "value",
                    "label_zh": "值",
                    "label_en": "Value",
                    "source": {"type_code": "NESTED", "field": field},
                }
            ],
        }
    )


@pytest.mark.parametrize(
    "field", ["vehicle.plate", "owners[].name", "owners[0].name", "tags", "tags[]"]
)
def test_check_matter_accepts_single_valued_nested_fields(field: str) -> None:
    check_matter(_matter_reading(field), types={"NESTED": NestedType()}, kinds=KINDS)


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ("vehicle", "'vehicle' holds objects; name one of their fields"),
        ("owners", "'owners' holds objects; name one of their fields"),
        ("owners[]", "'owners[]' holds objects"),
        ("plate[0]", "'plate' in 'plate[0]' is not a list"),
        ("vehicle.colour", "'colour' is not one of plate; metadata names are CZZT"),
    ],
)
def test_check_matter_refuses_objects_and_unknown_nested_fields(
    field: str, problem: str
) -> None:
    with pytest.raises(InvalidRequest) as raised:
        check_matter(
            _matter_reading(field), types={"NESTED": NestedType()}, kinds=KINDS
        )
    assert raised.value.details == {
        "matter": "650100-001",
        "member": "form[0].source.field",
    }
    assert problem in raised.value.message


def _department(code: str, region: str, kind: str = "public-security", **extra: Any):
    return Department(
        id=int(code[-3:]),
        credit_code=code,
        name=code,
        name_en=None,
        region_code=region,
        kind=kind,
        **extra,
    )


def _seed(code: str) -> ServiceMatter:
    return next(m for m in load_seed_matters() if m.code == code)


def test_offering_department_prefers_the_division_then_the_highest_level() -> None:
    county = _department("11650102000000101", "650102")
    city = _department("11650100000000102", "650100")
    other_city = _department("11653100000000103", "653100")
    birth = _seed("650000-001")  # public security, the region's catalogue
    assert offering_department(birth, [county, other_city, city]) is city
    region = _department("11650000000000104", "650000")
    assert offering_department(birth, [county, city, region]) is region
    listed_in_county = ServiceMatter.from_json(
        {**birth.to_json(), "code": "650102-001"}
    )
    assert offering_department(listed_in_county, [city, county]) is county


def test_offering_department_keeps_to_the_kind_and_active_departments() -> None:
    birth = _seed("650000-001")
    civil = _department("11650000000000201", "650000", kind="civil-affairs")
    closed = _department(
        "11650100000000202", "650100", deactivated_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert offering_department(birth, [civil, closed]) is None


def test_offering_department_stays_inside_the_listing_division() -> None:
    # A matter of Urumqi's own catalogue is not offered by Kashgar's bureau.
    matter = ServiceMatter.from_json(
        {**_seed("650000-001").to_json(), "code": "650100-001"}
    )
    kashgar = _department("11653100000000301", "653100")
    assert offering_department(matter, [kashgar]) is None
