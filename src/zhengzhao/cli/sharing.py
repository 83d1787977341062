"""Sharing with consent on the command line: service matters and using parties."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from zhengzhao.cli.context import GuardedGroup, console, open_node
from zhengzhao.errors import InvalidRequest
from zhengzhao.model.classification import ClassificationLevel
from zhengzhao.model.parties import PartyKind, Principal, Role
from zhengzhao.sharing.parties import (
    PartyView,
    get_party,
    list_parties,
    register_party,
    update_party,
)
from zhengzhao.sharing.scenarios import get_matter, list_matters, save_matters
from zhengzhao.sharing.seed import load_seed_matters
from zhengzhao.storage.matters import MatterRecord
from zhengzhao.verify.sources import read_json_file

__all__ = ["matter_app", "party_app"]

matter_app = typer.Typer(
    cls=GuardedGroup,
    help="Service matters (政务服务事项): the scenario list.",
    no_args_is_help=True,
)
party_app = typer.Typer(
    cls=GuardedGroup,
    help="Using parties (用证方): departments and third parties that use licenses.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _now() -> datetime:
    return datetime.now(UTC)


def _operator() -> Principal:
    # Whoever runs the command holds the node's configuration: the operator already.
    return Principal(client_id="cli", name="local command line", role=Role.OPERATOR)


ReplaceOption = Annotated[
    bool, typer.Option(help="Replace matters already registered.")
]


@matter_app.command("add")
def matter_add(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="A matter's JSON, or a list of them (the seed format)."),
    ],
    department: Annotated[
        str | None,
        typer.Option(
            help="Credit code of the offering department, for every matter that"
            ' names none in a "department" member; without it, each such matter'
            " goes to a department of its department_kind."
        ),
    ] = None,
    replace: ReplaceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Register service matters from FILE for the departments offering them.

    A matter goes to the department its "department" member names, else to
    --department, else to the active department of its kind in the division its
    code names, the highest in level first. All of FILE's matters are registered in
    one transaction, or none is. Exit status: 0 registered; 2 nothing registered.
    """
    _register(
        ctx,
        _definitions(read_json_file(file)),
        department=department,
        replace=replace,
        as_json=as_json,
    )


@matter_app.command("seed")
def matter_seed(
    ctx: typer.Context, replace: ReplaceOption = False, as_json: JsonOption = False
) -> None:
    """Register the seed scenario list (the 54 matters of the Xinjiang plan), each
    for a department of its kind, as `matter add` chooses it.

    All of them are registered, or none is: a kind with no active department is
    named. Exit status: 0 registered; 2 nothing registered.
    """
    definitions = [matter.to_json() for matter in load_seed_matters()]
    _register(ctx, definitions, department=None, replace=replace, as_json=as_json)


def _register(
    ctx: typer.Context,
    definitions: list[dict[str, Any]],
    *,
    department: str | None,
    replace: bool,
    as_json: bool,
) -> None:
    node = open_node(ctx)
    with node.database.transaction() as conn:
        records = save_matters(
            conn,
            principal=_operator(),
            definitions=definitions,
            department_code=department,
            replace=replace,
            now=_now(),
        )
    if as_json:
        console.print_json(json.dumps([_json(r) for r in records], ensure_ascii=False))
        return
    for record in records:
        console.print(
            f"{record.matter.code} {record.matter.name_zh} offered by"
            f" {record.department_name}"
        )


