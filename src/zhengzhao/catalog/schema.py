"""License surface schemas: the check of a type's schema, and of data against it.

A license type describes its surface fields (the type-specific fields printed on the
certificate; the holder's name and identifier are kept apart by the platform) with a
JSON Schema, draft 2020-12, of ``type: object`` and ``additionalProperties: false``.
Every property, nested ones included, carries

- ``x-classification``: its level, one of `ClassificationLevel` (``public`` ...);
- ``title`` and ``x-title-en``: its Chinese and English label;
- ``x-metadata``, where one exists: its metadata name, from GB/T 36903 or from the
  standard of the license's own domain (upper-case letters, digits and ``_``);
- ``x-masking: name``, for a field that holds a person's name: masked, it keeps its
  first character (the surname), as the holder's name does; any other field is
  masked by its shape (`sharing.disclosure`).

Known limits, stated so: a type schema names every field through ``properties``. The
keywords that could admit or reshape fields by another route (``$ref``,
``$dynamicRef``, ``patternProperties``, ``dependentSchemas``, ``allOf``, ``anyOf``,
``oneOf``, ``if``/``then``/``else``, ``unevaluatedProperties``) are refused, so that
every field a license can carry has a classification. Of the string formats only
``date`` and ``date-time`` (RFC 3339, with a time zone) are accepted, and both are
enforced; a schema naming any other format is refused rather than trusted.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import json
import math
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError, ValidationError

from zhengzhao.errors import SchemaViolation
from zhengzhao.model.classification import ClassificationLevel, mask

__all__ = [
    "SUPPORTED_FORMATS",
    "check_type_schema",
    "field_levels",
    "validate_surface",
]

SUPPORTED_FORMATS = frozenset({"date", "date-time"})
"""The string formats a type schema may use; each is enforced on surface data."""

_REFUSED_KEYWORDS = (
    "$ref",
    "$dynamicRef",
    "patternProperties",
    "dependentSchemas",
    "allOf",
    "anyOf",
    "oneOf",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
)
# Keywords whose value maps field names to schemas, and keywords whose value is data.
_SCHEMA_MAPS = frozenset({"properties", "$defs"})
_DATA_KEYWORDS = frozenset({"enum", "const", "examples", "default", "required"})
_METADATA_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# RFC 3339 full-date and date-time; `fromisoformat` alone would also take the basic
# forms (20240101) and a missing time zone, which RFC 3339 does not.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_FORMAT_HINTS = {
    "date": "a valid date (YYYY-MM-DD)",
    "date-time": "a valid date and time (RFC 3339, e.g. 2024-05-01T09:30:00+08:00)",
}
# A type's schema changes rarely and a node knows a few hundred types at most; the cache
# keeps every compiled schema a busy node uses, and forgets the oldest beyond that.
_CACHE_SIZE = 512
# Values longer than this are cut in messages, which are read by people and logged.
_VALUE_PREVIEW_CHARS = 40
_SHOWN_AS_IS = ClassificationLevel.INTERNAL


def _iter_fields(
    node: Mapping[str, Any], prefix: str = ""
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every property below ``node`` as (dotted path, its schema); arrays add ``[]``."""
    properties = node.get("properties", {})
    for name, sub in properties.items():
        path = f"{prefix}.{name}" if prefix else name
        yield path, sub
        yield from _iter_nested(sub, path)


def _iter_nested(
    node: Mapping[str, Any], path: str
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if "properties" in node:
        yield from _iter_fields(node, path)
    items = node.get("items")
    if isinstance(items, Mapping) and "properties" in items:
        yield from _iter_fields(items, f"{path}[]")


def check_type_schema(schema: Mapping[str, Any]) -> None:
    """Check a license type's surface schema; raise `SchemaViolation` naming the fault.

    Run when an operator defines or changes a type. The schema must be a valid JSON
    Schema 2020-12 object schema closed by ``additionalProperties: false`` at every
    level, use none of the refused keywords, and give every property a classification
    level and both titles (see the module docstring).
    """
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        raise SchemaViolation(
            f"the type schema is not valid JSON Schema 2020-12 at {where}: "
            f"{error.message}",
            details={"path": where},
        ) from error
    _check_keywords(schema, "(root)")
    _check_object(schema, "(root)")
    for path, field in _iter_fields(schema):
        _check_field(path, field)


def _refuse(path: str, problem: str) -> SchemaViolation:
    return SchemaViolation(
        f"the type schema cannot be used: {path}: {problem}", details={"path": path}
    )


def _check_keywords(node: Any, path: str) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _check_keywords(item, f"{path}[{index}]")
        return
    if not isinstance(node, Mapping):
        return
    for keyword in _REFUSED_KEYWORDS:
        if keyword in node:
            raise _refuse(path, f"{keyword!r} is not allowed; name every field")
    fmt = node.get("format")
    if isinstance(fmt, str) and fmt not in SUPPORTED_FORMATS:
        raise _refuse(path, f"format {fmt!r} is not enforced here; use a pattern")
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, Mapping):
            for name, sub in value.items():
                _check_keywords(sub, f"{path}.{name}")
        elif key not in _DATA_KEYWORDS:
            _check_keywords(value, f"{path}.{key}")


