"""Managing the catalog while the platform runs: types, versions, responsibility list.

Operators define types and their versions; a version is edited as a draft, published
(retiring the version published before it) and eventually retired. Publishing never
touches licenses already issued: each keeps the version it was issued under.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from zhengzhao.catalog.schema import check_type_schema
from zhengzhao.catalog.seed import load_seed_catalog
from zhengzhao.catalog.types import (
    LicenseType,
    Responsibility,
    TypeVersion,
    ValidityRule,
    VersionState,
)
from zhengzhao.errors import CatalogStateError, Conflict, InvalidRequest, NotFound
from zhengzhao.model.credit_code import CreditCode
from zhengzhao.model.divisions import Level
from zhengzhao.model.parties import Principal, Role
from zhengzhao.model.permissions import require_role
from zhengzhao.storage import catalog as catalog_store
from zhengzhao.storage import regions as region_store

__all__ = [
    "add_responsibility",
    "define_type",
    "draft_version",
    "get_type",
    "get_version",
    "install_seed_catalog",
    "publish_version",
    "remove_responsibility",
    "retire_version",
    "update_draft",
]

#: 18-character credit code of the defining authority, then a three-digit number.
_TYPE_CODE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{18}[0-9]{3}$")
_LEVELS = frozenset(
    level.value for level in (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY)
)


def define_type(
    conn: Connection,
    *,
    principal: Principal | None,
    license_type: LicenseType,
    schema: dict[str, Any],
    validity: dict[str, Any],
    template: str,
    now: datetime,
) -> TypeVersion:
    """Add a type to the catalog with its first version, as a draft.

    ``principal`` None is the node's own CLI, acting as operator.
    """
    _require_operator(principal)
    if not _TYPE_CODE.match(license_type.code):
        raise InvalidRequest(
            f"type code {license_type.code!r} must be the defining authority's"
            " 18-character credit code followed by three digits"
        )
    CreditCode.parse(license_type.code[:18], lenient=True)
    CreditCode.parse(license_type.authority_code, lenient=True)
    if license_type.code[:18] != license_type.authority_code:
        raise InvalidRequest(
            f"type code {license_type.code} does not start with its authority's credit"
            f" code {license_type.authority_code}"
        )
    if catalog_store.get_type(conn, license_type.code) is not None:
        raise Conflict(f"license type {license_type.code} already exists")
    catalog_store.insert_type(conn, license_type, now=now)
    return _insert_draft(conn, license_type.code, 1, schema, validity, template, now)


def draft_version(
    conn: Connection,
    *,
    principal: Principal | None,
    type_code: str,
    schema: dict[str, Any] | None = None,
    validity: dict[str, Any] | None = None,
    template: str | None = None,
    now: datetime,
) -> TypeVersion:
    """Start the next version of a type as a draft, from the latest version's content
    with the given parts replaced."""
    _require_operator(principal)
    get_type(conn, type_code)
    versions = catalog_store.list_versions(conn, type_code)
    if any(v.state is VersionState.DRAFT for v in versions):
        raise CatalogStateError(
            f"license type {type_code} already has a draft version; edit or publish it"
        )
    latest = versions[-1]
    return _insert_draft(
        conn,
        type_code,
        latest.version + 1,
        schema if schema is not None else latest.schema,
        validity if validity is not None else latest.validity.to_json(),
        template or latest.template,
        now,
    )


def update_draft(
    conn: Connection,
    *,
    principal: Principal | None,
    type_code: str,
    version: int,
    schema: dict[str, Any] | None = None,
    validity: dict[str, Any] | None = None,
    template: str | None = None,
) -> TypeVersion:
    """Change a draft version; published and retired versions never change."""
    _require_operator(principal)
    current = get_version(conn, type_code, version)
    if current.state is not VersionState.DRAFT:
        raise CatalogStateError(
            f"version {version} of {type_code} is {current.state}; only drafts change."
            " Start a new version instead"
        )
    new_schema = schema if schema is not None else current.schema
    check_type_schema(new_schema)
    rule = (
        ValidityRule.from_json(validity) if validity is not None else current.validity
    )
    catalog_store.update_draft(
        conn,
        type_code,
        version,
        schema=new_schema,
        validity=rule,
        template=template or current.template,
    )
    return get_version(conn, type_code, version)


def publish_version(
    conn: Connection,
    *,
    principal: Principal | None,
    type_code: str,
    version: int,
    now: datetime,
) -> TypeVersion:
    """Publish a draft; the version published before it is retired."""
    _require_operator(principal)
    target = get_version(conn, type_code, version)
    if target.state is not VersionState.DRAFT:
        raise CatalogStateError(
            f"version {version} of {type_code} is {target.state}; only a draft can be"
            " published"
        )
    previous = catalog_store.published_version(conn, type_code)
    if previous is not None:
        catalog_store.set_version_state(
            conn, type_code, previous.version, VersionState.RETIRED, now=now
        )
    catalog_store.set_version_state(
        conn, type_code, version, VersionState.PUBLISHED, now=now
    )
    return get_version(conn, type_code, version)


def retire_version(
    conn: Connection,
    *,
    principal: Principal | None,
    type_code: str,
    version: int,
    now: datetime,
) -> TypeVersion:
    """Retire a published version: no more licenses are issued under it."""
    _require_operator(principal)
    target = get_version(conn, type_code, version)
    if target.state is not VersionState.PUBLISHED:
        raise CatalogStateError(
            f"version {version} of {type_code} is {target.state}; only the published"
            " version can be retired"
        )
    catalog_store.set_version_state(
        conn, type_code, version, VersionState.RETIRED, now=now
    )
    return get_version(conn, type_code, version)


def add_responsibility(
    conn: Connection, *, principal: Principal | None, line: Responsibility
) -> bool:
    """Add a line to the responsibility list; False when it was there already."""
    _require_operator(principal)
    get_type(conn, line.type_code)
    if region_store.get_region(conn, line.region_code) is None:
        raise InvalidRequest(f"region {line.region_code} is not served by this node")
    if line.department_level not in _LEVELS:
        raise InvalidRequest(
            f"department level {line.department_level!r} must be one of "
            + ", ".join(sorted(_LEVELS))
        )
    return catalog_store.insert_responsibilities(conn, [line]) == 1


def remove_responsibility(
    conn: Connection, *, principal: Principal | None, line: Responsibility
) -> None:
    """Take a line off the responsibility list (operators): departments it covered
    issue that type no more. Licenses issued under it stay. Raises `NotFound` when
    the list has no such line."""
    _require_operator(principal)
    if catalog_store.delete_responsibility(conn, line) == 0:
        raise NotFound(
            f"the responsibility list has no line for type {line.type_code} in"
            f" {line.region_code} by {line.department_level}-level"
            f" {line.department_kind} departments"
        )


def get_type(conn: Connection, type_code: str) -> LicenseType:
    found = catalog_store.get_type(conn, type_code)
    if found is None:
        raise NotFound(f"license type {type_code} is not in the catalog")
    return found


def get_version(conn: Connection, type_code: str, version: int) -> TypeVersion:
    found = catalog_store.get_version(conn, type_code, version)
    if found is None:
        raise NotFound(f"license type {type_code} has no version {version}")
    return found


def _insert_draft(
    conn: Connection,
    type_code: str,
    number: int,
    schema: dict[str, Any],
    validity: dict[str, Any],
    template: str,
    now: datetime,
) -> TypeVersion:
    check_type_schema(schema)
    if not template.strip():
        raise InvalidRequest("a type version needs a template name")
    version = TypeVersion(
        type_code=type_code,
        version=number,
        state=VersionState.DRAFT,
        schema=schema,
        validity=ValidityRule.from_json(validity),
        template=template,
        created_at=now,
    )
    catalog_store.insert_version(conn, version)
    return version


def _require_operator(principal: Principal | None) -> None:
    if principal is not None:
        require_role(principal, Role.OPERATOR)


def install_seed_catalog(conn: Connection, *, region_code: str, now: datetime) -> int:
    """Add the seed catalog's types, each with version 1 published, and their
    responsibility lines for ``region_code``; types already present are left alone.

    Returns how many types were added.
    """
    added = 0
    for seed in load_seed_catalog():
        if catalog_store.get_type(conn, seed.code) is not None:
            continue
        license_type = LicenseType(
            code=seed.code,
            name_zh=seed.name_zh,
            name_en=seed.name_en,
            holder_kind=seed.holder_kind,
            authority_code=seed.authority_code,
            authority_name=seed.authority_name,
            department_kind=seed.department_kind,
        )
        define_type(
            conn,
            principal=None,
            license_type=license_type,
            schema=dict(seed.schema),
            validity=dict(seed.validity),
            template=seed.template,
            now=now,
        )
        publish_version(conn, principal=None, type_code=seed.code, version=1, now=now)
        catalog_store.insert_responsibilities(
            conn,
            [
                Responsibility(
                    type_code=seed.code,
                    region_code=region_code,
                    department_kind=line.department_kind,
                    department_level=level.value,
                )
                for line in seed.responsibilities
                for level in line.levels
            ],
        )
        added += 1
    return added
