"""`compare()`: the score and reasons for two names or two small records, with the batch scorer.

Side `b` becomes a one-entry list index (same normaliser, same token vocabulary rules), side `a`
a one-account batch; every form pair is a candidate, and `matcher.match` scores them exactly as a
batch run does. `compare_many()` does the same for many pairs at once (the evaluation's name bench).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import polars as pl

from screening import normalize
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.matching.candidates import Candidates
from screening.matching.index import ListIndex, assemble_index
from screening.matching.matcher import match
from screening.matching.query import prepare_queries

_NAMES = str | Sequence[str]


@dataclass
class CompareResult:
    score: float  # final score (name + qualifiers), 0 when nothing aligned
    name_score: float
    band: str | None  # block_review / review / low, or None below `low`
    query_name: str | None  # the a-side name that matched best
    matched_name: str | None  # the b-side name it matched
    reasons: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "name_score": self.name_score, "band": self.band, "query_name": self.query_name,
                "matched_name": self.matched_name, "reasons": self.reasons}


def _names(value: _NAMES) -> list[str]:
    return [value] if isinstance(value, str) else [v for v in value if v]


def _dob_rows(value: str | int | dt.date | None) -> tuple[dt.date | None, dt.date | None, str] | None:
    """A b-side date of birth: a date (exact), 'YYYY-MM' (month) or a year (year)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value, value, "exact"
    text = str(value).strip()
    if len(text) == 4 and text.isdigit():
        y = int(text)
        return dt.date(y, 1, 1), dt.date(y, 12, 31), "year"
    if len(text) == 7:
        y, m = int(text[:4]), int(text[5:7])
        end = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))
        return dt.date(y, m, 1), end, "month"
    d = dt.date.fromisoformat(text[:10])
    return d, d, "exact"


def build_entries_index(entries: list[dict[str, Any]], config: MatchConfig) -> ListIndex:
    """An in-memory list index of small records: {source_id, names, subject_type, birth_date, country, id, id_type, weak}."""
    names_rows, entry_rows, dobs, countries, ids = [], [], [], [], []
    for e in entries:
        sid = str(e["source_id"])
        stype = e.get("subject_type")
        names = _names(e["names"])
        entry_rows.append({"source": "compare", "source_id": sid, "subject_type": stype or "unknown",
                           "primary_name": names[0] if names else "", "regime": None, "programs": [], "version_id": 0})
        for k, n in enumerate(names):
            names_rows.append({"source": "compare", "source_id": sid, "name": n,
                               "name_type": "primary" if k == 0 else "aka",
                               "quality": "weak" if e.get("weak") else "strong", "subject_type": stype})
        dob = _dob_rows(e.get("birth_date"))
        if dob:
            dobs.append({"source": "compare", "source_id": sid, "date_from": dob[0], "date_to": dob[1],
                         "precision": dob[2]})
        if e.get("country"):
            countries.append({"source": "compare", "source_id": sid, "country": str(e["country"]).upper(),
                              "role": "nationality"})
        if e.get("id_number"):
            ids.append({"source": "compare", "source_id": sid, "id_type": e.get("id_type") or "passport",
                        "number": str(e["id_number"])})
    names_frame = pl.DataFrame(names_rows, schema={"source": pl.String, "source_id": pl.String, "name": pl.String,
                                                   "name_type": pl.String, "quality": pl.String,
                                                   "subject_type": pl.String})
    forms = normalize.name_forms_frame(names_frame["name"], names_frame["subject_type"])
    forms = forms.filter(pl.col("form").str.len_chars() > 0)
    rows = (names_frame.with_row_index("idx").with_columns(pl.col("idx").cast(pl.UInt32))
            .join(forms.with_columns(pl.col("idx").cast(pl.UInt32)), on="idx")
            .select("source", "source_id", "name", "name_type", "quality", "form", "kind", "legal_form"))
    versions = pl.DataFrame({"source": ["compare"], "version_id": [0], "publisher_date": [None], "loaded_at": [None],
                             "sha256": [None]})
    return assemble_index(
        rows, versions, "compare", config,
        entries=pl.DataFrame(entry_rows, schema={"source": pl.String, "source_id": pl.String,
                                                 "subject_type": pl.String, "primary_name": pl.String,
                                                 "regime": pl.String, "programs": pl.List(pl.String),
                                                 "version_id": pl.Int32}),
        dobs=pl.DataFrame(dobs, schema={"source": pl.String, "source_id": pl.String, "date_from": pl.Date,
                                        "date_to": pl.Date, "precision": pl.String}),
        countries=pl.DataFrame(countries, schema={"source": pl.String, "source_id": pl.String, "country": pl.String,
                                                  "role": pl.String}),
        identifiers=pl.DataFrame(ids, schema={"source": pl.String, "source_id": pl.String, "id_type": pl.String,
                                              "number": pl.String}),
    )


