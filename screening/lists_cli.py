"""`screening lists …`: load, refresh, status and diff of the list store.

The command layer above `lists/` (which depends only on the store base): after every load or
refresh it has the match index of the versions in force built (screening.indexing), also when nothing
new was loaded, so an index a crash left missing is repaired."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import asdict
from pathlib import Path

import click

from lists import SOURCE_KEYS, get_spec
from lists.refresh import refresh
from lists.status import last_diff, source_status
from lists.store import ListLoadError, load_version
from screening import settings
from screening.cli import Context, after_run, emit
from screening.exc import ListRefused, UsageError
from screening.store import session

SOURCE_CHOICE = click.Choice(sorted(SOURCE_KEYS))


@click.group("lists")
def lists_group() -> None:
    """Public sanctions lists: versions in DuckDB."""


@lists_group.command("load")
@click.argument("source", type=SOURCE_CHOICE)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Publication date, for files that carry none (e.g. OFAC CSV, the manual China list).")
@click.option("--force", "force_reason", default=None, metavar="REASON",
              help="Accept a version the checks refuse (publisher date older than the version in force, "
                   "much smaller than it); REASON is recorded with the version.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def load_command(ctx: Context, source: str, path: Path, as_of: dt.datetime | None, force_reason: str | None,
                 as_json: bool) -> None:
    """Load one published file or version folder PATH as a version of SOURCE."""
    if force_reason is not None and not force_reason.strip():
        raise UsageError("--force needs a reason (it is recorded with the version)")
    try:  # the store is opened for short steps only: parsing happens with it closed
        result = load_version(ctx.db, get_spec(source), path.resolve(), as_of=as_of.date() if as_of else None,
                              raw_dir=settings.raw_dir_for(ctx.db), force_reason=force_reason)
    except ListLoadError as exc:
        emit({"source": source, "status": "rejected", "reason": exc.reason}, as_json,
             f"REFUSED {source}: {exc.reason} (the previous version stays in force)")
        sys.exit(exc.exit_code)
    text = (f"{source}: {result.status} version {result.version_id} — {result.entries} entries, "
            f"{result.names} names" + (f"; +{result.added} −{result.removed} ~{result.changed}"
                                       if result.status == "loaded" else "")
            + ("" if result.complete else " (INCOMPLETE: optional files missing)"))
    from screening.indexing import build_match_index  # the matcher is imported only where it is needed

    data = asdict(result)
    data["match_index_names"] = build_match_index(ctx.db)
    text += f"\nmatch index ready: {data['match_index_names']:,} names"
    if result.status == "loaded" and result.version_id is not None:
        with session(ctx.db) as con:
            data["alerts"], line = after_run("lists", con, result.version_id)
        text += "\n" + line
    emit(data, as_json, text)


@lists_group.command("refresh")
@click.option("--source", "sources", multiple=True, type=SOURCE_CHOICE, help="Only these sources (repeatable).")
@click.option("--offline", is_flag=True, help="Load the bundled dated snapshot instead of downloading.")
@click.option("--include-manual", is_flag=True,
              help="Online, also replace manual lists (cn_sanctions) with their third-party download.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def refresh_command(ctx: Context, sources: tuple[str, ...], offline: bool, include_manual: bool,
                    as_json: bool) -> None:
    """Fetch each source (or, offline, the bundled snapshot) and load what changed.

    Exit code 5 when a source's file was refused, 1 when a download failed (the versions in force stay)."""
    outcomes = refresh(ctx.db, list(sources) or None, offline=offline, raw_dir=settings.raw_dir_for(ctx.db),
                       include_manual=include_manual)
    if offline and not as_json:
        click.secho(
            "WARNING: loading the BUNDLED DATED SNAPSHOT, not today's lists. Dates per list below; "
            "run `screening lists refresh` online for the lists in force.", fg="yellow", err=True)
    lines = []
    for o in outcomes:
        counts = f" — {o.entries} entries (+{o.added} −{o.removed} ~{o.changed})" if o.status == "loaded" else ""
        lines.append(f"{o.source:14} {o.status:9}{counts}  {o.detail}")
    from screening.indexing import build_match_index

    lines.append(f"match index ready: {build_match_index(ctx.db):,} names")
    for o in outcomes:
        if o.status == "loaded" and o.version_id is not None:
            with session(ctx.db) as con:
                lines.append(f"{o.source}: " + after_run("lists", con, o.version_id)[1])
    emit([asdict(o) for o in outcomes], as_json, "\n".join(lines))
    if any(o.status == "rejected" for o in outcomes):
        sys.exit(ListRefused.exit_code)
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)


