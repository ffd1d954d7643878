"""The jobs: fixed ids, the function each runs, its default schedule and misfire grace.

A schedule is a crontab line (Asia/Shanghai), `every <seconds>`, or `off`;
`SCREENING_SCHEDULE_<JOB>` overrides it (e.g. SCREENING_SCHEDULE_SCREEN_FULL="0 3 * * 0" for weekly).
The grace is how late a run may still start after the process was down or busy: hourly and shorter
jobs get their own period (a later run covers the same ground), the nightly ones no limit (None: run
once when the service is back, coalesced).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jobs import housekeeping, lists, screens
from jobs.runner import JobContext, JobFunction
from screening import exc, settings


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: JobFunction
    schedule: str
    misfire_grace: int | None
    description: str
    jitter: int | None = None
    heavy: bool = False  # the service runs it in a child process (jobs/worker.py), away from the lookup API

    @property
    def effective_schedule(self) -> str:
        return settings.job_schedule(self.id) or self.schedule


def report_nightly(ctx: JobContext) -> dict[str, Any]:
    """The report job; reports/ (Jinja2, charts, the report queries) is imported when it runs, not with
    the registry that every job and CLI command reads."""
    from reports.render import report_job

    return report_job(ctx)


JOBS: dict[str, JobSpec] = {spec.id: spec for spec in (
    JobSpec("lists.refresh", lists.refresh_lists, "every 3600", 3600,
            "conditional GET of every source; new versions → index snapshot and delta screen", jitter=300,
            heavy=True),
    JobSpec("screen.delta", screens.screen_delta, "every 900", 900,
            "every account against the entries new list versions added or changed (also run by lists.refresh)",
            heavy=True),
    JobSpec("accounts.import", screens.import_accounts, "every 300", 300,
            "import account files dropped in the inbox, with eligibility; then screen.accounts", heavy=True),
    JobSpec("screen.accounts", screens.screen_changed_accounts, "every 600", 600,
            "new and changed accounts against every list", heavy=True),
    JobSpec("screen.full", screens.screen_full, "0 2 * * *", None,
            "nightly full rescreen of every open account, with eligibility", heavy=True),
    JobSpec("lists.stale_alarm", lists.stale_alarm, "every 900", 900,
            "alarm when a mandatory list has not been checked successfully within its maximum age"),
    JobSpec("cases.followups", housekeeping.followups, "0 1 * * *", None,
            "expire suppressions, reopen inconclusive alerts whose follow-up is due"),
    JobSpec("retention.purge", housekeeping.purge, "30 3 * * *", None,
            "remove personal data past retention (not under legal hold or an open alert)"),
    JobSpec("lookups.fold", housekeeping.fold_lookups, "every 60", 60,
            "fold the lookup-event spool into the store"),
    JobSpec("report.nightly", report_nightly, "0 6 * * *", None,
            "the nightly report officers read (HTML, CSV exports, run certificate)", heavy=True),
)}

# `screening nightly`: the same chain once, in this order
NIGHTLY = ("lists.refresh", "accounts.import", "screen.delta", "screen.accounts", "screen.full",
           "lists.stale_alarm", "cases.followups", "lookups.fold", "report.nightly")


def get_job(job_id: str) -> JobSpec:
    try:
        return JOBS[job_id]
    except KeyError:
        raise exc.UsageError(f"unknown job {job_id!r}; jobs: {', '.join(JOBS)}") from None
