"""The in-memory list index: the versions in force as numpy arrays and polars frames.

`load_index` reads the stored index (index_store.py) and the entries' secondary data in one
transaction and `assemble_index` turns them into a `ListIndex`, which the batch screen, `lookup()`,
`compare()` and the evaluation share.

Assembling takes seconds (a token table of every list token, the keys sorted and cut, the batch join
tables); a store on disk keeps the assembled index as one file per content (`cache_path`, in
`index-cache/` beside the store, `settings.index_cache_dir_for`), so the next process loads arrays
instead of rebuilding them. The file is named by everything the index is made of (the list versions in
force by content, the normaliser's index key, every matching setting, the library versions), written
under a temporary name and renamed into place: it is never stale, never half-read, and a corrupt one is
rebuilt. It is a pickle: the folder is trusted as the store beside it is.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import os
import pickle
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from screening import settings
from screening.logs import get_logger
from screening.matching import keys as keying
from screening.matching.arrays import Ragged, UnitTable, _pad, form_tokens
from screening.matching.codes import (
    DATE_PRECISION,
    KIND_CODES,
    SUBJECT_CODES,
    cjk_person_names,
    country_codes,
    legal_family_codes,
    normalise_id_expr,
    script_codes,
)
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.matching.index_store import (
    _stored_forms,
    _unit_tokens_frame,
    ensure_index,
    frame,
    index_key,
    is_read_only,
)
from screening.matching.tokens import Vocab
from screening.store import fetch_one, transaction

log = get_logger(__name__)


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
    entry_cjk: np.ndarray  # bool: the entry has a Chinese or Korean name in Han or Hangul (its Latin names romanise it)
    entry_ids: dict[tuple[str, str], int]
    dobs: Ragged  # owner = entry; columns lo, hi (days), precision code
    countries: Ragged  # owner = entry; columns code (int), nat (bool: nationality/citizenship/birth)
    identifiers: Ragged  # owner = entry; columns number (str), kind (str)
    id_postings: dict[str, np.ndarray]  # normalised number → entries
    keys: pl.DataFrame  # key, unit (cut to max_key_postings)
    key_cut: int
    cut_keys: pl.DataFrame  # key, cid: blocking keys cut as too common, numbered
    cut_key_ids: dict[str, int]  # key → cid
    cut_units: Ragged  # owner = cid; column unit: the units holding the cut key, sorted
    token_units: Ragged  # owner = token id; columns unit (for the fallback)
    vocab_by_len: tuple[np.ndarray, np.ndarray]  # token ids sorted by length, and lengths
    vocab_last: np.ndarray  # int32: code point of each list token's last character
    loaded_at: float = field(default_factory=time.time)
    _key_dict: "KeyPostings | None" = None
    _derived: dict = field(default_factory=dict)  # tables built on first use (blocking.list_join_tables)
    _versions_used: list[dict] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _file: Path | None = None  # the assembled-index cache file holding exactly this index, when there is one

    @property
    def version_ids(self) -> tuple[int, ...]:
        return tuple(sorted(self.versions["version_id"].to_list()))

    def versions_used(self) -> list[dict]:
        """The list versions behind every result of this index (computed once: a lookup returns it each call)."""
        if self._versions_used is None:
            self._versions_used = self.versions.select("source", "version_id", "publisher_date", "sha256").to_dicts()
        return [dict(v) for v in self._versions_used]

    def key_dict(self) -> "KeyPostings":
        """key → units, for one-name lookups (built on first use, shared by threads)."""
        if self._key_dict is None:
            with self._lock:
                if self._key_dict is None:
                    self._key_dict = KeyPostings(self.keys)
        return self._key_dict


class KeyPostings:
    """key → its units (int32 array), read with `get` like a dict.

    One array per key would be some 750,000 small objects built at every process start (seconds); the
    units stay one array here, cut by key boundaries, and only the key → position dict is built."""

    def __init__(self, keys: pl.DataFrame) -> None:
        keys = keys.sort("key", maintain_order=True)  # each key's units in the frame's order, as group_by gave
        key = keys["key"]
        starts = np.flatnonzero((key != key.shift(1)).fill_null(True).to_numpy())
        self._pos = dict(zip(key.gather(starts).to_list(), range(len(starts))))
        self._bounds = np.append(starts, keys.height)
        self._units = keys["unit"].to_numpy().astype(np.int32)

    def get(self, key: str, default: np.ndarray | None = None) -> np.ndarray | None:
        k = self._pos.get(key)
        return default if k is None else self._units[self._bounds[k]:self._bounds[k + 1]]

    def __len__(self) -> int:
        return len(self._pos)



def load_index(con: duckdb.DuckDBPyConnection, config: MatchConfig = DEFAULT_CONFIG, *,
               build: bool = True) -> ListIndex:
    """The versions in force as a ListIndex; builds (and stores) missing version indexes first.

    With `build=False` (a read-only store) missing version indexes are built in memory, not stored.
    """
    started = time.perf_counter()
    if build and not is_read_only(con):
        ensure_index(con, config, purge=False)
    path = cache_path(con, config)
    index = read_cached(path) if path is not None else None
    if index is None:
        inputs = read_index_inputs(con, config, build=False)
        index = assemble_index(config=config, **inputs)
        if path is not None:
            from screening.matching.blocking import list_join_tables

            list_join_tables(index, config)  # the batch join's list side, kept in the file too
            if write_cached(path, index):
                index._file = path
    else:
        index._file = path
    log.info("match index loaded", index_key=index.index_key, units=len(index.units), names=index.names.height,
             entries=index.entries.height, cached=path is not None and path.exists(),
             seconds=round(time.perf_counter() - started, 1))
    return index


CACHE_FORMAT = "5"  # 2: a SHA-256 header line before the pickle; 3: the units of each cut key; 4: entry_cjk;
# 5: TokenTable.number
CACHE_KEEP = 2  # assembled indexes kept per folder (the one in force and the one before it)
_NOT_PICKLED = ("_lock", "_key_dict", "_file")


def cache_path(con: duckdb.DuckDBPyConnection, config: MatchConfig) -> Path | None:
    """The file of the assembled index of the versions in force, named by its content; None for a store
    in memory."""
    row = fetch_one(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
    if not row or not row[0]:
        return None
    versions = con.execute("SELECT source, version_id, sha256 FROM current_versions ORDER BY source").fetchall()
    builds = []
    if fetch_one(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'match_index_builds'")[0]:
        builds = con.execute("SELECT version_id, built_at FROM match_index_builds WHERE index_key = ? ORDER BY 1",
                             [index_key(config)]).fetchall()
    options = {k: v for k, v in config.to_dict().items() if k != "workers"}  # the same index on any core count
    blob = json.dumps([CACHE_FORMAT, index_key(config), versions, builds, options, pl.__version__,
                       np.__version__, sys.version], sort_keys=True, default=str)
    return settings.index_cache_dir_for(Path(row[0])) / f"{hashlib.sha256(blob.encode()).hexdigest()[:24]}.pickle"


def read_cached(path: Path) -> ListIndex | None:
    """The index in the file, or None when it is missing, corrupt or foreign (its SHA-256 header must
    match the rest: a flipped bit in an array would unpickle and be served)."""
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of new objects, none of them garbage: no collection passes over them
    try:
        with open(path, "rb") as handle:
            digest, payload = handle.read(65), handle.read()
        if digest != hashlib.sha256(payload).hexdigest().encode() + b"\n":
            raise ValueError("checksum")
        fields = pickle.loads(payload)
        return ListIndex(**{**fields, "loaded_at": time.time()})
    except FileNotFoundError:
        return None
    except Exception as error:  # a corrupt or foreign file: rebuild (and replace it)
        log.warning("assembled index cache not read; rebuilding", path=str(path), error=f"{type(error).__name__}")
        return None
    finally:
        if collecting:
            gc.enable()


def write_cached(path: Path, index: ListIndex) -> bool:
    """Write the file under a temporary name and rename it into place; drop the oldest beyond CACHE_KEEP.
    A folder that cannot be written only costs the next process the assembling (False: not written)."""
    fields = {f.name: getattr(index, f.name) for f in dataclasses.fields(index) if f.name not in _NOT_PICKLED}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = pickle.dumps(fields, protocol=5)
        with open(tmp, "wb") as handle:
            handle.write(hashlib.sha256(payload).hexdigest().encode() + b"\n")
            handle.write(payload)
        os.replace(tmp, path)
        older = sorted((p for p in path.parent.glob("*.pickle") if p != path), key=lambda p: p.stat().st_mtime,
                       reverse=True)
        for old in older[CACHE_KEEP - 1:]:
            old.unlink(missing_ok=True)
        return True
    except OSError as error:
        tmp.unlink(missing_ok=True)
        log.warning("assembled index cache not written", path=str(path), error=str(error))
        return False


def read_index_inputs(con: duckdb.DuckDBPyConnection, config: MatchConfig = DEFAULT_CONFIG, *,
                      build: bool = True) -> dict:
    """Everything `assemble_index` needs, read in one transaction (so the versions, names and entries are
    one consistent state even while a refresh commits): the frames forms, versions, entries, dobs,
    countries, identifiers, keys and the index key. The published snapshot (snapshot.py) stores these."""
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
        dobs = frame(con, "SELECT source, source_id, date_from, date_to, precision FROM current_birth_dates "
                     "ORDER BY ALL")
        countries = frame(con, "SELECT DISTINCT source, source_id, country, role FROM current_countries ORDER BY ALL")
        identifiers = frame(
            con,
            "SELECT DISTINCT source, source_id, id_type, number FROM current_identifiers ORDER BY ALL")
    return {"forms": forms, "versions": versions, "key": key, "entries": entries, "dobs": dobs,
            "countries": countries, "identifiers": identifiers, "keys": keys}



def _cut_units(kk: pl.DataFrame, cut_keys: pl.DataFrame, units: UnitTable, text: np.ndarray) -> Ragged:
    """Per cut key, the units that hold it (sorted): by their own keys, and by two adjacent tokens joined,
    which the batch join also meets (blocking.list_join_tables)."""
    rows = (pl.concat([kk.select("key", pl.col("unit").cast(pl.Int32)), keying.adjacent_keys(units.tok, text)])
            .join(cut_keys, on="key").select("cid", "unit").unique().sort("cid", "unit"))
    return Ragged.group(rows["cid"].to_numpy().astype(np.int64), cut_keys.height,
                        unit=rows["unit"].to_numpy().astype(np.int32))


def assemble_index(forms: pl.DataFrame, versions: pl.DataFrame, key: str, config: MatchConfig, *,
                   entries: pl.DataFrame, dobs: pl.DataFrame, countries: pl.DataFrame,
                   identifiers: pl.DataFrame, keys: pl.DataFrame | None = None) -> ListIndex:
    """Arrays and lookup tables from list forms plus the entries' secondary data.

    `forms` has one row per (list name, form): source, source_id, name, name_type, quality, form, kind,
    legal_form. `keys` (form, key) come from the stored index or are computed here.

    Deterministic: every input is put in one order first and every join keeps it, so two builds of the
    same lists — in any process, a published snapshot or a Spark worker — number names, units and keys
    alike, and ties between equal candidates are broken the same way (same hits).
    """
    forms = forms.sort(["source", "source_id", "name", "name_type", "quality", "form", "kind", "legal_form"],
                       nulls_last=True)
    entries = entries.unique(["source", "source_id"], keep="first", maintain_order=True).with_row_index(
        "entry_idx").with_columns(pl.col("entry_idx").cast(pl.Int32))
    n_entries = entries.height
    entry_ids = {(s, i): n for n, (s, i) in enumerate(zip(entries["source"].to_list(),
                                                           entries["source_id"].to_list()))}
    ekeys = entries.select("source", "source_id", "entry_idx")

    # names and their forms
    names = (forms.select("source", "source_id", "name", "name_type", "quality").unique(maintain_order=True)
             .join(ekeys, on=["source", "source_id"], maintain_order="left").with_row_index("name_idx")
             .with_columns(pl.col("name_idx").cast(pl.Int32)))
    names = names.sort("name_idx")
    frows = forms.join(names.select("source", "source_id", "name", "name_type", "quality", "name_idx"),
                       on=["source", "source_id", "name", "name_type", "quality"], maintain_order="left")
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
    dobs = dobs.join(ekeys, on=["source", "source_id"], maintain_order="left")
    lo = dobs["date_from"].cast(pl.Int32).fill_null(dobs["date_to"].cast(pl.Int32)).to_numpy()
    hi = dobs["date_to"].cast(pl.Int32).fill_null(dobs["date_from"].cast(pl.Int32)).to_numpy()
    ok = ~(np.isnan(lo.astype(float)) | np.isnan(hi.astype(float))) if len(lo) else np.zeros(0, dtype=bool)
    prec = dobs["precision"].replace_strict(DATE_PRECISION, default=4, return_dtype=pl.Int8).to_numpy()
    dob_rag = Ragged.group(dobs["entry_idx"].to_numpy()[ok], n_entries, lo=lo[ok].astype(np.int32),
                           hi=hi[ok].astype(np.int32), precision=prec[ok])
    countries = countries.join(ekeys, on=["source", "source_id"], maintain_order="left")
    ccodes = country_codes(countries["country"].to_list())
    nat = countries["role"].is_in(["nationality", "citizenship", "birth"]).to_numpy()
    country_rag = Ragged.group(countries["entry_idx"].to_numpy(), n_entries, code=ccodes, nat=nat)
    identifiers = identifiers.join(ekeys, on=["source", "source_id"], maintain_order="left").with_columns(
        number=normalise_id_expr(pl.col("number")))
    identifiers = identifiers.filter(pl.col("number").str.len_chars() >= config.id_min_len)
    id_rag = Ragged.group(identifiers["entry_idx"].to_numpy(), n_entries,
                          number=identifiers["number"].to_numpy().astype(object),
                          kind=identifiers["id_type"].to_numpy().astype(object))
    grouped = identifiers.group_by("number", maintain_order=True).agg(pl.col("entry_idx").unique(maintain_order=True))
    id_postings = {n: np.asarray(e, dtype=np.int32) for n, e in zip(grouped["number"].to_list(),
                                                                     grouped["entry_idx"].to_list())}

    # blocking keys, cut at max_key_postings
    if keys is None:
        keys = keying.forms_keys_frame(_unit_tokens_frame(unit_text), config.deletion_min_len).select(
            "unit", "key").join(
            pl.DataFrame({"unit": np.arange(len(unit_text), dtype=np.uint32), "form": unit_text}), on="unit"
        ).select("form", "key")
    unit_frame = pl.DataFrame({"form": unit_text, "unit": np.arange(len(unit_text), dtype=np.int32)})
    kk = keys.join(unit_frame, on="form").select("key", "unit").unique().sort("key", "unit")
    df = kk.group_by("key", maintain_order=True).agg(pl.len().alias("n"))
    kept = kk.join(df.filter(pl.col("n") <= config.max_key_postings).select("key"), on="key",
                   maintain_order="left")
    cut_keys = df.filter(pl.col("n") > config.max_key_postings).select("key").with_row_index("cid")
    cut_units = _cut_units(kk, cut_keys, units, vocab.table.text)

    # token → units (fallback) and vocabulary by length
    tok_flat = units.tok.ravel()
    tok_owner = np.repeat(np.arange(len(units), dtype=np.int32), units.tok.shape[1])
    valid = tok_flat >= 0
    token_units = Ragged.group(tok_flat[valid], len(vocab), unit=tok_owner[valid])
    lens = vocab.table.nchars.astype(np.int32)
    used = np.flatnonzero(np.diff(token_units.offsets) > 0)
    order = used[np.argsort(lens[used], kind="stable")]
    name_entry = names["entry_idx"].to_numpy().astype(np.int32)
    name_script = script_codes(names["name"].to_list())
    entry_cjk = np.zeros(n_entries, dtype=bool)
    entry_cjk[name_entry[cjk_person_names(names["name"].to_list(), name_script)]] = True
    return ListIndex(
        index_key=key, versions=versions, vocab=vocab, units=units, unit_ids=unit_ids, unit_names=unit_names,
        names=names, name_entry=name_entry, name_weak=(names["quality"] == "weak").to_numpy(),
        name_script=name_script, entries=entries, entry_type=entry_type, entry_cjk=entry_cjk, entry_ids=entry_ids,
        dobs=dob_rag, countries=country_rag,
        identifiers=id_rag, id_postings=id_postings, keys=kept, key_cut=config.max_key_postings,
        cut_keys=cut_keys, cut_key_ids=dict(zip(cut_keys["key"].to_list(), cut_keys["cid"].to_list())),
        cut_units=cut_units,
        token_units=token_units, vocab_by_len=(order.astype(np.int32), lens[order]),
        vocab_last=np.fromiter((ord(t[-1]) if t else 0 for t in vocab.table.text.tolist()), dtype=np.int32,
                               count=len(vocab)),
    )

