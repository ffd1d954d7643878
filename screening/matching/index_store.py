"""The stored list index: per list version, its normalised forms and blocking keys in DuckDB.

Built from the store's list tables (never from list files), keyed by (version_id, index_key):
`index_key` fingerprints the normaliser and the keying code, so a better normaliser rebuilds the index
and an unchanged one is reused by every run and process start.
"""

from __future__ import annotations

import functools
import hashlib
import time
from importlib import resources
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from screening import normalize
from screening.store import fetch_one, transaction
from screening.matching import keys as keying
from screening.matching.arrays import form_tokens
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.normalize.forms import VESSEL_TYPES
from screening.logs import get_logger

log = get_logger(__name__)

INDEX_FORMAT = "2"  # 2: vessel and aircraft names also keyed as organisations

def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    """A query's result as a polars frame."""
    return con.sql(sql, params=params).pl()



@functools.cache
def _code_fingerprint() -> str:
    """Hash of the normaliser (code and data) and of the keying code: what the stored index depends on."""
    digest = hashlib.sha256(INDEX_FORMAT.encode())
    roots = [Path(normalize.__file__).parent, Path(str(resources.files("screening") / "resources" / "normalize"))]
    for root in roots:
        if not root.exists():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    digest.update(Path(keying.__file__).read_bytes())
    digest.update((Path(keying.__file__).parent / "tokens.py").read_bytes())
    matching_data = Path(str(resources.files("screening") / "resources" / "matching"))
    for path in sorted(p for p in matching_data.rglob("*") if p.is_file()):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(str(getattr(normalize, "__version__", "")).encode())
    return digest.hexdigest()


def index_key(config: MatchConfig = DEFAULT_CONFIG) -> str:
    """Key of the stored index: normaliser + keying code + the keying settings."""
    blob = f"{_code_fingerprint()}|{keying.KEYING_VERSION}|{config.deletion_min_len}"
    return hashlib.sha256(blob.encode()).hexdigest()[:16]



def listed_forms(names: pl.DataFrame) -> pl.DataFrame:
    """Listed names (name, subject_type, …) joined to their normalised forms (form, kind, legal_form).

    A vessel's or aircraft's name is also normalised as an organisation's: accounts are persons or
    organisations, and a ship-owning company named after its listed ship ("M/V CHON MYONG 1") must meet
    the same form, vessel prefix and all."""
    things = names.filter(pl.col("subject_type").str.to_lowercase().is_in(sorted(VESSEL_TYPES)))
    both = pl.concat([names, things.with_columns(pl.lit("organization").alias("subject_type"))])
    forms = normalize.name_forms_frame(both["name"].to_list(), both["subject_type"].to_list())
    return (
        both.with_row_index("idx").with_columns(pl.col("idx").cast(pl.UInt32))
        .join(forms.with_columns(pl.col("idx").cast(pl.UInt32)), on="idx")
        .filter(pl.col("form").str.len_chars() > 0)
    )


def build_version_index(con: duckdb.DuckDBPyConnection, version_id: int, config: MatchConfig = DEFAULT_CONFIG,
                        key: str | None = None) -> dict:
    """Normalise and key every name of one list version and store it (one transaction)."""
    key = key or index_key(config)
    started = time.perf_counter()
    source = fetch_one(con, "SELECT source FROM list_versions WHERE version_id = ?", [version_id])
    if source is None:
        raise ValueError(f"no list version {version_id}")
    n_names, rows, keys = _version_forms(con, version_id, config)
    tag = [pl.lit(version_id).cast(pl.Int32).alias("version_id"), pl.lit(key).alias("index_key")]
    rows = rows.select(*tag, "source", "source_id", "name", "name_type", "quality", "form", "kind", "legal_form")
    keys = keys.select(*tag, "form", "key")
    with transaction(con):
        con.execute("DELETE FROM match_index_forms WHERE version_id = ? AND index_key = ?", [version_id, key])
        con.execute("DELETE FROM match_index_keys WHERE version_id = ? AND index_key = ?", [version_id, key])
        con.execute("DELETE FROM match_index_builds WHERE version_id = ? AND index_key = ?", [version_id, key])
        con.register("_forms", rows.to_arrow())
        con.execute("INSERT INTO match_index_forms SELECT * FROM _forms")
        con.unregister("_forms")
        con.register("_keys", keys.to_arrow())
        con.execute("INSERT INTO match_index_keys SELECT * FROM _keys")
        con.unregister("_keys")
        seconds = time.perf_counter() - started
        con.execute(
            "INSERT INTO match_index_builds VALUES (?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?)",
            [version_id, key, source[0], seconds, n_names, rows.height, keys.height],
        )
    log.info("match index built", version_id=version_id, source=source[0], names=n_names,
             forms=rows.height, keys=keys.height, seconds=round(seconds, 1))
    return {"version_id": version_id, "source": source[0], "names": n_names, "forms": rows.height,
            "keys": keys.height, "seconds": round(seconds, 2)}