@matter_app.command("list")
def matter_list(
    ctx: typer.Context,
    department: Annotated[
        str | None, typer.Option(help="Only this department's matters.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Every registered service matter."""
    node = open_node(ctx)
    records: list[MatterRecord] = []
    after = 0
    with node.database.reading() as conn:
        while True:
            page = list_matters(conn, department_code=department, after=after)
            records += page.items
            if page.next_cursor is None:
                break
            after = page.next_cursor
    if as_json:
        console.print_json(json.dumps([_json(r) for r in records], ensure_ascii=False))
        return
    table = Table("code", "名称", "department", "holder", "types", "legal basis")
    for record in records:
        matter = record.matter
        table.add_row(
            matter.code,
            matter.name_zh,
            record.department_name,
            matter.holder_kind.value,
            str(len(matter.type_codes)),
            "yes" if matter.legal_basis else "",
        )
    console.print(table)


@matter_app.command("show")
def matter_show(ctx: typer.Context, code: str, as_json: JsonOption = False) -> None:
    """One matter: its department, materials, form and legal basis."""
    node = open_node(ctx)
    with node.database.reading() as conn:
        record = get_matter(conn, code)
    if as_json:
        console.print_json(json.dumps(_json(record), ensure_ascii=False))
        return
    matter = record.matter
    console.print(f"[bold]{matter.code}[/] {matter.name_zh} ({matter.name_en})")
    console.print(f"offered by {record.department_name} ({record.department_code})")
    console.print(f"for {matter.holder_kind.value}s")
    if matter.legal_basis:
        console.print(f"legal basis: {matter.legal_basis}")
    for material in matter.materials:
        need = "required" if material.required else "optional"
        console.print(f"  material {material.type_code} ({need})")
    for form_field in matter.form:
        source = (
            f"{form_field.source.type_code}.{form_field.source.field}"
            if form_field.source
            else "typed in"
        )
        console.print(f"  form {form_field.name} {form_field.label_zh}: {source}")


def _definitions(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict) and isinstance(value.get("matters"), list):
        value = value["matters"]
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, dict) for item in items):
        raise InvalidRequest(
            "the file must hold a matter (a JSON object) or a list of matters"
        )
    return items


def _json(record: MatterRecord) -> dict[str, Any]:
    return {
        **record.matter.to_json(),
        "department": record.department_code,
        "department_name": record.department_name,
    }


MattersOption = Annotated[
    list[str] | None,
    typer.Option("--matter", help="A service matter it may serve (repeatable)."),
]


@party_app.command("add")
def party_add(
    ctx: typer.Context,
    kind: Annotated[PartyKind, typer.Option(help="department or third-party.")],
    clearance: Annotated[
        ClassificationLevel,
        typer.Option(help="The highest classification level it may receive."),
    ],
    credit_code: Annotated[
        str | None,
        typer.Option("--credit-code", help="A third party's unified credit code."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="A third party's name.")] = None,
    department: Annotated[
        str | None, typer.Option(help="The department, for a department party.")
    ] = None,
    matters: MattersOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a using party; create its clients with `zhengzhao client create
    NAME --role using-party --party CODE`."""
    node = open_node(ctx)
    with node.database.transaction() as conn:
        view = register_party(
            conn,
            principal=_operator(),
            credit_code=credit_code,
            name=name,
            kind=kind,
            department_code=department,
            clearance=clearance,
            matter_codes=matters or [],
            now=_now(),
        )
    _print_party(view, as_json=as_json)


@party_app.command("update")
def party_update(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The party's credit code.")],
    clearance: Annotated[ClassificationLevel | None, typer.Option()] = None,
    name: Annotated[str | None, typer.Option()] = None,
    matters: MattersOption = None,
    disabled: Annotated[
        bool | None,
        typer.Option("--disable/--enable", help="Stop or resume all its use."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Change a party; --matter replaces the whole list of its matters."""
    node = open_node(ctx)
    with node.database.transaction() as conn:
        view = update_party(
            conn,
            principal=_operator(),
            credit_code=code,
            name=name,
            clearance=clearance,
            matter_codes=matters,
            disabled=disabled,
            now=_now(),
        )
    _print_party(view, as_json=as_json)


@party_app.command("list")
def party_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Every using party."""
    node = open_node(ctx)
    with node.database.reading() as conn:
        views = list_parties(conn, principal=_operator())
    if as_json:
        console.print_json(
            json.dumps([_party_json(v) for v in views], ensure_ascii=False)
        )
        return
    table = Table("credit code", "name", "kind", "clearance", "matters", "state")
    for view in views:
        table.add_row(
            view.party.credit_code,
            view.party.name,
            view.party.kind.value,
            view.party.clearance.value,
            ", ".join(view.matter_codes),
            "disabled" if view.party.disabled_at else "active",
        )
    console.print(table)


@party_app.command("show")
def party_show(ctx: typer.Context, code: str, as_json: JsonOption = False) -> None:
    """One using party."""
    node = open_node(ctx)
    with node.database.reading() as conn:
        view = get_party(conn, principal=_operator(), credit_code=code)
    _print_party(view, as_json=as_json)


def _print_party(view: PartyView, *, as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(_party_json(view), ensure_ascii=False))
        return
    party = view.party
    state = " (disabled)" if party.disabled_at else ""
    console.print(
        f"{party.credit_code} {party.name}: {party.kind.value}, cleared up to"
        f" {party.clearance.value}{state}"
    )
    for code in view.matter_codes:
        console.print(f"  serves {code}")


def _party_json(view: PartyView) -> dict[str, Any]:
    party = view.party
    return {
        "credit_code": party.credit_code,
        "name": party.name,
        "kind": party.kind.value,
        "department": view.department_code,
        "clearance": party.clearance.value,
        "matters": list(view.matter_codes),
        "disabled": party.disabled_at is not None,
    }
