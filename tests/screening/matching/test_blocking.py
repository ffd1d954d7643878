"""Candidate generation on real list names: own entries are found for exact names and simple variants,
the bound never drops a pair that would score, and names without any candidate go to the fallback."""

from __future__ import annotations

import random

import numpy as np
import polars as pl

from screening.matching import blocking, kernels
from screening.matching.arrays import Ragged
from screening.matching.keys import RULE_BITS, forms_keys_frame
from screening.matching.config import DEFAULT_CONFIG as C
from screening.matching.features import bound_floor
from screening.matching.cache import get_index
from screening.matching.candidates import Candidates, MatchStats
from screening.matching.matcher import match
from screening.matching.query import prepare_queries
from screening.matching.screen import screen_batch

SAMPLE_SQL = """
SELECT DISTINCT n.source, n.source_id, e.subject_type, n.name
FROM current_names n JOIN current_entries e USING (source, source_id)
WHERE n.quality = 'strong' AND e.subject_type IN ('person', 'organization') AND n.script IS DISTINCT FROM 'Hani'
ORDER BY hash(n.source || n.source_id || n.name) LIMIT 400
"""


def _typo(name: str, rng: random.Random) -> str:
    words = name.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    w = words[longest]
    if len(w) < 7:
        return name
    i = rng.randrange(1, len(w) - 1)
    words[longest] = w[:i] + w[i + 1:]  # one deletion
    return " ".join(words)


def _own_scores(con, names: pl.DataFrame, variants: list[str]) -> np.ndarray:
    index = get_index(con, C)
    accounts = pl.DataFrame({"account_id": [str(i) for i in range(names.height)],
                             "subject_type": names["subject_type"], "name": variants})
    hits = screen_batch(index, prepare_queries(accounts, index), C, floor=C.low)
    own = hits.join(names.with_row_index("i").select(pl.col("i").cast(pl.String).alias("account_id"), "source",
                                                     "source_id"), on=["account_id", "source", "source_id"])
    best = own.group_by("account_id").agg(pl.col("score").max())
    scores = np.zeros(names.height)
    for aid, score in best.iter_rows():
        scores[int(aid)] = score
    return scores


def test_exact_and_reordered_names_find_their_entry(con) -> None:
    names = con.sql(SAMPLE_SQL).pl()
    exact = _own_scores(con, names, names["name"].to_list())
    assert (exact >= C.review).all(), names.filter(pl.Series(exact < C.review))
    # every token reversed (legal forms and titles then sit where the normaliser does not look for them)
    reordered = [" ".join(reversed(n.replace(",", " ").split())) for n in names["name"].to_list()]
    scores = _own_scores(con, names, reordered)
    assert (scores >= C.low).mean() >= 0.97
    assert (scores >= C.review).mean() >= 0.93


def test_one_typo_on_long_names_is_found(con) -> None:
    rng = random.Random(7)
    names = con.sql(SAMPLE_SQL).pl()
    typos = [_typo(n, rng) for n in names["name"].to_list()]
    scores = _own_scores(con, names, typos)
    assert (scores >= C.low).mean() >= 0.98
    assert (scores >= C.review).mean() >= 0.95


def test_bound_keeps_every_alert(con) -> None:
    """Scoring every key candidate (no bound) finds no alert the bounded run misses.

    The bound counts only what the keys saw, so a low-band hit resting on an initial or a weak
    short-token match may go (documented in blocking.py); alerts may not."""
    index = get_index(con, C)
    names = con.sql(SAMPLE_SQL).pl().head(150)
    rng = random.Random(3)
    accounts = pl.DataFrame({"account_id": [str(i) for i in range(names.height)], "subject_type": names["subject_type"],
                             "name": [_typo(n, rng) for n in names["name"].to_list()]})
    batch = prepare_queries(accounts, index)
    keys = blocking.batch_keys(batch, C, index)
    cand = blocking.key_candidates_batch(index, keys, C)
    everything = match(index, batch, cand, C, floor=C.low)
    bound = blocking.upper_bound(index, batch, cand, C, blocking.batch_cut_keys(index, batch, keys))
    kept = cand.take(np.flatnonzero(bound >= bound_floor(C, C.low)))
    bounded = match(index, batch, kept, C, floor=C.low)
    lost = everything.join(bounded, on=["account_id", "source", "source_id"], how="anti")
    assert lost.filter(pl.col("score") >= C.review).height == 0
    assert lost.height <= 0.03 * everything.height
    assert len(kept) < len(cand) / 2


