"""``zhengzhao region``: the GB/T 2260 division tree shipped with Zhengzhao."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from zhengzhao.cli.context import GuardedGroup, console
from zhengzhao.model.divisions import Division, children, division, provinces

__all__ = ["region_app"]

region_app = typer.Typer(
    cls=GuardedGroup,
    help="GB/T 2260 divisions, from the list shipped with Zhengzhao.",
    no_args_is_help=True,
)


@region_app.command("list")
def region_list(
    parent: Annotated[
        str | None,
        typer.Option(help="List the divisions directly under this code."),
    ] = None,
    historical: Annotated[
        bool, typer.Option("--historical", help="Include retired codes.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The provinces, or the divisions directly under --parent, in code order.

    Reads the shipped list only: no node, database or network is needed.
    """
    if parent is None:
        found = provinces(historical=historical)
    else:
        division(parent)  # an unknown code is refused by name
        found = children(parent, historical=historical)
    if as_json:
        typer.echo(json.dumps([_json(item) for item in found], ensure_ascii=False))
        return
    table = Table("code", "name", "level", "parent", "in use")
    for item in found:
        table.add_row(
            item.code,
            item.name,
            item.level.value,
            item.parent_code or "",
            _years(item),
        )
    console.print(table)


def _years(item: Division) -> str:
    # The list's records begin in 1980; a code without a first year is older.
    first = str(item.first_year) if item.first_year else "before 1980"
    last = str(item.last_year) if item.last_year else "now"
    return f"{first} to {last}"


def _json(item: Division) -> dict[str, object]:
    return {
        "code": item.code,
        "name": item.name,
        "level": item.level.value,
        "parentCode": item.parent_code,
        "firstYear": item.first_year,
        "lastYear": item.last_year,
    }
