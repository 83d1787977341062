"""`zhengzhao licenses`: what the node does to licenses by itself."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from zhengzhao.cli.context import console, open_node
from zhengzhao.issuance.expiry import CHUNK, expire_lapsed, lapsed_count
from zhengzhao.model.time import local_date

__all__ = ["licenses_app"]

licenses_app = typer.Typer(
    help="What the node records on licenses by itself: their expiry.",
    no_args_is_help=True,
)


@licenses_app.command("expire")
def expire(
    ctx: typer.Context,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="Expire licenses whose last valid day lies before this day"
            " (YYYY-MM-DD, today or earlier). Default: today, in China Standard Time.",
        ),
    ] = None,
    chunk: Annotated[
        int, typer.Option(min=1, help="Licenses per transaction.")
    ] = CHUNK,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Record the expiry of every license still valid or suspended after its last
    valid day: a signed `expired` event each, in the log like every event, a chunk
    of licenses per transaction. `zhengzhao serve` runs the same sweep every
    `expiry_interval_hours`.

    Exit status 0 when the sweep ran (licenses of a department that can sign
    nothing are left as they are, and named), 2 when it could not run.
    """
    node = open_node(ctx)
    now = datetime.now(UTC)
    day: date = as_of.date() if as_of is not None else local_date(now)
    total = lapsed_count(node, as_of=day)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task("expiring", total=total)
        sweep = expire_lapsed(
            node,
            as_of=day,
            now=now,
            chunk=chunk,
            progress=lambda done: bar.advance(task, done),
        )
    if as_json:
        summary = {
            "asOf": sweep.as_of.isoformat(),
            "expired": sweep.expired,
            "changedMeanwhile": sweep.changed_meanwhile,
            "blocked": sweep.blocked,
            "problems": list(sweep.problems),
        }
        console.print_json(json.dumps(summary, ensure_ascii=False))
        return
    console.print(
        f"{sweep.expired} license(s) expired: their last valid day was before"
        f" {sweep.as_of.isoformat()}"
    )
    if sweep.changed_meanwhile:
        console.print(
            f"{sweep.changed_meanwhile} license(s) changed while the sweep ran and"
            " were left to their new state"
        )
    if sweep.blocked:
        console.print(
            f"[yellow]{sweep.blocked} license(s) left in force[/]: their department"
            " can sign nothing"
        )
        for problem in sweep.problems:
            console.print(f"  {problem}", markup=False)
