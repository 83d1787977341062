from collections.abc import Iterator
from datetime import date

import pytest

from zhengzhao.catalog.seed import load_seed_catalog
from zhengzhao.model.license import HolderKind, LicenseStatus
from zhengzhao.sharing.exemptions import (
    FORMULAS,
    PLAN_TARGET,
    Basis,
    Share,
    Supplied,
    by_design,
    in_practice,
)
from zhengzhao.sharing.forms import HeldLicense, Prefill, prefill
from zhengzhao.sharing.matters import FieldSource, FormField, Material, ServiceMatter
from zhengzhao.sharing.seed import load_seed_matters

ON = date(2026, 11, 2)
A, B, C = "TYPE-A", "TYPE-B", "TYPE-C"


def _field(name: str, type_code: str | None) -> FormField:
    source = FieldSource(type_code=type_code, field="CZZT") if type_code else None
    return FormField(name=name, label_zh=name, label_en=name, source=source)


def _matter(
    code: str, materials: list[tuple[str, bool]], sources: list[str | None]
) -> ServiceMatter:
    return ServiceMatter(
        code=code,
        name_zh=code,
        name_en=code,
        department_kind="civil-affairs",
        holder_kind=HolderKind.PERSON,
        materials=tuple(Material(type_code=t, required=r) for t, r in materials),
        form=tuple(_field(f"f{i}", t) for i, t in enumerate(sources)),
    )


# Two required materials and an optional one; three sourced fields, one typed.
FIRST = _matter("650000-901", [(A, True), (B, True), (C, False)], [A, B, C, None])
# One required material; one sourced field, one typed.
SECOND = _matter("650000-902", [(A, True)], [A, None])
NOTHING_ASKED = _matter("650000-903", [(C, False)], [])


def _license(type_code: str, identifier: str) -> HeldLicense:
    return HeldLicense(
        identifier=identifier,
        type_code=type_code,
        status=LicenseStatus.VALID,
        valid_from=date(2020, 1, 1),
        valid_until=None,
        metadata={"CZZT": "张三"},
    )


def _prefill(matter: ServiceMatter, *type_codes: str) -> Prefill:
    licenses = [_license(t, f"L-{t}") for t in type_codes]
    return prefill(matter, licenses, on=ON, disclosed=lambda source: True)


def test_share_ratio_is_supplied_over_asked() -> None:
    assert Share(supplied=1, asked=4).ratio == 0.25
    assert Share(supplied=2, asked=3) + Share(supplied=1, asked=1) == Share(
        supplied=3, asked=4
    )
    assert Share().ratio is None
    assert Share(supplied=0, asked=2).to_json() == {
        "supplied": 0,
        "asked": 2,
        "ratio": 0.0,
    }


def test_by_design_counts_published_required_materials_and_sourced_fields() -> None:
    report = by_design([FIRST, SECOND], published={A})
    first, second = report.matters
    # Optional C is not asked; B is required but unpublished.
    assert first.materials == Share(supplied=1, asked=2)
    # A's field is supplied; B's and C's types are unpublished; one field is typed.
    assert first.fields == Share(supplied=1, asked=4)
    assert second.materials == Share(supplied=1, asked=1)
    assert second.fields == Share(supplied=1, asked=2)
    assert report.materials == Share(supplied=2, asked=3)
    assert report.fields == Share(supplied=2, asked=6)
    assert report.basis is Basis.DESIGN
    assert [m.prefills for m in report.matters] == [0, 0]


def test_by_design_has_no_ratio_for_a_matter_asking_nothing() -> None:
    report = by_design([NOTHING_ASKED], published={A, B, C})
    assert report.matters[0].materials.ratio is None
    assert report.matters[0].fields.ratio is None
    assert report.materials.ratio is None


def test_in_practice_counts_covered_required_materials_and_filled_fields() -> None:
    report = in_practice(
        [
            _prefill(FIRST, A, B, C),  # materials 2/2, fields 3/4
            _prefill(FIRST, A),  # materials 1/2, fields 1/4
            _prefill(SECOND),  # materials 0/1, fields 0/2
        ]
    )
    first, second = report.matters
    assert (first.matter_code, first.prefills) == ("650000-901", 2)
    assert first.materials == Share(supplied=3, asked=4)
    assert first.fields == Share(supplied=4, asked=8)
    assert (second.prefills, second.materials) == (1, Share(supplied=0, asked=1))
    assert report.materials == Share(supplied=3, asked=5)
    assert report.fields == Share(supplied=4, asked=10)
    assert report.basis is Basis.PRACTICE