def _plain_join(con, qkeys: pl.DataFrame, lkeys: pl.DataFrame) -> pl.DataFrame:
    """The reference: every account-side (unit, key) joined to every list-side (key, unit)."""
    bits = {r: b for r, b in RULE_BITS.items()}
    q = qkeys.with_columns(bit=pl.col("key").str.slice(0, 1).replace_strict(bits, return_dtype=pl.Int32))
    con.register("_ref_q", q.to_arrow())
    con.register("_ref_l", lkeys.to_arrow())
    try:
        return con.sql("SELECT q.unit::INTEGER AS q, l.unit::INTEGER AS l, bit_or(q.bit)::INTEGER AS rules, "
                       "bit_or(q.mask)::BIGINT AS covered FROM _ref_q q JOIN _ref_l l USING (key) GROUP BY ALL").pl()
    finally:
        con.unregister("_ref_q")
        con.unregister("_ref_l")


def test_token_level_join_equals_the_plain_join(con) -> None:
    """Joining single-token keys token to token, then spreading to names, finds exactly the pairs,
    rules and covered positions of joining every name's keys (strict Han-derived forms included)."""
    index = get_index(con, C)
    names = con.sql(SAMPLE_SQL).pl().head(300)
    rng = random.Random(5)
    extra = ["王小明", "Abubakr Mohammed", "Kim Jong Un", "Bank Melli Iran", "Sberbank Rossii PAO", "Ivanov Ivan"]
    accounts = pl.DataFrame({
        "account_id": [str(i) for i in range(names.height + len(extra))],
        "subject_type": names["subject_type"].to_list() + ["person"] * 3 + ["organization"] * 2 + ["person"],
        "name": [_typo(n, rng) for n in names["name"].to_list()] + extra})
    batch = prepare_queries(accounts, index)
    keys = blocking.batch_keys(batch, C, index)  # word pairs of listed pair elements only
    assert keys.names.height < blocking.batch_keys(batch, C).names.height
    got = blocking.key_candidates_batch(index, keys, C)
    got = pl.DataFrame({"q": got.pq, "l": got.pl, "rules": got.rules, "covered": got.covered})
    qkeys = forms_keys_frame(blocking.unit_token_frame(batch), C.deletion_min_len)
    want = _plain_join(con, qkeys, index.keys)
    assert got.height == want.height > 1000
    assert got.sort("q", "l").equals(want.sort("q", "l"))
    batch_cut, dict_cut = blocking.batch_cut_keys(index, batch, keys), blocking.cut_keys(index, batch, qkeys)
    assert len(batch_cut.mask) > 0 and all(np.array_equal(getattr(batch_cut, f), getattr(dict_cut, f))
                                           for f in ("offsets", "mask", "cid"))
    # a delta rescreen: the same join restricted to some entries' names
    mask = np.zeros(len(index.units), dtype=bool)
    mask[::3] = True
    part = blocking.key_candidates_batch(index, keys, C, mask)
    assert set(zip(part.pq.tolist(), part.pl.tolist())) == set(
        (q, l) for q, l in zip(want["q"].to_list(), want["l"].to_list()) if mask[l])


def test_names_without_candidates_go_to_the_fallback(con) -> None:
    index = get_index(con, C)
    # two consonants changed in one long token: no deletion or phonetic key survives
    accounts = pl.DataFrame({"account_id": ["x"], "subject_type": ["organization"], "name": ["Rosoporonekzbort"]})
    stats = MatchStats()
    hits = screen_batch(index, prepare_queries(accounts, index), C, floor=0.3, stats=stats)
    assert stats.fallback_names == 1
    assert hits.height > 0
    assert all("fallback" in r for r in hits["reasons"].to_list())


def test_candidates_merge_unions_rules_and_coverage() -> None:
    a = Candidates(np.array([0, 0]), np.array([1, 2]), np.array([1, 1]), np.array([1, 1], dtype=np.int64))
    b = Candidates(np.array([0]), np.array([1]), np.array([4]), np.array([2], dtype=np.int64))
    m = Candidates.merge(a, b)
    assert list(zip(m.pq.tolist(), m.pl.tolist(), m.rules.tolist(), m.covered.tolist())) == [(0, 1, 5, 3), (0, 2, 1, 1)]



