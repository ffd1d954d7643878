"""Whole-base eligibility run, its storage with the run, export, and the single-subject check.

`evaluate` is the one pipeline; the batch run (`run_eligibility`) feeds it the whole import, the
registration lookup (`check_subject`) feeds it one record plus the stored accounts it could
collide with, so both apply exactly the same rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from screening.accounts import (
    AccountImport,
    id_hash_key,
    identity_frame,
    normalise_accounts,
    store_import,
)
from screening.accounts.identity import key_warnings
from screening.store import transaction
from screening.eligibility.brand import CONFIG_PATH as BRAND_CONFIG_PATH
from screening.eligibility.brand import BrandConfig, brand_reasons
from screening.eligibility.capacity import (
    MINOR_CLASSES,
    capacity_frame,
    capacity_reasons,
    today_in_shanghai,
)
from screening.eligibility.id_reasons import id_reasons
from screening.eligibility.model import (
    REASON_SCHEMA,
    EligibilityResult,
    Reason,
    DATA_ISSUE_RULE,
    ReasonRule,
    collect_reasons,
    empty_reasons,
    reasons_where,
    status_frame,
)
from screening.eligibility.subjects import (
    RESOURCES,
    subject_reasons,
    transfer_reasons,
)
from screening.eligibility.rowexpr import Unsupported
from screening.eligibility.single import check_one
from screening.export import write_table
from screening.logs import get_logger

log = get_logger(__name__)

EXPORT_COLUMNS = ("account_id", "status", "capacity", "reasons")


@dataclass
class Evaluation:
    results: pl.DataFrame  # account_id, status, capacity, group_id, reasons (list of structs)
    reasons: pl.DataFrame  # REASON_SCHEMA, long
    as_of: dt.date


def prepare(con: duckdb.DuckDBPyConnection, accounts: pl.DataFrame, key: bytes | None = None) -> pl.DataFrame:
    """Accounts plus their identity columns (keyed ID hash, masked ID, ID checks)."""
    ident = identity_frame(con, accounts, key)
    return accounts.join(ident, on="account_id", how="left", maintain_order="left")


def evaluate(
    base: pl.DataFrame,
    *,
    as_of: dt.date | None = None,
    changes: pl.DataFrame | None = None,
    blocked: pl.DataFrame | None = None,
    previous: pl.DataFrame | None = None,
    allow_multiple: bool = False,
    brand_config: BrandConfig | None = None,
    issues: pl.DataFrame | None = None,
    carried: pl.DataFrame | None = None,
) -> Evaluation:
    """Every check over `base` (from `prepare`).

    `changes`: identity changes since the last import (transfers); `blocked`: account_id, why —
    accounts blocked for sanctions; `previous`: account_id, capacity of the last run (minors who
    turned 18 are reported); `issues`: data issues of the records read (ISSUE_SCHEMA), each a
    `review` reason — a dropped birth date, a missing name … never leave an account out;
    `carried` (REASON_SCHEMA): reasons an earlier evaluation established with data `base` lacks
    (the clear ID number): they replace this evaluation's reasons of the same check and account.
    """
    as_of = as_of or today_in_shanghai()
    capacity = capacity_frame(base, as_of)
    base = base.join(capacity.select("account_id", "dob_used"), on="account_id", how="left", maintain_order="left")
    groups, subject = subject_reasons(base, blocked=blocked, allow_multiple=allow_multiple)
    frames = [
        id_reasons(base),
        capacity_reasons(base, capacity, as_of),
        subject,
        transfer_reasons(changes) if changes is not None else empty_reasons(),
        brand_reasons(base, brand_config),
        data_issue_reasons(issues) if issues is not None else empty_reasons(),
    ]
    if previous is not None and not previous.is_empty():
        turned = capacity.join(previous.rename({"capacity": "previous_capacity"}), on="account_id")
        frames.append(
            reasons_where(
                turned,
                pl.col("previous_capacity").is_in(MINOR_CLASSES) & (pl.col("capacity") == "adult"),
                "capacity", "turned_adult", "info",
                pl.format("now {} ({} at the previous run)", pl.col("capacity"), pl.col("previous_capacity")),
            )
        )
    reasons = collect_reasons(frames)
    if carried is not None:
        replaced = carried.select("account_id", "check").unique()
        reasons = pl.concat([reasons.join(replaced, on=["account_id", "check"], how="anti"), carried])
    reasons = reasons.filter(pl.col("account_id").is_in(base["account_id"].implode()))
    results = (
        status_frame(base, reasons)
        .join(capacity.select("account_id", "capacity"), on="account_id", how="left", maintain_order="left")
        .join(groups.select("account_id", "group_id"), on="account_id", how="left", maintain_order="left")
        .select("account_id", "status", "capacity", "group_id", "reasons")
    )
    return Evaluation(results=results, reasons=reasons, as_of=as_of)


def data_issue_reasons(issues: pl.DataFrame) -> ReasonRule:
    """Data issues of the records read as `review` reasons (check `data`, code `data_<field>`)."""
    return DATA_ISSUE_RULE.over(issues.filter(pl.col("account_id").is_not_null()))


# ---- storage ----------------------------------------------------------------------------------


def config_hash() -> str:
    """Hash of the configuration files the checks read (stored with each run)."""
    digest = hashlib.sha256()
    for path in (BRAND_CONFIG_PATH, RESOURCES / "eligibility" / "names.yml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def run_eligibility(
    con: duckdb.DuckDBPyConnection,
    import_: AccountImport,
    *,
    as_of: dt.date | None = None,
    blocked: pl.DataFrame | None = None,
    allow_multiple: bool = False,
    key: bytes | None = None,
) -> tuple[int, Evaluation]:
    """Import the accounts (transfer detection against the previous import), evaluate, store."""
    started = time.perf_counter()
    key = key if key is not None else id_hash_key()
    previous = _previous_capacity(con)
    import_id = store_import(con, import_, key=key)
    changes = con.sql("SELECT * FROM account_identity_changes WHERE import_id = $i", params={"i": import_id}).pl()
    base = prepare(con, import_.first_per_account().drop("line"), key)
    evaluation = evaluate(base, as_of=as_of, changes=changes, blocked=blocked, previous=previous,
                          allow_multiple=allow_multiple, issues=import_.issues)
    run_id = _store_run(con, evaluation, started=started, import_id=import_id, basis="import",
                        warnings=key_warnings(key))
    return run_id, evaluation


# Reasons the store cannot re-derive: they need the clear ID number (its checks; the birth date it
# embeds) or the file's raw fields (data issues). `capacity` is carried only for the accounts whose
# age the store cannot tell: no stored birth date, or a declared date the ID number contradicted.
_LAST_FILE_RUN = """accounts a JOIN eligibility_runs e ON e.import_id = a.last_import_id AND e.basis = 'import'
    JOIN eligibility_{table} r ON r.run_id = e.run_id AND r.account_id = a.account_id"""
CARRIED_REASONS = f"""
    WITH last_file AS (SELECT r.* FROM {_LAST_FILE_RUN.format(table="reasons")})
    SELECT account_id, "check", code, severity, detail FROM last_file
    WHERE "check" IN ('id', 'data')
       OR ("check" = 'capacity' AND account_id IN (
              SELECT account_id FROM last_file WHERE code = 'dob_mismatch'
              UNION SELECT account_id FROM accounts WHERE birth_date IS NULL))"""


def run_stored_eligibility(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: dt.date | None = None,
    blocked: pl.DataFrame | None = None,
    allow_multiple: bool = False,
) -> tuple[int, Evaluation] | None:
    """Re-evaluate every stored account on `as_of` (the nightly run; None when no account is stored).

    What time or other accounts change is re-derived over the whole stored base: capacity (a minor
    turning 18, a birthday), shared subjects, suspended look-alikes, brand imitation. The store holds
    no clear ID number, so the reasons that need one (`CARRIED_REASONS`) come from each account's last
    evaluation with its file; for accounts whose age only the ID number told, the capacity found then
    stands (a birthday since is seen at the next import)."""
    started = time.perf_counter()
    base = _stored_frame(con, "TRUE", {})
    if base.is_empty():
        return None
    carried = con.sql(CARRIED_REASONS).pl().cast(REASON_SCHEMA)  # type: ignore[arg-type]
    carried_capacity = con.sql(
        f"""SELECT r.account_id, r.capacity FROM {_LAST_FILE_RUN.format(table="results")}
            WHERE r.account_id IN (SELECT unnest($ids))""",
        params={"ids": carried.filter(pl.col("check") == "capacity")["account_id"].unique().to_list()}).pl()
    evaluation = evaluate(base, as_of=as_of, blocked=blocked, previous=_previous_capacity(con),
                          allow_multiple=allow_multiple, carried=carried)
    evaluation.results = evaluation.results.update(carried_capacity, on="account_id")
    run_id = _store_run(con, evaluation, started=started, import_id=None, basis="stored", warnings=[])
    return run_id, evaluation


def _store_run(con: duckdb.DuckDBPyConnection, evaluation: Evaluation, *, started: float, import_id: int | None,
               basis: str, warnings: list[str]) -> int:
    """The run, its results and reasons, all or nothing (`started`: the run's perf_counter start)."""
    seconds = time.perf_counter() - started
    started_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(seconds=seconds)
    counts = evaluation.results["status"].value_counts()
    count = dict(zip(counts["status"].to_list(), counts["count"].to_list(), strict=True))
    run_id = con.execute("SELECT nextval('eligibility_run_seq')").fetchall()[0][0]
    results = evaluation.results.select("account_id", "status", "capacity", "group_id")
    con.register("elig_results", results)
    con.register("elig_reasons", evaluation.reasons)
    try:
        with transaction(con):
            con.execute("INSERT INTO eligibility_results SELECT $r, account_id, status, capacity, group_id FROM elig_results", {"r": run_id})
            con.execute('INSERT INTO eligibility_reasons SELECT $r, account_id, "check", code, severity, detail FROM elig_reasons', {"r": run_id})
            con.execute(
                """INSERT INTO eligibility_runs (run_id, started_at, seconds, as_of, import_id, accounts, eligible,
                       review, ineligible, config_hash, warnings, basis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [run_id, started_at, seconds, evaluation.as_of, import_id, results.height,
                 count.get("eligible", 0), count.get("review", 0), count.get("ineligible", 0), config_hash(),
                 json.dumps(warnings), basis],
            )
    finally:
        con.unregister("elig_results")
        con.unregister("elig_reasons")
    return int(run_id)


def _previous_capacity(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    last = con.execute("SELECT max(run_id) FROM eligibility_runs").fetchall()[0][0]
    if last is None:
        return None
    return con.sql("SELECT account_id, capacity FROM eligibility_results WHERE run_id = $r", params={"r": last}).pl()


def export(results: pl.DataFrame, path: Path | str) -> None:
    """account_id, status, capacity, reasons — CSV (reasons as JSON text), Parquet or JSON lines."""
    out = results.select(EXPORT_COLUMNS)
    if Path(path).suffix.lower() not in (".parquet", ".pq", ".jsonl", ".ndjson"):
        reasons_json = out["reasons"].list.eval(pl.element().struct.json_encode()).list.join(",")
        out = out.with_columns(reasons=pl.lit("[") + reasons_json + pl.lit("]"))
    write_table(out, path)


# ---- single subject ---------------------------------------------------------------------------


def check_subject(
    record: dict[str, object],
    *,
    as_of: dt.date | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    blocked: pl.DataFrame | None = None,
    key: bytes | None = None,
) -> EligibilityResult:
    """Eligibility of one subject (registration or account change), with the same rules as the
    batch run. With `con`, the stored accounts (see `screening.accounts.store.store_import`) are
    consulted for shared subjects, suspended look-alikes, guardians and transfers. Without `con` the
    record is checked row by row with the same rules compiled to Python (`screening.eligibility.single`,
    ~1 ms), or by the frame pipeline when that path cannot take it."""
    record = dict(record)
    record.setdefault("account_id", "(new)")
    key = key if key is not None else id_hash_key()
    if con is None:
        try:
            return check_one(record, as_of=as_of or today_in_shanghai(), key=key)
        except Unsupported as why:  # the frame pipeline answers: the same rules, in polars
            log.info("one-record eligibility on the frame path", reason=str(why)[:200])
        except Exception as error:  # noqa: BLE001  fail closed: never a guessed answer, the frame path's one
            # the error's type only: its message may quote the record (no customer data in logs)
            log.warning("one-record eligibility failed on the row path; frame path used", error=type(error).__name__)
    raw = pl.DataFrame([{k: None if v is None else str(v) for k, v in record.items()}])
    parsed = normalise_accounts(raw)
    subject = prepare(con or _scratch(), parsed.accounts.drop("line"), key)
    account_id = subject["account_id"][0]
    stored, changes = (_stored_neighbours(con, subject), _stored_changes(con, subject)) if _has_accounts(con) else (None, None)
    base = pl.concat([subject, stored], how="diagonal_relaxed") if stored is not None and stored.height else subject
    evaluation = evaluate(base, as_of=as_of, changes=changes, blocked=blocked, issues=parsed.issues)
    row = evaluation.results.filter(pl.col("account_id") == account_id).row(0, named=True)
    return EligibilityResult(
        account_id=account_id, status=row["status"], capacity=row["capacity"],
        reasons=[Reason(r["check"], r["code"], r["severity"], r["detail"]) for r in row["reasons"]],
    )


_LOCAL = threading.local()


def _scratch() -> duckdb.DuckDBPyConnection:
    """This thread's in-memory DuckDB for the identity columns of a record checked without a store
    (opening one costs more than the checks themselves)."""
    con = getattr(_LOCAL, "con", None)
    if con is None:
        con = _LOCAL.con = duckdb.connect()
    return con


def _has_accounts(con: duckdb.DuckDBPyConnection | None) -> bool:
    if con is None:
        return False
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'accounts'").fetchall()[0][0])


def _stored_neighbours(con: duckdb.DuckDBPyConnection, subject: pl.DataFrame) -> pl.DataFrame:
    """Stored accounts that could be the same subject or the guardian (other than itself)."""
    row = subject.row(0, named=True)
    return _stored_frame(
        con,
        """account_id <> $id AND (
              id_hash = $hash OR account_id = $guardian
           OR (subject_type = 'person' AND birth_date = $dob)
           OR (subject_type = 'organization' AND coalesce(country, '') = coalesce($country, '')
               AND lower(name) = lower($name)))""",
        {"id": row["account_id"], "hash": row["id_hash"], "guardian": row["guardian_account_id"],
         "dob": row["id_birth_date"] or row["birth_date"], "country": row["country"], "name": row["name"]},
    )


def _stored_frame(con: duckdb.DuckDBPyConnection, where: str, params: dict[str, object]) -> pl.DataFrame:
    """Stored accounts (`where`) in the columns of `prepare`; what needs the clear ID number is empty."""
    found = con.sql(
        f"""SELECT account_id, subject_type, name, name_latin, birth_date, country, nationality, id_type,
                   display_name, registered_at, updated_at, status, guardian_account_id, self_supporting,
                   id_kind, id_hash, id_masked
            FROM accounts WHERE {where} ORDER BY account_id""",
        params=params,
    ).pl()
    return found.with_columns(
        id_number=pl.lit(None, dtype=pl.Utf8), id_error=pl.lit(None, dtype=pl.Utf8),
        id_warnings=pl.lit([], dtype=pl.List(pl.Utf8)), id_birth_date=pl.lit(None, dtype=pl.Date),
        phone=pl.lit(None, dtype=pl.Utf8), email=pl.lit(None, dtype=pl.Utf8),
    )


def _stored_changes(con: duckdb.DuckDBPyConnection, subject: pl.DataFrame) -> pl.DataFrame:
    """The subject's identity change against its stored state (same rule as `store_import`)."""
    con.register("subject_row", subject.select("account_id", "name", "birth_date", "id_hash", "id_masked"))
    try:
        return con.sql(
            """
            SELECT a.last_import_id AS previous_import_id, s.account_id,
                   coalesce(s.id_hash <> a.id_hash, false) AS id_changed,
                   coalesce(s.name <> a.name, false) AS name_changed,
                   coalesce(s.birth_date <> a.birth_date, false) AS birth_date_changed,
                   a.id_masked AS old_id_masked, s.id_masked AS new_id_masked,
                   a.name AS old_name, s.name AS new_name, a.birth_date AS old_birth_date, s.birth_date AS new_birth_date
            FROM subject_row s JOIN accounts a USING (account_id)
            WHERE coalesce(s.id_hash <> a.id_hash, false)
               OR (coalesce(s.name <> a.name, false) AND coalesce(s.birth_date <> a.birth_date, false))
            """
        ).pl()
    finally:
        con.unregister("subject_row")


__all__ = ["REASON_SCHEMA", "Evaluation", "check_subject", "evaluate", "export", "prepare", "run_eligibility",
           "run_stored_eligibility"]
