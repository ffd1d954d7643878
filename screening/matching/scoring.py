"""The name score: order-free, one-to-one token alignment of two normalised forms, vectorised.

For a block of candidate pairs the token ids of both forms sit in padded matrices [pairs, T]. The
similarities of all token cells are computed once per distinct token pair (`token_similarity`),
then a greedy one-to-one assignment takes the best remaining cell per pair until none is left. The
per-pair steps run compiled (kernels.py: cell matrices, assignment, weights, score, order and number
flags) in numpy's float32 arithmetic. The score is a weighted average (nomenklatura logic-v2 style):

    score = Σ aligned sim·w / (Σ aligned w + extra_query_cost·Σ w(unaligned account tokens)
                                            + extra_list_cost·Σ w(unaligned list tokens))

with w the token weight (short tokens, particles and generic words weigh less). Tokens left over on
both sides are joined in their order and compared once more (merge / split: Hans Peter ~ Hanspeter,
Jian Hua ~ Jianhua). A small share (`order_bonus`) goes to the similarity of the whole forms, so an
exact match outranks a reordered one and scores break ties. Different numbers in both names, names
swapped around a patronymic connector and a Han-written name read out of order are flagged here; the
feature table (features.py) applies their factors.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.dtypes import StringDType
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from screening.matching.config import MatchConfig
from screening.matching.arrays import UnitTable
from screening.matching import kernels
from screening.matching.tokens import (abbreviable_words, affix_words, descriptive_generic_words, name_markers,
                                      patronymic_connectors, pinyin_syllables, place_words, TokenTable,
                                      token_similarity)

_BUCKETS = (2, 4, 8, 16, 32)
SMALL_PAIRS = 2000
BLOCK_CELLS = 20_000  # the fixed cost of scoring one more block, in token cells (a lookup's split, above)


@dataclass
class NameScores:
    """Per candidate pair: the name score and what explains it."""

    score: np.ndarray  # float32: the alignment score with the order share (the feature table's base)
    aligned: np.ndarray  # float32: the alignment score alone
    match_j: np.ndarray  # int8 [P, Tq]: list-token position aligned to each account token (-1 none)
    match_s: np.ndarray  # float32 [P, Tq]: similarity of that alignment
    resid: np.ndarray  # float32: similarity of the joined leftovers when they aligned (merge/split), else 0
    digits_mismatch: np.ndarray  # bool: both names carry numbers and they differ (features.py: `numbers`)
    patronymic: np.ndarray  # bool: names around a patronymic connector changed places (features.py)
    joined: np.ndarray  # bool: several account tokens were joined to align with one listed token (merge)
    disordered: np.ndarray  # bool: aligned neither in order nor by one rotation (counted for Han / Hangul names)

    @classmethod
    def empty(cls, n: int, width: int) -> "NameScores":
        return cls(np.zeros(n, np.float32), np.zeros(n, np.float32), np.full((n, width), -1, np.int8),
                   np.zeros((n, width), np.float32), np.zeros(n, np.float32), np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool),
                   np.zeros(n, bool))


def _bucket(span: int) -> int:
    """The block width a batch scores a pair of `span` tokens at (the smallest bucket that holds it)."""
    return next((b for b in _BUCKETS if b >= span), span)


def _take(tok: np.ndarray, rows: np.ndarray, width: int) -> np.ndarray:
    out = tok[rows, :width]
    if out.shape[1] < width:
        out = np.pad(out, ((0, 0), (0, width - out.shape[1])), constant_values=-1)
    return out


def score_names(q_units: UnitTable, l_units: UnitTable, pq: np.ndarray, pl_: np.ndarray, table: TokenTable,
                equivalents: tuple[np.ndarray, ...], config: MatchConfig, *, floor: float | None = None,
                protect: np.ndarray | None = None) -> NameScores:
    """Name scores of the pairs (q_units[pq[i]], l_units[pl_[i]]).

    `table` covers the token ids of both unit tables (list vocabulary plus the account tokens). With
    `floor` (the caller keeps only scores at or above it), pairs whose alignment bound
    (`kernels.name_score_bound`) cannot reach it are not aligned and keep score 0, unless `protect`ed;
    every pair that can reach it gets the same score and explanation as without `floor`.
    """
    if len(pq) == 0:
        return NameScores.empty(0, q_units.tok.shape[1])
    prune = (_Pruning.of(q_units, l_units, pq, pl_, table, config, floor)
             if floor is not None and kernels.bound_holds(config) and floor > config.order_bonus else None)
    if prune is not None:
        # most pairs cannot reach the floor whatever their token similarities: they are not aligned
        live = prune.may_reach(q_units, l_units, pq, pl_, table, equivalents, config)
        if protect is not None:
            live |= protect
        if not live.all():
            sel = np.flatnonzero(live)
            out = NameScores.empty(len(pq), q_units.tok.shape[1])
            if len(sel):
                part = _score_pairs(q_units, l_units, pq[sel], pl_[sel], table, equivalents, config, prune,
                                    None if protect is None else protect[sel])
                for name, column in vars(part).items():
                    getattr(out, name)[sel] = column
            return out
    return _score_pairs(q_units, l_units, pq, pl_, table, equivalents, config, prune, protect)


def scores_and_bounds(q_units: UnitTable, l_units: UnitTable, pq: np.ndarray, pl_: np.ndarray, table: TokenTable,
                      equivalents: tuple[np.ndarray, ...], config: MatchConfig) -> tuple[NameScores, np.ndarray]:
    """Every pair's full name scores and the alignment bound `score_names(floor=...)` prunes on (the
    tests check the bound against the scores)."""
    if len(pq) == 0:
        return NameScores.empty(0, q_units.tok.shape[1]), np.zeros(0)
    prune = _Pruning.of(q_units, l_units, pq, pl_, table, config, 0.0)
    prune.threshold, prune.bounds = -np.inf, np.full(len(pq), np.nan)
    return _score_pairs(q_units, l_units, pq, pl_, table, equivalents, config, prune, None), prune.bounds


def _score_pairs(q_units: UnitTable, l_units: UnitTable, pq: np.ndarray, pl_: np.ndarray, table: TokenTable,
                 equivalents: tuple[np.ndarray, ...], config: MatchConfig, prune: "_Pruning | None",
                 protect: np.ndarray | None) -> NameScores:
    n = len(pq)
    out = NameScores.empty(n, q_units.tok.shape[1])  # alignments are kept per account-side position
    weights = table.weights(config)
    span = np.maximum(q_units.ntok[pq], l_units.ntok[pl_])
    blocks = []
    lower = 0
    for bucket in _BUCKETS:
        sel = np.flatnonzero((span > lower) & (span <= bucket))
        lower = bucket
        # a block's token-cell matrices grow with width²: wide names come in proportionally fewer pairs
        step = max(256, config.pair_chunk * 16 // (bucket * bucket))
        blocks += [(sel[start:start + step], bucket) for start in range(0, len(sel), step)]
    if n <= SMALL_PAIRS:
        # a lookup's few pairs: one block, unless one long listed name among them would widen every
        # pair's cell matrices (400 pairs at 32 tokens instead of 4: 60× the cells); each pair's
        # scores are the same in any block
        width = int(span.max())
        split = sum(len(rows) * b * b for rows, b in blocks) + BLOCK_CELLS * (len(blocks) - 1)
        if split >= n * width * width:
            blocks = [(np.arange(n), width)]
    # blocks write disjoint rows of `out`; numpy and rapidfuzz release the GIL on arrays this size,
    # so a thread per core overlaps them (not a lookup's few blocks)
    threads = 1 if n <= SMALL_PAIRS else min(len(blocks), (os.cpu_count() or 1) if config.workers < 1
                                              else config.workers)
    inner = config.replace(workers=1) if threads > 1 else config

    def run(block: tuple[np.ndarray, int]) -> None:
        rows, bucket = block
        _score_block(q_units, l_units, pq[rows], pl_[rows], rows, bucket, table, weights, equivalents, inner, out,
                     prune, None if protect is None else protect[rows])

    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(run, blocks))
    else:
        for block in blocks:
            run(block)
    return out


def _score_block(q_units: UnitTable, l_units: UnitTable, pq: np.ndarray, pl_: np.ndarray, rows: np.ndarray,
                 width: int, table: TokenTable, weights: np.ndarray, equivalents: tuple[np.ndarray, ...],
                 config: MatchConfig, out: NameScores, prune: "_Pruning | None" = None,
                 protect: np.ndarray | None = None) -> None:
    width = min(width, max(q_units.tok.shape[1], l_units.tok.shape[1]))
    Q = _take(q_units.tok, pq, width)
    L = _take(l_units.tok, pl_, width)
    P = len(pq)
    qv, lv = Q >= 0, L >= 0
    strict = q_units.strict[pq]
    # each distinct (account token, listed token, strict) cell is compared once
    uniq, inv = kernels.unique_inverse(kernels.cell_codes(Q, L, strict))
    sims, prefix = token_similarity(((uniq >> 32) & 0x3FFFFFFF).astype(np.int32), (uniq & 0xFFFFFFFF).astype(np.int32),
                                    table, equivalents, config, workers=config.workers,
                                    strict=(uniq >> 62).astype(bool))
    # the cells with the cut-off and abbreviation lifts, the Chinese-written pairs and the token weights
    # (kernels.cell_matrices: a name cut at a field length, its last token the start of a listed token;
    # an abbreviated company word anywhere; Han syllables weigh at least `syllable_min_weight`)
    cuttable = may_cut(q_units, pq, config)
    S, cut, begins, chinese, WQ0, WL0 = kernels.cell_matrices(
        Q, L, strict, q_units.ntok[pq], cuttable, inv, sims, prefix, table.nchars, table.cn_name, table.pinyin,
        table.member(pinyin_syllables()), table.member(abbreviable_words()), table.df, weights,
        kernels.cell_params(config))
    if prune is not None:
        # only the pairs whose best possible alignment reaches the floor go on (their rows of `out` alone)
        reach = prune.reaches(S, Q, L, WQ0, WL0, cut, strict, chinese, rows)
        live = np.flatnonzero(reach if protect is None else reach | protect)
        if len(live) == 0:
            return
        if len(live) < P:
            pq, pl_, rows, strict, chinese = pq[live], pl_[live], rows[live], strict[live], chinese[live]
            Q, L, qv, lv, S, cut, begins, WQ0, WL0 = (x[live] for x in (Q, L, qv, lv, S, cut, begins, WQ0, WL0))
            P = len(live)
            # the live pairs at their own width (the bucket a batch scores them at): one long listed name
            # among a lookup's pruned pairs must not widen the alignment of the few that go on
            fit = _bucket(int(np.maximum(qv.sum(axis=1), lv.sum(axis=1)).max()))
            if fit < width:
                width = fit
                Q, L, qv, lv, begins, WQ0, WL0 = (x[:, :width] for x in (Q, L, qv, lv, begins, WQ0, WL0))
                S, cut = S[:, :width, :width], cut[:, :width, :width]
    # the cut-off last token: listed tokens after the one it begins were cut away with it
    cut_last = cut.any(axis=1)  # [P, width]: list positions the account's last token begins
    # [P, width]: account tokens that are legal-form or title words; place names at a name's ends
    affix_q, place_q, place_l = kernels.token_roles(Q, L, _token_flags(table))
    ctx = (Q, L, WQ0, WL0, strict, chinese, cut_last, affix_q, place_q, place_l, begins, table, config)
    best = _align(S, *ctx)
    # a token that half-matches another can hide a merge or split (Sergeygeorgievich ~ Sergey
    # Georgievich): align again on the strong cells only and keep the better reading
    weak = ((S > 0) & (S < config.merge_protect_sim)).any(axis=(1, 2))
    if config.merge_split and weak.any():
        sel = np.flatnonzero(weak)
        strong = np.where(S[sel] >= config.merge_protect_sim, S[sel], 0.0)
        alt = _align(strong, *(x[sel] if isinstance(x, np.ndarray) and x.shape[:1] == (P,) else x for x in ctx))
        better = alt[0] > best[0][sel]
        if better.any():
            pick = sel[better]
            for k in range(len(best)):
                best[k][pick] = alt[k][better]
    aligned, match_j, match_s, resid, joined = best
    # aligned neither in order nor by one rotation (features.py: `order`, for names written in Han or Hangul);
    # different numbers in both names (features.py: `numbers`)
    disordered, digits = kernels.pair_flags(match_j, _numbers(Q, table), _numbers(L, table))
    swapped = (_patronymic_swapped(Q, L, match_j, table) if config.patronymic_swap < 1.0
               else np.zeros(P, dtype=bool))

    whole = np.zeros(P, dtype=np.float32)
    near = np.flatnonzero(aligned >= 0.5)
    if len(near):
        whole[near] = process.cpdist(q_units.text[pq[near]], l_units.text[pl_[near]], scorer=fuzz.ratio,
                                     workers=config.workers) / 100.0
    score = aligned * (1 - config.order_bonus) + config.order_bonus * whole
    score = score.astype(np.float32)

    out.score[rows] = score
    out.aligned[rows] = aligned
    kept = min(width, out.match_j.shape[1])
    out.match_j[rows, :kept] = match_j[:, :kept]
    out.match_s[rows, :kept] = match_s[:, :kept]
    out.resid[rows] = resid
    out.digits_mismatch[rows] = digits
    out.patronymic[rows] = swapped
    out.joined[rows] = joined
    out.disordered[rows] = disordered


@dataclass
class _Pruning:
    """What the alignment bound needs besides a block's arrays: per-token flags and lengths, the settings,
    and the alignment score a pair must be able to reach."""

    threshold: float
    flags: np.ndarray  # uint8 per token id: kernels.AFFIX | PLACE | PINYIN | MARKER | GENERIC
    nchars: np.ndarray  # int64 per token id
    chars: np.ndarray  # uint32: code points of the tokens of the pairs, token after token
    start: np.ndarray  # int64 per token id: where its code points begin in `chars`
    length: np.ndarray  # int64 per token id: how many (0 for tokens of no pair)
    params: np.ndarray
    bounds: np.ndarray | None = None  # every pair's bound, when kept (`scores_and_bounds`)
    toks: np.ndarray | None = None  # the token ids of the pairs, in the order of `chars`

    @classmethod
    def of(cls, q_units: UnitTable, l_units: UnitTable, pq: np.ndarray, pl_: np.ndarray, table: TokenTable,
           config: MatchConfig, floor: float) -> "_Pruning":
        toks = kernels.pair_tokens(q_units.tok, l_units.tok, pq, pl_, len(table))
        texts = table.text[toks].tolist()
        flags = _token_flags(table)
        chars, sizes = kernels.code_points(texts)
        start, length = np.zeros(len(table), dtype=np.int64), np.zeros(len(table), dtype=np.int64)
        start[toks], length[toks] = np.cumsum(sizes) - sizes, sizes
        # the whole-form share adds at most `order_bonus`; float32 rounding of the score against the bound
        threshold = (floor - config.order_bonus) / (1 - config.order_bonus) - 1e-4
        nchars = table._cache.get("nchars64")
        if nchars is None:
            nchars = table._cache["nchars64"] = table.nchars.astype(np.int64)
        return cls(threshold, flags, nchars, chars, start, length, kernels.bound_params(config), toks=toks)

    def may_reach(self, q_units: UnitTable, l_units: UnitTable, pq: np.ndarray, pl_: np.ndarray, table: TokenTable,
                  equivalents: tuple[np.ndarray, ...], config: MatchConfig) -> np.ndarray:
        """Per pair: False when its alignment provably stays under the threshold, from per-token data alone
        (`kernels.pairs_may_reach`, before any token similarity is computed)."""
        return kernels.screen_pairs(q_units.tok, l_units.tok, q_units.strict, pq, pl_, table, equivalents, config,
                                    self.toks, self.chars, self.start, self.length, self.nchars, self.flags,
                                    self.threshold)

    def reaches(self, S: np.ndarray, Q: np.ndarray, L: np.ndarray, WQ: np.ndarray, WL: np.ndarray, cut: np.ndarray,
                strict: np.ndarray, chinese: np.ndarray, rows: np.ndarray) -> np.ndarray:
        bound = kernels.name_score_bound(S, Q, L, WQ, WL, cut, strict, chinese, self.nchars, self.flags, self.chars,
                                         self.start, self.length, self.params, self.threshold)
        if self.bounds is not None:
            self.bounds[rows] = bound
        return bound >= self.threshold


def _align(S: np.ndarray, Q: np.ndarray, L: np.ndarray, WQ: np.ndarray,
           WL: np.ndarray, strict: np.ndarray, chinese: np.ndarray, cut_last: np.ndarray, affix_q: np.ndarray,
           place_q: np.ndarray, place_l: np.ndarray, begins: np.ndarray, table: TokenTable,
           config: MatchConfig) -> list[np.ndarray]:
    """Greedy one-to-one assignment on the cell similarities S, then the weighted score.

    Returns [score, match_j, match_s, resid, joined]."""
    P = len(Q)
    # the best remaining cell per pair until none is left, ties to the diagonal (the order of the names)
    match_j, match_s = kernels.greedy_assign(S)

    # the aligned sum, the leftovers and their weights with the factors (twin, cut-off tail, legal-form or
    # title word, place at an end, a name marker or descriptive word facing a one-word name), compiled
    # (kernels.align_weights: a lookup's few pairs paid some forty numpy calls here)
    prm = kernels.align_params(config)
    num, den, q_matched, q_left, l_left, WQ, WL, rq, rs, rl = kernels.align_weights(
        match_j, match_s, Q, L, WQ, WL, cut_last, affix_q, place_q, place_l, chinese, _token_flags(table), prm)

    resid = np.zeros(P, dtype=np.float32)
    joined = np.zeros(P, dtype=bool)
    # weights the merge / split consumed: account side, listed side (plain and Han-syllable leftovers)
    cq, cl, cs = (np.zeros(P, dtype=np.float32) for _ in range(3))
    if config.short_typo_sim > 0:
        typo = _short_typo(Q, L, q_left, l_left, q_matched, chinese, table, config)
        resid[typo] = config.short_typo_sim
        cq[typo], cl[typo], cs[typo] = rq[typo], rl[typo], rs[typo]
    if config.merge_split:
        nq, nl = q_left.sum(axis=1), l_left.sum(axis=1)
        both = np.flatnonzero((nq > 0) & (nl > 0) & ((nq > 1) | (nl > 1)))
        if len(both):
            lq, ll = _left_chars(Q[both], q_left[both], table), _left_chars(L[both], l_left[both], table)
            r = np.zeros(len(both), dtype=np.float64)
            tried = np.flatnonzero(_may_merge(lq, ll, config))
            if len(tried):
                rb = both[tried]
                r[tried] = _merge_sim(_joined(Q[rb], q_left[rb], table), _joined(L[rb], l_left[rb], table),
                                      lq[tried], ll[tried], config)
            ok = (r >= config.merge_min_sim) & (resid[both] == 0)
            # Chinese names (Han-derived, or both in pinyin): joined syllables must agree exactly, a syllable
            # is a character ("Li Xiaoming" is not "LI Xiao Ling": 明 / 玲)
            syllabic = strict | chinese
            ok &= ~syllabic[both] | (r >= 1.0)
            rows = both[ok]
            resid[rows] = r[ok]
            joined[rows] = (nq[both] > 1)[ok] & (nl[both] == 1)[ok]
            cq[rows], cl[rows], cs[rows] = rq[rows], rl[rows], rs[rows]
            # a merge short of exact that holds an exact split ("Amr Abdulrahman" ~ "Aman Abdul Rahman"): the
            # split is the reading, the other leftovers stay what they are, another name
            inexact = rows[(r[ok] < 1.0) & (rs[rows] == 0) & ~syllabic[rows]]
            if len(inexact):
                _exact_split(inexact, Q, L, q_left, l_left, WQ, WL, table, resid, cq, cl, joined)
            # a split of one token among other leftovers ("Nikolai Platonovich Patrushev" ~ "Nikolai
            # Patr Ushev"): one token of a side against the joined leftovers of the other
            rest = ~ok & ~syllabic[both] & (resid[both] == 0)
            if rest.any():
                _partial_merge(both[rest], Q, L, q_left, l_left, WQ, WL, nq, nl, lq[rest], ll[rest], table, config,
                               resid, cq, cl)
    # the weights a merge or split consumed, the costs of what is left (kernels.align_score)
    score = kernels.align_score(num, den, rq, rl, rs, cq, cl, cs, resid, Q, L, q_left, strict, affix_q, place_q, begins,
                                table.nchars, prm)
    return [score, match_j, match_s, resid, joined]


def may_cut(q_units: UnitTable, pq: np.ndarray, config: MatchConfig) -> np.ndarray:
    """Per pair: the account's name as written is long enough (`cut_min_chars`) for its last token to be read as
    cut at a field length (the scorer's lift and the features that read the cut agree on it)."""
    if q_units.chars is None:
        return np.ones(len(pq), dtype=bool)
    return q_units.chars[pq] >= config.cut_min_chars


def _numbers(tok: np.ndarray, table: TokenTable) -> np.ndarray:
    """The number code of each token position (TokenTable.number; 0 for none and for padding)."""
    return np.where(tok >= 0, table.number[np.maximum(tok, 0)], 0)


def _left_chars(tok: np.ndarray, keep: np.ndarray, table: TokenTable) -> np.ndarray:
    """Per row, the length of the kept tokens joined (what `_joined` would build)."""
    return np.where(keep, table.nchars[np.where(keep, tok, 0)], 0).sum(axis=1)


def _may_merge(la: np.ndarray, lb: np.ndarray, config: MatchConfig) -> np.ndarray:
    """Whether strings of these lengths can reach `merge_min_sim` at all (an edit distance is at least
    the length difference): most leftovers are told apart by their lengths, without building strings."""
    longest = np.maximum(la, lb)
    bound = 1.0 - np.abs(la - lb) / np.maximum(longest - config.edit_slack, 1.0)
    return (np.minimum(la, lb) >= 4) & (bound >= config.merge_min_sim - 1e-9)


def _merge_sim(sa: np.ndarray, sb: np.ndarray, la: np.ndarray, lb: np.ndarray, config: MatchConfig) -> np.ndarray:
    """Edit similarity of joined strings (the token rule's 1 - d / (len - slack))."""
    dist = process.cpdist(sa.tolist(), sb.tolist(), scorer=OSA.distance, workers=config.workers)
    return 1.0 - dist / np.maximum(np.maximum(la, lb) - config.edit_slack, 1.0)


def exact_split(one: list[str], two: list[str]) -> tuple[int, int, int] | None:
    """(i, a, b): `one[i]` is `two[a]` and `two[b]`, adjacent leftovers, joined in order; None when no token
    is, or when nothing else would be left on both sides (that is the plain merge)."""
    if len(one) < 2 or len(two) < 3:
        return None
    for a in range(len(two) - 1):
        pair = two[a] + two[a + 1]
        for i, token in enumerate(one):
            if token == pair:
                return i, a, a + 1
    return None


def _exact_split(rows: np.ndarray, Q: np.ndarray, L: np.ndarray, q_left: np.ndarray, l_left: np.ndarray,
                 WQ: np.ndarray, WL: np.ndarray, table: TokenTable, resid: np.ndarray, cq: np.ndarray, cl: np.ndarray,
                 joined: np.ndarray) -> None:
    """Rows merged short of exact where an `exact_split` of the leftovers exists, either way: only the split
    is consumed, at similarity 1 (in place); the other leftovers stay unaligned."""
    for p in rows.tolist():
        qi, li = np.flatnonzero(q_left[p]), np.flatnonzero(l_left[p])
        q_text, l_text = table.text[Q[p, qi]].tolist(), table.text[L[p, li]].tolist()
        split = exact_split(q_text, l_text)
        if split is not None:
            i, a, b = split
            took_q, took_l = WQ[p, qi[i]], WL[p, li[a]] + WL[p, li[b]]
        else:
            split = exact_split(l_text, q_text)
            if split is None:
                continue
            i, a, b = split
            took_q, took_l = WQ[p, qi[a]] + WQ[p, qi[b]], WL[p, li[i]]
        resid[p], cq[p], cl[p], joined[p] = 1.0, took_q, took_l, False


def _partial_merge(rows: np.ndarray, Q: np.ndarray, L: np.ndarray, q_left: np.ndarray, l_left: np.ndarray,
                   WQ: np.ndarray, WL: np.ndarray, nq: np.ndarray, nl: np.ndarray, lq: np.ndarray, ll: np.ndarray,
                   table: TokenTable, config: MatchConfig, resid: np.ndarray, cq: np.ndarray,
                   cl: np.ndarray) -> None:
    """Best single leftover token of one side against the joined leftovers of the other (in place);
    `lq`, `ll`: the joined leftovers' lengths per row."""
    best = np.zeros(len(rows), dtype=np.float32)
    take_q = np.zeros(len(rows), dtype=np.float32)
    take_l = np.zeros(len(rows), dtype=np.float32)
    for t in range(Q.shape[1]):
        for side in (0, 1):
            left, tok, W, many = (q_left, Q, WQ, nl) if side == 0 else (l_left, L, WL, nq)
            other_tok, other_left, other_len = (L, l_left, ll) if side == 0 else (Q, q_left, lq)
            sel = left[rows, t] & (many[rows] >= 2)
            single_len = np.where(sel, table.nchars[np.where(sel, tok[rows, t], 0)], 0)
            sel &= _may_merge(single_len, other_len, config)
            if not sel.any():
                continue
            idx = np.flatnonzero(sel)
            rr = rows[idx]
            single = table.text[tok[rr, t]]
            r = _merge_sim(single, _joined(other_tok[rr], other_left[rr], table), single_len[idx], other_len[idx],
                           config)
            good = (r >= config.merge_min_sim) & (r > best[idx])
            idx, r = idx[good], r[good]
            best[idx] = r
            w = W[rows[idx], t]
            take_q[idx] = w if side == 0 else np.where(q_left[rows[idx]], WQ[rows[idx]], 0.0).sum(axis=1)
            take_l[idx] = w if side == 1 else np.where(l_left[rows[idx]], WL[rows[idx]], 0.0).sum(axis=1)
    hit = best > 0
    resid[rows[hit]], cq[rows[hit]], cl[rows[hit]] = best[hit], take_q[hit], take_l[hit]


def _patronymic_swapped(Q: np.ndarray, L: np.ndarray, match_j: np.ndarray, table: TokenTable) -> np.ndarray:
    """Per pair: the tokens just before and just after the first patronymic connector (bin, ben …)
    of the account name aligned across the list name's first connector, in both directions
    ("Ahmad bin Hasan" ~ "Hasan bin Ahmad": father and son). A rotated family name does not count."""
    P, width = Q.shape
    out = np.zeros(P, dtype=bool)
    connectors = patronymic_connectors()
    cq, cl = _token_in(Q, table, connectors), _token_in(L, table, connectors)  # the table's cached word mask
    rows = np.flatnonzero(cq[:, 1:-1].any(axis=1) & cl.any(axis=1))
    if len(rows) == 0:
        return out
    pq = cq[rows].argmax(axis=1)  # first connector of the account name
    pl_ = cl[rows].argmax(axis=1)
    before = match_j[rows, np.maximum(pq - 1, 0)].astype(np.int64)
    after = match_j[rows, np.minimum(pq + 1, width - 1)].astype(np.int64)
    ok = (pq >= 1) & (pq + 1 < width) & (before >= 0) & (after >= 0)
    out[rows] = ok & (before > pl_) & (after < pl_)
    return out


def _token_in(tok: np.ndarray, table: TokenTable, words: frozenset[str]) -> np.ndarray:
    """Per position: the token is one of `words` (the table's cached mask of the word set)."""
    valid = tok >= 0
    return valid & table.member(words)[np.where(valid, tok, 0)]


def _token_flags(table: TokenTable) -> np.ndarray:
    """The alignment bound's flags per token id (kernels.AFFIX | PLACE | MARKER | GENERIC | PINYIN), cached
    on the table."""
    flags = table._cache.get("bound_flags")
    if flags is None:
        # a lookup's table extends the list vocabulary's: only its few new tokens are computed
        n = len(table.base) if table.base is not None else 0
        flags = np.where(table.pinyin[n:], kernels.PINYIN, 0).astype(np.uint8)
        for bit, words in ((kernels.AFFIX, affix_words()), (kernels.PLACE, place_words()),
                           (kernels.MARKER, name_markers()), (kernels.GENERIC, descriptive_generic_words())):
            flags |= np.where(table.member(words)[n:], bit, 0).astype(np.uint8)
        if table.base is not None:
            flags = np.concatenate([_token_flags(table.base), flags])
        table._cache["bound_flags"] = flags
    return flags


def _short_typo(Q: np.ndarray, L: np.ndarray, q_left: np.ndarray, l_left: np.ndarray, q_matched: np.ndarray,
                chinese: np.ndarray, table: TokenTable, config: MatchConfig) -> np.ndarray:
    """Pairs whose only leftovers are one short token each side, one letter apart (HK ~ HI), in a long name
    whose other tokens aligned, two of them at least four letters long: a typo in a short token then says
    less than it does in a short name. Never in Chinese-written pairs (a syllable is a character)."""
    one = (q_left.sum(axis=1) == 1) & (l_left.sum(axis=1) == 1) & ~chinese
    rows = np.flatnonzero(one)
    if len(rows) == 0:
        return np.zeros(len(Q), dtype=bool)
    long_aligned = (q_matched[rows] & (table.nchars[np.where(q_matched[rows], Q[rows], 0)] >= 4)).sum(axis=1) >= 2
    rows = rows[long_aligned]
    qt = Q[rows, q_left[rows].argmax(axis=1)]
    lt = L[rows, l_left[rows].argmax(axis=1)]
    short = ((table.nchars[qt] == table.nchars[lt]) & (table.nchars[qt] >= 2)
             & (table.nchars[qt] <= config.short_token_len) & table.alpha[qt] & table.alpha[lt])
    rows, qt, lt = rows[short], qt[short], lt[short]
    out = np.zeros(len(Q), dtype=bool)
    if len(rows):
        dist = process.cpdist(table.text[qt].tolist(), table.text[lt].tolist(), scorer=OSA.distance)
        out[rows[dist == 1]] = True
    return out


def _joined(tok: np.ndarray, keep: np.ndarray, table: TokenTable) -> np.ndarray:
    """Per row, the kept tokens joined without spaces, in their order (vectorised per position)."""
    acc = np.zeros(len(tok), dtype=StringDType())
    for t in range(tok.shape[1]):
        col = keep[:, t]
        if not col.any():
            continue
        piece = np.zeros(len(tok), dtype=StringDType())
        piece[col] = table.text[tok[col, t]].astype(StringDType())
        acc = np.strings.add(acc, piece)
    return acc
