"""Candidate generation: blocking-key equi-joins (unioned), identifiers, and a fallback.

Batch: the account-side keys of a chunk are joined to the list-side keys, one equi-join per rule
(keys.RULES), unioned, in one compiled pass over key ids (`kernels.key_join`; it replaced a DuckDB
query that spent ~2 s of CPU grouping 5.5 M rows per 20,000 distinct accounts); the rule bits say which
joins found a pair. One name (lookup): the
same keys looked up in a dict. Then:

- identifiers: an account whose normalised ID number equals a listed one is paired with every name
  of that entry (rule `i`);
- fallback: a name with no candidate at all is not passed silently. Its tokens are compared with the
  whole list vocabulary of similar length (rapidfuzz cdist, `fallback_token_sim`), and the names
  holding the closest tokens become its candidates (rule `f`). Han-derived names need none: their
  pinyin syllables align only exactly or as listed equivalents, which their pair keys enumerate.

Then the bound: from the account-side token positions the matching keys covered, `upper_bound`
gives the best name score a pair could reach (uncovered tokens cost `extra_query_cost`; a key cut as
common is left out of the join, not out of the bound: its positions count as covered for the listed
names that hold it). Pairs below the run's name floor are not scored. The bound trusts the keys: a
token they cannot see (an initial, a short token with a letter changed, tokens that only merge) counts
as unaligned, so a low-band hit resting on such tokens may be skipped; a test checks that no alert on
a listed name's variant is (tests/screening/matching/test_blocking.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA

from screening.matching import keys as keying
from screening.matching import kernels
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
    return pl.DataFrame({"unit": unit.astype(np.uint32), "pos": pos.astype(np.uint16), "tok": tok[valid],
                         "token": batch.table.text[tok[valid]].tolist(), "strict": batch.units.strict[unit]},
                        schema={"unit": pl.UInt32, "pos": pl.UInt16, "tok": pl.Int32, "token": pl.String,
                                "strict": pl.Boolean})


KeyRows = list[tuple[int, str, int]]  # (unit, key, mask) of a handful of forms, without a frame


def query_key_rows(batch: QueryBatch, config: MatchConfig) -> KeyRows:
    """Distinct (unit, key, mask) of a lookup's few account-side forms as plain rows (a frame costs more than
    the keys); mask = token positions the key covers."""
    rows = []
    for u in range(len(batch.units)):
        toks = [str(batch.table.text[t]) for t in batch.units.tok[u] if t >= 0]
        ks = keying.form_keys(toks, config.deletion_min_len, bool(batch.units.strict[u]))
        rows.extend((u, key, mask) for key, mask in ks.items())
    return rows


def _key_rows(qkeys: pl.DataFrame | KeyRows) -> KeyRows:
    if isinstance(qkeys, pl.DataFrame):
        return list(zip(qkeys["unit"].to_list(), qkeys["key"].to_list(), qkeys["mask"].to_list()))
    return qkeys


def _rule_bit(key: pl.Expr) -> pl.Expr:
    return key.str.slice(0, 1).replace_strict({r: keying.RULE_BITS[r] for r in KEY_RULES}, return_dtype=pl.Int32)


@dataclass
class BatchKeys:
    """The account side's keys for the DuckDB join. Single-token keys (rules t, d, p) are kept per
    distinct token with the places the token stands: a long token has a dozen deletion keys, and two
    equal tokens share all of them, so joining them name by name repeats each pair a dozen times."""

    tokens: pl.DataFrame  # tok (batch token id), key, bit
    postings: pl.DataFrame  # tok, unit, mask: the account-side positions keyed by the token's keys
    names: pl.DataFrame  # unit, key, mask, bit: adjacent tokens joined (t), word pairs (w), compact (c)


def batch_keys(batch: QueryBatch, config: MatchConfig, index: ListIndex | None = None) -> BatchKeys:
    """The keys of a batch's forms (the same keys and masks as `query_key_rows`, split as `BatchKeys`). With the
    `index`, the word-pair keys no listed key can equal (an element no listed pair holds) are not built:
    the same join and cut masks."""
    ut = unit_token_frame(batch)
    single = keying.single_key_rows(ut)
    postings = single.select("tok", "unit", mask=pl.lit(2, dtype=pl.Int64).pow(pl.col("pos").cast(pl.UInt32)))
    distinct = single.select("tok", "token").unique()
    tokens = (keying.token_keys_frame(distinct["token"].to_list(), config.deletion_min_len)
              .join(distinct, on="token").select("tok", "key", bit=_rule_bit(pl.col("key"))))
    elements = list_join_tables(index, config)["pair_elements"] if index is not None else None
    names = keying.name_keys_frame(ut, elements).with_columns(bit=_rule_bit(pl.col("key")))
    return BatchKeys(tokens, postings, names)


def _csr(owner: np.ndarray, n: int, *values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Offsets (int64, n + 1) and the values grouped by owner (stable: each owner's values keep their order)."""
    order = np.argsort(owner, kind="stable")
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=offsets[1:])
    return (offsets, *(v[order] for v in values))


