"""The Python API a data team calls over a whole account base: import, screen, eligibility.

Each function takes the accounts as a file path (CSV, Parquet, JSON lines), a polars DataFrame or
LazyFrame, a pandas DataFrame or a pyarrow Table, and answers with a frame of the caller's kind: pandas
in → pandas out, Arrow in → Arrow out, polars (or a path) → polars. Columns are the account file's
(docs/architecture.md §3.2); the store is `db` (a path or an open connection; default:
`$SCREENING_DB`).

Fail closed: rows that cannot be read as accounts (no name, unknown subject type, duplicate id …) are
never silently left out of a screen or an eligibility run. By default the call refuses the input
(`exc.InputError`, naming the rows); with `skip_bad_rows=True` the readable rows are processed and
`import_accounts` reports the others row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

import duckdb
import polars as pl

from screening import exc, settings
from screening.accounts import AccountImport, normalise_accounts, read_accounts, store_import
from screening.eligibility.run import run_eligibility
from screening.logs import get_logger
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.runs.ledger import screen_import
from screening.store import connect

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

log = get_logger(__name__)

Kind = Literal["polars", "pandas", "arrow"]
Accounts = Union[str, Path, pl.DataFrame, pl.LazyFrame, "pd.DataFrame", "pa.Table"]
Frame = Union[pl.DataFrame, "pd.DataFrame", "pa.Table"]
Store = Union[str, Path, duckdb.DuckDBPyConnection, None]


def to_polars(data: Any) -> tuple[pl.DataFrame, Kind]:
    """A caller's frame as polars, and which kind it was (pandas is imported only when it is given one)."""
    if isinstance(data, pl.DataFrame):
        return data, "polars"
    if isinstance(data, pl.LazyFrame):
        return data.collect(), "polars"
    package = type(data).__module__.partition(".")[0]
    if package == "pyarrow" and hasattr(data, "schema"):
        frame = pl.from_arrow(data)
        if isinstance(frame, pl.DataFrame):
            return frame, "arrow"
    if package == "pandas" and hasattr(data, "columns"):
        return pl.from_pandas(data), "pandas"
    raise exc.UsageError(
        f"accounts must be a file path, a polars or pandas DataFrame or a pyarrow Table, not {type(data).__name__}"
    )


def from_polars(frame: pl.DataFrame, kind: Kind) -> Frame:
    """A result in the caller's kind."""
    if kind == "pandas":
        return frame.to_pandas()
    if kind == "arrow":
        return frame.to_arrow()
    return frame


def import_accounts(accounts: Accounts, *, db: Store = None) -> Frame:
    """Store an account base as an import; one outcome row per input row.

    Columns: `row` (1-based input row), `account_id`, `imported` (the store keeps the first row of each
    account_id), `screenable` (the row has a usable name), `reason` (its data issues and why it cannot be
    screened, `; `-joined; null when it has none), `import_id`.
    """
    imported, kind = _read(accounts)
    with _store(db) as con:
        import_id = store_import(con, imported)
    notes = pl.concat([
        imported.issues.select("line", pl.format("{}: {}", "field", "reason").alias("note")),
        imported.unscreenable().select("line", pl.col("reason").alias("note")),
    ]).unique(maintain_order=True).group_by("line", maintain_order=True).agg(pl.col("note").str.join("; "))
    outcome = (
        imported.accounts.select(pl.col("line").alias("row"), "account_id", pl.col("name").is_not_null().alias("screenable"))
        .with_columns(imported=pl.col("row") == pl.col("row").min().over("account_id"))
        .join(notes.rename({"line": "row", "note": "reason"}), on="row", how="left", maintain_order="left")
        .select("row", "account_id", "imported", "screenable", "reason", pl.lit(import_id, pl.Int64).alias("import_id"))
    )
    return from_polars(outcome, kind)


def screen(
    accounts: Accounts,
    *,
    db: Store = None,
    min_score: float | None = None,
    kind: str = "full",
    config: MatchConfig | None = None,
    skip_bad_rows: bool = False,
) -> Frame:
    """Screen the accounts against the lists in force, record the run, and return its hits (at or above
    `min_score`, default the review band; columns as `screening screen --out`, with `run_id`)."""
    imported, frame_kind = _read(accounts)
    _refuse_bad_rows(imported, skip_bad_rows)

    # the path, not a held connection: the screen opens the store only to read the index and to write the
    # run (short sessions), so other processes can write while it scores
    store = db if db is not None else settings.default_db_path()
    result = screen_import(store, imported, kind=kind, min_score=min_score, config=config or DEFAULT_CONFIG)
    return from_polars(result.hits, frame_kind)


def check_eligibility(
    accounts: Accounts,
    *,
    db: Store = None,
    as_of: dt.date | None = None,
    allow_multiple_accounts: bool = False,
    skip_bad_rows: bool = False,
) -> Frame:
    """Run the eligibility checks (civil capacity, IDs, one subject per account, brand look-alikes) as a
    stored run; one row per account: `run_id`, `account_id`, `status`, `capacity`, `group_id`, `reasons`."""
    imported, frame_kind = _read(accounts)
    _refuse_bad_rows(imported, skip_bad_rows)

    with _store(db) as con:
        run_id, evaluation = run_eligibility(con, imported, as_of=as_of, allow_multiple=allow_multiple_accounts)
    results = evaluation.results.select(pl.lit(run_id, pl.Int64).alias("run_id"), pl.all())
    return from_polars(results, frame_kind)


def _read(accounts: Accounts) -> tuple[AccountImport, Kind]:

    if isinstance(accounts, (str, Path)):
        return read_accounts(accounts), "polars"
    frame, kind = to_polars(accounts)
    imported = normalise_accounts(frame)
    imported.source = f"{kind} frame passed to the Python API"
    return imported, kind


def _refuse_bad_rows(imported: AccountImport, skip: bool) -> None:
    """Fail closed: a row that cannot be screened (no usable name) is reported, never silently left out.
    Rows with a bad secondary field are screened without it (their issues are stored with the run)."""
    bad = imported.unscreenable()
    if bad.height == 0:
        return
    if skip:
        log.warning("unreadable account rows skipped", rows=bad.height)
        return
    first = "; ".join(f"row {r['line']}: {r['reason']}" for r in bad.head(3).to_dicts())
    raise exc.InputError(
        f"{imported.source}: {bad.height} account row(s) cannot be screened ({first}{'; …' if bad.height > 3 else ''}); "
        "fix them, or pass skip_bad_rows=True and list them with import_accounts()"
    )


@contextmanager
def _store(db: Store) -> Iterator[duckdb.DuckDBPyConnection]:
    if isinstance(db, duckdb.DuckDBPyConnection):
        yield db
        return
    con = connect(Path(db) if db is not None else settings.default_db_path())
    try:
        yield con
    finally:
        con.close()
