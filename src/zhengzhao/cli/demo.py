"""`zhengzhao demo`: build a synthetic Xinjiang library and serve it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from zhengzhao.cli.admin import serve_node
from zhengzhao.cli.context import console, errors
from zhengzhao.config import load_settings
from zhengzhao.demo.library import (
    CONFIG_NAME,
    DemoProgress,
    build_demo_library,
    demo_exists,
    write_demo_config,
)
from zhengzhao.demo.witness import (
    WITNESS_DIRECTORY,
    serve_witness_in_background,
    set_up_demo_witness,
)
from zhengzhao.node import Node

__all__ = ["demo"]


class _Bars(DemoProgress):
    """Shows each stage of the build as a Rich progress bar."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def stage(self, name: str, total: int) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=self._progress.tasks[-1].total)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, done: int = 1) -> None:
        assert self._task is not None
        self._progress.advance(self._task, done)


def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the demo library lives.")
    ] = Path("zhengzhao-demo"),
    holders: Annotated[
        int,
        typer.Option(min=10, help="Number of holders: ten persons to an organisation."),
    ] = 10_000,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve it when built.")
    ] = True,
    rebuild: Annotated[
        bool, typer.Option(help="Build again even if the library exists.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data.")] = 2022,
) -> None:
    """Build a synthetic Xinjiang library (development mode) and serve it.

    Writes, next to the database, `zhengzhao.toml` (to serve it again with
    `zhengzhao --config DIR/zhengzhao.toml serve`) and `demo-credentials.json`, the
    demo API clients' tokens (demo-only: refused outside development mode). A
    witness of the demo log lives in DIR/witness/ and is served on the next port.
    """
    directory = directory.resolve()
    config_path = directory / CONFIG_NAME
    if rebuild or not demo_exists(directory):
        write_demo_config(directory, port=port)
        node = Node(load_settings(config_path))
        started = datetime.now(UTC)
        with Progress(
            TextColumn("[progress.description]{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=errors,
        ) as progress:
            summary = build_demo_library(
                node,
                directory=directory,
                holders=holders,
                seed=seed,
                progress=_Bars(progress),
            )
        seconds = (datetime.now(UTC) - started).total_seconds()
        console.print(
            f"built in {seconds:.0f} s: {summary.departments} departments,"
            f" {summary.holders} holders, {summary.licenses} licenses,"
            f" {summary.events} later events in {directory}"
        )
        console.print(
            f"{summary.files} files gathered from the departments; the quality report"
            f" of {summary.month}: zhengzhao --config {config_path} report quality"
            f" --month {summary.month} --out {directory / 'reports'}, or"
            f" /reports/quality?month={summary.month} (sign in with the auditor's"
            " token)"
        )
        console.print(f"demo API tokens: {directory / 'demo-credentials.json'}")
        set_up_demo_witness(
            directory, node=node, node_config=config_path, port=port + 1
        )
        node.close()  # reopened below with the witness in its settings
    else:
        console.print(
            f"using the existing demo library in {directory} (--rebuild to redo)"
        )
    node = Node(load_settings(config_path))
    if serve:
        witness = serve_witness_in_background(
            directory / WITNESS_DIRECTORY / CONFIG_NAME
        )
        console.print(
            f"witness {witness.node.settings.witness_name} cosigns the demo log on"
            f" http://127.0.0.1:{witness.node.settings.port}/witness"
        )
        serve_node(node, port=port)