def test_candidates_merge_keeps_the_largest_part_and_adds_the_rest_once() -> None:
    big = Candidates(np.array([3, 0, 1]), np.array([3, 5, 7]), np.array([1, 1, 1]), np.array([1, 1, 1], dtype=np.int64))
    small = Candidates(np.array([1, 2]), np.array([7, 2]), np.array([2, 2]), np.array([2, 2], dtype=np.int64))
    tiny = Candidates(np.array([2]), np.array([2]), np.array([4]), np.array([4], dtype=np.int64))
    m = Candidates.merge(small, big, tiny)
    rows = list(zip(m.pq.tolist(), m.pl.tolist(), m.rules.tolist(), m.covered.tolist()))
    assert rows[:3] == [(3, 3, 1, 1), (0, 5, 1, 1), (1, 7, 3, 3)]  # the key join's order is kept
    assert rows[3:] == [(2, 2, 6, 6)]
    assert Candidates.merge(big) is big
    raw = Candidates(np.array([1, 0, 1]), np.array([2, 2, 2]), np.array([1, 2, 4]), np.array([1, 1, 2], dtype=np.int64))
    d = raw.distinct()
    assert list(zip(d.pq.tolist(), d.pl.tolist(), d.rules.tolist(), d.covered.tolist())) == [(0, 2, 2, 1), (1, 2, 5, 3)]


def test_fallback_prefers_the_shortest_names_among_equals_and_is_repeatable(con) -> None:
    """A name of common tokens only ("Ahmed Trading FZE") reaches thousands of listed names through
    the fallback; which `fallback_max_candidates` of them are scored must not change between runs."""
    index = get_index(con, C)
    accounts = pl.DataFrame({"account_id": ["x"], "subject_type": ["organization"], "name": ["Ahmed Trading FZE"]})
    batch = prepare_queries(accounts, index)
    units = np.arange(len(batch.units), dtype=np.int32)
    runs = [blocking.fallback_candidates(index, batch, units, C) for _ in range(3)]
    assert all(np.array_equal(r.pl, runs[0].pl) and np.array_equal(r.pq, runs[0].pq) for r in runs)
    ntok = index.units.ntok[runs[0].pl]
    assert len(runs[0]) == C.fallback_max_candidates
    assert ntok.min() == 1  # a listed "AHMED" alone is among them


def test_key_bounds_add_the_weights_of_the_set_bits() -> None:
    """The compiled bound: the covered weights (the pair's bits, and the bits of its unit's cut keys that the
    listed unit holds) over the whole as the numpy expression it replaced computes them, to the bit (float32
    throughout, summed in float64)."""
    rng = np.random.default_rng(0)
    W = rng.random((50, 11)).astype(np.float32)
    ntok = rng.integers(1, 12, 50)
    W[np.arange(11)[None, :] >= ntok[:, None]] = 0.0
    rows = rng.integers(0, 50, 400)
    units = rng.integers(0, 30, 400)
    masks = rng.integers(0, 1 << 11, 400) & ((1 << ntok[rows]) - 1)
    # three cut keys held by some listed units; a fifth of the account units have one or two of them
    held = [np.sort(rng.choice(30, size, replace=False)).astype(np.int32) for size in (5, 12, 20)]
    cut_rows = [(u, int(rng.integers(1, 1 << 11)), int(c)) for u in range(50) if rng.random() < 0.2
                for c in rng.choice(3, int(rng.integers(1, 3)), replace=False)]
    unit, mask, cid = (np.asarray(col, dtype=np.int64) for col in zip(*cut_rows))
    cut = blocking.CutKeys.of(50, unit, mask, cid)
    cu = Ragged.group(np.repeat(np.arange(3), [len(h) for h in held]), 3, unit=np.concatenate(held))
    covered = []
    for r, u, m in zip(rows, units, masks):
        bits = m | np.bitwise_or.reduce([cm for cu_, cm, cc in cut_rows if cu_ == r and u in held[cc]] or [0])
        covered.append(np.float32(sum(float(W[r, b]) for b in range(11) if bits >> b & 1)))
    covered = np.asarray(covered, dtype=np.float32)
    total = W.sum(axis=1)
    den = covered + C.extra_query_cost * (total[rows] - covered)
    expected = np.where(den > 0, covered / np.maximum(den, 1e-9), 0.0).astype(np.float32)
    got = kernels.key_bounds(W, total, rows, units.astype(np.int32), masks.astype(np.int64), cut.offsets, cut.mask,
                             cut.cid, cu.offsets, cu.columns["unit"], np.float32(C.extra_query_cost))
    assert got.dtype == np.float32 and np.array_equal(got, expected)
    assert (got > 0).any() and (got < 1).any()
    # the cut bits count for a listed unit holding the key, and only for it
    without = kernels.key_bounds(W, total, rows, units.astype(np.int32), masks.astype(np.int64),
                                 np.zeros(51, dtype=np.int64), cut.mask[:0], cut.cid[:0], cu.offsets,
                                 cu.columns["unit"], np.float32(C.extra_query_cost))
    assert (got >= without).all() and (got > without).any()
    # with a floor: the same pairs reach it, with the same bounds; the others stay under it, unsearched
    skipped = 0
    for floor in (0.3, float(np.median(got)), 0.9):
        floored = kernels.key_bounds(W, total, rows, units.astype(np.int32), masks.astype(np.int64), cut.offsets,
                                     cut.mask, cut.cid, cu.offsets, cu.columns["unit"], np.float32(C.extra_query_cost),
                                     floor)
        reach = got >= floor
        assert np.array_equal(floored >= floor, reach) and np.array_equal(floored[reach], got[reach])
        assert reach.any() and not reach.all() and (floored[~reach] >= got[~reach]).all()
        skipped += int((floored > got).sum())  # pairs whose search was skipped (their bound with every cut key)
    assert skipped > 0


