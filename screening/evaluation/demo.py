"""The main job as one command: lists → synthetic accounts with planted matches → screening → summary.

Why: it shows the whole flow on a fresh machine with no network and no platform data. The lists are
the bundled dated snapshots (loudly labelled as such); the accounts are synthetic, with real list
entries planted under variant spellings, so the summary can say how many of them were found.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from lists.refresh import ensure_lists
from screening.evaluation.planting import LABEL_COLUMNS, plant_matches, planted_recall
from screening.export import write_table

BAND_ORDER = {"block_review": 0, "review": 1, "low": 2}
DEMO_ACCOUNTS = 20_000
DEMO_PLANTED = 60


@dataclass
class DemoResult:
    lists: list[dict[str, Any]]
    snapshot_loaded: bool
    accounts: int
    planted: int
    quarantined: int
    hits: pl.DataFrame
    planted_found: pl.DataFrame
    hits_file: Path
    accounts_file: Path
    run_id: Any = None
    timings: dict[str, float] = field(default_factory=dict)
    review: float = 0.0
    labels: pl.DataFrame | None = None  # account_id + planted_* labels
    import_id: int | None = None


def list_status(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The lists in force: source, publisher date, whether it is the bundled snapshot, counts."""
    return con.sql(
        """SELECT source, publisher_date, is_snapshot, complete, entry_count, name_count, loaded_at
           FROM current_versions ORDER BY source"""
    ).pl().to_dicts()


def snapshot_banner(lists: list[dict[str, Any]]) -> str:
    """A loud note when any list in force is the bundled snapshot: those are dated, not today's lists."""
    dated = [r for r in lists if r.get("is_snapshot")]
    if not dated:
        return ""
    rule = "!" * 78
    lines = [rule, "!! DATED SNAPSHOTS: these are the lists bundled with the code, NOT the lists in force",
             "!! today. Run `screening lists refresh` (online) before screening for real.", rule]
    for r in dated:
        lines.append(f"!!   {r['source']:<14} as of {r['publisher_date']}  ({r['entry_count']:>6} entries"
                     f"{'' if r.get('complete', True) else ', INCOMPLETE'})")
    lines.append(rule)
    return "\n".join(lines)


def demo_accounts(con: duckdb.DuckDBPyConnection, n: int, planted: int, seed: int) -> tuple[pl.DataFrame, Any]:
    """Synthetic accounts (canonical columns) with `planted` list entries hidden among them, and the import."""
    from screening.accounts import normalise_accounts
    from screening.evaluation.synth import synth_accounts

    imported = normalise_accounts(synth_accounts(n, seed))
    labelled = plant_matches(imported.accounts, con, n=planted, seed=seed)
    return labelled, imported


def store_accounts(con: duckdb.DuckDBPyConnection, labelled: pl.DataFrame, imported: Any) -> int:
    """Record the demo base as an account import, so later steps (alerts, eligibility, reports) see it."""
    from screening.accounts import AccountImport, store_import

    return store_import(con, AccountImport(accounts=labelled.drop(LABEL_COLUMNS), issues=imported.issues,
                                           source="demo (synthetic accounts with planted list entries)"))


def run_demo(
    con: duckdb.DuckDBPyConnection,
    *,
    db_path: Path | None,
    out_dir: Path,
    n: int = DEMO_ACCOUNTS,
    planted: int = DEMO_PLANTED,
    seed: int = 2026,
) -> DemoResult:
    """Load lists if needed, build the demo base, screen it as a full run and write the hits file."""
    from screening.matching import MatchConfig
    from screening.runs import screen_accounts

    timings: dict[str, float] = {}
    started = time.perf_counter()
    loaded = ensure_lists(con, db_path)
    timings["lists"] = time.perf_counter() - started

    started = time.perf_counter()
    labelled, imported = demo_accounts(con, n, planted, seed)
    quarantined = imported.unscreenable().height
    import_id = store_accounts(con, labelled, imported)
    timings["accounts"] = time.perf_counter() - started

    config = MatchConfig()
    started = time.perf_counter()
    result = screen_accounts(con, labelled.drop(LABEL_COLUMNS), kind="full", min_score=config.low, config=config)
    timings["screen"] = time.perf_counter() - started
    hits = result.hits

    hits_file = write_table(_flat(hits), out_dir / "demo_hits.csv")
    accounts_file = write_table(_flat(labelled), out_dir / "demo_accounts.csv")
    return DemoResult(
        lists=list_status(con),
        snapshot_loaded=loaded,
        accounts=labelled.height,
        planted=labelled.filter(pl.col("planted_source").is_not_null()).height,
        quarantined=quarantined,
        hits=hits,
        planted_found=planted_recall(labelled, hits, config.review),
        hits_file=hits_file,
        accounts_file=accounts_file,
        run_id=getattr(result, "run_id", None),
        timings=timings,
        review=config.review,
        labels=labelled.select("account_id", *LABEL_COLUMNS),
        import_id=import_id,
    )


def _flat(df: pl.DataFrame) -> pl.DataFrame:
    """Lists and structs as JSON text so the frame fits a CSV."""
    return df.with_columns(
        pl.col(c).map_elements(lambda v: None if v is None else _json(v), return_dtype=pl.String)
        for c, t in df.schema.items()
        if isinstance(t, (pl.List, pl.Struct, pl.Array))
    )


def _json(value: Any) -> str:
    import json

    if isinstance(value, pl.Series):
        value = value.to_list()
    return json.dumps(value, ensure_ascii=False, default=str)