def list_join_tables(index: ListIndex, config: MatchConfig) -> dict[str, np.ndarray | pl.DataFrame]:
    """The list side of the batch join, built once per index (and kept in the index's cache file): every
    kept key numbered in key order (`kids`: key, kid), and per key id its list
    tokens (single-token keys not cut as common, k2t), the units whose name keys it is (adjacent tokens
    joined, word pairs, compact: k2n) and every unit holding it (k2u); per list token its units (t2u)."""
    cache_key = ("join_arrays", config.deletion_min_len)
    arrays = index._derived.get(cache_key)
    if arrays is not None:
        return arrays
    with index._lock:
        arrays = index._derived.get(cache_key)
        if arrays is not None:
            return arrays
        lkeys = index.keys
        if not (lkeys["key"][1:] >= lkeys["key"][:-1]).all():  # assemble_index sorts them; an index built
            lkeys = lkeys.sort("key", maintain_order=True)        # otherwise is sorted here
        key = lkeys["key"]
        # one id per distinct key, in key order (a run of equal keys is one id)
        kid = ((key != key.shift(1)).fill_null(True).cum_sum() - 1).cast(pl.Int32).to_numpy()
        n_keys = int(kid[-1]) + 1 if len(kid) else 0
        kids = pl.DataFrame({"key": key, "kid": kid}).unique("kid", keep="first", maintain_order=True)

        def by_key(frame: pl.DataFrame, column: str) -> tuple[np.ndarray, ...]:
            joined = frame.join(kids, on="key")
            return _csr(joined["kid"].to_numpy(), n_keys, joined[column].to_numpy().astype(np.int32))

        used = np.flatnonzero(np.diff(index.token_units.offsets) > 0).astype(np.int32)
        texts = index.vocab.table.text[used].tolist()
        tokens = (keying.token_keys_frame(texts, config.deletion_min_len)
                  .join(pl.DataFrame({"token": texts, "tok": used}), on="token").select("key", "tok"))
        owner = np.repeat(np.arange(len(index.vocab), dtype=np.int32), np.diff(index.token_units.offsets))
        postings = pl.DataFrame({"tok": owner, "unit": index.token_units.columns["unit"]}).unique()
        # name keys of the list forms: adjacent tokens joined, plus the word-pair and compact keys
        adjacent = keying.adjacent_keys(index.units.tok, index.vocab.table.text)
        names = pl.concat([adjacent, index.keys.filter(pl.col("key").str.slice(0, 1).is_in(["w", "c"]))
                           .select("key", pl.col("unit").cast(pl.Int32))]).unique()
        # the elements of every listed word-pair key, kept or cut ("w:a b": tokens and joined tokens hold no space)
        pair_keys = pl.concat([index.keys["key"], index.cut_keys["key"]]).unique()
        pair_keys = pair_keys.filter(pair_keys.str.starts_with("w:")).str.slice(2).str.split(" ")
        arrays = {"kids": kids, "pair_elements": pair_keys.explode().unique()}
        arrays["k2t_off"], arrays["k2t_tok"] = by_key(tokens, "tok")
        arrays["k2n_off"], arrays["k2n_unit"] = by_key(names, "unit")
        arrays["k2u_off"], arrays["k2u_unit"] = _csr(kid, n_keys, lkeys["unit"].to_numpy().astype(np.int32))
        arrays["t2u_off"], arrays["t2u_unit"] = _csr(postings["tok"].to_numpy(), len(index.vocab),
                                                     postings["unit"].to_numpy().astype(np.int32))
        index._derived[cache_key] = arrays
    return arrays


