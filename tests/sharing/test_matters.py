"""A service matter's JSON form: read back unchanged, and refused member by member."""

import pytest

from zhengzhao.errors import InvalidRequest
from zhengzhao.sharing.matters import ServiceMatter

MATTER = {
    "code": "650000-900",
    "name_zh": "测试事项",
    "name_en": "Test matter",
    "department_kind": "civil-affairs",
    "holder_kind": "person",
    "materials": [{"type_code": "11100000000013127D001", "required": True}],
    "form": [
        {
            "name": "applicantName",
            "label_zh": "申请人",
            "label_en": "Applicant",
            "source": {"type_code": "11100000000013127D001", "field": "CZZT"},
            "required": True,
        },
        {
            "name": "phone",
            "label_zh": "电话",
            "label_en": "Phone",
            "source": None,
            "required": False,
        },
    ],
    "legal_basis": None,
}


def test_matter_json_reads_back_unchanged():
    assert ServiceMatter.from_json(MATTER).to_json() == MATTER


def test_matter_type_codes_list_materials_then_form_sources():
    matter = ServiceMatter.from_json(MATTER)
    assert matter.type_codes == ("11100000000013127D001",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": ""}, "code must be a non-empty string"),
        ({"holder_kind": "robot"}, "holder_kind must be person or organisation"),
        ({"materials": "all"}, "materials must be a list"),
        (
            {"materials": [{"type_code": "11100000000013127D001", "required": "no"}]},
            "materials[0].required must be true or false, not 'no'",
        ),
        (
            {"form": [MATTER["form"][0], {"name": "x", "label_zh": "x"}]},
            "form[1].label_en must be a non-empty string",
        ),
        (
            {"form": [{**MATTER["form"][0], "source": {"type_code": "T"}}]},
            "form[0].source.field must be a non-empty string",
        ),
        ({"legal_basis": 15}, "legal_basis must be a string or null"),
    ],
)
def test_matter_json_refused_naming_the_member(change, message):
    with pytest.raises(InvalidRequest) as caught:
        ServiceMatter.from_json({**MATTER, **change})
    assert message in caught.value.message
