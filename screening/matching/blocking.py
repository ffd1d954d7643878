"""Candidate generation: blocking-key equi-joins (unioned), identifiers, and a fallback.

Batch: the account-side keys of a chunk are joined to the list-side keys in DuckDB, one equi-join
per rule (keys.RULES), unioned; the rule bits say which joins found a pair. One name (lookup): the
same keys looked up in a dict. Then:

- identifiers: an account whose normalised ID number equals a listed one is paired with every name
  of that entry (rule `i`);
- fallback: a name with no candidate at all is not passed silently. Its tokens are compared with the
  whole list vocabulary of similar length (rapidfuzz cdist, `fallback_token_sim`), and the names
  holding the closest tokens become its candidates (rule `f`). Han-derived names need none: their
  pinyin syllables align only exactly or as listed equivalents, which their pair keys enumerate.

Then the bound: from the account-side token positions the matching keys covered, `upper_bound`
gives the best name score a pair could reach (uncovered tokens cost `extra_query_cost`; tokens whose
keys were cut as common count as covered). Pairs below the run's name floor are not scored. The
bound trusts the keys: a token they cannot see (an initial, a short token with a letter changed)
counts as unaligned, so a low-band hit resting on such tokens may be skipped; a test checks that no
alert is (tests/screening/matching/test_blocking.py).
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA

from screening.matching import keys as keying
from screening.matching.config import MatchConfig
from screening.matching.candidates import Candidates
from screening.matching.index import ListIndex
from screening.matching.query import QueryBatch

SMALL_BATCH = 32  # below this many distinct forms, keys are assembled in plain Python (same keys)
KEY_RULES = ("t", "d", "p", "w", "c")
FALLBACK_POSTINGS = 5000  # list names one very common token contributes to the fallback


def unit_token_frame(batch: QueryBatch) -> pl.DataFrame:
    tok = batch.units.tok
    valid = tok >= 0
    unit, pos = np.nonzero(valid)
    return pl.DataFrame({"unit": unit.astype(np.uint32), "pos": pos.astype(np.uint16),
                         "token": batch.table.text[tok[valid]].tolist(), "strict": batch.units.strict[unit]},
                        schema={"unit": pl.UInt32, "pos": pl.UInt16, "token": pl.String, "strict": pl.Boolean})


def query_keys(batch: QueryBatch, config: MatchConfig) -> pl.DataFrame:
    """Distinct (unit, key, mask) of the account-side forms; mask = token positions the key covers."""
    n = len(batch.units)
    if n <= SMALL_BATCH:
        units, keys, masks = [], [], []
        for u in range(n):
            toks = [str(batch.table.text[t]) for t in batch.units.tok[u] if t >= 0]
            ks = keying.form_keys(toks, config.deletion_min_len, bool(batch.units.strict[u]))
            units.extend([u] * len(ks))
            keys.extend(ks)
            masks.extend(ks.values())
        return pl.DataFrame({"unit": units, "key": keys, "mask": masks},
                            schema={"unit": pl.UInt32, "key": pl.String, "mask": pl.Int64})
    return keying.forms_keys_frame(unit_token_frame(batch), config.deletion_min_len)


def key_candidates_duckdb(con: duckdb.DuckDBPyConnection, qkeys: pl.DataFrame, lkeys: pl.DataFrame) -> Candidates:
    """One equi-join per blocking rule, unioned (DuckDB); distinct pairs with rule bits and covered positions."""
    qk = qkeys.with_columns(rule=pl.col("key").str.slice(0, 1))
    lk = lkeys.with_columns(rule=pl.col("key").str.slice(0, 1))
    con.register("_qk", qk.to_arrow())
    con.register("_lk", lk.to_arrow())
    try:
        joins = " UNION ALL ".join(
            f"SELECT q.unit AS q, l.unit AS l, {bit} AS bit, q.mask FROM "
            f"(SELECT unit, key, mask FROM _qk WHERE rule = '{r}') q "
            f"JOIN (SELECT unit, key FROM _lk WHERE rule = '{r}') l ON q.key = l.key"
            for r, bit in keying.RULE_BITS.items() if r in KEY_RULES
        )
        res = con.sql(f"SELECT q, l, bit_or(bit)::INTEGER AS rules, bit_or(mask)::BIGINT AS covered "
                      f"FROM ({joins}) GROUP BY q, l").fetchnumpy()
    finally:
        con.unregister("_qk")
        con.unregister("_lk")
    return Candidates(np.asarray(res["q"], dtype=np.int32), np.asarray(res["l"], dtype=np.int32),
                      np.asarray(res["rules"], dtype=np.int32), np.asarray(res["covered"], dtype=np.int64))


def key_candidates_dict(index: ListIndex, qkeys: pl.DataFrame, unit_mask: np.ndarray | None = None) -> Candidates:
    """The same joins as a dict lookup (one name or a handful)."""
    table = index.key_dict()
    pq, pl_, rules, masks = [], [], [], []
    for u, key, mask in zip(qkeys["unit"].to_list(), qkeys["key"].to_list(), qkeys["mask"].to_list()):
        units = table.get(key)
        if units is None:
            continue
        if unit_mask is not None:
            units = units[unit_mask[units]]
        n = len(units)
        pq.append(np.full(n, u, dtype=np.int32))
        pl_.append(units)
        rules.append(np.full(n, keying.RULE_BITS[key[0]], dtype=np.int32))
        masks.append(np.full(n, mask, dtype=np.int64))
    if not pq:
        return Candidates.empty()
    return Candidates(np.concatenate(pq), np.concatenate(pl_), np.concatenate(rules), np.concatenate(masks)).distinct()


def cut_masks(index: ListIndex, batch: QueryBatch, qkeys: pl.DataFrame) -> np.ndarray:
    """Per account-side unit, the token positions some of whose keys were cut as too common."""
    out = np.zeros(len(batch.units), dtype=np.int64)
    if qkeys.height <= 64:
        for u, key, mask in zip(qkeys["unit"].to_list(), qkeys["key"].to_list(), qkeys["mask"].to_list()):
            if key in index.cut_key_set:
                out[u] |= mask
        return out
    cut = qkeys.join(index.cut_keys, on="key").group_by("unit").agg(pl.col("mask").bitwise_or())
    out[cut["unit"].to_numpy()] = cut["mask"].to_numpy()
    return out


def upper_bound(index: ListIndex, batch: QueryBatch, cand: Candidates, config: MatchConfig,
                cut: np.ndarray | None = None) -> np.ndarray:
    """The best name score a pair could reach given which account tokens its keys covered.

    Tokens no key covered can still align through a key that was cut as common (those positions
    count as covered, `cut`) or not at all, so every other uncovered token costs `extra_query_cost`
    at least. Pairs below the run's name floor are not scored.
    """
    if len(cand) == 0:
        return np.zeros(0, dtype=np.float32)
    tok = batch.units.tok
    weights = batch.table.weights(config)
    valid = tok >= 0
    W = np.where(valid, weights[np.where(valid, tok, 0)], 0.0).astype(np.float32)
    cov = cand.covered if cut is None else cand.covered | cut[cand.pq]
    total = W.sum(axis=1)[cand.pq]
    covered_w = masked_sums(W, batch.units.ntok, cand.pq, cov)
    den = covered_w + config.extra_query_cost * (total - covered_w)
    return np.where(den > 0, covered_w / np.maximum(den, 1e-9), 0.0).astype(np.float32)


_NIBBLE = ((np.arange(16)[:, None] >> np.arange(4)[None, :]) & 1).astype(np.float32)  # [16 subsets, 4 bits]


def masked_sums(W: np.ndarray, ntok: np.ndarray, rows: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Σ W[rows[i], b] over the bits b set in masks[i].

    Four positions at a time: each unit's 16 subset sums of those positions are tabled once, and a pair
    reads its nibble's entry, so millions of pairs cost one gather per four token positions (most names
    have at most four tokens) instead of a pass per position over a [pairs, width] matrix."""
    out = np.zeros(len(rows), dtype=np.float32)
    sel = np.arange(len(rows))
    for k in range(0, W.shape[1], 4):
        sel = sel[ntok[rows[sel]] > k]
        if len(sel) == 0:
            break
        block = W[:, k:k + 4]
        subsets = block @ _NIBBLE[:, :block.shape[1]].T  # [units, 16]
        out[sel] += subsets[rows[sel], (masks[sel] >> k) & 15]
    return out


