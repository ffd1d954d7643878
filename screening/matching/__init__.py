"""The sanctions matcher: list-side index, candidate generation, explainable scoring, the batch engine.

Batch runs with their ledger (`screen_accounts`, `run_hits`, `write_hits`) live in `screening.runs`;
`lookup()` (one subject at registration) sits above the matcher, in `screening.registration`.

Public API (stable; the evaluation, benchmark, jobs and demo call these):

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

Tables (migrations in matching/schema.py): match_index_builds, match_index_forms, match_index_keys.

CLI: `screening.matching.cli` — commands match compare / index / config / features.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "DEFAULT_CONFIG", "CompareResult", "MatchConfig", "compare", "compare_many",
    "describe_config", "describe_features", "ensure_index", "get_index", "load_index",
]

_WHERE = {
    "DEFAULT_CONFIG": "config", "MatchConfig": "config", "describe_config": "config",
    "describe_features": "features",
    "ensure_index": "index_store", "get_index": "cache", "load_index": "index",
    "CompareResult": "pairwise", "compare": "pairwise", "compare_many": "pairwise",
}

if TYPE_CHECKING:
    from screening.matching.pairwise import CompareResult, compare, compare_many
    from screening.matching.config import DEFAULT_CONFIG, MatchConfig, describe_config
    from screening.matching.features import describe_features
    from screening.matching.cache import get_index
    from screening.matching.index import load_index
    from screening.matching.index_store import ensure_index


def __getattr__(name: str) -> Any:
    """Lazy imports: `import screening.matching` stays cheap."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'screening.matching' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"screening.matching.{module}"), name)
