"""Forms that fill themselves: a service matter's form and materials from licenses.

`prefill` takes a matter, the applicant's licenses, a day and what the caller may see,
and answers with every form field filled or the reason it is empty, and every material
covered by a license or to be submitted. It reads no clock and no database.

The rules:

- A license *covers* its type on a day when its status is valid and the day lies in
  its validity window, both ends included (no last day: permanent). A suspended,
  revoked, expired or replaced license covers nothing. Of several covering licenses
  of one type the newest is used (latest first day of validity, then the greatest
  identifier), for every field and the material of that type alike, so that one form
  never mixes two licenses of a type.
- A field with a source is empty because the caller may not read licenses of its
  type at all, or because there is no covering license of its type, or because the
  caller may not see the field, or because the license lacks it, checked in that
  order: a type the caller may not read is never looked for, and a field the caller
  may not see is never looked at.
- A source path names metadata (``CZZT``) or a surface field: ``address``; ``a.b``
  inside an object; ``a[2].b`` in the third element of a list; ``a[].b`` in every
  element, which gives the list of the values found. JSON ``null`` and an empty list
  count as absent.
- What the caller may read is decided elsewhere (authorization, clearance): the
  license types (``readable``) and, of them, the fields (``disclosed``, a set of
  `FieldSource` or a predicate on one). Disclosure is asked about the schema path,
  indexes written ``[]`` (``a[].b`` for ``a[2].b``), since fields are classified per
  path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal, TypeAlias

from zhengzhao.errors import InvalidRequest
from zhengzhao.model.license import LicenseStatus
from zhengzhao.sharing.matters import (
    LICENSE_METADATA_FIELDS,
    FieldSource,
    FormField,
    Material,
    ServiceMatter,
)

__all__ = [
    "Disclosure",
    "EmptyReason",
    "HeldLicense",
    "MaterialCoverage",
    "PathStep",
    "Prefill",
    "PrefilledField",
    "covering",
    "parse_field_path",
    "prefill",
    "schema_path",
]

Disclosure: TypeAlias = Callable[[FieldSource], bool] | AbstractSet[FieldSource]
"""What the caller may see: a set of sources, or a predicate on one."""

# Metadata a license answers from its own members rather than from `metadata`.
_DERIVED_METADATA = frozenset({"ZZBS", "ZZYXQQSRQ", "ZZYXQJZRQ"})
_SUPPLIED_METADATA = frozenset(LICENSE_METADATA_FIELDS) - _DERIVED_METADATA
_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[([0-9]*)\])?")


class EmptyReason(StrEnum):
    """Why a form field carries no value."""

    #: The field has no source: the applicant always types it in.
    TYPED_BY_APPLICANT = "typed-by-applicant"
    #: The caller may not read licenses of the source's type (its authorization
    #: does not cover the type); whether the applicant holds one is not looked at.
    OUTSIDE_SCOPE = "outside-scope"
    #: No license of the source's type covers the day.
    NO_VALID_LICENSE = "no-valid-license"
    #: The caller may not see the source field.
    NOT_DISCLOSED = "not-disclosed"
    #: The covering license does not carry the field.
    FIELD_ABSENT = "field-absent"


@dataclass(frozen=True, kw_only=True)
class HeldLicense:
    """One of the applicant's licenses as a prefill reads it; not to be changed."""

    #: The GB/T 36904 license identifier (ZZBS).
    identifier: str
    #: The catalog code of its type.
    type_code: str
    #: Its current status; only `LicenseStatus.VALID` covers its type.
    status: LicenseStatus
    #: First and last day of validity (ZZYXQQSRQ, ZZYXQJZRQ); no last day: permanent.
    valid_from: date
    valid_until: date | None
    #: The surface data, as the type's schema describes it.
    surface: Mapping[str, Any] = field(default_factory=dict, hash=False)
    #: The other metadata by GB/T 36903 name (``CZZT`` holder name, ``CZZTDM``
    #: holder identifier, ``ZZBH``, ``ZZBFJG``, ``ZZBFJGDM``, ``ZZBFRQ``), as text.
    metadata: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.metadata) - _SUPPLIED_METADATA)
        if unknown:
            raise InvalidRequest(
                f"license {self.identifier}: metadata {', '.join(unknown)} cannot be"
                f" given; give only {', '.join(sorted(_SUPPLIED_METADATA))} (the"
                " identifier and validity come from the license's own members)"
            )

    def covers(self, on: date) -> bool:
        """Whether the license is valid on ``on``: status valid, inside its window."""
        if self.status is not LicenseStatus.VALID or on < self.valid_from:
            return False
        return self.valid_until is None or on <= self.valid_until

    def metadata_value(self, name: str) -> str | None:
        """The metadata called ``name``; None when the license has none."""
        if name == "ZZBS":
            return self.identifier
        if name == "ZZYXQQSRQ":
            return self.valid_from.isoformat()
        if name == "ZZYXQJZRQ":
            return self.valid_until.isoformat() if self.valid_until else None
        return self.metadata.get(name)


