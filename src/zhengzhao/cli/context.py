"""What every command shares: the settings file, the node, consoles, error handling.

Exit status of every command: 0 success; 1 the thing checked is invalid (a license,
an identifier); 2 the request could not be carried out (bad input, bad configuration,
unknown license), with the reason printed on standard error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from zhengzhao.config import Settings, load_settings
from zhengzhao.errors import ZhengzhaoError
from zhengzhao.node import Node

__all__ = [
    "EXIT_ERROR",
    "EXIT_INVALID",
    "CliState",
    "DefaultCommandGroup",
    "GuardedGroup",
    "console",
    "errors",
]

EXIT_INVALID = 1
EXIT_ERROR = 2

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)


@dataclass
class CliState:
    """Options given before the command."""

    config: Path | None = None
    verbose: bool = False

    def settings(self, **overrides: Any) -> Settings:
        return load_settings(self.config, **overrides)

    def node(self, **overrides: Any) -> Node:
        return Node(self.settings(**overrides))


def state(ctx: typer.Context) -> CliState:
    found = ctx.find_object(CliState)
    return found if found is not None else CliState()


def open_node(ctx: typer.Context, **overrides: Any) -> Node:
    """The configured node, closed when the command ends."""
    return ctx.with_resource(state(ctx).node(**overrides))


class GuardedGroup(TyperGroup):
    """Prints the platform's errors as one sentence and exits with `EXIT_ERROR`."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ZhengzhaoError as exc:
            errors.print(f"[bold red]error[/] [dim]({exc.code})[/]: {exc.message}")
            logging.getLogger(__name__).debug("command failed", exc_info=True)
            raise typer.Exit(EXIT_ERROR) from exc


class DefaultCommandGroup(TyperGroup):
    """A group whose arguments go to its first command unless they begin with the
    name of another: ``zhengzhao gather FILE`` is ``zhengzhao gather file FILE``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        help_asked = bool(args) and args[0] in ctx.help_option_names
        if args and not help_asked and args[0] not in self.commands:
            args = [next(iter(self.commands)), *args]
        result: list[str] = super().parse_args(ctx, args)
        return result
