"""The matching core shared by the batch screen, `lookup()` and `compare()`.

    accounts ─► prepare_queries (normalise once per distinct name, token ids, keys)
             ─► candidates (blocking.py: key equi-joins ∪ identifiers ∪ fallback)
             ─► score_names (scoring.py, per distinct form pair)
             ─► expand to (account, list entry) rows ─► qualifiers (features.py) ─► best row ─► hits

Everything after normalisation works on numpy arrays, so a batch of one (lookup, compare) runs the
same code as a million accounts.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np
import polars as pl

from screening import normalize
from screening.matching import features as ft
from screening.matching.config import MatchConfig
from screening.matching.index import (
    KIND_CODES, KIND_NAMES, SCRIPT_HAN, SCRIPT_HANGUL, SUBJECT_CODES, ListIndex, Ragged, UnitTable, build_units,
    country_codes, script_codes, legal_family_codes, normalise_id, normalise_id_expr,
)
from screening.matching.keys import RULE_BITS, RULES
from screening.matching.scoring import NameScores, score_names
from screening.matching.tokens import TokenTable

ACCOUNT_SUBJECT_TYPES = {
    "person": "person", "natural_person": "person", "individual": "person",
    "organization": "organization", "organisation": "organization", "legal_person": "organization",
    "other_organization": "organization", "company": "organization", "entity": "organization",
}

HIT_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.String(), "source": pl.String(), "source_id": pl.String(), "entry_name": pl.String(),
    "matched_name": pl.String(), "query_name": pl.String(), "score": pl.Float64(), "name_score": pl.Float64(),
    "band": pl.String(), "alias_quality": pl.String(), "regime": pl.String(), "programs": pl.String(),
    "reasons": pl.String(),
}


@dataclass
class QueryBatch:
    """Accounts of one chunk, normalised: the account side of candidate pairs."""

    account_id: np.ndarray  # object
    acct_type: np.ndarray  # int8 subject code (0 unknown)
    acct_dob: np.ndarray  # int32 days since 1970 (ft.NO_DATE when absent)
    acct_c1: np.ndarray  # int32 country code
    acct_c2: np.ndarray  # int32 nationality code
    acct_id: np.ndarray  # object: normalised ID number ("" when absent)
    acct_id_type: np.ndarray  # object
    qname_text: np.ndarray  # object: the account-side raw name (name or name_latin)
    qname_acct: np.ndarray  # int32
    qname_script: np.ndarray  # int32: script of the account-side name (0 = Latin)
    acct_script: np.ndarray  # int32: non-Latin script the account's names are written in (0 = Latin only)
    units: UnitTable
    table: TokenTable  # list vocabulary + this batch's new tokens
    unit_names: Ragged  # owner = unit; columns qname, kind, legal

    def __len__(self) -> int:
        return len(self.account_id)


def _column(accounts: pl.DataFrame, name: str, dtype: pl.DataType = pl.String()) -> pl.Series:
    if name in accounts.columns:
        return accounts[name]
    return pl.Series(name, [None] * accounts.height, dtype=dtype)


def prepare_queries(accounts: pl.DataFrame, index: ListIndex) -> QueryBatch:
    """Normalise the accounts' names (each distinct name once, vectorised) and encode their tokens."""
    n = accounts.height
    stype = _column(accounts, "subject_type").cast(pl.String).str.to_lowercase().replace_strict(
        ACCOUNT_SUBJECT_TYPES, default=None, return_dtype=pl.String)
    acct_type = stype.replace_strict(SUBJECT_CODES, default=0, return_dtype=pl.Int8).to_numpy()
    dob = _column(accounts, "birth_date", pl.Date())
    if dob.dtype == pl.String:
        dob = dob.str.to_date(strict=False)
    dob = dob.cast(pl.Date).cast(pl.Int32).fill_null(ft.NO_DATE).to_numpy().astype(np.int32)
    c1 = country_codes(_column(accounts, "country").cast(pl.String))
    c2 = country_codes(_column(accounts, "nationality").cast(pl.String))
    ids = (pl.select(normalise_id_expr(_column(accounts, "id_number").cast(pl.String).fill_null("")))
           .to_series().to_numpy().astype(object))
    id_types = _column(accounts, "id_type").cast(pl.String).fill_null("").to_numpy().astype(object)

    frame = pl.DataFrame({"acct": np.arange(n, dtype=np.int32), "subject_type": stype,
                          "name": _column(accounts, "name").cast(pl.String),
                          "name_latin": _column(accounts, "name_latin").cast(pl.String)})
    qnames = (
        frame.unpivot(index=["acct", "subject_type"], on=["name", "name_latin"], value_name="raw")
        .with_columns(pl.col("raw").str.strip_chars())
        .filter(pl.col("raw").is_not_null() & (pl.col("raw") != ""))
        .unique(["acct", "raw"], maintain_order=True)
        .sort("acct", maintain_order=True)
    )
    distinct = qnames.select("raw", "subject_type").unique(maintain_order=True).with_row_index("didx")
    forms = normalize.name_forms_frame(distinct["raw"], distinct["subject_type"])
    forms = forms.filter(pl.col("form").str.len_chars() > 0)
    qnames = qnames.join(distinct, on=["raw", "subject_type"], how="left", maintain_order="left",
                         nulls_equal=True).with_row_index("qname")
    rows = qnames.select("qname", "didx").join(
        forms.rename({"idx": "didx"}).with_columns(pl.col("didx").cast(pl.UInt32)), on="didx")
    return _assemble(
        index, _column(accounts, "account_id").cast(pl.String).to_numpy().astype(object), acct_type, dob, c1, c2,
        ids, id_types, qnames["acct"].to_numpy().astype(np.int32), qnames["raw"].to_numpy().astype(object),
        rows["qname"].to_numpy().astype(np.int32), rows["form"].to_list(), rows["kind"].to_list(),
        rows["legal_form"].to_list())


