"""The `zhengzhao` command."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from zhengzhao.cli import (
    admin,
    demo,
    documents,
    gather,
    ids,
    licenses,
    log,
    oversight,
    regions,
    sharing,
)
from zhengzhao.cli.context import CliState, GuardedGroup

__all__ = ["app"]

app = typer.Typer(
    cls=GuardedGroup,
    help="Zhengzhao (电子证照): a region's electronic license platform.\n\n"
    "Exit status: 0 success; 1 the license or identifier checked is invalid; "
    "2 the command could not be carried out (the reason is printed).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="ZHENGZHAO_CONFIG",
            help="TOML settings file; ZHENGZHAO_* variables override it.",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.captureWarnings(True)  # an unsafe setting warns in the log's shape
    ctx.obj = CliState(config=config, verbose=verbose)


app.add_typer(ids.app, name="id")
app.add_typer(admin.db_app, name="db")
app.add_typer(admin.keys_app, name="keys")
app.add_typer(admin.clients_app, name="client")
app.add_typer(admin.catalog_app, name="catalog")
app.add_typer(admin.departments_app, name="department")
app.add_typer(regions.region_app, name="region")
app.add_typer(log.log_app, name="log")
app.add_typer(licenses.licenses_app, name="licenses")
app.add_typer(log.witness_app, name="witness")
app.add_typer(oversight.volumes_app, name="volumes")
app.add_typer(oversight.report_app, name="report")
app.add_typer(sharing.matter_app, name="matter")
app.add_typer(sharing.party_app, name="party")
app.add_typer(gather.gather_app, name="gather")
app.command("init")(admin.init)
app.command("serve")(admin.serve)
app.command("demo")(demo.demo)
app.command("verify")(documents.verify)
app.command("export")(documents.export)
app.command("trust-list")(documents.trust_list)
