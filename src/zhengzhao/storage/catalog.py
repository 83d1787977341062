"""License types, their versions and the responsibility list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from zhengzhao.catalog.types import (
    LicenseType,
    Responsibility,
    TypeVersion,
    ValidityRule,
    VersionState,
)
from zhengzhao.model.license import HolderKind
from zhengzhao.storage.tables import (
    license_type_versions,
    license_types,
    responsibilities,
)

__all__ = [
    "delete_responsibility",
    "get_type",
    "get_version",
    "insert_responsibilities",
    "insert_type",
    "insert_version",
    "list_responsibilities",
    "list_types",
    "list_versions",
    "next_version_number",
    "published_version",
    "set_version_state",
    "update_draft",
]


def _type(row: Any) -> LicenseType:
    return LicenseType(
        code=row.code,
        name_zh=row.name_zh,
        name_en=row.name_en,
        holder_kind=HolderKind(row.holder_kind),
        authority_code=row.authority_code,
        authority_name=row.authority_name,
        department_kind=row.department_kind,
    )


def _version(row: Any) -> TypeVersion:
    return TypeVersion(
        type_code=row.type_code,
        version=row.version,
        state=VersionState(row.state),
        schema=row.schema,
        validity=ValidityRule.from_json(row.validity),
        template=row.template,
        created_at=row.created_at,
        published_at=row.published_at,
        retired_at=row.retired_at,
    )


def insert_type(conn: Connection, license_type: LicenseType, *, now: datetime) -> None:
    conn.execute(
        license_types.insert().values(
            code=license_type.code,
            name_zh=license_type.name_zh,
            name_en=license_type.name_en,
            holder_kind=license_type.holder_kind.value,
            authority_code=license_type.authority_code,
            authority_name=license_type.authority_name,
            department_kind=license_type.department_kind,
            created_at=now,
        )
    )


def get_type(conn: Connection, code: str) -> LicenseType | None:
    row = conn.execute(
        select(license_types).where(license_types.c.code == code)
    ).first()
    return _type(row) if row else None


def list_types(conn: Connection) -> list[LicenseType]:
    rows = conn.execute(select(license_types).order_by(license_types.c.code))
    return [_type(row) for row in rows]


def next_version_number(conn: Connection, type_code: str) -> int:
    latest = conn.execute(
        select(func.max(license_type_versions.c.version)).where(
            license_type_versions.c.type_code == type_code
        )
    ).scalar_one()
    return int(latest or 0) + 1


def insert_version(conn: Connection, version: TypeVersion) -> None:
    conn.execute(
        license_type_versions.insert().values(
            type_code=version.type_code,
            version=version.version,
            state=version.state.value,
            schema=version.schema,
            validity=version.validity.to_json(),
            template=version.template,
            created_at=version.created_at,
            published_at=version.published_at,
            retired_at=version.retired_at,
        )
    )


def update_draft(
    conn: Connection,
    type_code: str,
    version: int,
    *,
    schema: dict[str, Any],
    validity: ValidityRule,
    template: str,
) -> None:
    conn.execute(
        license_type_versions.update()
        .where(
            license_type_versions.c.type_code == type_code,
            license_type_versions.c.version == version,
        )
        .values(schema=schema, validity=validity.to_json(), template=template)
    )


def get_version(conn: Connection, type_code: str, version: int) -> TypeVersion | None:
    row = conn.execute(
        select(license_type_versions).where(
            license_type_versions.c.type_code == type_code,
            license_type_versions.c.version == version,
        )
    ).first()
    return _version(row) if row else None


def list_versions(conn: Connection, type_code: str) -> list[TypeVersion]:
    rows = conn.execute(
        select(license_type_versions)
        .where(license_type_versions.c.type_code == type_code)
        .order_by(license_type_versions.c.version)
    )
    return [_version(row) for row in rows]


def published_version(conn: Connection, type_code: str) -> TypeVersion | None:
    row = conn.execute(
        select(license_type_versions).where(
            license_type_versions.c.type_code == type_code,
            license_type_versions.c.state == VersionState.PUBLISHED.value,
        )
    ).first()
    return _version(row) if row else None


def set_version_state(
    conn: Connection,
    type_code: str,
    version: int,
    state: VersionState,
    *,
    now: datetime,
) -> None:
    values: dict[str, Any] = {"state": state.value}
    if state is VersionState.PUBLISHED:
        values["published_at"] = now
    elif state is VersionState.RETIRED:
        values["retired_at"] = now
    conn.execute(
        license_type_versions.update()
        .where(
            license_type_versions.c.type_code == type_code,
            license_type_versions.c.version == version,
        )
        .values(**values)
    )


def insert_responsibilities(conn: Connection, lines: list[Responsibility]) -> int:
    """Insert lines not stored yet; return how many were new."""
    existing = {
        (r.type_code, r.region_code, r.department_kind, r.department_level)
        for r in list_responsibilities(conn)
    }
    rows = [
        {
            "type_code": line.type_code,
            "region_code": line.region_code,
            "department_kind": line.department_kind,
            "department_level": line.department_level,
        }
        for line in lines
        if (
            line.type_code,
            line.region_code,
            line.department_kind,
            line.department_level,
        )
        not in existing
    ]
    if rows:
        conn.execute(responsibilities.insert(), rows)
    return len(rows)


def delete_responsibility(conn: Connection, line: Responsibility) -> int:
    """Delete ``line``; return how many lines went (0 or 1)."""
    result = conn.execute(
        delete(responsibilities).where(
            responsibilities.c.type_code == line.type_code,
            responsibilities.c.region_code == line.region_code,
            responsibilities.c.department_kind == line.department_kind,
            responsibilities.c.department_level == line.department_level,
        )
    )
    return int(result.rowcount)


def list_responsibilities(
    conn: Connection, *, type_code: str | None = None
) -> list[Responsibility]:
    query = select(responsibilities).order_by(
        responsibilities.c.type_code, responsibilities.c.region_code
    )
    if type_code is not None:
        query = query.where(responsibilities.c.type_code == type_code)
    return [
        Responsibility(
            type_code=row.type_code,
            region_code=row.region_code,
            department_kind=row.department_kind,
            department_level=row.department_level,
        )
        for row in conn.execute(query)
    ]