def entry_units(index: ListIndex, entries: np.ndarray) -> np.ndarray:
    """All list-side units of the given entries."""
    names = np.flatnonzero(np.isin(index.name_entry, entries))
    owner = np.repeat(np.arange(len(index.units), dtype=np.int32), np.diff(index.unit_names.offsets))
    return np.unique(owner[np.isin(index.unit_names.columns["name"], names)])


def identifier_candidates(index: ListIndex, batch: QueryBatch) -> Candidates:
    """Pairs of every name of an account with every name of an entry holding the account's ID number."""
    has = np.flatnonzero(batch.acct_id != "")
    hits = [(int(a), index.id_postings[batch.acct_id[a]]) for a in has if batch.acct_id[a] in index.id_postings]
    if not hits:
        return Candidates.empty()
    owner = np.repeat(np.arange(len(batch.units), dtype=np.int32), np.diff(batch.unit_names.offsets))
    acct_of_row = batch.qname_acct[batch.unit_names.columns["qname"]]
    parts = []
    for acct, ents in hits:
        qu = np.unique(owner[acct_of_row == acct])
        lu = entry_units(index, ents)
        if len(qu) and len(lu):
            n = len(qu) * len(lu)
            parts.append(Candidates(np.repeat(qu, len(lu)).astype(np.int32), np.tile(lu, len(qu)).astype(np.int32),
                                    np.full(n, keying.RULE_BITS["i"], dtype=np.int32), np.zeros(n, dtype=np.int64)))
    return Candidates.merge(*parts)


