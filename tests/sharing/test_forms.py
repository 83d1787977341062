from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengzhao.errors import InvalidRequest
from zhengzhao.model.license import LicenseStatus
from zhengzhao.sharing.forms import (
    EmptyReason,
    HeldLicense,
    PathStep,
    Prefill,
    covering,
    parse_field_path,
    prefill,
    schema_path,
)
from zhengzhao.sharing.matters import FieldSource, FormField, Material, ServiceMatter
from zhengzhao.sharing.seed import load_seed_matters

ID_CARD = "11100000000013127D001"
HOUSEHOLD_REGISTER = "11100000000013127D901"
ON = date(2026, 11, 2)
EVERYTHING = lambda source: True  # noqa: E731  # a caller who may see every field
MARRIAGE = next(m for m in load_seed_matters() if m.name_zh == "内地居民结婚登记")


def _license(
    type_code: str = ID_CARD,
    *,
    identifier: str = "ID-1",
    status: LicenseStatus = LicenseStatus.VALID,
    valid_from: date = date(2020, 1, 1),
    valid_until: date | None = date(2040, 1, 1),
    surface: dict[str, Any] | None = None,
    metadata: dict[str, str] | None = None,
) -> HeldLicense:
    return HeldLicense(
        identifier=identifier,
        type_code=type_code,
        status=status,
        valid_from=valid_from,
        valid_until=valid_until,
        surface=surface or {},
        metadata=metadata or {},
    )


def _id_card(**changes: Any) -> HeldLicense:
    values: dict[str, Any] = {
        "identifier": "ID-1",
        "surface": {
            "sex": "女",
            "ethnicity": "维吾尔",
            "birthDate": "1996-03-08",
            "address": "新疆乌鲁木齐市天山区解放南路100号",
        },
        "metadata": {"CZZT": "阿依古丽·买买提", "CZZTDM": "650102199603081225"},
    }
    return _license(ID_CARD, **{**values, **changes})


def _household_register(**changes: Any) -> HeldLicense:
    values: dict[str, Any] = {
        "identifier": "HR-1",
        "valid_until": None,
        "surface": {
            "householdNumber": "650102001",
            "address": "新疆乌鲁木齐市天山区解放南路100号",
            "education": "大学本科",
            "maritalStatus": "未婚",
        },
    }
    return _license(HOUSEHOLD_REGISTER, **{**values, **changes})


def _by_name(result: Prefill) -> dict[str, Any]:
    return {f.field.name: f for f in result.fields}


def test_prefill_fills_marriage_registration_from_valid_licenses() -> None:
    result = prefill(
        MARRIAGE, [_id_card(), _household_register()], on=ON, disclosed=EVERYTHING
    )
    fields = _by_name(result)
    assert fields["applicantName"].value == "阿依古丽·买买提"
    assert fields["applicantName"].license_identifier == "ID-1"
    assert fields["applicantIdNumber"].value == "650102199603081225"
    assert fields["ethnicity"].value == "维吾尔"
    assert fields["education"].value == "大学本科"
    assert fields["registeredResidence"].license_identifier == "HR-1"
    assert [m.license_identifier for m in result.materials] == ["ID-1", "HR-1"]
    assert result.to_submit == ()
    assert {m.type_code for m in result.exempted} == {ID_CARD, HOUSEHOLD_REGISTER}


def test_prefill_leaves_typed_fields_to_the_applicant() -> None:
    result = prefill(MARRIAGE, [_id_card()], on=ON, disclosed=EVERYTHING)
    fields = _by_name(result)
    for name in ("nationality", "phone"):
        assert fields[name].value is None
        assert fields[name].empty_because is EmptyReason.TYPED_BY_APPLICANT


def test_prefill_without_a_license_of_the_type_asks_for_the_material() -> None:
    result = prefill(MARRIAGE, [_id_card()], on=ON, disclosed=EVERYTHING)
    fields = _by_name(result)
    assert fields["occupation"].empty_because is EmptyReason.NO_VALID_LICENSE
    assert fields["occupation"].license_identifier is None
    assert [m.type_code for m in result.to_submit] == [HOUSEHOLD_REGISTER]
    assert [m.covered for m in result.materials] == [True, False]