def key_candidates_batch(index: ListIndex, keys: BatchKeys, config: MatchConfig,
                         unit_mask: np.ndarray | None = None) -> Candidates:
    """The key equi-joins of a batch: distinct pairs with rule bits and covered account-side positions.

    Single-token keys are joined token to token first (distinct token pairs), then spread to the
    names holding the tokens; name keys are joined name to name (`kernels.key_join`, one compiled pass
    over key ids: the strings are matched to ids once, by a join on the distinct keys). The result is
    the union over every key of a plain per-name join (a test keeps them equal)."""
    lists = list_join_tables(index, config)
    kids = lists["kids"]
    tokens = keys.tokens.join(kids, on="key")
    names = keys.names.join(kids, on="key")
    postings = keys.postings
    n_tok = 1 + max(int(tokens["tok"].max() or 0), int(postings["tok"].max() or 0))
    n_units = 1 + max(int(postings["unit"].max() or 0), int(names["unit"].max() or 0))
    qt = _csr(tokens["tok"].to_numpy(), n_tok, tokens["kid"].to_numpy(), tokens["bit"].to_numpy().astype(np.int32))
    qp = _csr(postings["unit"].to_numpy(), n_units, postings["tok"].to_numpy().astype(np.int32),
              postings["mask"].to_numpy().astype(np.int64))
    qn = _csr(names["unit"].to_numpy(), n_units, names["kid"].to_numpy(), names["mask"].to_numpy().astype(np.int64),
              names["bit"].to_numpy().astype(np.int32))
    lmask = np.ones(len(index.units), dtype=bool) if unit_mask is None else unit_mask.astype(bool, copy=False)
    pq, pl_, rules, covered = kernels.key_join(
        *qt, *qp, *qn, lists["k2t_off"], lists["k2t_tok"], lists["k2n_off"], lists["k2n_unit"], lists["k2u_off"],
        lists["k2u_unit"], lists["t2u_off"], lists["t2u_unit"], len(index.vocab), lmask)
    return Candidates(pq, pl_, rules, covered)


@dataclass
class CutKeys:
    """Per account-side unit, its keys that were cut as too common: each with the token positions it stands
    for (`mask`) and its number among the cut keys (`cid`, ListIndex.cut_units), grouped by unit (CSR)."""

    offsets: np.ndarray  # int64 [units + 1]
    mask: np.ndarray  # int64
    cid: np.ndarray  # int64

    @classmethod
    def of(cls, n_units: int, unit: np.ndarray, mask: np.ndarray, cid: np.ndarray) -> "CutKeys":
        order = np.lexsort((cid, unit))  # a unit's keys in cid order: the same rows from either path
        offsets = np.zeros(n_units + 1, dtype=np.int64)
        np.cumsum(np.bincount(unit, minlength=n_units), out=offsets[1:])
        return cls(offsets, mask.astype(np.int64)[order], cid.astype(np.int64)[order])


def batch_cut_keys(index: ListIndex, batch: QueryBatch, keys: BatchKeys) -> CutKeys:
    """`cut_keys` for `BatchKeys`."""
    cut_tokens = keys.tokens.join(index.cut_keys, on="key").select("tok", "cid").unique()
    cut = pl.concat([keys.postings.join(cut_tokens, on="tok").select(pl.col("unit").cast(pl.Int64), "mask", "cid"),
                     keys.names.join(index.cut_keys, on="key").select(pl.col("unit").cast(pl.Int64), "mask", "cid")])
    cut = cut.group_by("unit", "cid").agg(pl.col("mask").bitwise_or())
    return CutKeys.of(len(batch.units), cut["unit"].to_numpy(), cut["mask"].to_numpy(), cut["cid"].to_numpy())