@lists_group.command("status")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def status_command(ctx: Context, as_json: bool) -> None:
    """Per source: publisher date and its age, last check and its age, counts, SHA-256, stale and why."""
    status = _read(ctx.db, source_status)
    if status is None or status.is_empty():
        emit([], as_json, "No list loaded yet: run `screening lists refresh` (or `--offline`).")
        return
    header = (f"{'source':14} {'published':10} {'age d':>5}/{'max':<3} {'checked':16} {'ago h':>5}/{'max':<3} "
              f"{'entries':>7}  {'status':5}  why")
    lines = [header]
    for row in status.iter_rows(named=True):
        checked = f"{row['last_checked']:%Y-%m-%d %H:%M}" if row["last_checked"] else "never"
        flags = ("STALE" if row["stale"] else "ok") + (" (manual)" if row["manual"] else "")
        why = row["stale_reason"] or f"fresh until {row['stale_at']:%Y-%m-%d %H:%M}"
        if row["forced_reason"]:
            why += f"; FORCED: {row['forced_reason']}"
        lines.append(
            f"{row['source']:14} {str(row['publisher_date'] or '?'):10} {_or_q(row['age_days']):>5}/"
            f"{row['max_publication_days']:<3} {checked:16} {_or_q(row['checked_hours_ago']):>5}/"
            f"{row['max_age_hours']:<3} {row['entries']:>7}  {flags:5}  {why}"
        )
    emit(status.to_dicts(), as_json, "\n".join(lines))


def _read(db: Path, query):  # type: ignore[no-untyped-def]
    """`query(con)` on the store opened read-only (None when there is no store yet): readers share the
    file, so status and diff never wait on the service or on each other; a writer's lock is waited for
    (bounded, `SCREENING_LOCK_WAIT_SECONDS`: DuckDB lets no process open a file another writes)."""
    if not Path(db).exists():
        return None
    with session(db, read_only=True) as con:
        return query(con)


def _or_q(value: object) -> str:
    return "?" if value is None else str(value)


@lists_group.command("diff")
@click.argument("source", type=SOURCE_CHOICE)
@click.option("--limit", default=50, show_default=True, help="Entries named per change type (text output).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def diff_command(ctx: Context, source: str, limit: int, as_json: bool) -> None:
    """Entries added / removed / changed between the last two versions of SOURCE."""
    info, rows = _read(ctx.db, lambda con: last_diff(con, source)) or (None, None)
    if info is None:
        emit({"source": source, "versions": 0}, as_json, f"{source}: no version loaded")
        return
    if as_json:
        emit({**info, "source": source, "entries": rows.to_dicts()}, True, "")
        return
    lines = [f"{source}: version {info['previous_version_id']} ({info['previous_publisher_date']}) → "
             f"{info['version_id']} ({info['publisher_date']}): {info['added']} added, {info['removed']} removed, "
             f"{info['changed']} changed"]
    if info["previous_version_id"] is None:
        lines[0] = f"{source}: only one version ({info['publisher_date']}); everything counts as added"
    else:
        for change in ("added", "removed", "changed"):
            part = rows.filter(rows["change"] == change)
            for row in part.head(limit).iter_rows(named=True):
                lines.append(f"  {change:8} {row['source_id']:14} {row['primary_name']}")
            if part.height > limit:
                lines.append(f"  … {part.height - limit} more {change}")
    emit(None, False, "\n".join(lines))
