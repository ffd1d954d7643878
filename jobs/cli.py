"""`screening jobs list|history|run`, `screening nightly`, `screening sla` and `screening serve`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from screening.cli import Context, emit


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs: what runs when, and every run they made."""


@jobs_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_command(ctx: Context, as_json: bool) -> None:
    """Every job with its schedule (Asia/Shanghai), misfire grace and last run."""
    from jobs.runner import history
    from jobs.scheduler import describe
    from screening.store import connect

    rows = describe()
    con = connect(ctx.db)
    try:
        for row in rows:
            last = history(con, row["job_id"], limit=1)
            row["last_run"] = ({k: last[0][k] for k in ("run_id", "status", "started_at", "finished_at", "error")}
                               if last else None)
    finally:
        con.close()
    lines = [f"{'job':18} {'schedule':12} {'grace':>6}  last run"]
    for r in rows:
        last = r["last_run"]
        when = f"{last['status']} {last['started_at'] or last['finished_at']:%Y-%m-%d %H:%M}" if last else "never"
        grace = "none" if r["misfire_grace_s"] is None else f"{r['misfire_grace_s']}s"
        lines.append(f"{r['job_id']:18} {r['schedule']:12} {grace:>6}  {when}   {r['description']}")
    emit(rows, as_json, "\n".join(lines))


@jobs_group.command("history")
@click.argument("job_id", required=False)
@click.option("--limit", default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def history_command(ctx: Context, job_id: str | None, limit: int, as_json: bool) -> None:
    """The newest runs (of JOB_ID, or of every job): trigger, times, status, inputs, outputs, error."""
    from jobs.registry import get_job
    from jobs.runner import history
    from screening.store import connect

    if job_id:
        get_job(job_id)
    con = connect(ctx.db)
    try:
        rows = history(con, job_id, limit)
    finally:
        con.close()
    lines = [f"{'run':>5} {'job':18} {'trigger':8} {'scheduled':16} {'started':16} {'took':>7}  status"]
    for r in rows:
        took = (f"{(r['finished_at'] - r['started_at']).total_seconds():.1f}s"
                if r["finished_at"] and r["started_at"] else "")
        lines.append(f"{r['run_id']:>5} {r['job_id']:18} {r['trigger']:8} {_t(r['scheduled_for']):16} "
                     f"{_t(r['started_at']):16} {took:>7}  {r['status']}" + (f": {r['error']}" if r["error"] else ""))
    emit(rows, as_json, "\n".join(lines))


@jobs_group.command("run")
@click.argument("job_id")
@click.option("--offline", is_flag=True, help="lists.refresh: load the bundled dated snapshot, no download.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def run_command(ctx: Context, job_id: str, offline: bool, as_json: bool) -> None:
    """Run JOB_ID now (a `manual` run in the history). Exit 1 when the run failed."""
    from jobs.runner import run_job

    run = run_job(job_id, ctx.db, trigger="manual", offline=offline)
    emit({"run_id": run.run_id, "job_id": job_id, "status": run.status, "outputs": run.outputs, "error": run.error},
         as_json, f"{job_id} run {run.run_id}: {run.status}" + (f" — {run.error}" if run.error else ""))
    if run.status == "failed":
        sys.exit(1)


@click.command("nightly")
@click.option("--offline", is_flag=True, help="Load the bundled dated list snapshot instead of downloading.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def nightly_command(ctx: Context, offline: bool, as_json: bool) -> None:
    """The service's chain once, in the foreground (for cron users and the demo): refresh → import →
    delta and account screens → full rescreen → stale alarm → follow-ups → lookup events.
    Exit 1 when a step failed (the others still ran)."""
    import time

    from jobs.registry import JOBS, NIGHTLY
    from jobs.runner import run_job

    runs = []
    for job_id in NIGHTLY:  # each step said as it starts and ends: the chain takes minutes
        if not as_json:
            click.echo(f"… {job_id}: {JOBS[job_id].description}", err=True)
        started = time.perf_counter()
        runs.append(run_job(job_id, ctx.db, trigger="nightly", offline=offline))
        if not as_json:
            r = runs[-1]
            click.echo(f"  {r.job_id:18} {r.status:10} run {r.run_id}  {time.perf_counter() - started:.1f} s"
                       + (f"  {r.error}" if r.error else ""), err=True)
    data = [{"job_id": r.job_id, "run_id": r.run_id, "status": r.status, "error": r.error, "outputs": r.outputs}
            for r in runs]
    statuses = [r.status for r in runs]
    emit(data, as_json, f"nightly chain: {len(runs)} jobs, "
                        + ", ".join(f"{statuses.count(s)} {s}" for s in dict.fromkeys(statuses)))
    if any(r.status == "failed" for r in runs):
        sys.exit(1)


@click.command("sla")
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def sla_command(ctx: Context, limit: int, as_json: bool) -> None:
    """Per list version: published → fetched → loaded → in lookups → every account screened, against the
    targets (24 h from publication, 15 min from download)."""
    from jobs.sla import DOWNLOAD_TARGET_MIN, PUBLICATION_TARGET_H, report
    from screening.store import connect

    con = connect(ctx.db)
    try:
        rows = report(con, limit)
    finally:
        con.close()
    lines = [f"targets: screened within {PUBLICATION_TARGET_H:.0f} h of publication, {DOWNLOAD_TARGET_MIN:.0f} min "
             "of download",
             f"{'version':>7} {'source':14} {'published':10} {'fetched':16} {'screened':16} {'pub→scr h':>9} "
             f"{'dl→scr min':>10}  met"]
    for r in rows:
        met = {True: "yes", False: "NO", None: "-"}
        lines.append(
            f"{r['version_id']:>7} {r['source']:14} {str(r['publisher_date'] or '?'):10} {_t(r['fetched_at']):16} "
            f"{_t(r['screened_at']) or 'PENDING':16} {_n(r['publication_to_screen_h']):>9} "
            f"{_n(r['download_to_screen_min']):>10}  {met[r['publication_target_met']]}/{met[r['download_target_met']]}")
    emit(rows, as_json, "\n".join(lines))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--no-scheduler", is_flag=True, help="Serve the API only (another process runs the jobs).")
@click.option("--offline", is_flag=True, help="Scheduled list refreshes load the bundled snapshot (demo).")
@click.pass_obj
def serve_command(ctx: Context, host: str, port: int, no_scheduler: bool, offline: bool) -> None:
    """The HTTP lookup API and the scheduler in one process (one uvicorn worker). SIGTERM lets a
    running job finish within the grace period, else marks it abandoned, and exits."""
    from jobs.serve import serve

    serve(Path(ctx.db), host=host, port=port, scheduler=not no_scheduler, offline=offline)


def _t(value) -> str:  # noqa: ANN001
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


def _n(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
