"""Field levels of grants and the masking of what a reader may not see."""

from zhengzhao.catalog.seed import load_seed_catalog
from zhengzhao.model.classification import ClassificationLevel
from zhengzhao.model.license import HolderKind
from zhengzhao.sharing.disclosure import METADATA_LEVELS, field_classes, masked_value
from zhengzhao.sharing.matters import LICENSE_METADATA_FIELDS


def schema(key):
    return next(t.schema for t in load_seed_catalog() if t.key == key)


def test_metadata_levels_cover_every_metadata_field_for_both_holder_kinds():
    for kind in HolderKind:
        assert set(METADATA_LEVELS[kind]) == set(LICENSE_METADATA_FIELDS)


def test_identity_numbers_are_sensitive_for_persons_and_public_for_organisations():
    assert METADATA_LEVELS[HolderKind.PERSON]["CZZTDM"] is ClassificationLevel.SENSITIVE
    assert (
        METADATA_LEVELS[HolderKind.ORGANISATION]["CZZTDM"] is ClassificationLevel.PUBLIC
    )


def test_a_nested_field_takes_its_most_restrictive_level():
    classes = field_classes(schema("real-estate-certificate"), HolderKind.PERSON)
    assert classes["rightHolders"] is ClassificationLevel.SENSITIVE
    assert "rightHolders[].name" not in classes


def test_masked_values_keep_their_shape_and_nulls():
    value = {"a": ["650102199001011234", 3], "b": None, "c": True}
    assert masked_value(value) == {
        "a": ["6501**********1234", "***"],
        "b": None,
        "c": "***",
    }