def _unit_tokens_frame(forms: list[str]) -> pl.DataFrame:
    toks = [form_tokens(f) for f in forms]
    return pl.DataFrame(
        {"unit": np.repeat(np.arange(len(forms), dtype=np.uint32), [len(t) for t in toks]),
         "pos": np.concatenate([np.arange(len(t), dtype=np.uint16) for t in toks]) if toks else [],
         "token": [t for ts in toks for t in ts]},
        schema={"unit": pl.UInt32, "pos": pl.UInt16, "token": pl.String},
    )


def is_read_only(con: duckdb.DuckDBPyConnection) -> bool:
    row = fetch_one(con, "SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()")
    return bool(row and row[0])


def missing_versions(con: duckdb.DuckDBPyConnection, config: MatchConfig = DEFAULT_CONFIG) -> list[int]:
    """Versions in force whose index (for this normaliser and keying) is not stored yet."""
    rows = con.execute(
        """SELECT v.version_id FROM current_versions v
           LEFT JOIN match_index_builds b ON b.version_id = v.version_id AND b.index_key = ?
           WHERE b.version_id IS NULL ORDER BY v.version_id""",
        [index_key(config)],
    ).fetchall()
    return [r[0] for r in rows]


def ensure_index(con: duckdb.DuckDBPyConnection, config: MatchConfig = DEFAULT_CONFIG, *,
                 purge: bool = True) -> list[dict]:
    """Build the index of every version in force that lacks one; drop index rows nobody uses.

    Call after a list refresh (the refresh job does) so lookups and runs find it ready.
    """
    built = [build_version_index(con, v, config) for v in missing_versions(con, config)]
    if purge:
        key = index_key(config)
        for table in ("match_index_forms", "match_index_keys", "match_index_builds"):
            con.execute(
                f"""DELETE FROM {table} WHERE index_key <> ?
                    OR version_id NOT IN (SELECT version_id FROM current_versions)""",
                [key],
            )
    return built



def _stored_forms(con: duckdb.DuckDBPyConnection, key: str, version_ids: list[int],
                  config: MatchConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(forms, keys) of the versions, from the stored index, built in memory where it is missing."""
    have: set[int] = set()
    exists = fetch_one(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'match_index_builds'")[0]
    if exists:
        have = {r[0] for r in con.execute(
            "SELECT version_id FROM match_index_builds WHERE index_key = ?", [key]).fetchall()}
    stored = [v for v in version_ids if v in have]
    parts_f: list[pl.DataFrame] = []
    parts_k: list[pl.DataFrame] = []
    if stored:
        parts_f.append(frame(
            con,
            """SELECT version_id, source, source_id, name, name_type, quality, form, kind, legal_form
               FROM match_index_forms WHERE index_key = ? AND version_id IN (SELECT unnest(?))""",
            [key, stored]))
        parts_k.append(frame(
            con,
            """SELECT DISTINCT form, key FROM match_index_keys
               WHERE index_key = ? AND version_id IN (SELECT unnest(?))""",
            [key, stored]))
    for v in version_ids:
        if v in have:
            continue
        log.warning("match index not stored; building it in memory", version_id=v)
        _, f, k = _version_forms(con, v, config)
        parts_f.append(f)
        parts_k.append(k)
    forms = pl.concat(parts_f) if parts_f else pl.DataFrame(
        schema={"version_id": pl.Int32, "source": pl.String, "source_id": pl.String, "name": pl.String,
                "name_type": pl.String, "quality": pl.String, "form": pl.String, "kind": pl.String,
                "legal_form": pl.String})
    keys = pl.concat(parts_k).unique() if parts_k else pl.DataFrame(schema={"form": pl.String, "key": pl.String})
    return forms, keys


def _version_forms(con: duckdb.DuckDBPyConnection, version_id: int,
                   config: MatchConfig) -> tuple[int, pl.DataFrame, pl.DataFrame]:
    """(names read, distinct form rows, keys (form, key)) of one list version."""
    names = frame(
        con,
        """SELECT DISTINCT n.version_id, n.source, n.source_id, n.name, n.name_type, n.quality, e.subject_type
           FROM list_names n JOIN list_entries e USING (version_id, source, source_id)
           WHERE n.version_id = ? ORDER BY n.source_id, n.name_type, n.name""", [version_id])
    rows = listed_forms(names).select("version_id", "source", "source_id", "name", "name_type", "quality",
                                      "form", "kind", "legal_form").unique()
    distinct = rows.select(pl.col("form").unique().sort())
    keys = keying.forms_keys_frame(_unit_tokens_frame(distinct["form"].to_list()), config.deletion_min_len)
    keys = keys.select("unit", "key").join(
        distinct.with_row_index("unit").with_columns(pl.col("unit").cast(pl.UInt32)), on="unit").select("form", "key")
    return names.height, rows, keys