def test_in_practice_pools_counts_instead_of_averaging_ratios() -> None:
    # A matter exempted a hundred times and another refused once: the pooled share
    # is 100/101, where an average of the two matters' ratios would say one half.
    other = _matter("650000-904", [(B, True)], [])
    report = in_practice([*(_prefill(SECOND, A) for _ in range(100)), _prefill(other)])
    assert [m.materials.ratio for m in report.matters] == [1.0, 0.0]
    assert report.materials == Share(supplied=100, asked=101)


def test_in_practice_reads_its_prefills_once() -> None:
    def stream() -> Iterator[Prefill]:
        yield _prefill(FIRST, A)
        yield _prefill(FIRST, B)

    report = in_practice(stream())
    assert report.matters[0].prefills == 2
    assert report.materials == Share(supplied=2, asked=4)


def test_in_practice_of_no_prefills_is_empty() -> None:
    report = in_practice([])
    assert report.matters == ()
    assert report.materials.ratio is None


@pytest.mark.parametrize("basis", list(Basis))
def test_exemption_report_to_json_states_its_formulas(basis: Basis) -> None:
    if basis is Basis.DESIGN:
        report = by_design([FIRST], published={A})
    else:
        report = in_practice([_prefill(FIRST, A)])
    body = report.to_json()
    assert body["basis"] == basis.value
    assert body["formulas"] == FORMULAS[basis]
    assert set(body["formulas"]) == {"materials", "fields", "overall"}
    assert body["overall"]["materials"] == {"supplied": 1, "asked": 2, "ratio": 0.5}
    assert body["matters"][0]["matter"] == "650000-901"
    assert body["overall"]["prefills"] == (1 if basis is Basis.PRACTICE else 0)


def test_by_design_of_the_seed_list_with_the_seed_catalog_published() -> None:
    matters = load_seed_matters()
    catalog = {license_type.code for license_type in load_seed_catalog()}
    report = by_design(matters, published=catalog)
    # Every material of the seed list is a seed type: all are supplied by design.
    assert report.materials.ratio == 1.0
    fields = report.fields
    assert fields.ratio is not None and 0.4 <= fields.ratio < 1.0
    typed = sum(f.source is None for m in matters for f in m.form)
    assert fields.asked - fields.supplied == typed


def test_by_design_of_the_seed_list_without_the_person_types() -> None:
    matters = load_seed_matters()
    organisations = {
        t.code for t in load_seed_catalog() if t.holder_kind is HolderKind.ORGANISATION
    }
    report = by_design(matters, published=organisations)
    for row, matter in zip(report.matters, matters, strict=True):
        serves_organisations = matter.holder_kind is HolderKind.ORGANISATION
        assert (row.materials.supplied > 0) is serves_organisations


def test_supplied_counts_a_prefill_and_reads_back_from_its_json() -> None:
    counted = Supplied.of(_prefill(FIRST, A))
    assert counted.materials == Share(supplied=1, asked=2)
    assert counted.fields == Share(supplied=1, asked=4)
    assert counted.to_json() == {
        "materials": {"supplied": 1, "asked": 2},
        "fields": {"supplied": 1, "asked": 4},
    }
    assert Supplied.from_json(FIRST.code, counted.to_json()) == counted


def test_in_practice_counts_stored_counts_as_the_prefills_they_came_from() -> None:
    results = [_prefill(FIRST, A, B, C), _prefill(FIRST, A), _prefill(SECOND)]
    stored = [Supplied.of(result) for result in results]
    assert in_practice(stored) == in_practice(results)
    mixed = in_practice([results[0], stored[1], results[2]])
    assert mixed == in_practice(results)


@pytest.mark.parametrize(
    ("share", "met"),
    [
        (Share(supplied=2, asked=5), True),  # 40 % exactly reaches it
        (Share(supplied=39, asked=100), False),
        (Share(), None),  # nothing asked: no ratio to hold to the target
    ],
)
def test_plan_target_is_forty_percent_of_materials(share: Share, met: bool) -> None:
    assert PLAN_TARGET.met(share) is met
    assert PLAN_TARGET.to_json()["materials"] == 0.4
    assert PLAN_TARGET.to_json()["by"] == "2023-12-31"