def summary(result: DemoResult, top: int = 10) -> dict[str, Any]:
    """What the demo prints: hits by band and list, planted found, top hits with reasons."""
    hits = result.hits
    by_band = hits.group_by("band").agg(pl.len().alias("hits"), pl.col("account_id").n_unique().alias("accounts"))
    by_list = (
        hits.filter(pl.col("score") >= result.review)
        .group_by("source")
        .agg(pl.len().alias("hits"), pl.col("account_id").n_unique().alias("accounts"))
        .sort("hits", descending=True)
    )
    found = result.planted_found
    planted_total = int(found.get_column("planted").sum()) if found.height else 0
    found_total = int(found.get_column("found").sum()) if found.height else 0
    cols = [c for c in ("account_id", "query_name", "matched_name", "entry_name", "source", "source_id", "score",
                        "band", "reasons") if c in hits.columns]
    labels = result.labels.select("account_id", "planted_variation") if result.labels is not None else None
    best = hits.sort(["score", "account_id"], descending=[True, False]).unique("account_id", keep="first",
                                                                               maintain_order=True)
    top_hits = best.head(top).select(cols)
    if labels is not None:
        top_hits = top_hits.join(labels, on="account_id", how="left", maintain_order="left")
    top_hits = top_hits.to_dicts()
    return {
        "lists": result.lists,
        "snapshot_loaded_now": result.snapshot_loaded,
        "accounts": result.accounts,
        "quarantined_rows": result.quarantined,
        "planted": result.planted,
        "planted_found_at_review": found_total,
        "planted_recall": round(found_total / planted_total, 4) if planted_total else None,
        "planted_by_variation": found.to_dicts(),
        "hits": hits.height,
        "alerted_accounts": hits.filter(pl.col("score") >= result.review).get_column("account_id").n_unique(),
        "by_band": by_band.with_columns(pl.col("band").replace_strict(BAND_ORDER, default=9).alias("_o"))
        .sort("_o").drop("_o").to_dicts(),
        "by_list": by_list.to_dicts(),
        "top_hits": top_hits,
        "hits_file": str(result.hits_file),
        "accounts_file": str(result.accounts_file),
        "run_id": result.run_id,
        "account_import_id": result.import_id,
        "seconds": {k: round(v, 2) for k, v in result.timings.items()},
    }


def reasons_text(reasons: Any) -> str:
    """A hit's machine-readable reasons as one line: name score and route, then each qualifier."""
    import json

    data = json.loads(reasons) if isinstance(reasons, str) else reasons
    if not isinstance(data, dict):
        return str(data)
    parts = []
    name = data.get("name") or {}
    if name:
        parts.append(f"name {name.get('score', 0):.3f} via {name.get('route', '?')} ({name.get('name_type', '?')}): "
                     f"{name.get('alignment', '')}")
    if data.get("features"):
        from screening.matching.explain import format_steps

        parts.append(format_steps(data["features"]))
    return " · ".join(parts) if parts else json.dumps(data, ensure_ascii=False)


def summary_text(s: dict[str, Any]) -> str:
    """The summary for people."""
    lines = []
    banner = snapshot_banner(s["lists"])
    if banner:
        lines += [banner, ""]
    lines.append(f"Screened {s['accounts']:,} synthetic accounts ({s['planted']} with planted list entries; "
                 f"{s['quarantined_rows']} rows quarantined at import) against {len(s['lists'])} lists "
                 f"in {s['seconds'].get('screen', 0):.1f} s (run {s['run_id']}; accounts stored as import "
                 f"{s['account_import_id']}).")
    lines.append(f"Hits: {s['hits']:,} on {s['alerted_accounts']:,} alerted accounts (score ≥ review).")
    if s["planted"]:
        lines.append(f"Planted entries found at the review threshold: {s['planted_found_at_review']} / {s['planted']}"
                     f" ({100 * (s['planted_recall'] or 0):.1f} %).")
        missed = [r for r in s["planted_by_variation"] if r["found"] < r["planted"]]
        if missed:
            lines.append("  missed by variation: " + ", ".join(f"{r['planted_variation']} {r['planted'] - r['found']}"
                                                               for r in missed))
    lines.append("")
    lines.append("By band:")
    for r in s["by_band"]:
        lines.append(f"  {str(r['band']):<14} {r['hits']:>7,} hits  {r['accounts']:>7,} accounts")
    lines.append("By list (score ≥ review):")
    for r in s["by_list"]:
        lines.append(f"  {r['source']:<14} {r['hits']:>7,} hits  {r['accounts']:>7,} accounts")
    lines.append("")
    lines.append("Top hits (best per account; planted = a list entry hidden in the demo base on purpose):")
    for h in s["top_hits"]:
        query = h.get("query_name") or ""
        matched = h.get("matched_name") or h.get("entry_name") or ""
        planted = f"  [planted: {h['planted_variation']}]" if h.get("planted_variation") else ""
        lines.append(f"  {h['score']:.3f} {str(h.get('band')):<12} {h['account_id']:<10} {query!r} ~ {matched!r} "
                     f"[{h['source']}:{h['source_id']}]{planted}")
        if h.get("reasons") is not None:
            lines.append(f"        {reasons_text(h['reasons'])}")
    lines.append("")
    lines.append(f"Hits file: {s['hits_file']}")
    lines.append(f"Accounts (with planted labels): {s['accounts_file']}")
    return "\n".join(lines)