def fallback_candidates(index: ListIndex, batch: QueryBatch, units: np.ndarray, config: MatchConfig,
                        unit_mask: np.ndarray | None = None) -> Candidates:
    """Candidates for names the keys found nothing for: each token's exact and fuzzy neighbours in the
    whole list vocabulary (rapidfuzz cdist over tokens of similar length sharing the first or the last
    letter), then the list names that gather the most of the name's tokens."""
    if len(units) == 0:
        return Candidates.empty()
    tok = batch.units.tok[units]
    valid = tok >= 0
    owner = np.repeat(units, tok.shape[1])[valid.ravel()]
    pos = np.tile(np.arange(tok.shape[1]), len(units))[valid.ravel()]
    ids = tok[valid]
    lens = batch.table.nchars[ids].astype(np.int32)
    vocab_n = len(index.vocab)
    postings = np.diff(index.token_units.offsets)
    in_vocab = ids < vocab_n
    found_q, found_l, found_s = [ids[in_vocab]], [ids[in_vocab]], [np.ones(int(in_vocab.sum()), np.float32)]
    common = np.zeros(len(ids), dtype=bool)
    common[in_vocab] = postings[ids[in_vocab]] > config.max_key_postings
    fuzzy = (lens >= 3) & ~common & ~batch.table.digit[ids]
    uniq_tok = np.unique(ids[fuzzy])
    order, vlens = index.vocab_by_len
    first, last = index.vocab.table.first, index.vocab_last
    cutoff = config.fallback_token_sim
    q_text = batch.table.text[uniq_tok]
    for t, text in zip(uniq_tok.tolist(), q_text.tolist()):
        length = len(text)
        spread = int(length * (1 - cutoff) / cutoff) + 1
        lo, hi = np.searchsorted(vlens, length - spread), np.searchsorted(vlens, length + spread, side="right")
        window = order[lo:hi]
        # a typo seldom hits both ends of a token: candidates share its first or its last letter
        window = window[(first[window] == ord(text[0])) | (last[window] == ord(text[-1]))]
        if len(window) == 0:
            continue
        sims = process.cdist([text], index.vocab.table.text[window], scorer=OSA.normalized_similarity,
                             score_cutoff=cutoff, dtype=np.float32, workers=1)[0]
        hit = np.flatnonzero(sims)
        found_q.append(np.full(len(hit), t, dtype=ids.dtype))
        found_l.append(window[hit])
        found_s.append(sims[hit])
    fq, fl, fs = np.concatenate(found_q), np.concatenate(found_l), np.concatenate(found_s)
    if len(fq) == 0:
        return Candidates.empty()
    # list token → its units (a very common token contributes its first postings only)
    p_pos, p_rows = index.token_units.expand(fl)
    keep = (p_rows - index.token_units.offsets[fl[p_pos]]) < FALLBACK_POSTINGS
    p_pos, p_rows = p_pos[keep], p_rows[keep]
    reach = pl.DataFrame({"qt": fq[p_pos], "l": index.token_units.columns["unit"][p_rows], "s": fs[p_pos]})
    q_owner = pl.DataFrame({"qt": ids, "q": owner, "pos": pos}).unique()
    pairs = q_owner.join(reach, on="qt")
    if unit_mask is not None:
        pairs = pairs.filter(pl.Series(unit_mask[pairs["l"].to_numpy()]))
    # the names gathering the most, and among equals the shortest (the closest to the account's name),
    # then the first in the index: the same candidates in every run
    gathered = (pairs.group_by("q", "l", "pos").agg(pl.col("s").max())
                .group_by("q", "l").agg(pl.col("s").sum(), (2 ** pl.col("pos").cast(pl.Int64)).sum().alias("covered")))
    best = (gathered.with_columns(ntok=pl.Series(index.units.ntok[gathered["l"].to_numpy()]))
            .sort(["q", "s", "ntok", "l"], descending=[False, True, False, False]).group_by("q", maintain_order=True)
            .head(config.fallback_max_candidates))
    return Candidates(best["q"].to_numpy().astype(np.int32), best["l"].to_numpy().astype(np.int32),
                      np.full(best.height, keying.RULE_BITS["f"], dtype=np.int32),
                      best["covered"].to_numpy().astype(np.int64))


