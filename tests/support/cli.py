"""Running the `zhengzhao` command in-process against a test node's settings."""

from __future__ import annotations

from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from zhengzhao.cli.main import app
from zhengzhao.config import Settings

runner = CliRunner()


def write_config(path: Path, settings: Settings, *extra_lines: str) -> Path:
    """A settings file with ``settings``' database, key, URL and name."""
    assert settings.master_key is not None
    path.write_text(
        "\n".join(
            [
                f'mode = "{settings.mode}"',
                f'database_url = "{settings.database_url}"',
                f'master_key = "{settings.master_key.get_secret_value()}"',
                f'base_url = "{settings.base_url}"',
                f'node_name = "{settings.node_name}"',
                *extra_lines,
            ]
        )
        + "\n"
    )
    return path


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args), catch_exceptions=False)