def _check_object(node: Mapping[str, Any], path: str) -> None:
    if node.get("type") != "object":
        raise _refuse(path, 'an object schema needs "type": "object"')
    if node.get("additionalProperties") is not False:
        raise _refuse(path, 'an object schema needs "additionalProperties": false')
    names = set(node.get("properties", {}))
    for required in node.get("required", []):
        if required not in names:
            raise _refuse(path, f"required field {required!r} is not a property")


def _check_field(path: str, field: Mapping[str, Any]) -> None:
    level = field.get("x-classification")
    if not isinstance(level, str):
        raise _refuse(path, 'the field has no "x-classification"')
    try:
        ClassificationLevel.parse(level)
    except ValueError as error:
        raise _refuse(path, str(error)) from None
    for label in ("title", "x-title-en"):
        text = field.get(label)
        if not isinstance(text, str) or not text.strip():
            raise _refuse(path, f"the field has no {label!r}")
    metadata = field.get("x-metadata")
    if metadata is not None and not (
        isinstance(metadata, str) and _METADATA_NAME.fullmatch(metadata)
    ):
        raise _refuse(path, f"x-metadata {metadata!r} is not a metadata name")
    masking = field.get("x-masking")
    if masking is not None and masking != "name":
        raise _refuse(
            path, f'x-masking {masking!r} is unknown; the one there is is "name"'
        )
    if "properties" in field:
        _check_object(field, path)
    items = field.get("items")
    if isinstance(items, Mapping) and "properties" in items:
        _check_object(items, f"{path}[]")


def field_levels(schema: Mapping[str, Any]) -> dict[str, ClassificationLevel]:
    """Each field's level by dotted path (``vehicle.plate``, ``owners[].name``).

    Raises `SchemaViolation` when the schema fails `check_type_schema`.
    """
    return dict(_compiled(schema).levels)


