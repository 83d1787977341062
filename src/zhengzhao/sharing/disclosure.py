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
level, and masked otherwise, structure kept. A masked value is hidden as
`zhengzhao.model.classification.mask` does, by what its schema says it is: an
enumerated value (``enum``, ``const``) and a date are hidden whole, a name (the
holder's, or a field whose schema says ``"x-masking": "name"``) keeps its first
character, anything else is masked by its shape. The type, its issuer (``ZZBFJG``,
``ZZBFJGDM``: public bodies) and the status are always shown: they say what the copy
is, not who holds it.

A masked resident ID number keeps its first four and last four characters
(``6501**********1234``), unless the reader also receives, in clear, a value holding
the number's birth-date digits (a ``birthDate`` field, or any value equal to them):
the remaining two hidden digits and the check character would then give the whole
number back, so it keeps its first four only (``6501**************``). The caller
passes every value the reader may receive in clear under the same basis
(`clear_values`), so that asking for fewer fields in one share and more in another
gives nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from zhengzhao.catalog.schema import field_levels
from zhengzhao.model.classification import (
    ClassificationLevel,
    Masking,
    mask,
    most_restrictive,
)
from zhengzhao.model.license import HolderKind, License

__all__ = [
    "ALWAYS_SHOWN",
    "METADATA_LEVELS",
    "DisclosedLicense",
    "clear_values",
    "disclose_license",
    "field_classes",
    "license_values",
    "masked_value",
    "reveals_birth_date",
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

#: What the metadata fields are, as a schema would say it, for masking them.
_DATE = {"format": "date"}
_METADATA_SCHEMAS: Mapping[str, Mapping[str, Any]] = {
    "CZZT": {"x-masking": "name"},
    "ZZBFRQ": _DATE,
    "ZZYXQQSRQ": _DATE,
    "ZZYXQJZRQ": _DATE,
}
_WHOLE_FORMATS = frozenset({"date", "date-time", "time"})

# GB 11643: the birth date is the 7th to 14th character of a resident ID number.
_BIRTH_DIGITS = slice(6, 14)
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
# A date written with separators (1985-06-15, 1985年6月15日, 1985/6/15).
_DATE_PARTS = re.compile(r"([0-9]{4})[^0-9]{1,3}([0-9]{1,2})[^0-9]{1,3}([0-9]{1,2})")
_KEEP_WITH_BIRTH_DATE = 4


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


def license_values(record: License, document: Mapping[str, Any]) -> dict[str, Any]:
    """Every field of ``record`` (credential ``document``) by its top-level name:
    the metadata fields, then the surface fields."""
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
    return values | dict(subject["fields"])


def clear_values(
    record: License,
    document: Mapping[str, Any],
    *,
    schema: Mapping[str, Any],
    wanted: Collection[str] | None,
    clearance: ClassificationLevel,
) -> list[Any]:
    """The scalar values of ``record`` that a reader cleared up to ``clearance`` who
    may see the fields in ``wanted`` (None: every field) receives in clear."""
    values = license_values(record, document)
    visible = _visible(record, schema, values, wanted, clearance)
    return [leaf for name in visible for leaf in _scalars(values.get(name))]


def reveals_birth_date(identifier: str, values: Iterable[Any]) -> bool:
    """Whether one of ``values`` holds the birth-date digits of resident ID number
    ``identifier``, in any usual writing (``19850615``, ``1985-06-15``,
    ``1985年6月15日``); False for any other identifier."""
    if not _RESIDENT_ID.fullmatch(identifier):
        return False
    birth = identifier[_BIRTH_DIGITS]
    return any(birth in form for value in values for form in _digit_forms(value))


def disclose_license(
    record: License,
    document: Mapping[str, Any],
    *,
    schema: Mapping[str, Any],
    wanted: Collection[str] | None,
    clearance: ClassificationLevel,
    also_clear: Iterable[Any] = (),
) -> DisclosedLicense:
    """The view of ``record`` (credential ``document``) for a reader cleared up to
    ``clearance`` who may see the fields in ``wanted`` (None: every field).

    ``also_clear`` are the values the reader may receive in clear beside this view
    (see the module docstring); the view's own clear values count too.
    """
    subject = document["credentialSubject"]
    values = license_values(record, document)
    visible = _visible(record, schema, values, wanted, clearance)
    clear = [leaf for name in visible for leaf in _scalars(values.get(name))]
    identifier = str(values["CZZTDM"])
    birth_shown = reveals_birth_date(identifier, [*also_clear, *clear])
    properties = schema.get("properties", {})
    shown: dict[str, Any] = {}
    for name, value in values.items():
        if name in visible:
            shown[name] = value
        elif name == "CZZTDM" and birth_shown:
            shown[name] = _without_birth_date(identifier)
        else:
            node = _METADATA_SCHEMAS.get(name) or properties.get(name, {})
            shown[name] = masked_value(value, node)
    surface = set(subject["fields"])
    return DisclosedLicense(
        header={
            "typeCode": record.type_code,
            "typeName": subject["license"]["typeName"],
            "issuer": {
                "name": document["issuer"]["name"],
                "creditCode": record.issuer_code,
            },
            "statusCode": record.status_code,
            # Beside a status that hides it (02 detained), a mortgage or a pledge.
            "encumbrance": record.encumbrance.value if record.encumbrance else None,
        },
        holder={
            "kind": record.holder_kind.value,
            "name": shown.pop("CZZT"),
            "identifier": shown.pop("CZZTDM"),
        },
        metadata={
            k: v for k, v in shown.items() if k not in surface and k not in ALWAYS_SHOWN
        },
        fields={k: v for k, v in shown.items() if k in surface},
        disclosed=tuple(sorted(visible)),
        masked=tuple(sorted(set(values) - visible)),
    )


def masked_value(value: Any, schema: Mapping[str, Any] | None = None) -> Any:
    """``value`` masked as its ``schema`` node says (see the module docstring),
    objects and arrays member by member; null stays null."""
    node = schema or {}
    if value is None:
        return None
    if isinstance(value, dict):
        properties = node.get("properties", {})
        return {
            key: masked_value(item, properties.get(key)) for key, item in value.items()
        }
    if isinstance(value, list):
        items = node.get("items")
        return [
            masked_value(item, items if isinstance(items, dict) else None)
            for item in value
        ]
    return mask(value, masking=_masking(node))


def _masking(node: Mapping[str, Any]) -> Masking:
    if "enum" in node or "const" in node or node.get("format") in _WHOLE_FORMATS:
        return Masking.WHOLE
    if node.get("x-masking") == "name":
        return Masking.NAME
    return Masking.SHAPE


def _visible(
    record: License,
    schema: Mapping[str, Any],
    values: Mapping[str, Any],
    wanted: Collection[str] | None,
    clearance: ClassificationLevel,
) -> set[str]:
    """The fields of ``values`` shown in clear; a field the schema does not know
    has no level, and is shown masked."""
    classes = field_classes(schema, record.holder_kind)
    return {
        name
        for name in values
        if name in ALWAYS_SHOWN
        or (
            (wanted is None or name in wanted)
            and name in classes
            and classes[name] <= clearance
        )
    }


def _without_birth_date(identifier: str) -> str:
    keep = _KEEP_WITH_BIRTH_DATE
    return identifier[:keep] + "*" * (len(identifier) - keep)


def _scalars(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    elif value is not None:
        yield value


def _digit_forms(value: Any) -> set[str]:
    text = str(value)
    forms = {"".join(char for char in text if char.isascii() and char.isdigit())}
    forms.update(
        f"{year}{int(month):02d}{int(day):02d}"
        for year, month, day in _DATE_PARTS.findall(text)
    )
    return forms