@pytest.mark.parametrize(
    "status", [s for s in LicenseStatus if s is not LicenseStatus.VALID]
)
def test_prefill_ignores_a_license_not_in_valid_status(status: LicenseStatus) -> None:
    result = prefill(MARRIAGE, [_id_card(status=status)], on=ON, disclosed=EVERYTHING)
    assert _by_name(result)["applicantName"].empty_because is (
        EmptyReason.NO_VALID_LICENSE
    )
    assert not result.materials[0].covered


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "covers"),
    [
        (ON, ON, True),  # both ends of the window count
        (ON - timedelta(days=1), ON - timedelta(days=1), False),  # expired yesterday
        (ON + timedelta(days=1), None, False),  # valid from tomorrow
        (date(1990, 1, 1), None, True),  # permanent
    ],
)
def test_prefill_judges_the_validity_window_on_the_day(
    valid_from: date, valid_until: date | None, covers: bool
) -> None:
    card = _id_card(valid_from=valid_from, valid_until=valid_until)
    result = prefill(MARRIAGE, [card], on=ON, disclosed=EVERYTHING)
    assert result.materials[0].covered is covers
    assert _by_name(result)["sex"].filled is covers


def test_prefill_takes_the_newest_covering_license_for_every_field() -> None:
    old = _id_card(identifier="ID-OLD", valid_from=date(2010, 1, 1))
    new = _id_card(
        identifier="ID-NEW",
        valid_from=date(2025, 6, 1),
        surface={"sex": "女", "address": "新疆喀什市人民东路1号"},
    )
    result = prefill(MARRIAGE, [new, old], on=ON, disclosed=EVERYTHING)
    fields = _by_name(result)
    assert {f.license_identifier for f in result.fields if f.filled} == {"ID-NEW"}
    # The new card lacks the ethnicity: the old card's is not mixed in.
    assert fields["ethnicity"].empty_because is EmptyReason.FIELD_ABSENT
    assert result.materials[0].license_identifier == "ID-NEW"


def test_prefill_breaks_a_tie_of_first_days_by_identifier() -> None:
    first = _id_card(identifier="ID-A")
    second = _id_card(identifier="ID-B")
    for order in ([first, second], [second, first]):
        result = prefill(MARRIAGE, order, on=ON, disclosed=EVERYTHING)
        assert result.materials[0].license_identifier == "ID-B"


def test_prefill_withholds_fields_outside_the_disclosed_set() -> None:
    disclosed = {
        FieldSource(type_code=ID_CARD, field="CZZT"),
        FieldSource(type_code=ID_CARD, field="CZZTDM"),
    }
    result = prefill(MARRIAGE, [_id_card()], on=ON, disclosed=disclosed)
    fields = _by_name(result)
    assert fields["applicantName"].filled
    for name in ("sex", "ethnicity", "birthDate"):
        assert fields[name].empty_because is EmptyReason.NOT_DISCLOSED
        assert fields[name].value is None
        assert fields[name].license_identifier is None


def test_prefill_does_not_tell_an_undisclosed_field_is_absent() -> None:
    # The household register lacks an occupation; the caller may not see it anyway.
    result = prefill(
        MARRIAGE,
        [_household_register()],
        on=ON,
        disclosed=lambda source: source.field != "occupation",
    )
    assert _by_name(result)["occupation"].empty_because is EmptyReason.NOT_DISCLOSED


def test_prefill_reports_a_field_the_license_lacks() -> None:
    result = prefill(MARRIAGE, [_household_register()], on=ON, disclosed=EVERYTHING)
    assert _by_name(result)["occupation"].empty_because is EmptyReason.FIELD_ABSENT


def test_prefill_reads_metadata_from_the_license_members() -> None:
    matter = _matter_reading("ZZBS", "ZZYXQQSRQ", "ZZYXQJZRQ", "ZZBH", "CZZT")
    card = _id_card(metadata={"ZZBH": "P-123"})
    fields = _by_name(prefill(matter, [card], on=ON, disclosed=EVERYTHING))
    assert [fields[f"f{i}"].value for i in range(4)] == [
        "ID-1",
        "2020-01-01",
        "2040-01-01",
        "P-123",
    ]
    assert fields["f4"].empty_because is EmptyReason.FIELD_ABSENT


def test_prefill_has_no_last_day_for_a_permanent_license() -> None:
    matter = _matter_reading("ZZYXQJZRQ")
    card = _id_card(valid_until=None)
    fields = _by_name(prefill(matter, [card], on=ON, disclosed=EVERYTHING))
    assert fields["f0"].empty_because is EmptyReason.FIELD_ABSENT


def test_held_license_refuses_metadata_its_members_give() -> None:
    with pytest.raises(InvalidRequest) as raised:
        _id_card(metadata={"ZZBS": "other", "CZZT": "张三", "XYZ": "1"})
    assert raised.value.message.startswith(
        "license ID-1: metadata XYZ, ZZBS cannot be given; give only CZZT, CZZTDM,"
    )


