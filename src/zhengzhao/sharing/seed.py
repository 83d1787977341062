"""The seed scenario list: the service matters a new Xinjiang node starts with.

The matters come from the scenarios of the Xinjiang plan (新政办发〔2022〕59号) and live
in ``zhengzhao/data/matters.json``, each in the JSON form of `ServiceMatter`. A
matter's code is the GB/T 2260 code of the division whose catalogue lists it, a
hyphen and three digits numbered in that catalogue (``650000-001``, the autonomous
region's first); a number is never given to another matter.

`check_matter` checks a matter against the catalog and the department kinds; the
loader runs it on every seed matter, and it serves as well for matters added later.
Its errors name the matter and the member at fault. `offering_department` chooses,
among a node's departments, the one to register a matter for by its kind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from importlib import resources
from typing import Any, Protocol

from zhengzhao.catalog.seed import load_department_kinds, load_seed_catalog
from zhengzhao.errors import InvalidRequest
from zhengzhao.model import divisions
from zhengzhao.model.license import HolderKind
from zhengzhao.model.parties import Department
from zhengzhao.sharing.forms import parse_field_path
from zhengzhao.sharing.matters import LICENSE_METADATA_FIELDS, ServiceMatter

__all__ = [
    "CatalogType",
    "check_matter",
    "load_seed_matters",
    "offering_department",
    "parse_seed_matters",
]

_CODE = re.compile(r"([0-9]{6})-[0-9]{3}")
_FIELD_NAME = re.compile(r"[a-z][A-Za-z0-9]*")
# A law or regulation in title marks, then an article in Chinese numerals.
_CITATION = re.compile(r"《[^》]+》.*第[〇零一二三四五六七八九十百千]+条")
# The members of each object of a matter's JSON form: text, optional text, a
# boolean, a list, or an optional source object.
_MATTER = {
    "code": "text",
    "name_zh": "text",
    "name_en": "text",
    "department_kind": "text",
    "holder_kind": "text",
    "materials": "list",
    "form": "list",
    "legal_basis": "optional text",
}
_MATERIAL = {"type_code": "text", "required": "boolean"}
_FORM_FIELD = {
    "name": "text",
    "label_zh": "text",
    "label_en": "text",
    "source": "optional object",
    "required": "boolean",
}
_SOURCE = {"type_code": "text", "field": "text"}


class CatalogType(Protocol):
    """What `check_matter` needs of a license type (a seed type is one)."""

    @property
    def holder_kind(self) -> HolderKind: ...

    @property
    def schema(self) -> Mapping[str, Any]: ...


def load_seed_matters() -> tuple[ServiceMatter, ...]:
    """The matters of the packaged ``matters.json``, checked, in file order."""
    path = resources.files("zhengzhao").joinpath("data", "matters.json")
    text = path.read_text("utf-8")
    return parse_seed_matters(
        json.loads(text),
        types={license_type.code: license_type for license_type in load_seed_catalog()},
        kinds=frozenset(load_department_kinds()),
    )


def offering_department(
    matter: ServiceMatter, departments: Iterable[Department]
) -> Department | None:
    """The department to register ``matter`` for: an active one of its kind.

    Of those, the department of the division whose catalogue lists the matter (the
    code's first six digits, when they are a division) comes first; then, inside
    that division, the highest in level (region, prefecture, county), as the
    catalogue is that division's; the lowest credit code breaks a tie. None when no
    active department of the kind lies inside the division.
    """
    listed = matter.code[:6]
    known = listed.isdigit() and divisions.is_known(listed)
    candidates = [
        d
        for d in departments
        if d.kind == matter.department_kind
        and d.active
        and (not known or divisions.within(d.region_code, listed))
    ]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda d: (d.region_code != listed, _depth(d.region_code), d.credit_code),
    )


def _depth(region_code: str) -> int:
    # GB/T 2260: a province ends in 0000, a prefecture in 00, a county in neither.
    if region_code.endswith("0000"):
        return 0
    return 1 if region_code.endswith("00") else 2


def parse_seed_matters(
    document: Mapping[str, Any],
    *,
    types: Mapping[str, CatalogType],
    kinds: Collection[str],
) -> tuple[ServiceMatter, ...]:
    """The matters of a ``document`` shaped like ``matters.json``, each checked.

    Raises `InvalidRequest` naming the matter and the member: an unknown or missing
    member, a member of the wrong kind, a repeated code, or any fault `check_matter`
    finds against ``types`` (by code) and ``kinds`` (department kind keys).
    """
    matters: list[ServiceMatter] = []
    seen: set[str] = set()
    for index, entry in enumerate(document["matters"]):
        label = _label(entry, index)
        _check_shape(label, entry)
        matter = ServiceMatter.from_json(entry)
        if matter.code in seen:
            raise _bad(label, "code", "another matter has the same code")
        seen.add(matter.code)
        check_matter(matter, types=types, kinds=kinds)
        matters.append(matter)
    return tuple(matters)


def check_matter(
    matter: ServiceMatter,
    *,
    types: Mapping[str, CatalogType],
    kinds: Collection[str],
) -> None:
    """Check ``matter`` against the catalog ``types`` and department ``kinds``.

    Raises `InvalidRequest` naming the member at fault: a code outside the scheme
    (module docstring), an unknown department kind, a license type that the catalog
    lacks or that belongs to another holder kind, a material named twice, a form
    field name that is not lower camel case or is used twice, a source field that
    is neither metadata nor a field of the type's schema or that holds objects, or
    a legal basis that cites no article of a law.
    """
    _check_code(matter.code)
    if matter.department_kind not in kinds:
        problem = f"{matter.department_kind!r} is not a department kind"
        raise _bad(matter.code, "department_kind", problem)
    _check_materials(matter, types)
    _check_form(matter, types)
    if matter.legal_basis is not None and not _CITATION.search(matter.legal_basis):
        problem = "cite the law in 《》 and its article (第十五条)"
        raise _bad(matter.code, "legal_basis", problem)


def _check_materials(matter: ServiceMatter, types: Mapping[str, CatalogType]) -> None:
    named: set[str] = set()
    for index, material in enumerate(matter.materials):
        where = f"materials[{index}].type_code"
        _check_type(matter, where, material.type_code, types)
        if material.type_code in named:
            problem = f"{material.type_code} is a material of the matter already"
            raise _bad(matter.code, where, problem)
        named.add(material.type_code)


def _check_form(matter: ServiceMatter, types: Mapping[str, CatalogType]) -> None:
    names: set[str] = set()
    for index, item in enumerate(matter.form):
        where = f"form[{index}]"
        if not _FIELD_NAME.fullmatch(item.name):
            problem = f"{item.name!r} is not in lower camel case (applicantName)"
            raise _bad(matter.code, f"{where}.name", problem)
        if item.name in names:
            problem = f"{item.name!r} names another field of the form already"
            raise _bad(matter.code, f"{where}.name", problem)
        names.add(item.name)
        if item.source is not None:
            code = item.source.type_code
            schema = _check_type(matter, f"{where}.source.type_code", code, types)
            field = item.source.field
            _check_field(matter.code, f"{where}.source.field", code, field, schema)


def _label(entry: Any, index: int) -> str:
    code = entry.get("code") if isinstance(entry, dict) else None
    return code if isinstance(code, str) and code else f"#{index + 1}"


def _check_shape(label: str, entry: Any) -> None:
    _check_members(label, "", entry, _MATTER)
    holder_kind = entry["holder_kind"]
    if holder_kind not in {kind.value for kind in HolderKind}:
        known = ", ".join(kind.value for kind in HolderKind)
        raise _bad(label, "holder_kind", f"{holder_kind!r} is not one of {known}")
    for index, item in enumerate(entry["materials"]):
        _check_members(label, f"materials[{index}]", item, _MATERIAL)
    for index, item in enumerate(entry["form"]):
        _check_members(label, f"form[{index}]", item, _FORM_FIELD)
        if item.get("source") is not None:
            _check_members(label, f"form[{index}].source", item["source"], _SOURCE)


def _check_members(
    label: str, where: str, value: Any, members: Mapping[str, str]
) -> None:
    if not isinstance(value, dict):
        raise _bad(label, where or "(matter)", "expected an object")
    for name in value:
        if name not in members:
            known = ", ".join(members)
            raise _bad(label, _join(where, name), f"unknown member; expected {known}")
    for name, kind in members.items():
        if name not in value and kind in ("text", "list"):
            raise _bad(label, _join(where, name), "the member is missing")
        found = value.get(name)
        if not _is_kind(found, kind):
            raise _bad(label, _join(where, name), f"expected {kind}, found {found!r}")


def _is_kind(value: Any, kind: str) -> bool:
    # An absent boolean takes its default; an optional member may be null.
    if value is None:
        return kind.startswith("optional") or kind == "boolean"
    if kind.endswith("text"):
        return isinstance(value, str) and bool(value.strip())
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    return isinstance(value, dict)


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _check_code(code: str) -> None:
    match = _CODE.fullmatch(code)
    if match is None or not divisions.is_known(match.group(1)):
        problem = (
            f"{code!r} is not a GB/T 2260 division code, a hyphen and three digits"
            " (650000-001)"
        )
        raise _bad(code, "code", problem)


def _check_type(
    matter: ServiceMatter,
    where: str,
    type_code: str,
    types: Mapping[str, CatalogType],
) -> Mapping[str, Any]:
    license_type = types.get(type_code)
    if license_type is None:
        raise _bad(
            matter.code, where, f"{type_code} is not a license type of the catalog"
        )
    if license_type.holder_kind is not matter.holder_kind:
        problem = (
            f"licenses of type {type_code} are held by"
            f" {license_type.holder_kind.value}s, but the matter serves"
            f" {matter.holder_kind.value}s"
        )
        raise _bad(matter.code, where, problem)
    return license_type.schema


def _check_field(
    label: str, where: str, type_code: str, path: str, schema: Mapping[str, Any]
) -> None:
    if path in LICENSE_METADATA_FIELDS:
        return
    try:
        steps = parse_field_path(path)
    except InvalidRequest as error:
        raise _bad(label, where, error.message) from error
    node: Mapping[str, Any] = schema
    for step in steps:
        properties = node.get("properties", {})
        if step.name not in properties:
            known = ", ".join(properties) or "none"
            metadata = ", ".join(LICENSE_METADATA_FIELDS)
            problem = (
                f"{path!r} is not a field of license type {type_code}:"
                f" {step.name!r} is not one of {known}; metadata names are {metadata}"
            )
            raise _bad(label, where, problem)
        node = properties[step.name]
        if step.index is not None:
            if node.get("type") != "array":
                raise _bad(label, where, f"{step.name!r} in {path!r} is not a list")
            node = node.get("items", {})
    if "properties" in node or "properties" in node.get("items", {}):
        problem = f"{path!r} holds objects; name one of their fields"
        raise _bad(label, where, problem)


def _bad(label: str, member: str, problem: str) -> InvalidRequest:
    return InvalidRequest(
        f"service matter {label}, {member}: {problem}",
        details={"matter": label, "member": member},
    )
