"""The feature table: what qualifies a name score, with weights from MatchConfig and a reason code.

The name score sets the base; each qualifier below adds its weight for the level it finds (like
nomenklatura logic-v2 qualifiers or Splink comparison levels). Every function is vectorised over
candidate rows (numpy), so the batch path and a single lookup run the same code.

    final = name score × (1 − name_headroom) + Σ qualifier weights   (an exact name alone is not 1.0:
                                                                      corroboration ranks above it)
            then: strong name ≥ strong_name_floor → at least `low`      (a DOB / country conflict
                                                                          lowers the band, never hides
                                                                          a strong name)
                  weak alias, no ID and no DOB agreement → at most weak_alias_cap (low band)
                  strong identifier equal          → id_match_score (decisive)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np
import yaml

from screening.matching.codes import NO_DATE
from screening.matching.config import MatchConfig
from screening.matching.index import ListIndex

UNKNOWN = -1


@dataclass(frozen=True)
class Feature:
    """One qualifier: its levels (level name → MatchConfig weight field) and what it means."""

    name: str
    levels: dict[str, str]
    description: str


FEATURES: tuple[Feature, ...] = (
    Feature("name", {}, "Token-aligned name similarity of the best account-side / list-side name pair "
                        "(see scoring.py); the base of the score."),
    Feature("dob", {"exact": "w_dob_exact", "year": "w_dob_year", "near": "w_dob_near",
                    "conflict": "w_dob_conflict"},
            "Account birth date against the entry's listed dates (exact / same year or within a listed "
            "range / one year off or day-month swapped / every listed date disagrees)."),
    Feature("country", {"match": "w_country_match", "conflict": "w_country_conflict"},
            "Account country or nationality against the entry's countries; a conflict needs a listed "
            "nationality, citizenship or birth country."),
    Feature("subject_type", {"mismatch": "w_type_mismatch", "vessel": "w_type_vessel",
                             "org_vessel": "w_type_org_vessel"},
            "Person vs organisation; a person, or (less) an organisation, against a listed vessel or aircraft."),
    Feature("legal_form", {"mismatch": "w_legal_form_mismatch"},
            "Both organisation names carry legal forms of different families (Ltd vs AG)."),
    Feature("identifier", {"match": "id_match_score"},
            "A strong identifier (passport, national ID, USCC, registration, IMO …) equal after "
            "normalising: decisive."),
    Feature("alias", {"weak": "weak_alias_cap"},
            "The best name is a weak alias (OFAC weak AKA, UN low quality): it only corroborates; "
            "without an equal identifier or an agreeing date of birth (same day or year) it stays low."),
)

DOB_LEVELS = {3: "exact", 2: "year", 1: "near", 0: "conflict"}
COUNTRY_LEVELS = {2: "match", 0: "conflict"}
TYPE_LEVELS = {1: "mismatch", 2: "vessel", 3: "org_vessel"}


def describe_features(config: MatchConfig | None = None) -> list[dict]:
    """The feature table as rows: feature, level, weight, description."""
    config = config or MatchConfig()
    rows = []
    for f in FEATURES:
        if not f.levels:
            rows.append({"feature": f.name, "level": "", "weight": 1.0, "description": f.description})
        for level, var in f.levels.items():
            rows.append({"feature": f.name, "level": level, "weight": getattr(config, var),
                         "description": f.description})
    return rows


# --------------------------------------------------------------------------------------------
# qualifier levels, vectorised over rows (account, entry)
# --------------------------------------------------------------------------------------------


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, day


def dob_levels(index: ListIndex, entry: np.ndarray, dob: np.ndarray) -> np.ndarray:
    """Per row: 3 exact, 2 same year / in range, 1 near, 0 conflict, -1 unknown (no date on a side)."""
    out = np.full(len(entry), UNKNOWN, dtype=np.int8)
    has = dob != NO_DATE
    rows = np.flatnonzero(has)
    if len(rows) == 0:
        return out
    pos, r = index.dobs.expand(entry[rows])
    if len(r) == 0:
        return out
    lo, hi, prec = index.dobs.columns["lo"][r], index.dobs.columns["hi"][r], index.dobs.columns["precision"][r]
    d = dob[rows][pos]
    dy, dm, dd = _ymd(d)
    ly, lm, ld = _ymd(lo)
    hy, _, _ = _ymd(hi)
    inside = (d >= lo) & (d <= hi)
    exact = inside & (prec == 0)
    year = (inside & (prec != 0)) | ((prec == 0) & (dy == ly))
    swapped = (prec == 0) & (dy == ly) & (dm == ld) & (dd == lm) & (dm != dd)
    off_one = (dy >= ly - 1) & (dy <= hy + 1)
    level = np.where(exact, 3, np.where(swapped, 1, np.where(year, 2, np.where(off_one, 1, 0)))).astype(np.int8)
    best = np.full(len(rows), UNKNOWN, dtype=np.int8)
    np.maximum.at(best, pos, level)
    out[rows] = best
    return out


def country_levels(index: ListIndex, entry: np.ndarray, c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    """Per row: 2 match, 0 conflict (listed nationality differs), -1 unknown / nothing to say."""
    out = np.full(len(entry), UNKNOWN, dtype=np.int8)
    rows = np.flatnonzero((c1 != 0) | (c2 != 0))
    if len(rows) == 0:
        return out
    pos, r = index.countries.expand(entry[rows])
    if len(r) == 0:
        return out
    code, nat = index.countries.columns["code"][r], index.countries.columns["nat"][r]
    # an organisation's countries (registration, address) all speak to who it is
    nat = nat | (index.entry_type[entry[rows][pos]] == 2)
    eq = ((code == c1[rows][pos]) | (code == c2[rows][pos])) & (code != 0)
    match = np.zeros(len(rows), dtype=bool)
    np.logical_or.at(match, pos, eq)
    has_nat = np.zeros(len(rows), dtype=bool)
    np.logical_or.at(has_nat, pos, nat)
    out[rows] = np.where(match, 2, np.where(has_nat, 0, UNKNOWN))
    return out


def type_levels(index: ListIndex, entry: np.ndarray, acct_type: np.ndarray) -> np.ndarray:
    """Per row: 0 agree / unknown, 1 person vs organisation, 2 a person against a vessel or aircraft,
    3 an organisation against a vessel or aircraft (weaker: shipping companies carry their ships' names)."""
    et = index.entry_type[entry]
    known = (acct_type > 0) & (et > 0)
    thing = known & (et >= 3)
    mismatch = known & (et < 3) & (et != acct_type)
    level = np.where(thing & (acct_type == 1), 2, np.where(thing, 3, np.where(mismatch, 1, 0)))
    return level.astype(np.int8)


@functools.cache
def _id_rules() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    path = resources.files("screening") / "resources" / "matching" / "identifiers.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    strong = frozenset(data["strong"])
    compat = {k: (strong if "*" in v else frozenset(v)) for k, v in data["account_types"].items()}
    return strong, compat


def id_matches(index: ListIndex, entry: np.ndarray, acct_id: np.ndarray, acct_id_type: np.ndarray) -> np.ndarray:
    """Per row: the account's normalised ID number equals a strong identifier of the entry."""
    out = np.zeros(len(entry), dtype=bool)
    rows = np.flatnonzero(acct_id != "")
    if len(rows) == 0:
        return out
    pos, r = index.identifiers.expand(entry[rows])
    if len(r) == 0:
        return out
    strong, compat = _id_rules()
    numbers, kinds = index.identifiers.columns["number"][r], index.identifiers.columns["kind"][r]
    equal = numbers == acct_id[rows][pos]
    if not equal.any():
        return out
    hit = np.zeros(len(r), dtype=bool)
    for k in np.flatnonzero(equal):
        acct_kind = acct_id_type[rows[pos[k]]] or "OTHER"
        allowed = compat.get(acct_kind, strong)
        hit[k] = kinds[k] in allowed
    np.logical_or.at(out, rows[pos], hit)
    return out


def final_scores(name_score: np.ndarray, weak: np.ndarray, dob: np.ndarray, country: np.ndarray,
                 stype: np.ndarray, legal_mismatch: np.ndarray, id_match: np.ndarray,
                 config: MatchConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(final score, strong-name floor applied, weak-alias cap applied) per row."""
    adj = np.zeros(len(name_score), dtype=np.float32)
    for level, var in (("exact", 3), ("year", 2), ("near", 1), ("conflict", 0)):
        adj += np.where(dob == var, getattr(config, f"w_dob_{level}"), 0.0).astype(np.float32)
    adj += np.where(country == 2, config.w_country_match, 0.0).astype(np.float32)
    adj += np.where(country == 0, config.w_country_conflict, 0.0).astype(np.float32)
    adj += np.where(stype == 1, config.w_type_mismatch, 0.0).astype(np.float32)
    adj += np.where(stype == 2, config.w_type_vessel, 0.0).astype(np.float32)
    # an organisation named exactly like a listed ship is likely its owner: the cut spares exact names
    adj += np.where((stype == 3) & (name_score < 0.99), config.w_type_org_vessel, 0.0).astype(np.float32)
    adj += np.where(legal_mismatch, config.w_legal_form_mismatch, 0.0).astype(np.float32)
    score = name_score * (1.0 - config.name_headroom) + adj
    floored = ~weak & (name_score >= config.strong_name_floor) & (score < config.low)
    score = np.where(floored, config.low, score)
    cap = min(config.weak_alias_cap, config.review - 0.005)  # a weak alias alone never reaches review
    capped = weak & ~id_match & (dob < 2) & (score > cap)
    score = np.where(capped, cap, score)
    score = np.where(id_match, np.maximum(score, config.id_match_score), score)
    return np.clip(score, 0.0, 1.0).astype(np.float32), floored, capped


def max_positive_adjustment(config: MatchConfig) -> float:
    """The most the qualifiers can add to a name score (bounds the name-score floor of a run)."""
    return max(config.w_dob_exact, config.w_dob_year, config.w_dob_near, 0.0) + max(config.w_country_match, 0.0)