def prepare_record(record: dict, index: ListIndex) -> QueryBatch:
    """One account given as a dict (DESIGN §3.2 keys): the same batch as prepare_queries gives for a
    one-row frame, built without frame overhead (registration lookups)."""
    stype = ACCOUNT_SUBJECT_TYPES.get(str(record.get("subject_type") or "").strip().lower())
    dob = record.get("birth_date")
    if isinstance(dob, str):
        try:
            dob = dt.date.fromisoformat(dob[:10])
        except ValueError:
            dob = None
    days = ft.NO_DATE if not isinstance(dob, dt.date) else (dob - dt.date(1970, 1, 1)).days
    raw_names = []
    for key in ("name", "name_latin"):
        value = (record.get(key) or "").strip()
        if value and value not in raw_names:
            raw_names.append(value)
    row_q, row_form, row_kind, row_legal = [], [], [], []
    for q, raw in enumerate(raw_names):
        for form in normalize.name_forms(raw, stype):
            if form.text:
                row_q.append(q)
                row_form.append(form.text)
                row_kind.append(form.kind)
                row_legal.append(form.legal_form)
    return _assemble(
        index, np.asarray([str(record.get("account_id") or "(lookup)")], dtype=object),
        np.asarray([SUBJECT_CODES.get(stype or "", 0)], dtype=np.int8), np.asarray([days], dtype=np.int32),
        country_codes([record.get("country")]), country_codes([record.get("nationality")]),
        np.asarray([normalise_id(record.get("id_number"))], dtype=object),
        np.asarray([record.get("id_type") or ""], dtype=object),
        np.zeros(len(raw_names), dtype=np.int32), np.asarray(raw_names, dtype=object),
        np.asarray(row_q, dtype=np.int32), row_form, row_kind, row_legal)


