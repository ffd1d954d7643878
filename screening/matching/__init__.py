"""The sanctions matcher: list-side index, candidate generation, explainable scoring, batch screening.

Public API (stable; the evaluation, benchmark, jobs and demo call these):

    screen_accounts(con, accounts, *, kind="full", min_score=None, progress=False, entries=None,
                    config=DEFAULT_CONFIG, store=True) -> ScreenResult
        Screen a polars frame of accounts (docs/architecture.md §3.2 columns) against the lists in force. Records
        the run (screening_runs, screening_run_versions, match_configs) and its hits (screening_hits,
        docs/architecture.md §3.3 columns) unless store=False. `entries` = iterable of (source, source_id) or a frame
        with those columns: screen against those entries only (delta rescreen). ScreenResult has
        run_id, hits (score >= min_score, default MatchConfig.review), kind, config_hash,
        list_versions, population, duration_s, counts (per band, stored hits), stats.

    lookup(name, *, subject_type=None, name_latin=None, birth_date=None, country=None,
           nationality=None, id_number=None, id_type=None, db=None, config=DEFAULT_CONFIG,
           min_score=None, eligibility=False) -> LookupResult
        One subject at registration: decision clear / review / block, hits with reasons, list
        versions, config hash; fails closed (review, "lists stale: …") on stale mandatory lists.

    compare(a, b, *, subject_type=None, a_birth_date=None, b_birth_date=None, a_country=None,
            b_country=None, a_id=None, b_id=None, a_id_type=None, b_id_type=None, b_weak=False,
            config=DEFAULT_CONFIG) -> CompareResult(score, name_score, band, query_name,
            matched_name, reasons)
    compare_many([(a_record, b_record), ...], config) -> list[CompareResult]
        The batch scorer on two names / small records (a = account side, b = listed side).

    ensure_index(con, config) / load_index(con, config) / get_index(con, config)
        Build (and store in DuckDB) the per-version list index; load the versions in force.
        Call ensure_index after a list refresh so lookups and runs find it ready.

    MatchConfig, DEFAULT_CONFIG, describe_config(config), describe_features(config)
        The documented, hashed settings (bands: block_review >= 0.88, review >= 0.77, low >= 0.63)
        and the feature table (name, dob, country, subject_type, legal_form, identifier, alias).

    run_hits(con, run_id, min_score=None), write_hits(hits, path)

Tables (migrations in matching/schema.py and runs/schema.py): match_index_builds,
match_index_forms, match_index_keys, match_configs, screening_runs, screening_run_versions,
screening_hits.

CLI: `screening.matching.cli` — commands screen, lookup, compare, index (registered by the lead).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "DEFAULT_CONFIG", "CompareResult", "LookupResult", "MatchConfig", "ScreenResult", "compare", "compare_many",
    "describe_config", "describe_features", "ensure_index", "get_index", "load_index", "lookup", "run_hits",
    "screen_accounts", "write_hits",
]

_WHERE = {
    "DEFAULT_CONFIG": "config", "MatchConfig": "config", "describe_config": "config",
    "describe_features": "features",
    "ensure_index": "index_store", "get_index": "cache", "load_index": "index",
    "ScreenResult": "screen", "screen_accounts": "screen", "run_hits": "screen", "write_hits": "screen",
    "LookupResult": "registration", "lookup": "registration",
    "CompareResult": "pairwise", "compare": "pairwise", "compare_many": "pairwise",
}

if TYPE_CHECKING:
    from screening.matching.pairwise import CompareResult, compare, compare_many
    from screening.matching.config import DEFAULT_CONFIG, MatchConfig, describe_config
    from screening.matching.features import describe_features
    from screening.matching.cache import get_index
    from screening.matching.index import load_index
    from screening.matching.index_store import ensure_index
    from screening.matching.registration import LookupResult, lookup
    from screening.matching.screen import ScreenResult, run_hits, screen_accounts, write_hits


def __getattr__(name: str) -> Any:
    """Lazy imports: `import screening.matching` stays cheap."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'screening.matching' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"screening.matching.{module}"), name)
