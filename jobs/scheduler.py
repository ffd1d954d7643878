"""The APScheduler 3.x wiring (README, "The service").

- The job store is its own SQLite file (`<service dir>/scheduler.sqlite`), never the DuckDB store: one
  process writes DuckDB, and APScheduler's store cannot be shared between processes anyway.
- Every job is added at start-up with its fixed id and `replace_existing=True`; a job switched `off`
  is removed. `coalesce=True` (missed runs after a stop run once), `max_instances=1`, a misfire grace
  per job (jobs/registry.py), timezone Asia/Shanghai.
- The run row is written by the job wrapper (jobs/runner.py); the listener only records runs that
  never started (MISSED, MAX_INSTANCES), since APScheduler's event order is not guaranteed.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobSubmissionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs.registry import JOBS, JobSpec
from jobs.runner import record_event, run_job
from jobs.worker import run_in_child
from screening import exc, settings
from screening.logs import get_logger

log = get_logger(__name__)

TIMEZONE = "Asia/Shanghai"


def scheduled(job_id: str, db: str, trigger: str, offline: bool = False,
              scheduled_for: dt.datetime | None = None) -> str:
    """What the scheduler calls (a module-level function: the job store keeps a reference to it). A heavy
    job runs in a child process (jobs/worker.py), the others in the scheduler's thread."""
    if JOBS[job_id].heavy:
        return run_in_child(job_id, Path(db), trigger=trigger, scheduled_for=scheduled_for, offline=offline)
    return run_job(job_id, Path(db), trigger=trigger, scheduled_for=scheduled_for, offline=offline).status


class _Executor(ThreadPoolExecutor):
    """Hands the job the time it was scheduled for, so its run row can say how late it started."""

    def _do_submit_job(self, job, run_times):  # noqa: ANN001 (APScheduler's signature)
        given = copy.copy(job)  # a Job's state omits its store alias and scheduler: carry them over
        given._jobstore_alias, given._scheduler = job._jobstore_alias, job._scheduler
        given.kwargs = {**job.kwargs, "scheduled_for": run_times[-1]}
        job = given
        super()._do_submit_job(job, run_times)


def trigger_for(schedule: str, jitter: int | None = None) -> tuple[BaseTrigger, str] | None:
    """(trigger, kind) of a schedule text; None for `off`."""
    text = schedule.strip()
    if text.lower() == "off":
        return None
    if text.lower().startswith("every "):
        try:
            seconds = float(text.split(None, 1)[1].rstrip("s"))
        except ValueError:
            raise exc.UsageError(f"bad schedule {schedule!r}: expected 'every <seconds>'") from None
        return IntervalTrigger(seconds=seconds, timezone=TIMEZONE, jitter=jitter), "interval"
    try:
        return CronTrigger.from_crontab(text, timezone=TIMEZONE), "cron"
    except ValueError as error:
        raise exc.UsageError(f"bad schedule {schedule!r}: {error}") from None


def start_scheduler(db: Path, *, offline: bool = False, specs: list[JobSpec] | None = None,
                    store_path: Path | None = None, scheduler_class: type[BaseScheduler] = BackgroundScheduler,
                    paused: bool = False) -> BaseScheduler:
    """Start a scheduler on its SQLite job store and (re)place every job (or `specs`) under its fixed id.

    A job whose schedule is unchanged keeps its persisted next run time, so runs missed while the
    service was down are caught up once (coalesced); a job switched `off` is removed.
    """
    store_path = store_path or settings.service_dir_for(db) / "scheduler.sqlite"
    store_path.parent.mkdir(parents=True, exist_ok=True)
    scheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{store_path}")},
        executors={"default": _Executor(2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=TIMEZONE,
    )
    scheduler.add_listener(lambda event: _on_not_run(db, event), EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
    scheduler.start(paused=True)
    for spec in specs or JOBS.values():
        made = trigger_for(spec.effective_schedule, spec.jitter)
        if made is None:
            if scheduler.get_job(spec.id):
                scheduler.remove_job(spec.id)
            continue
        trigger, kind = made
        args = [spec.id, str(db), kind, offline]
        existing = scheduler.get_job(spec.id)
        if existing is not None and str(existing.trigger) == str(trigger):
            scheduler.modify_job(spec.id, args=args, misfire_grace_time=spec.misfire_grace, coalesce=True,
                                 max_instances=1)
            continue
        scheduler.add_job(scheduled, trigger, args=args, id=spec.id, name=spec.description, replace_existing=True,
                          coalesce=True, max_instances=1, misfire_grace_time=spec.misfire_grace)
    if not paused:
        scheduler.resume()
    return scheduler


def _on_not_run(db: Path, event: JobSubmissionEvent) -> None:
    status = "missed" if event.code == EVENT_JOB_MISSED else "skipped_max_instances"
    when = getattr(event, "scheduled_run_time", None) or (getattr(event, "scheduled_run_times", None) or [None])[0]
    try:
        spec = JOBS.get(event.job_id)
        made = trigger_for(spec.effective_schedule) if spec else None
        record_event(Path(db), event.job_id, status, trigger=made[1] if made else "interval", scheduled_for=when,
                     error="the run started too late (misfire grace)" if status == "missed"
                     else "the previous run of this job was still running")
    except exc.StoreError as failure:
        log.error("could not record a run that did not start", job_id=event.job_id, status=status,
                  error=str(failure))


def describe(scheduler: BaseScheduler | None = None) -> list[dict]:
    """Every job: id, schedule, grace, description, and the next run when a scheduler is given."""
    rows = []
    for spec in JOBS.values():
        job = scheduler.get_job(spec.id) if scheduler else None
        rows.append({"job_id": spec.id, "schedule": spec.effective_schedule, "misfire_grace_s": spec.misfire_grace,
                     "description": spec.description,
                     "next_run": job.next_run_time.isoformat() if job and job.next_run_time else None})
    return rows