def _drop_derived_variants(han_acct: np.ndarray, qname_acct: np.ndarray, qname_script: np.ndarray,
                           row_qname: np.ndarray, row_form: list[str], row_kind: list[str],
                           row_legal: list[str | None]) -> tuple[np.ndarray, list[str], list[str], list[str | None]]:
    """Forms that would guess what the account's own writing already says.

    - An account with a Han name: its pinyin is known, so the romanisation-variant forms of its Latin
      name are guesses it contradicts ("Wong Jie" with 王傑 is wang, not huang). The Han name's own
      variant (a heteronym surname in its ordinary reading: 曾 ceng) stays.
    - A Hangul name with variant forms: the letter-per-syllable reading ("i su bin") is replaced by the
      usual spellings of the surname ("lee su bin", "yi su bin"); alone it lets the one-letter surname
      weigh like a particle and go missing at no cost (이수빈 ~ "Su Bin").
    """
    if len(row_qname) == 0:
        return row_qname, row_form, row_kind, row_legal
    variant = np.fromiter((k == "variant" for k in row_kind), dtype=bool, count=len(row_kind))
    latin = np.fromiter((k == "latin" for k in row_kind), dtype=bool, count=len(row_kind))
    drop = variant & han_acct[qname_acct[row_qname]] & (qname_script[row_qname] != SCRIPT_HAN)
    hangul_with_variants = np.zeros(len(qname_script), dtype=bool)
    hangul_with_variants[row_qname[variant]] = True
    hangul_with_variants &= qname_script == SCRIPT_HANGUL
    drop |= latin & hangul_with_variants[row_qname]
    if not drop.any():
        return row_qname, row_form, row_kind, row_legal
    keep = np.flatnonzero(~drop)
    return (row_qname[keep], [row_form[i] for i in keep], [row_kind[i] for i in keep],
            [row_legal[i] for i in keep])


def _assemble(index: ListIndex, account_id: np.ndarray, acct_type: np.ndarray, dob: np.ndarray, c1: np.ndarray,
              c2: np.ndarray, ids: np.ndarray, id_types: np.ndarray, qname_acct: np.ndarray, qname_text: np.ndarray,
              row_qname: np.ndarray, row_form: list[str], row_kind: list[str],
              row_legal: list[str | None]) -> QueryBatch:
    """The shared tail: units (distinct forms, strict for Han-named accounts), token ids, ragged maps."""
    n = len(account_id)
    qname_script = script_codes(qname_text.tolist())
    # an account with a Han name: its romanisations are derived, so pinyin syllables must match exactly
    acct_script = np.zeros(n, dtype=np.int32)
    acct_script[qname_acct[qname_script > 0]] = qname_script[qname_script > 0]
    han_acct = acct_script == SCRIPT_HAN
    row_qname, row_form, row_kind, row_legal = _drop_derived_variants(
        han_acct, qname_acct, qname_script, row_qname, row_form, row_kind, row_legal)
    row_strict = han_acct[qname_acct[row_qname]] if len(row_qname) else np.zeros(0, dtype=bool)
    unit_of: dict[str, int] = {}
    row_unit = np.fromiter((unit_of.setdefault(("1" if st else "0") + f, len(unit_of))
                            for st, f in zip(row_strict.tolist(), row_form)), dtype=np.int32, count=len(row_form))
    unit_keys = list(unit_of)
    units, table = build_units([k[1:] for k in unit_keys], index.vocab,
                               np.fromiter((k[0] == "1" for k in unit_keys), dtype=bool, count=len(unit_keys)))
    kind = np.fromiter((KIND_CODES.get(k, 4) for k in row_kind), dtype=np.int8, count=len(row_kind))
    unit_names = Ragged.group(row_unit, len(units), qname=row_qname, kind=kind, legal=legal_family_codes(row_legal))
    return QueryBatch(
        account_id=account_id, acct_type=acct_type, acct_dob=dob, acct_c1=c1, acct_c2=c2, acct_id=ids,
        acct_id_type=id_types, qname_text=qname_text, qname_acct=qname_acct, qname_script=qname_script,
        acct_script=acct_script, units=units, table=table, unit_names=unit_names,
    )


