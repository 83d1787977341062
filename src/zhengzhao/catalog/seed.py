"""The seed catalog: the common license types a new Xinjiang node starts with.

The types come from the Xinjiang implementation plan for e-license use
(新政办发〔2022〕59号) and live in ``zhengzhao/data/catalog.json``; the department kinds
that responsibility lists name live in ``zhengzhao/data/department_kinds.json``.

A type code has 21 characters (the type code part of a GB/T 36904 license identifier,
as the national systems build it): the unified social credit code of the authority
that defines the type, then three digits. Each type and authority in the file says in
``source`` whether its code was found in public material (``real: ...``) or was
constructed here to pass GB 32100 (``synthetic: ...``).

Validity rules, one small JSON object per type, read by
`zhengzhao.catalog.types.ValidityRule`:

- ``{"kind": "permanent"}``: the license does not expire (a degree, a marriage).
- ``{"kind": "fixed-years", "years": N}``: valid for N years from the issue date
  (a food business licence, 5).
- ``{"kind": "issuer-supplied"}``: the issuing department states the end of validity
  on each license, because it depends on the case (a resident identity card's term
  depends on the holder's age; a business licence's on its registered business term).

A rule in the seed file may also carry a ``note`` that explains it to a person.

The loaders parse the files afresh on every call and return new objects, so that no
caller can change what another sees; a node seeds its catalog once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, cast

from zhengzhao.catalog.types import ValidityRule
from zhengzhao.errors import InvalidRequest, SchemaViolation
from zhengzhao.model.divisions import Level
from zhengzhao.model.license import HolderKind

__all__ = [
    "DepartmentKind",
    "SeedLicenseType",
    "SeedResponsibility",
    "load_department_kinds",
    "load_seed_catalog",
    "parse_seed_catalog",
]

# The authority's 18-character credit code (GB 32100), then a three-digit number.
_AUTHORITY_CODE_LENGTH = 18
_TYPE_CODE_LENGTH = 21
# Responsibility lists name departments of these levels; GB/T 2260 groups are no level.
_LEVELS = (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY)


@dataclass(frozen=True, kw_only=True)
class SeedResponsibility:
    """One entry of a type's responsibility list (责任清单) in Xinjiang."""

    department_kind: str
    """The kind of department that issues and gathers the type (a kind's key)."""
    levels: tuple[Level, ...]
    """The administrative levels at which departments of that kind issue it."""
    note: str
    """How real practice works, and where this entry simplifies it."""


@dataclass(frozen=True, kw_only=True)
class SeedLicenseType:
    """A license type of the seed catalog; its mappings are to be read, not changed."""

    key: str
    """A stable readable name, such as ``business-licence``."""
    code: str
    """The 21-character type code: the authority's credit code and three digits."""
    name_zh: str
    """The unified Chinese name of the type, as printed on the certificate."""
    name_en: str
    """The English name."""
    holder_kind: HolderKind
    """Whether licenses of this type belong to a person or to an organisation."""
    authority_name: str
    """The authority that defines the type nationally (a ministry)."""
    authority_code: str
    """That authority's unified social credit code: ``code`` without its number."""
    department_kind: str
    """The kind of department responsible for the type (a department kind key)."""
    schema: Mapping[str, Any] = field(hash=False)
    """The JSON Schema of the surface fields, checked by `check_type_schema`."""
    validity: Mapping[str, Any] = field(hash=False)
    """The validity rule as JSON (module docstring), accepted by `ValidityRule`."""
    template: str
    """The rendering template, such as ``templates/business-licence-v1``."""
    responsibilities: tuple[SeedResponsibility, ...]
    """Which kinds of department issue the type at which levels in Xinjiang."""
    example: Mapping[str, Any] = field(hash=False)
    """Surface data of one plausible license, valid against ``schema``."""
    source: str
    """Where the type code comes from: ``real: ...`` or ``synthetic: ...``."""


@dataclass(frozen=True, kw_only=True)
class DepartmentKind:
    """A kind of department that the catalog's responsibility lists refer to."""

    key: str
    """A stable readable name, such as ``public-security``."""
    name_zh_province: str
    """The name at provincial level, in Xinjiang the autonomous region: 公安厅."""
    name_zh_local: str
    """The name at prefecture and county level, such as 公安局."""
    name_en: str
    """The English name."""
    credit_code_prefix: str
    """The first two characters of such a department's credit code: ``11``, organs."""
    note: str = ""
    """What to know about the kind, for a person."""


