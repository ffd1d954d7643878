"""`screening report [--date D] [--out DIR] [--lang zh|en] [--pdf]`: the nightly report from the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from screening.cli import emit


@click.command("report")
@click.option("--date", "for_date", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The report's day (default: today in Asia/Shanghai); it covers what happened since the "
                   "previous day's report.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for report.html, snapshot.json and the CSV exports "
                   "(default: reports/<date> beside the store; a later report of the same day goes to "
                   "reports/<date>.2 and so on, never over an earlier one).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the report.")
@click.option("--pdf", is_flag=True, help="Also print report.pdf for the archive (needs Chromium).")
@click.option("--verify", "verify_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Instead of writing: check that this report.html is one the store recorded, unchanged.")
@click.option("--steps", type=click.IntRange(min=1), default=None,
              help="Print only the first N next steps (the report lists them all).")
@click.option("--json", "as_json", is_flag=True, help="Print the files written and the next steps as JSON.")
@click.pass_context
def report_command(ctx: click.Context, for_date: dt.datetime | None, out_dir: Path | None, lang: str, pdf: bool,
                   verify_file: Path | None, steps: int | None, as_json: bool) -> None:
    """Write the nightly report officers read: what waits, what changed, findings, SLA, trends, certificate.

    Built only from what the store recorded (runs, hits, alerts, decisions), never by screening again.
    """
    from reports import render

    if verify_file is not None:
        found = render.verify(ctx.obj.db, verify_file)
        emit(found, as_json, f"{verify_file}: report {found['report_id']} for {found['for_date']}, as recorded "
                             f"(SHA-256 {found['html_sha256']})")
        return

    report = render.write_nightly(ctx.obj.db, for_date=for_date.date() if for_date else None, out_dir=out_dir,
                                  lang=lang, pdf=pdf)
    emit(render.summary(report), as_json, render.summary_text(report, steps=steps))
