"""The demo's synthetic data: valid identifiers, valid surface data, allowed events."""

from __future__ import annotations

import collections
import datetime
import random
import time
from dataclasses import dataclass

import pytest

from zhengzhao.catalog.schema import validate_surface
from zhengzhao.catalog.seed import SeedLicenseType, load_seed_catalog
from zhengzhao.catalog.types import ValidityKind, ValidityRule
from zhengzhao.demo.assets import vin_check_character
from zhengzhao.demo.dates import age_on
from zhengzhao.demo.places import serving_area
from zhengzhao.demo.synthetic import (
    Organisation,
    OrganisationKind,
    Person,
    PlannedLicense,
    UniqueValues,
    demo_departments,
    department_for,
    make_organisations,
    make_people,
    plan_licenses,
)
from zhengzhao.errors import InvalidRequest, NotFound
from zhengzhao.model import divisions
from zhengzhao.model.credit_code import CreditCode
from zhengzhao.model.divisions import Level
from zhengzhao.model.license import LicenseStatus
from zhengzhao.model.lifecycle import EventKind, State, transition
from zhengzhao.model.resident_id import ResidentId, Sex

TODAY = datetime.date(2026, 6, 30)
CATALOG = {license_type.code: license_type for license_type in load_seed_catalog()}
XINJIANG = "650000"
CODE_PREFIXES = {
    OrganisationKind.ENTERPRISE: ("91", "93"),
    OrganisationKind.INDIVIDUAL_BUSINESS: ("92",),
    OrganisationKind.PUBLIC_INSTITUTION: ("12",),
    OrganisationKind.SOCIAL_ORGANISATION: ("51",),
}
DAY = datetime.timedelta(days=1)
ENDINGS = {
    EventKind.REVOKED,
    EventKind.CANCELLED,
    EventKind.ABOLISHED,
    EventKind.EXPIRED,
}
# The only events the demo may plan on a license that is not plainly valid.
UNDOING = {EventKind.RELEASED, EventKind.DISCHARGED}


@dataclass(frozen=True)
class Library:
    people: tuple[Person, ...]
    organisations: tuple[Organisation, ...]
    licenses: tuple[tuple[Person | Organisation, PlannedLicense], ...]


def _library(seed: int, people: int, organisations: int) -> Library:
    rng = random.Random(seed)
    unique = UniqueValues()
    persons = make_people(rng, people, today=TODAY, unique=unique)
    orgs = make_organisations(rng, organisations, today=TODAY, unique=unique)
    licenses = tuple(
        (holder, planned)
        for holder in (*persons, *orgs)
        for planned in plan_licenses(holder, rng, today=TODAY, unique=unique)
    )
    return Library(persons, orgs, licenses)


@pytest.fixture(scope="module")
def library() -> Library:
    return _library(seed=20260630, people=600, organisations=200)


def _term_end(planned: PlannedLicense) -> datetime.date | None:
    rule = ValidityRule.from_json(dict(CATALOG[planned.type_code].validity))
    return rule.last_day(planned.valid_from, planned.valid_until)


def _key(planned: PlannedLicense) -> str:
    return CATALOG[planned.type_code].key


def test_people_identifiers_valid_and_unique(library: Library) -> None:
    identifiers = [person.identifier for person in library.people]
    assert len(set(identifiers)) == len(identifiers)
    for person in library.people:
        number = ResidentId.parse(person.identifier, today=TODAY)
        assert number.sequence < 500  # relatives take the other half
        assert number.birth_date == person.birth_date
        assert number.division_code == person.division_code
        assert number.sex is (Sex.MALE if person.sex == "男" else Sex.FEMALE)
        home = divisions.division(person.division_code)
        assert home.is_current and home.level is Level.COUNTY
        assert divisions.within(home.code, XINJIANG)
        assert person.address.startswith("新疆")


def test_people_ages_span_zero_to_ninety(library: Library) -> None:
    ages = [age_on(person.birth_date, TODAY) for person in library.people]
    assert min(ages) <= 2 and 75 <= max(ages) <= 90
    assert 0.15 < sum(age < 16 for age in ages) / len(ages) < 0.35


def test_people_names_follow_their_tradition(library: Library) -> None:
    for person in library.people:
        if person.ethnicity in ("维吾尔", "哈萨克", "柯尔克孜", "塔吉克"):
            given, father = person.name.split("·")
            assert given and father and given != father
        elif person.ethnicity in ("汉", "回", "锡伯"):
            assert "·" not in person.name and 2 <= len(person.name) <= 3