@dataclass
class Candidates:
    """Distinct (account-side unit, list-side unit) pairs, the rules that found them and the
    account-side token positions their keys covered."""

    pq: np.ndarray  # int32
    pl: np.ndarray  # int32
    rules: np.ndarray  # int32 bit set of keys.RULE_BITS
    covered: np.ndarray  # int64 bit set of account-side token positions

    def __len__(self) -> int:
        return len(self.pq)

    def take(self, sel: np.ndarray) -> "Candidates":
        return Candidates(self.pq[sel], self.pl[sel], self.rules[sel], self.covered[sel])

    @classmethod
    def empty(cls) -> "Candidates":
        return cls(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64))

    def codes(self) -> np.ndarray:
        return (self.pq.astype(np.int64) << 32) | self.pl.astype(np.int64)

    def distinct(self) -> "Candidates":
        """One row per pair (sorted), its rule bits and covered positions OR-ed."""
        uniq, inv = np.unique(self.codes(), return_inverse=True)
        rules = np.zeros(len(uniq), dtype=np.int32)
        np.bitwise_or.at(rules, inv, self.rules)
        covered = np.zeros(len(uniq), dtype=np.int64)
        np.bitwise_or.at(covered, inv, self.covered)
        return Candidates((uniq >> 32).astype(np.int32), (uniq & 0xFFFFFFFF).astype(np.int32), rules, covered)

    @classmethod
    def merge(cls, *parts: "Candidates") -> "Candidates":
        """The union of candidate sets that are each distinct: the largest keeps its rows and order (a
        key join's millions are not re-sorted for a few identifier or fallback pairs), pairs of the
        others it also holds add their bits, the rest are appended."""
        parts = sorted((p for p in parts if len(p)), key=len, reverse=True)
        if not parts:
            return cls.empty()
        big = parts[0]
        if len(parts) == 1:
            return big
        rest = cls(*(np.concatenate([getattr(p, f) for p in parts[1:]]) for f in ("pq", "pl", "rules", "covered")))
        rest = rest.distinct()
        rc, bc = rest.codes(), big.codes()
        pos = np.minimum(np.searchsorted(rc, bc), len(rc) - 1)
        shared = np.flatnonzero(rc[pos] == bc)
        rules, covered = big.rules.copy(), big.covered.copy()
        rules[shared] |= rest.rules[pos[shared]]
        covered[shared] |= rest.covered[pos[shared]]
        new = np.ones(len(rest), dtype=bool)
        new[pos[shared]] = False
        return cls(np.concatenate([big.pq, rest.pq[new]]), np.concatenate([big.pl, rest.pl[new]]),
                   np.concatenate([rules, rest.rules[new]]), np.concatenate([covered, rest.covered[new]]))


@dataclass
class MatchStats:
    """Counts of one run: key-join candidates, pairs scored after the bound, fallback names, rows."""

    candidates: int = 0
    scored: int = 0
    fallback_names: int = 0
    rows: int = 0


