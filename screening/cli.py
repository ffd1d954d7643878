"""The one `screening` command. Each step's sub-commands live beside the code they front.

Sub-commands are imported when invoked (click's lazy-group pattern): the CLI starts fast, and a
sub-command module may import `Context` / `emit` from here without an import cycle.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import click

from screening import exc, logs, settings
from screening.textclean import escape_invisible, printable

# command name → "module:attribute" of its click command or group
SUBCOMMANDS: dict[str, str] = {
    "lists": "screening.lists_cli:lists_group",
    "accounts": "screening.accounts.cli:accounts_group",
    "eligibility": "screening.eligibility.cli:eligibility_group",
    "screen": "screening.runs.cli:screen_command",
    "lookup": "screening.registration.cli:lookup_command",
    "match": "screening.matching.cli:match_group",
    "eval": "screening.evaluation.cli:eval_group",
    "bench": "screening.evaluation.cli:bench_command",
    "demo": "screening.evaluation.cli:demo_command",
    "db": "screening.store.cli:db_group",
    "jobs": "jobs.cli:jobs_group",
    "nightly": "jobs.cli:nightly_command",
    "sla": "jobs.cli:sla_command",
    "serve": "jobs.cli:serve_command",
    "officers": "screening.alerts.cli:officers_group",
    "alerts": "screening.alerts.cli:alerts_group",
    "decisions": "screening.alerts.cli:decisions_group",
    "flags": "screening.alerts.cli:flags_group",
    "notices": "screening.alerts.cli:notices_group",
    "audit": "screening.alerts.cli:audit_command",
    "report": "reports.cli:report_command",
}

# Commands a group shows that its package must not import (production groups never import evaluation
# code): group name → {command name → "module:attribute"}, attached when the group is loaded.
GROUP_EXTRAS: dict[str, dict[str, str]] = {
    "accounts": {"synth": "screening.evaluation.cli:synth_command"},
    "eligibility": {"bench": "screening.evaluation.eligibility_bench:bench_command"},
}


# What follows a stored run in a step above the command that ran it (the layers forbid the import):
# command → "module:attribute" of fn(con, run_id) -> (data for --json, one line for people).
AFTER_RUN: dict[str, str] = {
    "screen": "screening.alerts.cli:after_screen",
    "eligibility": "screening.alerts.cli:after_eligibility",
}


def after_run(command: str, con: Any, run_id: int) -> tuple[dict[str, Any], str]:
    """Run what follows `command`'s stored run (alerts from its hits or findings)."""
    module_name, attribute = AFTER_RUN[command].split(":")
    result: tuple[dict[str, Any], str] = getattr(importlib.import_module(module_name), attribute)(con, run_id)
    return result


class Context:
    """What every sub-command gets: the store path."""

    def __init__(self, db: Path) -> None:
        self.db = db


def emit(data: Any, as_json: bool, text: str) -> None:
    """Print `text` for people or `data` as JSON for machines."""
    if as_json:  # invisible characters (bidi overrides …) escaped, never raw
        click.echo(escape_invisible(json.dumps(data, indent=2, default=str, ensure_ascii=False)))
    else:
        click.echo(printable(text))


class LazyGroup(click.Group):
    """Sub-commands imported on use; the one place where errors become a message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except exc.ScreeningError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:  # a bug: one line for the user, the traceback on request
            if settings.debug():
                raise
            click.echo(
                f"internal error: {type(error).__name__}: {error} (set {settings.DEBUG_ENV}=1 for the traceback)",
                err=True,
            )
            sys.exit(1)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *SUBCOMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in SUBCOMMANDS:
            return super().get_command(ctx, cmd_name)
        command = _load(SUBCOMMANDS[cmd_name])
        if isinstance(command, click.Group):
            for name, target in GROUP_EXTRAS.get(cmd_name, {}).items():
                if name not in command.commands:
                    command.add_command(_load(target), name)
        return command


def _load(target: str) -> click.Command:
    """The click command at "module:attribute"."""
    module_name, attribute = target.split(":")
    command: click.Command = getattr(importlib.import_module(module_name), attribute)
    return command


@click.group(cls=LazyGroup)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"DuckDB store (default: ${settings.DB_ENV}, else a file in the user data directory).",
)
@click.pass_context
def main(ctx: click.Context, db: Path | None) -> None:
    """Sanctions and eligibility screening."""
    logs.configure()
    ctx.obj = Context(db or settings.default_db_path())