def key_candidates_dict(index: ListIndex, qkeys: pl.DataFrame | KeyRows,
                        unit_mask: np.ndarray | None = None) -> Candidates:
    """The same joins as a dict lookup (one name or a handful)."""
    table = index.key_dict()
    found, pq, rules, masks = [], [], [], []
    for u, key, mask in _key_rows(qkeys):
        units = table.get(key)
        if units is None:
            continue
        if unit_mask is not None:
            units = units[unit_mask[units]]
        found.append(units)
        pq.append(u)
        rules.append(keying.RULE_BITS[key[0]])
        masks.append(mask)
    if not found:
        return Candidates.empty()
    counts = np.fromiter((len(units) for units in found), dtype=np.int64, count=len(found))
    return Candidates(np.repeat(np.asarray(pq, dtype=np.int32), counts), np.concatenate(found),
                      np.repeat(np.asarray(rules, dtype=np.int32), counts),
                      np.repeat(np.asarray(masks, dtype=np.int64), counts)).distinct()


def cut_keys(index: ListIndex, batch: QueryBatch, qkeys: pl.DataFrame | KeyRows) -> CutKeys:
    """Per account-side unit, its keys that were cut as too common and the token positions each covers."""
    if not isinstance(qkeys, pl.DataFrame) or qkeys.height <= 64:
        found: dict[tuple[int, int], int] = {}
        for u, key, mask in _key_rows(qkeys):
            cid = index.cut_key_ids.get(key)
            if cid is not None:
                found[(u, cid)] = found.get((u, cid), 0) | mask
        rows = np.asarray(list(found), dtype=np.int64).reshape(-1, 2)
        return CutKeys.of(len(batch.units), rows[:, 0], np.fromiter(found.values(), dtype=np.int64,
                                                                      count=len(found)), rows[:, 1])
    cut = qkeys.join(index.cut_keys, on="key").group_by("unit", "cid").agg(pl.col("mask").bitwise_or())
    return CutKeys.of(len(batch.units), cut["unit"].to_numpy().astype(np.int64), cut["mask"].to_numpy(),
                      cut["cid"].to_numpy())


