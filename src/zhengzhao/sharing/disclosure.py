"""What of a license a using party may see: granted fields within its clearance.

A grant names a license type's fields by their top-level names: the surface fields
of the type's schema (``address``, ``rightHolders``) and the GB/T 36903 metadata
names of `zhengzhao.sharing.matters.LICENSE_METADATA_FIELDS` (``CZZT`` the holder's
name, ``CZZTDM`` its identifier, ``ZZBS`` the license identifier ...). A field's
level is its schema classification, or for a nested field the most restrictive
level inside it; the metadata levels are `METADATA_LEVELS`, which depend on the
holder: a person's name and identity number are personal data, an organisation's
name and credit code are public.

`disclose_license` makes the view a share hands out: every field of the license,
each in clear when it was asked for (granted) and the party's clearance reaches its
level, and masked (`zhengzhao.model.classification.mask`, structure kept) otherwise.
The type, its issuer (``ZZBFJG``, ``ZZBFJGDM``: public bodies) and the status are
always shown: they say what the copy is, not who holds it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from zhengzhao.catalog.schema import field_levels
from zhengzhao.model.classification import ClassificationLevel, mask, most_restrictive
from zhengzhao.model.license import HolderKind, License

__all__ = [
    "ALWAYS_SHOWN",
    "METADATA_LEVELS",
    "DisclosedLicense",
    "disclose_license",
    "field_classes",
    "masked_value",
]

#: Metadata every view shows, granted or not, in its header.
ALWAYS_SHOWN = frozenset({"ZZBFJG", "ZZBFJGDM"})

_PUBLIC = ClassificationLevel.PUBLIC
_INTERNAL = ClassificationLevel.INTERNAL
_SENSITIVE = ClassificationLevel.SENSITIVE

#: Levels of the metadata fields a grant may name, by holder kind. An identity
#: number is sensitive personal information like an address; a person's name is
#: internal, as dates are; licenses' own numbers and dates are internal; issuers are
#: public bodies.
METADATA_LEVELS: Mapping[HolderKind, Mapping[str, ClassificationLevel]] = {
    HolderKind.PERSON: {
        "CZZT": _INTERNAL,
        "CZZTDM": _SENSITIVE,
        "ZZBS": _INTERNAL,
        "ZZBH": _INTERNAL,
        "ZZBFJG": _PUBLIC,
        "ZZBFJGDM": _PUBLIC,
        "ZZBFRQ": _INTERNAL,
        "ZZYXQQSRQ": _INTERNAL,
        "ZZYXQJZRQ": _INTERNAL,
    },
    HolderKind.ORGANISATION: {
        "CZZT": _PUBLIC,
        "CZZTDM": _PUBLIC,
        "ZZBS": _INTERNAL,
        "ZZBH": _INTERNAL,
        "ZZBFJG": _PUBLIC,
        "ZZBFJGDM": _PUBLIC,
        "ZZBFRQ": _INTERNAL,
        "ZZYXQQSRQ": _INTERNAL,
        "ZZYXQJZRQ": _INTERNAL,
    },
}


def field_classes(
    schema: Mapping[str, Any], holder_kind: HolderKind
) -> dict[str, ClassificationLevel]:
    """Every field a grant may name for a type with ``schema``, with its level."""
    levels: dict[str, list[ClassificationLevel]] = {}
    for path, level in field_levels(schema).items():
        top = path.split(".", 1)[0].removesuffix("[]")
        levels.setdefault(top, []).append(level)
    surface = {name: most_restrictive(found) for name, found in levels.items()}
    return {**surface, **METADATA_LEVELS[holder_kind]}


@dataclass(frozen=True, kw_only=True)
class DisclosedLicense:
    """A license as a using party may see it."""

    #: The license's header: type, issuer and status, always shown.
    header: dict[str, Any]
    #: Holder name and identifier, each in clear or masked.
    holder: dict[str, Any]
    #: Metadata fields other than the holder's, in clear or masked.
    metadata: dict[str, Any]
    #: Every surface field, in clear or masked.
    fields: dict[str, Any]
    #: The fields shown in clear, sorted.
    disclosed: tuple[str, ...]
    #: The fields shown masked, sorted.
    masked: tuple[str, ...]


def disclose_license(
    record: License,
    document: Mapping[str, Any],
    *,
    schema: Mapping[str, Any],
    wanted: Collection[str] | None,
    clearance: ClassificationLevel,
) -> DisclosedLicense:
    """The view of ``record`` (credential ``document``) for a reader cleared up to
    ``clearance`` who may see the fields in ``wanted`` (None: every field)."""
    subject = document["credentialSubject"]
    classes = field_classes(schema, record.holder_kind)
    values = _metadata_values(record, document) | dict(subject["fields"])
    shown: dict[str, Any] = {}
    disclosed: list[str] = []
    masked: list[str] = []
    for name, value in values.items():
        level = classes.get(name, ClassificationLevel.SECRET)
        visible = name in ALWAYS_SHOWN or (
            (wanted is None or name in wanted) and level <= clearance
        )
        shown[name] = value if visible else masked_value(value)
        (disclosed if visible else masked).append(name)
    surface = set(subject["fields"])
    holder = {
        "kind": record.holder_kind.value,
        "name": shown.pop("CZZT"),
        "identifier": shown.pop("CZZTDM"),
    }
    return DisclosedLicense(
        header={
            "typeCode": record.type_code,
            "typeName": subject["license"]["typeName"],
            "issuer": {
                "name": document["issuer"]["name"],
                "creditCode": record.issuer_code,
            },
            "statusCode": record.status_code,
        },
        holder=holder,
        metadata={
            k: v for k, v in shown.items() if k not in surface and k not in ALWAYS_SHOWN
        },
        fields={k: v for k, v in shown.items() if k in surface},
        disclosed=tuple(sorted(disclosed)),
        masked=tuple(sorted(masked)),
    )


def masked_value(value: Any) -> Any:
    """``value`` masked, objects and arrays member by member; null stays null."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {key: masked_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked_value(item) for item in value]
    return mask(value)


def _metadata_values(record: License, document: Mapping[str, Any]) -> dict[str, Any]:
    subject = document["credentialSubject"]
    values: dict[str, Any] = {
        "CZZT": subject["holder"]["name"],
        "CZZTDM": subject["holder"]["identifier"],
        "ZZBS": record.identifier,
        "ZZBH": record.paper_number,
        "ZZBFJG": document["issuer"]["name"],
        "ZZBFJGDM": record.issuer_code,
        "ZZBFRQ": subject["license"]["issueDate"],
        "ZZYXQQSRQ": record.valid_from.isoformat(),
        "ZZYXQJZRQ": record.valid_until.isoformat() if record.valid_until else None,
    }
    return values