def _matter_reading(*fields: str, type_code: str = ID_CARD) -> ServiceMatter:
    return ServiceMatter(
        code="650100-001",
        name_zh="测试",
        name_en="Test",
        department_kind="public-security",
        holder_kind=MARRIAGE.holder_kind,
        materials=(Material(type_code=type_code),),
        form=tuple(
            FormField(
                name=f"f{index}",
                label_zh="值",
                label_en="Value",
                source=FieldSource(type_code=type_code, field=field),
            )
            for index, field in enumerate(fields)
        ),
    )


NESTED = {
    "vehicle": {"plate": "新A12345", "colour": None},
    "owners": [
        {"name": "张三", "shares": [{"percent": 60}]},
        {"name": "李四", "shares": [{"percent": 30}, {"percent": 10}]},
        {"share": 0},
    ],
    "tags": ["一", "二"],
    "none": [],
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("vehicle.plate", "新A12345"),
        ("owners[1].name", "李四"),
        ("owners[].name", ["张三", "李四"]),  # the third owner has no name
        ("owners[].shares[].percent", [60, 30, 10]),
        ("owners[1].shares[0].percent", 30),
        ("tags", ["一", "二"]),
        ("tags[1]", "二"),
    ],
)
def test_prefill_follows_paths_into_objects_and_lists(path: str, value: Any) -> None:
    card = _license(surface=NESTED)
    fields = _by_name(prefill(_matter_reading(path), [card], on=ON, disclosed=set()))
    # An empty disclosed set withholds everything: nothing below may leak.
    assert fields["f0"].empty_because is EmptyReason.NOT_DISCLOSED
    fields = _by_name(
        prefill(_matter_reading(path), [card], on=ON, disclosed=EVERYTHING)
    )
    assert fields["f0"].value == value


@pytest.mark.parametrize(
    "path",
    [
        "vehicle.colour",  # null
        "vehicle.wheels",
        "owners[5].name",
        "owners[2].name",
        "tags[].x",
        "vehicle[0]",
        "none",  # an empty list
        "none[]",
        "missing.deeper",
    ],
)
def test_prefill_finds_nothing_at_paths_the_data_lacks(path: str) -> None:
    card = _license(surface=NESTED)
    fields = _by_name(
        prefill(_matter_reading(path), [card], on=ON, disclosed=EVERYTHING)
    )
    assert fields["f0"].empty_because is EmptyReason.FIELD_ABSENT


def test_prefill_asks_about_the_schema_path_of_an_indexed_field() -> None:
    asked: list[FieldSource] = []

    def disclosed(source: FieldSource) -> bool:
        asked.append(source)
        return True

    card = _license(surface=NESTED)
    prefill(
        _matter_reading("owners[1].name", "CZZT"), [card], on=ON, disclosed=disclosed
    )
    assert asked == [
        FieldSource(type_code=ID_CARD, field="owners[].name"),
        FieldSource(type_code=ID_CARD, field="CZZT"),
    ]


def test_parse_field_path_reads_names_indexes_and_every_element() -> None:
    assert parse_field_path("a.b[2].c[]") == (
        PathStep("a"),
        PathStep("b", 2),
        PathStep("c", "all"),
    )
    assert schema_path("a.b[2].c[]") == "a.b[].c[]"
    assert schema_path("CZZT") == "CZZT"