@dataclass(frozen=True, kw_only=True)
class PrefilledField:
    """One form field, filled or with the reason it is empty."""

    field: FormField
    #: The value found; None when the field is empty.
    value: Any = None
    #: The license the value comes from; None when the field is empty.
    license_identifier: str | None = None
    #: Why the field is empty; None when it is filled.
    empty_because: EmptyReason | None = None

    @property
    def filled(self) -> bool:
        return self.empty_because is None

    def to_json(self) -> dict[str, Any]:
        source = self.field.source
        return {
            "name": self.field.name,
            "label_zh": self.field.label_zh,
            "label_en": self.field.label_en,
            "required": self.field.required,
            "value": self.value,
            "source": (
                {
                    "license": self.license_identifier,
                    "type_code": source.type_code,
                    "field": source.field,
                }
                if self.filled and source is not None
                else None
            ),
            "empty_because": self.empty_because,
        }


@dataclass(frozen=True, kw_only=True)
class MaterialCoverage:
    """One material of the matter: the license that covers it, or none."""

    material: Material
    #: The covering license; None when the applicant must submit the material.
    license_identifier: str | None = None

    @property
    def covered(self) -> bool:
        return self.license_identifier is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "type_code": self.material.type_code,
            "required": self.material.required,
            "license": self.license_identifier,
            "must_submit": not self.covered,
        }


@dataclass(frozen=True, kw_only=True)
class Prefill:
    """A matter's form and materials, filled for one applicant on one day."""

    matter_code: str
    #: The day the licenses were judged on.
    on: date
    #: The form's fields, in the matter's order.
    fields: tuple[PrefilledField, ...]
    #: The matter's materials, in the matter's order.
    materials: tuple[MaterialCoverage, ...]

    @property
    def exempted(self) -> tuple[Material, ...]:
        """The required materials that need not be submitted."""
        return tuple(
            m.material for m in self.materials if m.material.required and m.covered
        )

    @property
    def to_submit(self) -> tuple[Material, ...]:
        """The required materials the applicant must still bring."""
        return tuple(
            m.material for m in self.materials if m.material.required and not m.covered
        )

    @property
    def licenses_used(self) -> tuple[str, ...]:
        """Identifiers of the licenses that filled a field or covered a material,
        each once, in the order the form and then the materials first use them."""
        used = [f.license_identifier for f in self.fields]
        used += [m.license_identifier for m in self.materials]
        return tuple(dict.fromkeys(i for i in used if i is not None))

    def to_json(self) -> dict[str, Any]:
        return {
            "matter": self.matter_code,
            "date": self.on.isoformat(),
            "form": [f.to_json() for f in self.fields],
            "materials": [m.to_json() for m in self.materials],
        }


def prefill(
    matter: ServiceMatter,
    licenses: Iterable[HeldLicense],
    *,
    on: date,
    disclosed: Disclosure,
    readable: AbstractSet[str] | None = None,
) -> Prefill:
    """``matter``'s form and materials filled from ``licenses`` as valid ``on``.

    ``licenses`` are the applicant's; ``readable`` names the license types the caller
    may read (None: every type), and ``disclosed`` which fields of them it may see
    (module docstring). A license of a type outside ``readable`` is ignored, and a
    material of such a type must be submitted. Raises `InvalidRequest` when a source
    path of the matter is malformed.
    """
    chosen = covering(licenses, on)
    if readable is not None:
        chosen = {code: held for code, held in chosen.items() if code in readable}
    may_see = _predicate(disclosed)
    fields = tuple(_fill(item, chosen, may_see, readable) for item in matter.form)
    materials = tuple(
        MaterialCoverage(
            material=material,
            license_identifier=_identifier(chosen.get(material.type_code)),
        )
        for material in matter.materials
    )
    return Prefill(matter_code=matter.code, on=on, fields=fields, materials=materials)