def compare_many(pairs: list[tuple[dict[str, Any], dict[str, Any]]], config: MatchConfig = DEFAULT_CONFIG,
                 ) -> list[CompareResult]:
    """Score many (a, b) record pairs in one batch. A record: {names, subject_type, birth_date,
    country, id_number, id_type} (b may also say weak=True: a weak alias)."""
    if not pairs:
        return []
    index = build_entries_index([{**b, "source_id": str(i)} for i, (_, b) in enumerate(pairs)], config)
    acct_rows = []
    for i, (a, _) in enumerate(pairs):
        names = _names(a["names"])
        # two names are one account's name and Latin name, as a registration gives them (an account's names
        # are read together: a Han or Hangul name makes its Latin name a romanisation); more go in further rows
        for k in range(0, len(names), 2):
            acct_rows.append({"account_id": str(i), "subject_type": a.get("subject_type"), "name": names[k],
                              "name_latin": names[k + 1] if k + 1 < len(names) else None,
                              "birth_date": _as_date(a.get("birth_date")), "country": _up(a.get("country")),
                              "id_type": a.get("id_type"), "id_number": a.get("id_number")})
    accounts = pl.DataFrame(acct_rows, schema={"account_id": pl.String, "subject_type": pl.String, "name": pl.String,
                                               "name_latin": pl.String, "birth_date": pl.Date, "country": pl.String,
                                               "id_type": pl.String, "id_number": pl.String})
    batch = prepare_queries(accounts, index)
    cand = _pair_candidates(index, batch, accounts)
    hits = match(index, batch, cand, config, floor=-1.0)
    hits = hits.filter(pl.col("account_id") == pl.col("source_id")).sort("score", descending=True).unique(
        "account_id", keep="first")
    by_pair = {r["account_id"]: r for r in hits.iter_rows(named=True)}
    out = []
    for i in range(len(pairs)):
        r = by_pair.get(str(i))
        if r is None:
            out.append(CompareResult(0.0, 0.0, None, None, None, {"name": None, "features": []}))
            continue
        out.append(CompareResult(float(r["score"]), float(r["name_score"]), config.band(r["score"]),
                                 r["query_name"], r["matched_name"], json.loads(r["reasons"])))
    return out


def _pair_candidates(index: ListIndex, batch, accounts: pl.DataFrame) -> Candidates:
    """Every a-side form of pair i against every b-side form of pair i."""
    q_owner = np.repeat(np.arange(len(batch.units), dtype=np.int32), np.diff(batch.unit_names.offsets))
    q_pair = np.asarray(batch.account_id[batch.qname_acct[batch.unit_names.columns["qname"]]], dtype=object)
    l_owner = np.repeat(np.arange(len(index.units), dtype=np.int32), np.diff(index.unit_names.offsets))
    l_pair = index.entries["source_id"].to_numpy()[index.name_entry[index.unit_names.columns["name"]]]
    q = pl.DataFrame({"pair": q_pair.astype(str), "pq": q_owner}).unique()
    lft = pl.DataFrame({"pair": l_pair.astype(str), "pl": l_owner}).unique()
    both = q.join(lft, on="pair").select("pq", "pl").unique()
    n = both.height
    return Candidates(both["pq"].to_numpy().astype(np.int32), both["pl"].to_numpy().astype(np.int32),
                      np.zeros(n, dtype=np.int32), np.zeros(n, dtype=np.int64))


def compare(a: _NAMES, b: _NAMES, *, subject_type: str | None = None, a_subject_type: str | None = None,
            b_subject_type: str | None = None, a_birth_date: str | dt.date | None = None,
            b_birth_date: str | int | dt.date | None = None, a_country: str | None = None,
            b_country: str | None = None, a_id: str | None = None, b_id: str | None = None,
            a_id_type: str | None = None, b_id_type: str | None = None, b_weak: bool = False,
            config: MatchConfig = DEFAULT_CONFIG) -> CompareResult:
    """Score name(s) `a` (the account side) against name(s) `b` (the listed side) with their reasons.

    A name or a list of aliases on each side (the account's first two are its name and Latin name, as a
    registration gives them: ["이수빈", "Su-bin Lee"]); optional birth dates (b may be a year or 'YYYY-MM'),
    countries (ISO-2), ID numbers and types, and `b_weak` (b is a weak alias). Same scorer as the
    batch screen, so compare(a, b) equals the hit a batch run would give for an account named a
    against an entry named b.
    """
    a_rec = {"names": a, "subject_type": a_subject_type or subject_type, "birth_date": a_birth_date,
             "country": a_country, "id_number": a_id, "id_type": a_id_type}
    b_rec = {"names": b, "subject_type": b_subject_type or subject_type, "birth_date": b_birth_date,
             "country": b_country, "id_number": b_id, "id_type": b_id_type, "weak": b_weak}
    return compare_many([(a_rec, b_rec)], config)[0]


def _as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _up(value: Any) -> str | None:
    return str(value).upper() if value else None