def test_people_ethnicities_are_a_xinjiang_mix(library: Library) -> None:
    shares = collections.Counter(person.ethnicity for person in library.people)
    # Uyghur and Han people are each about four tenths of the region.
    assert shares["维吾尔"] > 0.3 * len(library.people)
    assert shares["汉"] > 0.3 * len(library.people)
    assert shares["哈萨克"] > 0


def test_organisations_credit_codes_valid_and_unique(library: Library) -> None:
    codes = [organisation.identifier for organisation in library.organisations]
    assert len(set(codes)) == len(codes)
    names = [organisation.name for organisation in library.organisations]
    assert len(set(names)) == len(names)
    for organisation in library.organisations:
        code = CreditCode.parse(organisation.identifier)  # strict: both checks
        assert organisation.identifier[:2] in CODE_PREFIXES[organisation.kind]
        assert code.division_code == organisation.division_code
        assert divisions.within(organisation.division_code, XINJIANG)
        domicile = divisions.division(organisation.domicile_code)
        assert domicile.level is Level.COUNTY
        assert divisions.within(domicile.code, organisation.division_code)
    kinds = {organisation.kind for organisation in library.organisations}
    assert kinds == set(OrganisationKind)


def test_planned_licenses_fields_match_schema(library: Library) -> None:
    for _, planned in library.licenses:
        schema = CATALOG[planned.type_code].schema
        validate_surface(schema, planned.fields)
        for event in planned.events:
            if event.fields is not None:
                validate_surface(schema, {**planned.fields, **event.fields})


def test_planned_licenses_cover_every_seed_type(library: Library) -> None:
    planned_types = {planned.type_code for _, planned in library.licenses}
    assert planned_types == set(CATALOG)


def test_planned_licenses_agree_with_holder(library: Library) -> None:
    for holder, planned in library.licenses:
        assert planned.holder_identifier == holder.identifier
        assert planned.holder_name == holder.name
        assert CATALOG[planned.type_code].holder_kind == planned.holder_kind
        if isinstance(holder, Person):
            expected = {"sex": holder.sex, "birthDate": holder.birth_date.isoformat()}
            for name, value in expected.items():
                assert planned.fields.get(name, value) == value


def test_planned_licenses_dates_consistent(library: Library) -> None:
    for holder, planned in library.licenses:
        rule = ValidityRule.from_json(dict(CATALOG[planned.type_code].validity))
        assert planned.valid_from == planned.issue_date <= TODAY
        if isinstance(holder, Person):
            assert planned.issue_date >= holder.birth_date
        else:
            assert planned.issue_date >= holder.established
        if rule.kind is not ValidityKind.ISSUER_SUPPLIED:
            assert planned.valid_until is None
        elif planned.valid_until is not None:
            assert planned.valid_until > planned.valid_from


def test_planned_licenses_name_valid_relatives(library: Library) -> None:
    relatives = 0
    for _, planned in library.licenses:
        fields = planned.fields
        for prefix in ("spouse", "mother", "father"):
            number = fields.get(f"{prefix}IdNumber")
            if number is None:
                continue
            relatives += 1
            parsed = ResidentId.parse(number, today=TODAY)
            assert parsed.sequence >= 500  # never a holder's number
            assert parsed.birth_date.isoformat() == fields.get(
                f"{prefix}BirthDate", parsed.birth_date.isoformat()
            )
            if prefix == "mother":
                assert parsed.sex is Sex.FEMALE
    assert relatives > 100


def test_planned_licenses_keep_education_in_order(library: Library) -> None:
    for _, planned in library.licenses:
        if _key(planned) == "academic-certificate":
            enrolled = planned.fields["enrolmentDate"]
            assert enrolled < planned.fields["graduationDate"] <= TODAY.isoformat()


def test_planned_vehicles_carry_valid_identification_numbers(library: Library) -> None:
    vins = [
        planned.fields["vin"]
        for _, planned in library.licenses
        if _key(planned) == "motor-vehicle-registration-certificate"
    ]
    assert vins and len(set(vins)) == len(vins)
    for vin in vins:
        assert vin[8] == vin_check_character(vin)


def test_vin_check_character_matches_known_numbers() -> None:
    # The worked example of ISO 3779 check digits, and seventeen ones.
    assert vin_check_character("1M8GDM9AXKP042788") == "X"
    assert vin_check_character("11111111111111111") == "1"