def restrict_keys(index: ListIndex, unit_mask: np.ndarray | None) -> pl.DataFrame:
    """The list-side keys, limited to units of selected entries (delta rescreens)."""
    if unit_mask is None:
        return index.keys
    return index.keys.filter(pl.Series(unit_mask[index.keys["unit"].to_numpy()]))


def names_without(batch: QueryBatch, cand: Candidates) -> np.ndarray:
    """Account-side units of the names (qnames) none of whose forms got any candidate.

    Han-derived forms are left out: their syllables align only exactly or as listed equivalents, so
    the pair keys (with equivalents) already found every list name they could reach the floor with.
    """
    seen = np.zeros(len(batch.units), dtype=bool)
    seen[cand.pq] = True
    owner = np.repeat(np.arange(len(batch.units), dtype=np.int32), np.diff(batch.unit_names.offsets))
    qname = batch.unit_names.columns["qname"]
    name_seen = np.zeros(len(batch.qname_text), dtype=bool)
    np.logical_or.at(name_seen, qname, seen[owner])
    lonely = ~name_seen[qname] & ~batch.units.strict[owner]
    return np.unique(owner[lonely]).astype(np.int32)


def unit_mask_for_entries(index: ListIndex, entry_mask: np.ndarray) -> np.ndarray:
    """List-side units used by at least one selected entry."""
    owner = np.repeat(np.arange(len(index.units), dtype=np.int32), np.diff(index.unit_names.offsets))
    ok = entry_mask[index.name_entry[index.unit_names.columns["name"]]]
    mask = np.zeros(len(index.units), dtype=bool)
    mask[owner[ok]] = True
    return mask


__all__ = ["cut_masks", "fallback_candidates", "identifier_candidates", "key_candidates_dict",
           "key_candidates_duckdb", "masked_sums", "names_without", "query_keys", "restrict_keys",
           "unit_mask_for_entries", "upper_bound"]