def upper_bound(index: ListIndex, batch: QueryBatch, cand: Candidates, config: MatchConfig,
                cut: CutKeys | None = None, floor: float = -np.inf) -> np.ndarray:
    """The best name score a pair could reach given which account tokens its keys covered.

    Tokens no key covered can still align through a key that was cut as common, when the listed name holds
    that key (`cut`, and the index's units of each cut key: those positions count as covered), or not at
    all, so every other uncovered token costs `extra_query_cost` at least. Pairs below the run's name floor
    are not scored. With `floor`, a value under it may be any bound under it (`kernels.key_bounds`).
    """
    if len(cand) == 0:
        return np.zeros(0, dtype=np.float32)
    tok = batch.units.tok
    weights = batch.table.weights(config)
    valid = tok >= 0
    W = np.ascontiguousarray(np.where(valid, weights[np.where(valid, tok, 0)], 0.0).astype(np.float32))
    total = W.sum(axis=1)  # per unit, numpy's float32 sum
    if cut is None:
        cut = CutKeys(np.zeros(len(tok) + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    # covered_w / (covered_w + extra_query_cost · (total − covered_w)) per pair, one compiled pass
    return kernels.key_bounds(W, total, cand.pq, cand.pl, cand.covered, cut.offsets, cut.mask, cut.cid,
                              index.cut_units.offsets, index.cut_units.columns["unit"],
                              np.float32(config.extra_query_cost), floor)


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
    first, last, bits = _vocab_by_len_columns(index)
    cutoff = config.fallback_token_sim
    q_text = batch.table.text[uniq_tok]
    q_bits = kernels.text_bits(q_text.tolist())
    for t, text, qb in zip(uniq_tok.tolist(), q_text.tolist(), q_bits.tolist()):
        length = len(text)
        spread = int(length * (1 - cutoff) / cutoff) + 1
        lo, hi = np.searchsorted(vlens, length - spread), np.searchsorted(vlens, length + spread, side="right")
        # a typo seldom hits both ends of a token: candidates share its first or its last letter
        near = (first[lo:hi] == ord(text[0])) | (last[lo:hi] == ord(text[-1]))
        # and no more characters missing from either side than the cutoff allows (an OSA edit supplies one
        # missing character at most, so the distance is at least the bits one side lacks): fewer strings
        # for rapidfuzz to prepare, the same tokens over the cutoff
        wb = bits[lo:hi]
        lacking = np.maximum(np.bitwise_count(wb & ~np.uint64(qb)), np.bitwise_count(~wb & np.uint64(qb)))
        near &= 1.0 - lacking / np.maximum(vlens[lo:hi], length) >= cutoff - 1e-6
        window = order[lo:hi][near]
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
    n_units = len(index.units)
    # the best similarity per (token, list unit); then each such pair meets every place the token stands in
    # the names (arrays, not frames: a lookup's handful of rows paid some two milliseconds of frame set-up)
    reach, inv = kernels.unique_inverse(fq[p_pos].astype(np.int64) * n_units
                                        + index.token_units.columns["unit"][p_rows])
    best_sim = np.zeros(len(reach), dtype=np.float32)
    np.maximum.at(best_sim, inv, fs[p_pos])
    by_tok = np.argsort(ids, kind="stable")
    sorted_ids, reach_tok = ids[by_tok], reach // n_units
    r, at = _ranges(np.searchsorted(sorted_ids, reach_tok), np.searchsorted(sorted_ids, reach_tok, side="right"))
    q, p, l, sim = owner[by_tok[at]].astype(np.int64), pos[by_tok[at]], reach[r] % n_units, best_sim[r]
    if unit_mask is not None:
        ok = unit_mask[l]
        q, p, l, sim = q[ok], p[ok], l[ok], sim[ok]
    if len(q) == 0:
        return Candidates.empty()
    # per (name, list unit): the similarities of its positions summed (float64, then float32: the frame's sum)
    # and the positions covered
    pair, inv = kernels.unique_inverse(q * n_units + l)
    total = np.zeros(len(pair), dtype=np.float64)
    np.add.at(total, inv, sim.astype(np.float64))
    total = total.astype(np.float32)
    covered = np.zeros(len(pair), dtype=np.int64)
    np.bitwise_or.at(covered, inv, np.left_shift(np.int64(1), p.astype(np.int64)))
    q, l = pair // n_units, pair % n_units
    # the names gathering the most, and among equals the shortest (the closest to the account's name),
    # then the first in the index: the same candidates in every run
    order = np.lexsort((l, index.units.ntok[l], -total, q))
    q, l, covered = q[order], l[order], covered[order]
    starts = np.flatnonzero(np.concatenate([[True], q[1:] != q[:-1]]))
    rank = np.arange(len(q)) - np.repeat(starts, np.diff(np.append(starts, len(q))))
    best = np.flatnonzero(rank < config.fallback_max_candidates)
    return Candidates(q[best].astype(np.int32), l[best].astype(np.int32),
                      np.full(len(best), keying.RULE_BITS["f"], dtype=np.int32), covered[best])


def _ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(range number, value) for every value of the ranges [lo[i], hi[i])."""
    counts = hi - lo
    which = np.repeat(np.arange(len(lo)), counts)
    return which, lo[which] + np.arange(len(which)) - np.repeat(np.cumsum(counts) - counts, counts)


def _vocab_by_len_columns(index: ListIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The list tokens' first and last code points and character bits in `vocab_by_len` order (built once per
    index): a fallback token's window is then a slice, not a gather over thousands of ids."""
    columns = index._derived.get("fallback_columns")
    if columns is None:
        order = index.vocab_by_len[0]
        columns = (index.vocab.table.first[order], index.vocab_last[order],
                   kernels.text_bits(index.vocab.table.text[order].tolist()))
        index._derived["fallback_columns"] = columns
    return columns


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


__all__ = ["BatchKeys", "CutKeys", "batch_cut_keys", "batch_keys", "cut_keys", "fallback_candidates", "identifier_candidates", "key_candidates_dict",
           "key_candidates_batch", "list_join_tables", "names_without", "query_key_rows",
           "unit_mask_for_entries", "upper_bound"]