def test_planned_events_follow_state_machine(library: Library) -> None:
    for _, planned in library.licenses:
        valid_until = _term_end(planned)
        state = State(LicenseStatus.VALID)
        previous = planned.issue_date
        for index, event in enumerate(planned.events):
            assert previous < event.occurred_on < TODAY
            if event.kind not in UNDOING:
                assert state.status is LicenseStatus.VALID
            if event.kind in ENDINGS - {EventKind.EXPIRED}:
                assert state.encumbrance is None
            outcome = transition(
                event.kind, state, valid_until=valid_until, on=event.occurred_on
            )
            if event.kind.reissues or event.kind in ENDINGS:
                assert index == len(planned.events) - 1
            if event.kind is EventKind.EXTENDED:
                assert valid_until is not None and event.valid_until is not None
                assert event.valid_until > valid_until
            if event.kind is EventKind.CORRECTED:
                assert event.fields
            state, previous = outcome.state, event.occurred_on


def test_planned_events_close_lapsed_terms(library: Library) -> None:
    lapsed = [
        planned
        for _, planned in library.licenses
        if (end := _term_end(planned)) is not None and end < TODAY - 2 * DAY
    ]
    closing = {EventKind.EXPIRED, EventKind.EXTENDED} | ENDINGS
    closed = [p for p in lapsed if p.events and p.events[-1].kind in closing]
    assert lapsed and len(closed) >= 0.8 * len(lapsed)


def test_planned_events_share_is_realistic(library: Library) -> None:
    with_events = sum(bool(planned.events) for _, planned in library.licenses)
    assert 0.08 < with_events / len(library.licenses) < 0.16


def test_departments_have_valid_codes() -> None:
    departments = demo_departments()
    assert len(departments) >= 20
    assert len({d.credit_code for d in departments}) == len(departments)
    assert len({d.name for d in departments}) == len(departments)
    assert len({(d.kind, d.region_code) for d in departments}) == len(departments)
    for department in departments:
        code = CreditCode.parse(department.credit_code)
        assert department.credit_code.startswith("11")
        assert code.division_code == department.region_code
        assert divisions.division(department.region_code).level is department.level


@pytest.mark.parametrize("license_type", CATALOG.values(), ids=lambda t: t.key)
def test_department_for_matches_responsibility_line(
    license_type: SeedLicenseType,
) -> None:
    departments = demo_departments()
    lines = {
        (line.department_kind, level)
        for line in license_type.responsibilities
        for level in line.levels
    }
    for home in divisions.current_tree(XINJIANG):
        chosen = department_for(license_type.code, home.code, departments)
        assert (chosen.kind, chosen.level) in lines
        serves = divisions.within(home.code, chosen.region_code) or divisions.within(
            chosen.region_code, serving_area(home.code)
        )
        assert serves, (home.code, chosen.name)


def test_department_for_unknown_type_raises() -> None:
    with pytest.raises(NotFound, match="not in the seed catalog"):
        department_for("11100000000013127D999", "650102", demo_departments())


def test_department_for_without_responsible_department_raises() -> None:
    code = next(iter(CATALOG))
    with pytest.raises(InvalidRequest, match="none of the 0 departments may issue"):
        department_for(code, "650102", ())


def test_unique_values_repeating_generator_raises() -> None:
    unique = UniqueValues()
    assert unique.draw("plate", lambda: "新A12345") == "新A12345"
    with pytest.raises(InvalidRequest, match="no new plate after 1000 attempts"):
        unique.draw("plate", lambda: "新A12345")


def test_same_seed_same_data() -> None:
    first = _library(seed=42, people=150, organisations=40)
    again = _library(seed=42, people=150, organisations=40)
    other = _library(seed=43, people=150, organisations=40)
    assert first == again
    assert first.people != other.people
    assert demo_departments() == demo_departments()


@pytest.mark.slow
def test_plan_counts_ten_thousand_people_reach_fifty_thousand() -> None:
    started = time.perf_counter()
    library = _library(seed=1, people=10_000, organisations=1_000)
    elapsed = time.perf_counter() - started
    per_type = collections.Counter(_key(planned) for _, planned in library.licenses)
    per_event = collections.Counter(
        str(event.kind) for _, planned in library.licenses for event in planned.events
    )
    # The counts are this test's report (pytest -s shows them): keep the prints.
    print(f"\n{len(library.licenses)} licenses in {elapsed:.1f} s")  # noqa: T201
    for name, count in [*per_type.most_common(), *per_event.most_common()]:
        print(f"  {name:56} {count:6}")  # noqa: T201
    assert len(library.licenses) >= 50_000
    assert len(per_type) == len(CATALOG)