def load_department_kinds() -> dict[str, DepartmentKind]:
    """The department kinds of ``department_kinds.json``, by key."""
    document = _read_json("department_kinds.json")
    kinds = [_department_kind(entry) for entry in document["kinds"]]
    return {kind.key: kind for kind in kinds}


def load_seed_catalog() -> tuple[SeedLicenseType, ...]:
    """The license types of the packaged ``catalog.json``, in file order."""
    return parse_seed_catalog(_read_json("catalog.json"), load_department_kinds())


def parse_seed_catalog(
    document: Mapping[str, Any], kinds: Mapping[str, DepartmentKind]
) -> tuple[SeedLicenseType, ...]:
    """The license types of a catalog ``document`` shaped like ``catalog.json``.

    Raises `InvalidRequest` naming the type and the field when the document is
    inconsistent: an unknown holder kind, level or validity rule, a type code whose
    prefix is not its authority's code, or a department kind missing from ``kinds``.
    Schemas are not checked here; `check_type_schema` does that.
    """
    authorities = document["authorities"]
    return tuple(
        _license_type(entry, authorities, kinds) for entry in document["types"]
    )


def _read_json(name: str) -> dict[str, Any]:
    text = resources.files("zhengzhao").joinpath("data", name).read_text("utf-8")
    return cast(dict[str, Any], json.loads(text))


def _department_kind(entry: Mapping[str, Any]) -> DepartmentKind:
    return DepartmentKind(
        key=entry["key"],
        name_zh_province=entry["name_zh_province"],
        name_zh_local=entry["name_zh_local"],
        name_en=entry["name_en"],
        credit_code_prefix=entry["registration_authority"] + entry["organisation_kind"],
        note=entry.get("note", ""),
    )


def _license_type(
    entry: Mapping[str, Any],
    authorities: Mapping[str, Any],
    kinds: Mapping[str, DepartmentKind],
) -> SeedLicenseType:
    key = entry["key"]
    authority = authorities[entry["authority"]]
    code = entry["code"]
    if len(code) != _TYPE_CODE_LENGTH or not code[_AUTHORITY_CODE_LENGTH:].isdigit():
        raise _bad(key, "code", f"{code!r} is not 18 characters and three digits")
    if code[:_AUTHORITY_CODE_LENGTH] != authority["credit_code"]:
        raise _bad(key, "code", f"{code!r} does not start with its authority's code")
    responsibilities = tuple(
        _responsibility(key, item) for item in entry["responsibilities"]
    )
    named = {entry["department_kind"]} | {r.department_kind for r in responsibilities}
    for kind in sorted(named):
        if kind not in kinds:
            raise _bad(key, "department_kind", f"{kind!r} is not a department kind")
    return SeedLicenseType(
        key=key,
        code=code,
        name_zh=entry["name_zh"],
        name_en=entry["name_en"],
        holder_kind=_holder_kind(key, entry["holder_kind"]),
        authority_name=authority["name_zh"],
        authority_code=authority["credit_code"],
        department_kind=entry["department_kind"],
        schema=entry["schema"],
        validity=_validity(key, entry["validity"]),
        template=entry["template"],
        responsibilities=responsibilities,
        example=entry["example"],
        source=entry["source"],
    )


def _responsibility(key: str, entry: Mapping[str, Any]) -> SeedResponsibility:
    levels = tuple(_level(key, name) for name in entry["levels"])
    return SeedResponsibility(
        department_kind=entry["department_kind"], levels=levels, note=entry["note"]
    )


def _level(key: str, name: str) -> Level:
    known = [level.value for level in _LEVELS]
    if name not in known:
        raise _bad(key, "levels", f"{name!r} is not one of {', '.join(known)}")
    return Level(name)


def _holder_kind(key: str, name: str) -> HolderKind:
    try:
        return HolderKind(name)
    except ValueError:
        known = ", ".join(kind.value for kind in HolderKind)
        raise _bad(key, "holder_kind", f"{name!r} is not one of {known}") from None


def _validity(key: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    try:
        ValidityRule.from_json(dict(entry))
    except SchemaViolation as error:
        raise _bad(key, "validity", error.message) from error
    return dict(entry)


def _bad(key: str, name: str, problem: str) -> InvalidRequest:
    return InvalidRequest(
        f"seed catalog type {key!r}, {name}: {problem}",
        details={"type": key, "field": name},
    )
