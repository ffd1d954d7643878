"""Screening runs: the ledger of every run (kind, list versions, configuration, population) and its hits.

Public API (imported lazily, so the migration registry can load `screening.runs.schema` without the matcher):

    screen_accounts(db, accounts, *, kind="full", min_score=None, progress=False, entries=None,
                    config=DEFAULT_CONFIG, store=True) -> ScreenResult
        Screen a polars frame of accounts (docs/architecture.md §3.2 columns) against the lists in force. `db`:
        the store's path (opened only for the index and for the final write transaction) or a held connection. Records
        the run (screening_runs, screening_run_versions, match_configs) and its hits (screening_hits,
        docs/architecture.md §3.3 columns) unless store=False. `entries` = iterable of (source, source_id) or a frame
        with those columns: screen against those entries only (delta rescreen). ScreenResult has
        run_id, hits (score >= min_score, default MatchConfig.review), kind, config_hash,
        list_versions, population, duration_s, counts (per band, stored hits), stats.

    run_hits(con, run_id, min_score=None), write_hits(hits, path)

Tables (migrations in runs/schema.py): match_configs, screening_runs, screening_run_versions,
screening_hits. CLI: `screening screen` (runs/cli.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["HITS_COLUMNS", "RUN_KINDS", "ScreenResult", "run_hits", "screen_accounts", "screen_import", "write_hits"]

if TYPE_CHECKING:
    from screening.runs.ledger import (
        HITS_COLUMNS, RUN_KINDS, ScreenResult, run_hits, screen_accounts, screen_import, write_hits,
    )


def __getattr__(name: str) -> Any:
    if name in __all__:
        from screening.runs import ledger

        return getattr(ledger, name)
    raise AttributeError(f"module 'screening.runs' has no attribute {name!r}")
