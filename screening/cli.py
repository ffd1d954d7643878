"""The one `screening` command. Each step's sub-commands live beside the code they front."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from screening import settings


class Context:
    """What every sub-command gets: the store path and the output mode."""

    def __init__(self, db: Path) -> None:
        self.db = db


def emit(data: Any, as_json: bool, text: str) -> None:
    """Print `text` for people or `data` as JSON for machines."""
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))
    else:
        click.echo(text)


@click.group()
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"DuckDB store (default: ${settings.DB_ENV}, else a file in the user data directory).",
)
@click.pass_context
def main(ctx: click.Context, db: Path | None) -> None:
    """Sanctions and eligibility screening."""
    ctx.obj = Context(db or settings.default_db_path())


def _register() -> None:
    from lists.cli import lists_group

    main.add_command(lists_group)


_register()