def match(index: ListIndex, batch: QueryBatch, cand: Candidates, config: MatchConfig, *, floor: float,
          entry_mask: np.ndarray | None = None, stats: MatchStats | None = None) -> pl.DataFrame:
    """Score candidate pairs and return one hit per (account, entry) at or above `floor`.

    Pairs found through an identifier (rule `i`) are expanded whatever their name score, so an
    account whose ID number equals a listed one is a hit even under another name.
    """
    ns = score_names(batch.units, index.units, cand.pq, cand.pl, batch.table, index.vocab.equivalents, config)
    name_floor = floor - ft.max_positive_adjustment(config)
    keep = np.flatnonzero((ns.score >= name_floor) | ((cand.rules & RULE_BITS["i"]) != 0))
    if len(keep) == 0:
        return pl.DataFrame(schema=HIT_SCHEMA)

    lpos, lrow = index.unit_names.expand(cand.pl[keep])
    pair = keep[lpos]
    name_idx = index.unit_names.columns["name"][lrow]
    l_kind = index.unit_names.columns["kind"][lrow]
    l_legal = index.unit_names.columns["legal"][lrow]
    qpos, qrow = batch.unit_names.expand(cand.pq[pair])
    pair, name_idx, l_kind, l_legal = pair[qpos], name_idx[qpos], l_kind[qpos], l_legal[qpos]
    qname = batch.unit_names.columns["qname"][qrow]
    q_kind = batch.unit_names.columns["kind"][qrow]
    q_legal = batch.unit_names.columns["legal"][qrow]
    acct = batch.qname_acct[qname]
    entry = index.name_entry[name_idx]
    if entry_mask is not None:
        ok = entry_mask[entry]
        pair, name_idx, l_kind, l_legal, qname, q_kind, q_legal, acct, entry = (
            a[ok] for a in (pair, name_idx, l_kind, l_legal, qname, q_kind, q_legal, acct, entry))
    if stats is not None:
        stats.rows += len(pair)

    factor = np.ones(len(pair), dtype=np.float32)
    pinyin = (q_kind == KIND_CODES["pinyin"]) | (l_kind == KIND_CODES["pinyin"])
    variant = (q_kind == KIND_CODES["variant"]) | (l_kind == KIND_CODES["variant"])
    factor = np.where(pinyin, np.minimum(factor, config.kind_factor_pinyin), factor)
    factor = np.where(variant, np.minimum(factor, config.kind_factor_variant), factor)
    # both sides written in the same non-Latin script: their own writing decides; a match found only
    # through romanisation (homophones: 王伟 / 汪伟 both read "wang wei") is discounted, also when the
    # account's Latin name carried it (the account's own script is that of any of its names)
    q_script = batch.acct_script[acct]
    original = (q_kind == KIND_CODES["original"]) & (l_kind == KIND_CODES["original"])
    homophone = (q_script > 0) & (q_script == index.name_script[name_idx]) & ~original
    factor = np.where(homophone, np.minimum(factor, config.kind_factor_homophone), factor)
    # a Chinese person's surname is never written run together with the given name: a Han-named
    # person whose name aligned only by joining its tokens into one listed token (马安 "ma an" ~
    # "MA'AN") is another name
    han_person = (q_script == SCRIPT_HAN) & (batch.acct_type[acct] == SUBJECT_CODES["person"])
    factor = np.where(han_person & ns.joined[pair], np.minimum(factor, config.kind_factor_han_joined), factor)
    name_score = (ns.score[pair] * factor).astype(np.float32)
    # a romanisation variant is one step from the listed name; another difference on top of it ("Jack
    # Tan" → jack chen ~ "John Chan") is two, and that route says nothing
    name_score = np.where(variant & (ns.score[pair] < config.variant_min_score), 0.0, name_score).astype(np.float32)
    legal_mismatch = (q_legal != 0) & (l_legal != 0) & (q_legal != l_legal)
    weak = index.name_weak[name_idx]

    dob = ft.dob_levels(index, entry, batch.acct_dob[acct])
    country = ft.country_levels(index, entry, batch.acct_c1[acct], batch.acct_c2[acct])
    stype = ft.type_levels(index, entry, batch.acct_type[acct])
    idm = ft.id_matches(index, entry, batch.acct_id[acct], batch.acct_id_type[acct])
    final, floored, capped = ft.final_scores(name_score, weak, dob, country, stype, legal_mismatch, idm, config)

    # best row per (account, entry): highest final, then highest name score, then strong before weak;
    # then the first listed name and account name, so equal rows resolve the same way in every run
    group = acct.astype(np.int64) * (len(index.entry_type) + 1) + entry
    order = np.lexsort((qname, name_idx, weak, -name_score, -final, group))
    first = np.ones(len(order), dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    best = order[first]
    best = best[final[best] >= floor]
    if len(best) == 0:
        return pl.DataFrame(schema=HIT_SCHEMA)
    best = best[np.lexsort((-final[best], acct[best]))]
    return _hits_frame(index, batch, cand, ns, config, best, pair=pair, name_idx=name_idx, qname=qname,
                       l_kind=l_kind, q_kind=q_kind, acct=acct, entry=entry, weak=weak, name_score=name_score,
                       final=final, dob=dob, country=country, stype=stype, idm=idm, legal=legal_mismatch,
                       floored=floored, capped=capped, homophone=homophone)


def _alignment(ns: NameScores, p: int, q_tok: np.ndarray, l_tok: np.ndarray, table: TokenTable) -> str:
    """A readable alignment: a=a (equal), a~b(0.83) (similar), -a (account token unmatched), +b (extra listed)."""
    parts: list[str] = []
    used: set[int] = set()
    q_left, l_left = [], []
    for i, t in enumerate(q_tok):
        if t < 0:
            continue
        j = int(ns.match_j[p, i])
        if j >= 0:
            used.add(j)
            s = float(ns.match_s[p, i])
            a, b = table.text[t], table.text[l_tok[j]]
            parts.append(f"{a}={b}" if s >= 1.0 else f"{a}~{b}({s:.2f})")
        else:
            q_left.append(str(table.text[t]))
    for j, t in enumerate(l_tok):
        if t >= 0 and j not in used:
            l_left.append(str(table.text[t]))
    if ns.resid[p] > 0 and q_left and l_left:
        parts.append(f"{''.join(q_left)}~{''.join(l_left)}({float(ns.resid[p]):.2f},merged)")
    else:
        parts.extend(f"-{t}" for t in q_left)
        parts.extend(f"+{t}" for t in l_left)
    return " ".join(parts)


def _hits_frame(index: ListIndex, batch: QueryBatch, cand: Candidates, ns: NameScores, config: MatchConfig,
                best: np.ndarray, **a: np.ndarray) -> pl.DataFrame:
    """The §3.3 hit rows (without run_id) with machine-readable reasons, for the chosen rows only."""
    entries = index.entries
    e = a["entry"][best]
    names = index.names
    n_idx = a["name_idx"][best]
    reasons = []
    for k, r in enumerate(best.tolist()):
        p = int(a["pair"][r])
        qu, lu = int(cand.pq[p]), int(cand.pl[p])
        feats = []
        dob, country, stype = int(a["dob"][r]), int(a["country"][r]), int(a["stype"][r])
        if dob in ft.DOB_LEVELS:
            level = ft.DOB_LEVELS[dob]
            feats.append({"feature": "dob", "level": level, "weight": getattr(config, f"w_dob_{level}")})
        if country in ft.COUNTRY_LEVELS:
            level = ft.COUNTRY_LEVELS[country]
            feats.append({"feature": "country", "level": level, "weight": getattr(config, f"w_country_{level}")})
        if stype == 1:
            feats.append({"feature": "subject_type", "level": "mismatch", "weight": config.w_type_mismatch})
        elif stype == 2:
            feats.append({"feature": "subject_type", "level": "vessel", "weight": config.w_type_vessel})
        elif stype == 3 and a["name_score"][r] < 0.99:
            feats.append({"feature": "subject_type", "level": "org_vessel", "weight": config.w_type_org_vessel})
        if a["legal"][r]:
            feats.append({"feature": "legal_form", "level": "mismatch", "weight": config.w_legal_form_mismatch})
        if a["idm"][r]:
            feats.append({"feature": "identifier", "level": "match", "weight": config.id_match_score})
        if a["weak"][r]:
            feats.append({"feature": "alias", "level": "weak", "capped": bool(a["capped"][r])})
        if a["floored"][r]:
            feats.append({"feature": "strong_name_floor", "level": "applied", "weight": config.review})
        name = {
            "score": round(float(a["name_score"][r]), 4),
            "query_form": str(batch.units.text[qu]), "list_form": str(index.units.text[lu]),
            "route": f"{KIND_NAMES[int(a['q_kind'][r])]}/{KIND_NAMES[int(a['l_kind'][r])]}",
            "alignment": _alignment(ns, p, batch.units.tok[qu], index.units.tok[lu], batch.table),
            "name_type": names["name_type"][int(n_idx[k])],
            "blocking": [RULES[r_] for r_, bit in RULE_BITS.items() if cand.rules[p] & bit],
        }
        if ns.digits_mismatch[p]:
            name["numbers"] = "mismatch"
        if a["homophone"][r]:
            name["homophone"] = True
        reasons.append(json.dumps({"name": name, "features": feats}, ensure_ascii=False))
    final = a["final"][best]
    band = np.where(final >= config.block_review, "block_review",
                    np.where(final >= config.review, "review", np.where(final >= config.low, "low", "below")))
    ent = entries[e.tolist()]
    return pl.DataFrame({
        "account_id": batch.account_id[a["acct"][best]].tolist(),
        "source": ent["source"], "source_id": ent["source_id"], "entry_name": ent["primary_name"],
        "matched_name": names["name"][n_idx.tolist()],
        "query_name": batch.qname_text[a["qname"][best]].tolist(),
        "score": np.round(final.astype(np.float64), 4), "name_score": np.round(a["name_score"][best].astype(np.float64), 4),
        "band": band.tolist(),
        "alias_quality": np.where(a["weak"][best], "weak", "strong").tolist(),
        "regime": ent["regime"], "programs": ent["programs"].list.join("; "),
        "reasons": reasons,
    }, schema=HIT_SCHEMA)
