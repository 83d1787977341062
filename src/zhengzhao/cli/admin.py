"""Running a node: database, regions, catalog, departments, keys, clients, serving."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime
from typing import Annotated

import typer
import uvicorn
from rich.table import Table

from zhengzhao.api.app import create_app
from zhengzhao.catalog.seed import load_department_kinds
from zhengzhao.catalog.service import install_seed_catalog
from zhengzhao.cli.access_log import log_config
from zhengzhao.cli.context import GuardedGroup, console, open_node
from zhengzhao.directory.clients import create_client, disable_client, list_clients
from zhengzhao.directory.departments import (
    deactivate_department,
    get_department,
    register_department,
    rename_department,
    rotate_key,
)
from zhengzhao.directory.regions import XINJIANG, load_regions
from zhengzhao.model.parties import Principal, Role
from zhengzhao.node import Node
from zhengzhao.seals.algorithms import Algorithm
from zhengzhao.storage import catalog as catalog_store
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import keys as key_store
from zhengzhao.storage.clients import ClientRecord
from zhengzhao.storage.migrate import current_revision, upgrade

__all__ = [
    "catalog_app",
    "clients_app",
    "db_app",
    "departments_app",
    "init",
    "keys_app",
    "serve",
]

db_app = typer.Typer(
    cls=GuardedGroup, help="The database schema.", no_args_is_help=True
)
keys_app = typer.Typer(
    cls=GuardedGroup, help="Master key and department keys.", no_args_is_help=True
)
clients_app = typer.Typer(cls=GuardedGroup, help="API clients.", no_args_is_help=True)
catalog_app = typer.Typer(
    cls=GuardedGroup, help="The license catalog.", no_args_is_help=True
)
departments_app = typer.Typer(
    cls=GuardedGroup, help="Departments.", no_args_is_help=True
)


def _now() -> datetime:
    return datetime.now(UTC)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the database schema to the current version."""
    node = open_node(ctx)
    upgrade(node.database)
    console.print(f"schema at revision {current_revision(node.database)}")


def init(
    ctx: typer.Context,
    region: Annotated[
        str, typer.Option(help="GB/T 2260 code of the region the node serves.")
    ] = XINJIANG,
) -> None:
    """Prepare a new node: schema, the region's divisions, and the seed catalog."""
    node = open_node(ctx)
    upgrade(node.database)
    with node.database.transaction() as conn:
        regions = load_regions(conn, region)
        types = install_seed_catalog(conn, region_code=region, now=_now())
    console.print(f"{regions} regions and {types} license types added")


def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="Default: the configured host.")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Default: the configured port.")
    ] = None,
) -> None:
    """Serve the API and pages of an existing library."""
    node = open_node(ctx)
    serve_node(node, host=host, port=port)


def serve_node(node: Node, *, host: str | None = None, port: int | None = None) -> None:
    """Run the node's web server until interrupted."""
    if current_revision(node.database) is None:
        raise typer.BadParameter(
            "the database has no schema; run `zhengzhao init` (or `zhengzhao demo`)"
            " first"
        )
    app = create_app(node, background=True)
    host = host or node.settings.host
    port = port or node.settings.port
    console.print(f"serving on http://{host}:{port}/  (API docs at /docs)")
    uvicorn.run(app, host=host, port=port, log_level="info", log_config=log_config())


@keys_app.command("master")
def keys_master() -> None:
    """Print a new random master key for ZHENGZHAO_MASTER_KEY."""
    console.print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())


@keys_app.command("list")
def keys_list(ctx: typer.Context, department: str) -> None:
    """A department's keys."""
    node = open_node(ctx)
    with node.database.reading() as conn:
        found = key_store.keys_of_department(conn, get_department(conn, department).id)
    table = Table("#", "algorithm", "valid from", "valid until", "state")
    for key in found:
        table.add_row(
            str(key.sequence),
            key.algorithm,
            key.valid_from.isoformat(),
            key.valid_until.isoformat() if key.valid_until else "",
            key.state.value,
        )
    console.print(table)


@keys_app.command("rotate")
def keys_rotate(
    ctx: typer.Context,
    department: Annotated[str, typer.Argument(help="The department's credit code.")],
    algorithm: Annotated[Algorithm | None, typer.Option()] = None,
) -> None:
    """Start a department's next key; the old one keeps verifying what it signed."""
    node = open_node(ctx)
    with node.database.transaction() as conn:
        key = rotate_key(
            conn,
            node,
            principal=_operator(),
            credit_code=department,
            algorithm=algorithm,
            now=_now(),
        )
    console.print(f"key {key.sequence} ({key.algorithm}) of {department} is active")


@keys_app.command("compromise")
def keys_compromise(
    ctx: typer.Context,
    department: str,
    sequence: int,
    since: Annotated[
        datetime, typer.Option(help="Distrust signatures from this time (ISO 8601).")
    ],
) -> None:
    """Mark a key compromised: nothing it signed from SINCE is trusted."""
    node = open_node(ctx)
    moment = since if since.tzinfo else since.replace(tzinfo=UTC)
    with node.database.transaction() as conn:
        record = node.keyring.mark_compromised(
            conn, get_department(conn, department), sequence, since=moment
        )
    console.print(f"key {record.sequence} of {department} is {record.state.value}")