def test_the_batch_join_does_not_depend_on_the_order_of_the_listed_keys(con) -> None:
    """list_join_tables numbers keys by runs over sorted keys: an index whose keys come in another order
    gets the same pairs."""
    import dataclasses

    index = get_index(con, C)
    shuffled = dataclasses.replace(index, keys=index.keys.sample(fraction=1.0, shuffle=True, seed=1), _derived={})
    accounts = pl.DataFrame({"account_id": ["1", "2", "3", "4"], "subject_type": ["person", "person", "organization", None],
                             "name": ["Kim Jong Un", "Abubakr Mohammed Ali", "Bank Melli Iran", "王小明"]})
    batch = prepare_queries(accounts, index)
    keys = blocking.batch_keys(batch, C, index)
    a, b = blocking.key_candidates_batch(index, keys, C), blocking.key_candidates_batch(shuffled, keys, C)

    def frame(c: Candidates) -> pl.DataFrame:
        return pl.DataFrame({"q": c.pq, "l": c.pl, "r": c.rules, "m": c.covered}).sort("q", "l")

    assert len(a) > 0 and frame(a).equals(frame(b))


def test_a_cut_key_covers_its_positions_only_where_the_listed_name_holds_it(con) -> None:
    """A key cut as too common ("ahmed", "mohammed" …) is left out of the join, not out of the bound: its
    positions count as covered for the listed names that hold it (as a kept key's would), and for no other.
    Counting them for every listed name doubled the pairs the scorer takes on distinct names."""
    index = get_index(con, C)
    accounts = pl.DataFrame({"account_id": [str(i) for i in range(6)], "subject_type": ["person"] * 6,
                             "name": ["Mohammed Ali Hassan", "Ahmed Bashir Noorzai", "Abdul Rahman Yasin",
                                      "Ali Mahmoud Al-Tamimi", "Abdulrahman Amal Ahmed", "Saad Ali Mahmoud"]})
    batch = prepare_queries(accounts, index)
    keys = blocking.batch_keys(batch, C, index)
    cand = blocking.key_candidates_batch(index, keys, C)
    cut = blocking.batch_cut_keys(index, batch, keys)
    assert len(cut.mask) > 0
    refined = blocking.upper_bound(index, batch, cand, C, cut)
    # the former rule: every listed unit holds every cut key
    every = Ragged(np.arange(len(index.cut_keys) + 1, dtype=np.int64) * len(index.units),
                   {"unit": np.tile(np.arange(len(index.units), dtype=np.int32), len(index.cut_keys))})
    W = batch.table.weights(C)
    tok = batch.units.tok
    Wm = np.ascontiguousarray(np.where(tok >= 0, W[np.where(tok >= 0, tok, 0)], 0.0).astype(np.float32))
    former = kernels.key_bounds(Wm, Wm.sum(axis=1), cand.pq, cand.pl, cand.covered, cut.offsets, cut.mask, cut.cid,
                                every.offsets, every.columns["unit"], np.float32(C.extra_query_cost))
    assert (refined <= former).all() and (refined < former).sum() > len(cand) // 10
    # a pair's bound is lower exactly when its listed unit lacks one of the account unit's cut keys
    held = {c: set(index.cut_units.columns["unit"][index.cut_units.offsets[c]:index.cut_units.offsets[c + 1]].tolist())
            for c in set(cut.cid.tolist())}
    lacks = np.asarray([any(u not in held[c] for c in cut.cid[cut.offsets[q]:cut.offsets[q + 1]].tolist())
                        for q, u in zip(cand.pq.tolist(), cand.pl.tolist())])
    assert not (refined < former)[~lacks].any() and lacks.any() and not lacks.all()
    # the listed pairs themselves keep their bound
    own = [index.unit_ids[u] for u in ("mohammed ali hassan", "abdul rahman yasin") if u in index.unit_ids]
    for u in own:
        at = np.flatnonzero(cand.pl == u)
        assert len(at) and (refined[at] == former[at]).any()