def covering(licenses: Iterable[HeldLicense], on: date) -> dict[str, HeldLicense]:
    """The license of each type that a prefill on ``on`` reads: the newest of those
    that cover the day (module docstring), by type code."""
    chosen: dict[str, HeldLicense] = {}
    for held in licenses:
        if not held.covers(on):
            continue
        current = chosen.get(held.type_code)
        if current is None or _newness(held) > _newness(current):
            chosen[held.type_code] = held
    return chosen


def _newness(held: HeldLicense) -> tuple[date, str]:
    return (held.valid_from, held.identifier)


def _predicate(disclosed: Disclosure) -> Callable[[FieldSource], bool]:
    if isinstance(disclosed, AbstractSet):
        return disclosed.__contains__
    return disclosed


def _identifier(held: HeldLicense | None) -> str | None:
    return held.identifier if held is not None else None


def _fill(
    item: FormField,
    chosen: Mapping[str, HeldLicense],
    may_see: Callable[[FieldSource], bool],
    readable: AbstractSet[str] | None,
) -> PrefilledField:
    source = item.source
    if source is None:
        return PrefilledField(field=item, empty_because=EmptyReason.TYPED_BY_APPLICANT)
    if readable is not None and source.type_code not in readable:
        return PrefilledField(field=item, empty_because=EmptyReason.OUTSIDE_SCOPE)
    held = chosen.get(source.type_code)
    if held is None:
        return PrefilledField(field=item, empty_because=EmptyReason.NO_VALID_LICENSE)
    asked = FieldSource(type_code=source.type_code, field=schema_path(source.field))
    if not may_see(asked):
        return PrefilledField(field=item, empty_because=EmptyReason.NOT_DISCLOSED)
    value = _value(held, source)
    if value is _ABSENT:
        return PrefilledField(field=item, empty_because=EmptyReason.FIELD_ABSENT)
    return PrefilledField(field=item, value=value, license_identifier=held.identifier)


class _Absent:
    """Marks a value the license does not carry (distinct from any JSON value)."""


_ABSENT = _Absent()


def _value(held: HeldLicense, source: FieldSource) -> Any:
    if source.is_metadata:
        found = held.metadata_value(source.field)
        return _ABSENT if found is None else found
    return _walk(held.surface, parse_field_path(source.field))


@dataclass(frozen=True)
class PathStep:
    """One step of a source path: a member name and what to take from a list."""

    name: str
    #: None: the member itself; an int: that element; ``"all"``: every element.
    index: int | Literal["all"] | None = None


def parse_field_path(path: str) -> tuple[PathStep, ...]:
    """The steps of a surface field's dotted path (module docstring).

    Raises `InvalidRequest` when ``path`` is not made of member names joined by dots,
    each optionally followed by ``[N]`` or ``[]``.
    """
    steps: list[PathStep] = []
    for part in path.split("."):
        match = _STEP.fullmatch(part)
        if match is None:
            raise InvalidRequest(
                f"field path {path!r}: {part!r} is not a member name, optionally"
                " with [N] or [] (as in owners[0].name or owners[].name)"
            )
        name, index = match.groups()
        if index is None:
            steps.append(PathStep(name))
        else:
            steps.append(PathStep(name, int(index) if index else "all"))
    return tuple(steps)


def schema_path(path: str) -> str:
    """``path`` as the schema names the field: list indexes written ``[]``."""
    if path in LICENSE_METADATA_FIELDS:
        return path
    return ".".join(
        step.name if step.index is None else f"{step.name}[]"
        for step in parse_field_path(path)
    )


def _walk(value: Any, steps: tuple[PathStep, ...]) -> Any:
    if not steps:
        return _ABSENT if value is None or value == [] else value
    step, rest = steps[0], steps[1:]
    if not isinstance(value, Mapping) or step.name not in value:
        return _ABSENT
    member = value[step.name]
    if step.index is None:
        return _walk(member, rest)
    if not isinstance(member, list):
        return _ABSENT
    if isinstance(step.index, int):
        return _walk(member[step.index], rest) if step.index < len(member) else _ABSENT
    found: list[Any] = []
    for element in member:
        item = _walk(element, rest)
        if item is _ABSENT:
            continue
        # A nested [] has already made a list: its values join this one's.
        nested = isinstance(item, list) and any(s.index == "all" for s in rest)
        found.extend(item if nested else [item])
    return found or _ABSENT
