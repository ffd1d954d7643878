"""The list-side index: normalised names, tokens and blocking keys, built once per list version.

Built from the store's list tables (never from list files) and kept in DuckDB, keyed by
(version_id, index_key): `index_key` fingerprints the normaliser and the keying code, so a better
normaliser rebuilds the index and an unchanged one is reused by every run and process start.

`load_index` assembles the versions in force into an in-memory `ListIndex` (numpy arrays and polars
frames) that the batch screen, `lookup()` and the evaluation share.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Sequence

import duckdb
import numpy as np
import polars as pl

from screening import normalize
from screening.store import fetch_one, transaction
from screening.normalize.forms import VESSEL_TYPES
from screening.matching import keys as keying
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.matching.tokens import TokenTable, Vocab
from screening.logs import get_logger

log = get_logger(__name__)

INDEX_FORMAT = "2"  # 2: vessel and aircraft names also keyed as organisations
MAX_TOKENS = 32  # tokens of a form beyond this are dropped (none of the lists comes close)

KIND_CODES: dict[str, int] = {"latin": 0, "original": 1, "pinyin": 2, "variant": 3}
KIND_NAMES: dict[int, str] = {v: k for k, v in KIND_CODES.items()} | {4: "other"}
SUBJECT_CODES: dict[str, int] = {"person": 1, "organization": 2, "vessel": 3, "aircraft": 4}

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


# --------------------------------------------------------------------------------------------
# forms and units (shared by both sides)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitTable:
    """Distinct normalised forms ("units") with their token ids, padded to a matrix (-1 = none)."""

    text: np.ndarray  # object
    tok: np.ndarray  # int32 [n, width]
    ntok: np.ndarray  # int16
    strict: np.ndarray  # bool: derived from a Han name (pinyin syllables must match exactly)

    def __len__(self) -> int:
        return len(self.text)


def form_tokens(form: str) -> list[str]:
    return [t for t in normalize.tokens(form) if t][:MAX_TOKENS]


def build_units(texts: Sequence[str], vocab: Vocab, strict: np.ndarray | None = None) -> tuple[UnitTable, TokenTable]:
    """Token-id matrix of `texts` (forms) against `vocab`; new tokens get ids after the vocabulary."""
    toks = [form_tokens(t) for t in texts]
    flat = [t for ts in toks for t in ts]
    ids, table = vocab.encode(flat)
    return _pad(texts, toks, ids, strict), table


def _pad(texts: Sequence[str], toks: list[list[str]], ids: np.ndarray, strict: np.ndarray | None = None) -> UnitTable:
    n = len(texts)
    ntok = np.fromiter((len(t) for t in toks), dtype=np.int16, count=n)
    width = max(1, int(ntok.max()) if n else 1)
    mat = np.full((n, width), -1, dtype=np.int32)
    rows = np.repeat(np.arange(n), ntok)
    starts = np.cumsum(ntok) - ntok
    cols = np.arange(len(ids)) - np.repeat(starts, ntok)
    mat[rows, cols] = ids
    text = np.empty(n, dtype=object)
    text[:] = list(texts)
    return UnitTable(text, mat, ntok, np.zeros(n, dtype=bool) if strict is None else np.asarray(strict, dtype=bool))


_SCRIPT_WORDS = {"CJK": 1, "HANGUL": 2, "HIRAGANA": 3, "KATAKANA": 3, "CYRILLIC": 4, "ARABIC": 5, "GREEK": 6,
                 "HEBREW": 7, "GEORGIAN": 8, "ARMENIAN": 9, "THAI": 10, "DEVANAGARI": 11, "BENGALI": 12,
                 "ETHIOPIC": 13, "KHMER": 14, "TAMIL": 15, "PERSIAN": 5}
SCRIPT_HAN, SCRIPT_HANGUL = _SCRIPT_WORDS["CJK"], _SCRIPT_WORDS["HANGUL"]


@functools.lru_cache(maxsize=100_000)
def script_code(text: str) -> int:
    """The script a name is written in, when it is not Latin (0): Han, Hangul, Cyrillic, Arabic …"""
    for ch in text:
        if ch.isascii() or not ch.isalpha():
            continue
        word = unicodedata.name(ch, "").split(" ")[0]
        if word == "LATIN":
            continue
        return _SCRIPT_WORDS.get(word, 99)
    return 0


def script_codes(texts: Sequence[str]) -> np.ndarray:
    return np.fromiter((script_code(t or "") for t in texts), dtype=np.int32, count=len(texts))


def legal_family_codes(values: Sequence[str | None]) -> np.ndarray:
    """Small integer per legal-form family (Ltd and GmbH are both `limited`; 0 = none), from the
    normaliser's `legal_form_family`, comparable within one process."""
    out = np.zeros(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        if v:
            out[i] = (hash(_family(v)) & 0x7FFF_FFFF_FFFF) or 1
    return out


@functools.lru_cache(maxsize=1024)
def _family(code: str) -> str:
    family = getattr(normalize, "legal_form_family", None)
    return (family(code) if family else None) or code


# --------------------------------------------------------------------------------------------
# build and store per list version
# --------------------------------------------------------------------------------------------


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
    names = frame(
            con,
        """SELECT DISTINCT n.source, n.source_id, n.name, n.name_type, n.quality, e.subject_type
           FROM list_names n JOIN list_entries e USING (version_id, source, source_id)
           WHERE n.version_id = ? ORDER BY n.source_id, n.name_type, n.name""",
        [version_id],
    )
    source = fetch_one(con, "SELECT source FROM list_versions WHERE version_id = ?", [version_id])
    if source is None:
        raise ValueError(f"no list version {version_id}")
    rows = (
        listed_forms(names)
        .select(pl.lit(version_id).cast(pl.Int32).alias("version_id"), pl.lit(key).alias("index_key"),
                "source", "source_id", "name", "name_type", "quality", "form", "kind", "legal_form")
        .unique()
    )
    distinct = rows.select(pl.col("form").unique().sort())
    unit_tokens = _unit_tokens_frame(distinct["form"].to_list())
    keys = keying.forms_keys_frame(unit_tokens, config.deletion_min_len).select("unit", "key")
    keys = (
        keys.join(distinct.with_row_index("unit").with_columns(pl.col("unit").cast(pl.UInt32)), on="unit")
        .select(pl.lit(version_id).cast(pl.Int32).alias("version_id"), pl.lit(key).alias("index_key"),
                "form", "key")
    )
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
            [version_id, key, source[0], seconds, names.height, rows.height, keys.height],
        )
    log.info("match index built", version_id=version_id, source=source[0], names=names.height,
             forms=rows.height, keys=keys.height, seconds=round(seconds, 1))
    return {"version_id": version_id, "source": source[0], "names": names.height, "forms": rows.height,
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


# --------------------------------------------------------------------------------------------
# the in-memory index
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ragged:
    """Values grouped by an owner index: values[offsets[i]:offsets[i + 1]] belong to owner i."""

    offsets: np.ndarray  # int64 [n + 1]
    columns: dict[str, np.ndarray]

    @classmethod
    def group(cls, owner: np.ndarray, n: int, **columns: np.ndarray) -> "Ragged":
        order = np.argsort(owner, kind="stable")
        counts = np.bincount(owner, minlength=n)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return cls(offsets, {k: np.asarray(v)[order] for k, v in columns.items()})

    def expand(self, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in `owners`, row in the values) for every value of every owner."""
        starts = self.offsets[owners]
        counts = self.offsets[owners + 1] - starts
        pos = np.repeat(np.arange(len(owners)), counts)
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return pos, starts[pos] + within


@dataclass
class ListIndex:
    """The lists in force, ready for candidate generation and scoring."""

    index_key: str
    versions: pl.DataFrame  # source, version_id, publisher_date, loaded_at, sha256
    vocab: Vocab
    units: UnitTable
    unit_ids: dict[str, int]
    # one row per (list name, form): unit, name row, kind code, legal family
    unit_names: Ragged  # owner = unit; columns name, kind, legal
    names: pl.DataFrame  # name_idx → entry_idx, name, name_type, quality
    name_entry: np.ndarray  # int32 [names]
    name_weak: np.ndarray  # bool
    name_script: np.ndarray  # int32: script of the name's own (non-Latin) writing, 0 = Latin
    entries: pl.DataFrame  # entry_idx → source, source_id, subject_type, primary_name, regime, programs, version_id
    entry_type: np.ndarray  # int8 subject code
    entry_ids: dict[tuple[str, str], int]
    dobs: Ragged  # owner = entry; columns lo, hi (days), precision code
    countries: Ragged  # owner = entry; columns code (int), nat (bool: nationality/citizenship/birth)
    identifiers: Ragged  # owner = entry; columns number (str), kind (str)
    id_postings: dict[str, np.ndarray]  # normalised number → entries
    keys: pl.DataFrame  # key, unit (cut to max_key_postings)
    key_cut: int
    cut_keys: pl.DataFrame  # key: blocking keys cut as too common
    cut_key_set: frozenset[str]
    token_units: Ragged  # owner = token id; columns unit (for the fallback)
    vocab_by_len: tuple[np.ndarray, np.ndarray]  # token ids sorted by length, and lengths
    vocab_last: np.ndarray  # int32: code point of each list token's last character
    loaded_at: float = field(default_factory=time.time)
    _key_dict: dict[str, np.ndarray] | None = None
    _versions_used: list[dict] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def version_ids(self) -> tuple[int, ...]:
        return tuple(sorted(self.versions["version_id"].to_list()))

    def versions_used(self) -> list[dict]:
        """The list versions behind every result of this index (computed once: a lookup returns it each call)."""
        if self._versions_used is None:
            self._versions_used = self.versions.select("source", "version_id", "publisher_date", "sha256").to_dicts()
        return [dict(v) for v in self._versions_used]

    def key_dict(self) -> dict[str, np.ndarray]:
        """key → units, for one-name lookups (built on first use, shared by threads)."""
        if self._key_dict is None:
            with self._lock:
                if self._key_dict is None:
                    grouped = self.keys.group_by("key").agg(pl.col("unit"))
                    self._key_dict = {
                        k: np.asarray(u, dtype=np.int32)
                        for k, u in zip(grouped["key"].to_list(), grouped["unit"].to_list())
                    }
        return self._key_dict


DATE_PRECISION = {"exact": 0, "month": 1, "year": 2, "range": 3, "approximate": 4}


def load_index(con: duckdb.DuckDBPyConnection, config: MatchConfig = DEFAULT_CONFIG, *,
               build: bool = True) -> ListIndex:
    """The versions in force as a ListIndex; builds (and stores) missing version indexes first.

    All reads happen in one transaction, so the versions, names and entries are one consistent
    state even while a refresh commits. With `build=False` (a read-only store) missing version
    indexes are built in memory, not stored.
    """
    started = time.perf_counter()
    key = index_key(config)
    if build and not is_read_only(con):
        ensure_index(con, config, purge=False)
    with transaction(con):
        versions = frame(
            con,
            "SELECT source, version_id, publisher_date, loaded_at, sha256 FROM current_versions ORDER BY source"
        )
        forms, keys = _stored_forms(con, key, versions["version_id"].to_list(), config)
        entries = frame(
            con,
            """SELECT source, source_id, subject_type, primary_name, regime, programs, version_id
               FROM current_entries ORDER BY source, source_id""")
        dobs = frame(con, "SELECT source, source_id, date_from, date_to, precision FROM current_birth_dates")
        countries = frame(con, "SELECT DISTINCT source, source_id, country, role FROM current_countries")
        identifiers = frame(
            con,
            "SELECT DISTINCT source, source_id, id_type, number FROM current_identifiers")
    index = assemble_index(forms, versions, key, config, entries=entries, dobs=dobs, countries=countries,
                           identifiers=identifiers, keys=keys)
    log.info("match index loaded", index_key=key, units=len(index.units), names=index.names.height,
             entries=index.entries.height, seconds=round(time.perf_counter() - started, 1))
    return index


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
        f, k = _build_in_memory(con, v, config)
        parts_f.append(f)
        parts_k.append(k)
    forms = pl.concat(parts_f) if parts_f else pl.DataFrame(
        schema={"version_id": pl.Int32, "source": pl.String, "source_id": pl.String, "name": pl.String,
                "name_type": pl.String, "quality": pl.String, "form": pl.String, "kind": pl.String,
                "legal_form": pl.String})
    keys = pl.concat(parts_k).unique() if parts_k else pl.DataFrame(schema={"form": pl.String, "key": pl.String})
    return forms, keys


def _build_in_memory(con: duckdb.DuckDBPyConnection, version_id: int,
                     config: MatchConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    names = frame(
            con,
        """SELECT DISTINCT n.version_id, n.source, n.source_id, n.name, n.name_type, n.quality, e.subject_type
           FROM list_names n JOIN list_entries e USING (version_id, source, source_id)
           WHERE n.version_id = ?""", [version_id])
    rows = listed_forms(names).select("version_id", "source", "source_id", "name", "name_type", "quality",
                                      "form", "kind", "legal_form").unique()
    distinct = rows.select(pl.col("form").unique().sort())
    keys = keying.forms_keys_frame(_unit_tokens_frame(distinct["form"].to_list()), config.deletion_min_len)
    keys = keys.select("unit", "key").join(distinct.with_row_index("unit").with_columns(pl.col("unit").cast(pl.UInt32)),
                     on="unit").select("form", "key")
    return rows, keys


def assemble_index(forms: pl.DataFrame, versions: pl.DataFrame, key: str, config: MatchConfig, *,
                   entries: pl.DataFrame, dobs: pl.DataFrame, countries: pl.DataFrame,
                   identifiers: pl.DataFrame, keys: pl.DataFrame | None = None) -> ListIndex:
    """Arrays and lookup tables from list forms plus the entries' secondary data.

    `forms` has one row per (list name, form): source, source_id, name, name_type, quality, form, kind,
    legal_form. `keys` (form, key) come from the stored index or are computed here.
    """
    entries = entries.unique(["source", "source_id"], keep="first", maintain_order=True).with_row_index(
        "entry_idx").with_columns(pl.col("entry_idx").cast(pl.Int32))
    n_entries = entries.height
    entry_ids = {(s, i): n for n, (s, i) in enumerate(zip(entries["source"].to_list(),
                                                           entries["source_id"].to_list()))}
    ekeys = entries.select("source", "source_id", "entry_idx")

    # names and their forms
    names = (forms.select("source", "source_id", "name", "name_type", "quality").unique(maintain_order=True)
             .join(ekeys, on=["source", "source_id"]).with_row_index("name_idx")
             .with_columns(pl.col("name_idx").cast(pl.Int32)))
    names = names.sort("name_idx")
    frows = forms.join(names.select("source", "source_id", "name", "name_type", "quality", "name_idx"),
                       on=["source", "source_id", "name", "name_type", "quality"])
    unit_text = frows["form"].unique().sort().to_list()
    unit_ids = {t: i for i, t in enumerate(unit_text)}
    toks = [form_tokens(t) for t in unit_text]
    vocab = Vocab(t for ts in toks for t in ts)
    flat_ids, _ = vocab.encode([t for ts in toks for t in ts])
    units = _pad(unit_text, toks, flat_ids)
    frow_unit = np.fromiter((unit_ids[f] for f in frows["form"].to_list()), dtype=np.int32, count=frows.height)
    kind = frows["kind"].replace_strict(KIND_CODES, default=4, return_dtype=pl.Int8).to_numpy()
    legal = legal_family_codes(frows["legal_form"].to_list())
    unit_names = Ragged.group(frow_unit, len(units), name=frows["name_idx"].to_numpy().astype(np.int32),
                              kind=kind, legal=legal)

    entry_type = entries["subject_type"].replace_strict(SUBJECT_CODES, default=0, return_dtype=pl.Int8).to_numpy()
    dobs = dobs.join(ekeys, on=["source", "source_id"])
    lo = dobs["date_from"].cast(pl.Int32).fill_null(dobs["date_to"].cast(pl.Int32)).to_numpy()
    hi = dobs["date_to"].cast(pl.Int32).fill_null(dobs["date_from"].cast(pl.Int32)).to_numpy()
    ok = ~(np.isnan(lo.astype(float)) | np.isnan(hi.astype(float))) if len(lo) else np.zeros(0, dtype=bool)
    prec = dobs["precision"].replace_strict(DATE_PRECISION, default=4, return_dtype=pl.Int8).to_numpy()
    dob_rag = Ragged.group(dobs["entry_idx"].to_numpy()[ok], n_entries, lo=lo[ok].astype(np.int32),
                           hi=hi[ok].astype(np.int32), precision=prec[ok])
    countries = countries.join(ekeys, on=["source", "source_id"])
    ccodes = country_codes(countries["country"].to_list())
    nat = countries["role"].is_in(["nationality", "citizenship", "birth"]).to_numpy()
    country_rag = Ragged.group(countries["entry_idx"].to_numpy(), n_entries, code=ccodes, nat=nat)
    identifiers = identifiers.join(ekeys, on=["source", "source_id"]).with_columns(
        number=normalise_id_expr(pl.col("number")))
    identifiers = identifiers.filter(pl.col("number").str.len_chars() >= config.id_min_len)
    id_rag = Ragged.group(identifiers["entry_idx"].to_numpy(), n_entries,
                          number=identifiers["number"].to_numpy().astype(object),
                          kind=identifiers["id_type"].to_numpy().astype(object))
    grouped = identifiers.group_by("number").agg(pl.col("entry_idx").unique())
    id_postings = {n: np.asarray(e, dtype=np.int32) for n, e in zip(grouped["number"].to_list(),
                                                                     grouped["entry_idx"].to_list())}

    # blocking keys, cut at max_key_postings
    if keys is None:
        keys = keying.forms_keys_frame(_unit_tokens_frame(unit_text), config.deletion_min_len).select(
            "unit", "key").join(
            pl.DataFrame({"unit": np.arange(len(unit_text), dtype=np.uint32), "form": unit_text}), on="unit"
        ).select("form", "key")
    unit_frame = pl.DataFrame({"form": unit_text, "unit": np.arange(len(unit_text), dtype=np.int32)})
    kk = keys.join(unit_frame, on="form").select("key", "unit").unique()
    df = kk.group_by("key").agg(pl.len().alias("n"))
    kept = kk.join(df.filter(pl.col("n") <= config.max_key_postings).select("key"), on="key")
    cut_keys = df.filter(pl.col("n") > config.max_key_postings).select("key")

    # token → units (fallback) and vocabulary by length
    tok_flat = units.tok.ravel()
    tok_owner = np.repeat(np.arange(len(units), dtype=np.int32), units.tok.shape[1])
    valid = tok_flat >= 0
    token_units = Ragged.group(tok_flat[valid], len(vocab), unit=tok_owner[valid])
    lens = vocab.table.nchars.astype(np.int32)
    used = np.flatnonzero(np.diff(token_units.offsets) > 0)
    order = used[np.argsort(lens[used], kind="stable")]
    return ListIndex(
        index_key=key, versions=versions, vocab=vocab, units=units, unit_ids=unit_ids, unit_names=unit_names,
        names=names, name_entry=names["entry_idx"].to_numpy().astype(np.int32),
        name_weak=(names["quality"] == "weak").to_numpy(), name_script=script_codes(names["name"].to_list()),
        entries=entries, entry_type=entry_type, entry_ids=entry_ids, dobs=dob_rag, countries=country_rag,
        identifiers=id_rag, id_postings=id_postings, keys=kept, key_cut=config.max_key_postings,
        cut_keys=cut_keys, cut_key_set=frozenset(cut_keys["key"].to_list()),
        token_units=token_units, vocab_by_len=(order.astype(np.int32), lens[order]),
        vocab_last=np.fromiter((ord(t[-1]) if t else 0 for t in vocab.table.text.tolist()), dtype=np.int32,
                               count=len(vocab)),
    )


def normalise_id_expr(expr: pl.Expr) -> pl.Expr:
    """ID numbers compared as keyed values: upper case, letters and digits only."""
    return expr.str.to_uppercase().str.replace_all(r"[^0-9A-Z]", "")


def normalise_id(number: str | None) -> str:
    if not number:
        return ""
    return "".join(ch for ch in number.upper() if ch.isascii() and ch.isalnum())


def country_code(value: str | None) -> int:
    return ord(value[0].upper()) * 256 + ord(value[1].upper()) if value and len(value) == 2 else 0


def country_codes(values: Sequence[str | None] | pl.Series) -> np.ndarray:
    """ISO-2 codes as small integers (0 = none); each distinct value converted once."""
    if isinstance(values, list) and len(values) <= 4:
        return np.asarray([country_code(v) for v in values], dtype=np.int32)
    series = values if isinstance(values, pl.Series) else pl.Series(list(values), dtype=pl.String)
    distinct = series.drop_nulls().unique().to_list()
    table = {v: country_code(v) for v in distinct}
    return series.replace_strict(table, default=0, return_dtype=pl.Int32).fill_null(0).to_numpy()


# --------------------------------------------------------------------------------------------
# per-process cache
# --------------------------------------------------------------------------------------------

_CACHE: dict[tuple, ListIndex] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 2


def database_path(con: duckdb.DuckDBPyConnection) -> str:
    row = fetch_one(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
    return str(row[0]) if row and row[0] else f"memory:{id(con)}"


def current_version_ids(con: duckdb.DuckDBPyConnection) -> tuple[int, ...]:
    return tuple(r[0] for r in con.execute("SELECT version_id FROM current_versions ORDER BY version_id").fetchall())


def versions_fingerprint(con: duckdb.DuckDBPyConnection) -> tuple:
    """The versions in force by content (source, sha256): equal in any store that holds the same lists."""
    return tuple(con.execute("SELECT source, sha256 FROM current_versions ORDER BY source").fetchall())


def get_index(con: duckdb.DuckDBPyConnection, config: MatchConfig = DEFAULT_CONFIG, *,
              build: bool = True) -> ListIndex:
    """The ListIndex of the versions in force, loaded once per process and reused while they stay in force."""
    cache_key = (versions_fingerprint(con), index_key(config), config.max_key_postings)
    with _CACHE_LOCK:
        index = _CACHE.get(cache_key)
    if index is not None:
        return index
    index = load_index(con, config, build=build)
    fingerprint = tuple((r["source"], r["sha256"]) for r in index.versions.sort("source").to_dicts())
    cache_key = (fingerprint, index.index_key, config.max_key_postings)
    with _CACHE_LOCK:
        _CACHE[cache_key] = index
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
    return index


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()