@clients_app.command("create")
def client_create(
    ctx: typer.Context,
    name: str,
    role: Annotated[Role, typer.Option()],
    department: Annotated[
        str | None, typer.Option(help="Credit code, for the department role.")
    ] = None,
    party: Annotated[
        str | None, typer.Option(help="Credit code, for the using-party role.")
    ] = None,
) -> None:
    """Create an API client and print its token (shown once)."""
    node = open_node(ctx)
    with node.database.transaction() as conn:
        issued = create_client(
            conn,
            principal=None,
            name=name,
            role=role,
            department_code=department,
            party_code=party,
            now=_now(),
        )
    console.print_json(
        json.dumps(
            {"clientId": issued.client_id, "role": issued.role, "token": issued.token}
        )
    )


@clients_app.command("list")
def client_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every API client, disabled ones included (never a token)."""
    node = open_node(ctx)
    with node.database.reading() as conn:
        found = list_clients(conn, principal=None)
    if as_json:
        console.print_json(json.dumps([_client_json(record) for record in found]))
        return
    table = Table("client id", "name", "role", "created", "disabled")
    for record in found:
        table.add_row(
            record.client_id,
            record.name,
            record.role.value + (" (demo)" if record.demo else ""),
            record.created_at.isoformat(),
            record.disabled_at.isoformat() if record.disabled_at else "",
        )
    console.print(table)


@clients_app.command("disable")
def client_disable(
    ctx: typer.Context,
    client_id: Annotated[str, typer.Argument(metavar="ID", help="The client's id.")],
) -> None:
    """Disable an API client: its token is refused from now on (401
    `client-disabled`). Disabling it again changes nothing."""
    node = open_node(ctx)
    with node.database.transaction() as conn:
        record = disable_client(conn, principal=None, client_id=client_id, now=_now())
    assert record.disabled_at is not None
    console.print(
        f"client {record.client_id} ({record.name}) disabled since"
        f" {record.disabled_at.isoformat()}"
    )


def _client_json(record: ClientRecord) -> dict[str, object]:
    return {
        "clientId": record.client_id,
        "name": record.name,
        "role": record.role.value,
        "demo": record.demo,
        "createdAt": record.created_at.isoformat(),
        "disabledAt": record.disabled_at.isoformat() if record.disabled_at else None,
    }


@catalog_app.command("list")
def catalog_list(ctx: typer.Context) -> None:
    """The license types and their published versions."""
    node = open_node(ctx)
    table = Table("code", "名称", "name", "holder", "published")
    with node.database.reading() as conn:
        for item in catalog_store.list_types(conn):
            published = catalog_store.published_version(conn, item.code)
            table.add_row(
                item.code,
                item.name_zh,
                item.name_en,
                item.holder_kind.value,
                str(published.version) if published else "-",
            )
    console.print(table)


@departments_app.command("add")
def department_add(
    ctx: typer.Context,
    credit_code: str,
    name: str,
    region: Annotated[str, typer.Option(help="GB/T 2260 code of its region.")],
    kind: Annotated[str, typer.Option(help="Department kind, e.g. public-security.")],
    algorithm: Annotated[Algorithm | None, typer.Option()] = None,
    lenient: Annotated[
        bool,
        typer.Option(
            "--lenient",
            help="Accept a pilot-era credit code whose check character fails, with a"
            " warning kept with the department.",
        ),
    ] = False,
) -> None:
    """Register a department and create its first key."""
    node = open_node(ctx)
    with node.database.transaction() as conn:
        department, key = register_department(
            conn,
            node,
            principal=_operator(),
            credit_code=credit_code,
            name=name,
            region_code=region,
            kind=kind,
            known_kinds=frozenset(load_department_kinds()),
            algorithm=algorithm,
            lenient_code=lenient,
            now=_now(),
        )
    for warning in department.code_warnings:
        console.print(f"[yellow]warning[/]: {warning}")
    console.print(f"{department.name} registered with key 1 ({key.algorithm})")


@departments_app.command("list")
def department_list(ctx: typer.Context) -> None:
    """Every department."""
    node = open_node(ctx)
    table = Table("credit code", "name", "region", "kind", "deactivated")
    table.columns[0].no_wrap = True  # a code is read whole or not at all
    with node.database.reading() as conn:
        for item in department_store.list_departments(conn):
            table.add_row(
                item.credit_code,
                item.name,
                item.region_code,
                item.kind,
                item.deactivated_at.isoformat() if item.deactivated_at else "",
            )
    console.print(table)


@departments_app.command("rename")
def department_rename(
    ctx: typer.Context,
    credit_code: str,
    name: Annotated[str | None, typer.Option(help="The new name.")] = None,
    name_en: Annotated[
        str | None, typer.Option(help="The new English name; empty removes it.")
    ] = None,
) -> None:
    """Rename a department; the trust list names its keys anew."""
    if name is None and name_en is None:
        raise typer.BadParameter("give --name, --name-en or both")
    node = open_node(ctx)
    with node.database.transaction() as conn:
        department = rename_department(
            conn, principal=None, credit_code=credit_code, name=name, name_en=name_en
        )
    console.print(
        f"{department.credit_code} is {department.name}"
        + (f" ({department.name_en})" if department.name_en else "")
    )


@departments_app.command("deactivate")
def department_deactivate(ctx: typer.Context, credit_code: str) -> None:
    """Deactivate a department: it issues and records nothing more; its keys stay on
    the trust list, so what it signed keeps verifying."""
    node = open_node(ctx)
    with node.database.transaction() as conn:
        department = deactivate_department(
            conn, principal=None, credit_code=credit_code, now=_now()
        )
    assert department.deactivated_at is not None
    console.print(
        f"{department.name} ({department.credit_code}) deactivated since"
        f" {department.deactivated_at.isoformat()}"
    )


def _operator() -> Principal:
    # The CLI runs on the node's machine with the node's own configuration, master
    # key included: whoever can run it is the operator already.
    return Principal(client_id="cli", name="local command line", role=Role.OPERATOR)