@pytest.mark.parametrize("path", ["", "a..b", "a[x]", "a[1][2]", "1a", "a.b-c"])
def test_parse_field_path_refuses_malformed_paths(path: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        parse_field_path(path)
    assert raised.value.message.startswith(f"field path {path!r}: ")
    assert "is not a member name, optionally with [N] or []" in raised.value.message


def test_prefill_to_json_names_sources_and_reasons() -> None:
    result = prefill(MARRIAGE, [_id_card()], on=ON, disclosed=EVERYTHING)
    body = result.to_json()
    assert body["matter"] == "650000-009"
    assert body["date"] == "2026-11-02"
    assert body["form"][0] == {
        "name": "applicantName",
        "label_zh": "申请人姓名",
        "label_en": "Applicant's name",
        "required": True,
        "value": "阿依古丽·买买提",
        "source": {"license": "ID-1", "type_code": ID_CARD, "field": "CZZT"},
        "empty_because": None,
    }
    occupation = next(f for f in body["form"] if f["name"] == "occupation")
    assert occupation["source"] is None
    assert occupation["empty_because"] == "no-valid-license"
    assert body["materials"] == [
        {
            "type_code": ID_CARD,
            "required": True,
            "license": "ID-1",
            "must_submit": False,
        },
        {
            "type_code": HOUSEHOLD_REGISTER,
            "required": True,
            "license": None,
            "must_submit": True,
        },
    ]


# Every field of the marriage matter's two types, for random disclosure.
_SOURCES = sorted(
    {f.source for f in MARRIAGE.form if f.source is not None},
    key=lambda s: (s.type_code, s.field),
)


@st.composite
def held_licenses(draw: st.DrawFn, index: int) -> HeldLicense:
    start = date(2020, 1, 1) + timedelta(days=draw(st.integers(0, 3000)))
    length = draw(st.none() | st.integers(0, 4000))
    builder = draw(st.sampled_from([_id_card, _household_register]))
    return builder(
        identifier=f"L-{index}",
        # Half of them valid, so that most examples fill something.
        status=draw(
            st.just(LicenseStatus.VALID) | st.sampled_from(list(LicenseStatus))
        ),
        valid_from=start,
        valid_until=None if length is None else start + timedelta(days=length),
    )


@st.composite
def license_sets(draw: st.DrawFn) -> list[HeldLicense]:
    count = draw(st.integers(0, 5))
    return [draw(held_licenses(index)) for index in range(count)]


@settings(deadline=None)
@given(
    licenses=license_sets(),
    disclosed=st.sets(st.sampled_from(_SOURCES)),
    on=st.dates(date(2019, 1, 1), date(2032, 12, 31)),
)
def test_prefill_never_reports_what_is_invalid_or_undisclosed(
    licenses: list[HeldLicense], disclosed: set[FieldSource], on: date
) -> None:
    by_identifier = {license.identifier: license for license in licenses}
    result = prefill(MARRIAGE, licenses, on=on, disclosed=disclosed)
    for item in result.fields:
        source = item.field.source
        if not item.filled:
            assert item.value is None and item.license_identifier is None
            continue
        assert source is not None and source in disclosed
        assert item.license_identifier is not None
        used = by_identifier[item.license_identifier]
        assert used.type_code == source.type_code
        assert used.covers(on)
        assert used.status is LicenseStatus.VALID
        assert used.valid_from <= on
        assert used.valid_until is None or on <= used.valid_until
    for coverage in result.materials:
        covering = [x for x in licenses if x.type_code == coverage.material.type_code]
        valid = [x for x in covering if x.covers(on)]
        assert coverage.covered is bool(valid)
        if valid:
            newest = max(valid, key=lambda x: (x.valid_from, x.identifier))
            assert coverage.license_identifier == newest.identifier


def test_prefill_outside_the_readable_types_never_looks_for_a_license() -> None:
    result = prefill(
        MARRIAGE,
        [_id_card(), _household_register()],
        on=ON,
        disclosed=EVERYTHING,
        readable={ID_CARD},
    )
    fields = _by_name(result)
    assert fields["applicantName"].value == "阿依古丽·买买提"
    assert fields["education"].empty_because is EmptyReason.OUTSIDE_SCOPE
    assert [m.license_identifier for m in result.materials] == ["ID-1", None]
    assert [m.type_code for m in result.to_submit] == [HOUSEHOLD_REGISTER]


def test_prefill_outside_scope_comes_before_no_valid_license() -> None:
    # Without any license, a type the caller may not read says so, and not that
    # the applicant holds none: that would tell what the caller may not know.
    result = prefill(MARRIAGE, [], on=ON, disclosed=EVERYTHING, readable=frozenset())
    sourced = [f for f in result.fields if f.field.source is not None]
    assert {f.empty_because for f in sourced} == {EmptyReason.OUTSIDE_SCOPE}


def test_covering_takes_the_newest_valid_license_of_each_type() -> None:
    older = _id_card(identifier="ID-1", valid_from=date(2010, 1, 1))
    newer = _id_card(identifier="ID-2", valid_from=date(2020, 1, 1))
    revoked = _id_card(identifier="ID-3", status=LicenseStatus.REVOKED)
    chosen = covering([older, newer, revoked, _household_register()], ON)
    assert {code: held.identifier for code, held in chosen.items()} == {
        ID_CARD: "ID-2",
        HOUSEHOLD_REGISTER: "HR-1",
    }


def test_prefill_names_the_licenses_it_used_once_each() -> None:
    result = prefill(
        MARRIAGE, [_id_card(), _household_register()], on=ON, disclosed=EVERYTHING
    )
    assert result.licenses_used == ("ID-1", "HR-1")
    alone = prefill(MARRIAGE, [_id_card()], on=ON, disclosed=lambda source: False)
    assert alone.licenses_used == ("ID-1",)  # it covers the material all the same