def _is_date(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    if not _DATE.fullmatch(instance):
        return False
    try:
        dt.date.fromisoformat(instance)
    except ValueError:
        return False
    return True


def _is_date_time(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    if not _DATE_TIME.fullmatch(instance):
        return False
    try:
        dt.datetime.fromisoformat(instance.upper())
    except ValueError:
        return False
    return True


def _format_checker() -> FormatChecker:
    # Built from nothing, so that enforcement never depends on which optional
    # packages jsonschema happens to find installed.
    checker = FormatChecker(formats=())
    checker.checks("date")(_is_date)
    checker.checks("date-time")(_is_date_time)
    return checker


_FORMATS = _format_checker()


@dataclass(frozen=True)
class _Compiled:
    validator: Draft202012Validator
    levels: Mapping[str, ClassificationLevel]


_cache: collections.OrderedDict[str, _Compiled] = collections.OrderedDict()
_cache_lock = threading.Lock()


def _compiled(schema: Mapping[str, Any]) -> _Compiled:
    """The checked and compiled form of ``schema``, cached by its canonical hash."""
    try:
        canonical = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise SchemaViolation(f"the type schema is not JSON: {error}") from error
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    with _cache_lock:
        found = _cache.get(digest)
        if found is not None:
            _cache.move_to_end(digest)
            return found
    # Compiled from a private copy: a caller changing its dict later cannot change
    # what the cached validator checks.
    private = json.loads(canonical)
    check_type_schema(private)
    levels = {
        path: ClassificationLevel.parse(field["x-classification"])
        for path, field in _iter_fields(private)
    }
    entry = _Compiled(Draft202012Validator(private, format_checker=_FORMATS), levels)
    with _cache_lock:
        _cache[digest] = entry
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return entry


def validate_surface(
    schema: Mapping[str, Any], data: Mapping[str, Any], *, root: str = "fields"
) -> None:
    """Check ``data`` against the type's ``schema``; raise one `SchemaViolation`.

    ``root`` names where the data sits in the caller's document, so that each problem
    reads ``fields.birthDate: '1990-02-30' is not a valid date (YYYY-MM-DD)``. Values
    of fields classified above ``internal`` are masked in messages, which are shown and
    logged. ``details["errors"]`` lists ``{"path", "pointer", "message"}`` per problem.
    Raises `SchemaViolation` too when ``schema`` itself fails `check_type_schema`.
    """
    compiled = _compiled(schema)
    problems: dict[tuple[str, str], dict[str, str]] = {}
    for error in compiled.validator.iter_errors(data):
        for problem in _describe(error, compiled.levels, root):
            problems[(problem["pointer"], problem["message"])] = problem
    for problem in _inexact_numbers(data, root, []):
        problems[(problem["pointer"], problem["message"])] = problem
    if not problems:
        return
    ordered = [problems[key] for key in sorted(problems)]
    lines = "; ".join(f"{p['path']}: {p['message']}" for p in ordered)
    raise SchemaViolation(
        f"the surface data does not match the license type's schema "
        f"({len(ordered)} problem{'s' if len(ordered) > 1 else ''}): {lines}. "
        "Correct these fields and send the license again.",
        details={"errors": ordered},
    )


#: The largest integer every JSON reader holds exactly (I-JSON, RFC 7493 section 2.2);
#: JCS (RFC 8785), which the proofs sign, refuses anything beyond it.
_EXACT_INTEGER = 2**53 - 1


def _inexact_numbers(
    value: Any, root: str, parts: list[str | int]
) -> list[dict[str, str]]:
    """Problems for numbers a signed JSON document cannot carry exactly."""
    if isinstance(value, Mapping):
        return [
            problem
            for key, item in value.items()
            for problem in _inexact_numbers(item, root, [*parts, str(key)])
        ]
    if isinstance(value, list):
        return [
            problem
            for index, item in enumerate(value)
            for problem in _inexact_numbers(item, root, [*parts, index])
        ]
    if isinstance(value, bool):
        return []
    if isinstance(value, int) and abs(value) > _EXACT_INTEGER:
        message = (
            f"number is beyond ±{_EXACT_INTEGER}, the integer range every JSON reader"
            " holds exactly (I-JSON, RFC 7493)"
        )
        return [_problem(root, parts, message)]
    if isinstance(value, float) and not math.isfinite(value):
        return [_problem(root, parts, "number is not finite")]
    return []


def _describe(
    error: ValidationError, levels: Mapping[str, ClassificationLevel], root: str
) -> Iterator[dict[str, str]]:
    parts = list(error.absolute_path)
    expected: Any = error.validator_value
    instance: Any = error.instance
    if error.validator == "required":
        present = instance if isinstance(instance, Mapping) else {}
        for name in expected:
            if name not in present:
                yield _problem(root, [*parts, name], "required field is missing")
        return
    if error.validator == "additionalProperties":
        node: Any = error.schema
        known = sorted(node.get("properties", {}))
        for name in sorted(set(instance) - set(known)):
            message = f"unknown field; this type has {', '.join(known) or 'no fields'}"
            yield _problem(root, [*parts, name], message)
        return
    shown = _shown(error.instance, _level_of(parts, levels))
    yield _problem(root, parts, _message(error, shown))


def _message(error: ValidationError, shown: str) -> str:
    validator = error.validator
    expected: Any = error.validator_value
    if validator == "format":
        return f"{shown} is not {_FORMAT_HINTS.get(str(expected), str(expected))}"
    if validator == "type":
        found = _json_type(error.instance)
        return f"expected {_types(expected)}, found {found}{shown}"
    if validator == "enum":
        return f"{shown} is not one of {', '.join(str(v) for v in expected)}"
    template = _MESSAGES.get(str(validator), "fails {validator} {expected!r}")
    return f"{shown} " + template.format(validator=validator, expected=expected)


_MESSAGES = {
    "pattern": "does not match the pattern {expected}",
    "const": "is not {expected!r}",
    "minimum": "is less than {expected}",
    "maximum": "is more than {expected}",
    "exclusiveMinimum": "is not more than {expected}",
    "exclusiveMaximum": "is not less than {expected}",
    "minLength": "is shorter than {expected} characters",
    "maxLength": "is longer than {expected} characters",
    "minItems": "has fewer than {expected} items",
    "maxItems": "has more than {expected} items",
    "uniqueItems": "has repeated items",
}


def _problem(root: str, parts: list[str | int], message: str) -> dict[str, str]:
    path = root
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    pointer = "".join(
        "/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts
    )
    return {"path": path, "pointer": pointer, "message": message}


def _level_of(
    parts: list[str | int], levels: Mapping[str, ClassificationLevel]
) -> ClassificationLevel:
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += "[]"
        else:
            path = f"{path}.{part}" if path else part
    # Data outside every known field (the root itself) is shown only masked.
    return levels.get(path, ClassificationLevel.SECRET)


def _shown(value: Any, level: ClassificationLevel) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if level > _SHOWN_AS_IS:
        return repr(mask(value))
    text = repr(value)
    if len(text) > _VALUE_PREVIEW_CHARS:
        text = text[: _VALUE_PREVIEW_CHARS - 1] + "…"
    return text


def _types(expected: Any) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    return " or ".join(_TYPE_WORDS.get(name, name) for name in names)


def _json_type(value: Any) -> str:
    # Read before the value itself: "found number 5"; compound values speak for
    # themselves ("found a list").
    if isinstance(value, Mapping | list):
        return ""
    if value is None:
        return "null "
    if isinstance(value, bool):
        return "boolean "
    if isinstance(value, int | float):
        return "number "
    return "text "


_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}
