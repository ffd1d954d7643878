"""Compiled per-pair kernels (numba) for the scorer's hot loops.

`name_score_bound` gives, per candidate pair, an upper bound on the alignment score `scoring._align`
returns, from the same cell similarities. On names that are nearly all distinct, most keyed pairs share
one token and no more (under 1 % reach a run's name floor), so the scorer aligns in full only the pairs
whose bound reaches the floor.

The scorer's own per-pair steps are compiled too (`cell_codes`, `cell_matrices`, `token_roles`,
`greedy_assign`, `align_weights`, `align_score`, `pair_flags`): a lookup scores a few pairs, where a numpy
call costs its fixed overhead whatever the size, and `_score_block` made some two hundred of them. They
keep numpy's float32 arithmetic, pairwise sums (`_sum32`) and mixed precision, so the scores are the same
bits; the token similarities (rapidfuzz) and the merge / split strings stay in scoring.py.

`key_bounds` adds the weights of the token positions a candidate's keys covered (blocking.upper_bound);
`key_join` is the batch's key equi-joins (blocking.key_candidates_batch).

Compiled on first use and cached on disk (`_compiled`), so only the first process after an install or a
change of this file pays the compile (about 20 s of CPU); `nogil=True` lets the scorer's threads run the
kernels side by side.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from screening.matching.config import MatchConfig


def _compiled(fn=None, *, inline: str = "never"):  # type: ignore[no-untyped-def]
    """`njit`, cached on disk (numba's locators: NUMBA_CACHE_DIR, beside this module, the user's cache
    directory); where none is writable numba refuses to cache, and the kernel compiles in each process.
    `inline="always"`: inlined into its callers by numba (a helper called once per pair with two dozen array
    arguments costs more in the call than in its body)."""
    if fn is None:
        return lambda f: _compiled(f, inline=inline)
    try:
        return njit(cache=True, nogil=True, inline=inline)(fn)
    except RuntimeError:
        return njit(nogil=True, inline=inline)(fn)


# per-token flags (scoring._Pruning.of)
AFFIX, PLACE, PINYIN, MARKER, GENERIC = 1, 2, 4, 8, 16
_DIAG = np.float32(1e-4)  # `_align`'s tie-break on the diagonal, the same float32 value


def bound_params(config: MatchConfig) -> np.ndarray:
    """The settings the bound reads, in the kernel's order."""
    return np.asarray([config.duplicate_weight, config.truncated_weight, config.affix_extra_weight,
                       config.place_extra_weight, config.extra_query_cost, config.extra_query_cost_whole,
                       config.extra_list_cost, config.conflict_cost, config.merge_min_sim, config.edit_slack,
                       config.merge_protect_sim, config.short_typo_sim, config.short_token_len,
                       float(config.merge_split), config.single_word_generic_weight], dtype=np.float64)


def bound_holds(config: MatchConfig) -> bool:
    """The bound assumes weight factors in [0, 1], non-negative costs and leftover similarities ≤ 1."""
    factors = (config.duplicate_weight, config.truncated_weight, config.affix_extra_weight, config.place_extra_weight)
    costs = (config.extra_query_cost, config.extra_query_cost_whole, config.extra_list_cost, config.conflict_cost)
    return min(factors) >= 0.0 and max(factors) <= 1.0 and min(costs) >= 0.0 and config.short_typo_sim <= 1.0


@_compiled
def _may_merge(la: float, lb: float, min_sim: float, slack: float) -> bool:
    longest = max(la, lb)
    return min(la, lb) >= 4 and 1.0 - abs(la - lb) / max(longest - slack, 1.0) >= min_sim - 1e-9


@_compiled
def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else 0.0


@_compiled
def _alignment_bound(S, Q, L, WQ, WL, cut, strict, chinese, nchars, flags, chars, start, length, prm, floor, strong_only,
                     work, match_j, match_s, l_match, wq, wl, left_q, left_l, buf_q, buf_l, buf_1, dp):  # pragma: no cover - compiled
    """The bound for one pair and one of `_align`'s two readings (all cells, or only cells ≥ merge_protect_sim)."""
    width = Q.shape[0]
    dup, trunc, affix_w, place_w = prm[0], prm[1], prm[2], prm[3]
    eqc, eqc_whole, elc, cc = prm[4], prm[5], prm[6], prm[7]
    min_sim, slack, typo_sim, short_len, merge_split = prm[8], prm[9], prm[11], prm[12], prm[13]
    generic_w = prm[14]
    protect = np.float32(prm[10])  # numpy compares the float32 cells with the setting in float32
    # the greedy one-to-one assignment, exactly as `_align` runs it (float32 cells, first maximum wins)
    for i in range(width):
        match_j[i] = -1
        match_s[i] = 0.0
        l_match[i] = False
        for j in range(width):
            s = S[i, j]
            if strong_only and s < protect:
                s = np.float32(0.0)
            if s > 0:
                work[i, j] = s + _DIAG if i == j else s
            else:
                work[i, j] = np.float32(0.0)
    for _ in range(width):
        top = np.float32(0.0)
        bi, bj = -1, -1
        for i in range(width):
            for j in range(width):
                if work[i, j] > top:
                    top = work[i, j]
                    bi, bj = i, j
        if bi < 0:
            break
        s = S[bi, bj]
        match_j[bi] = bj
        match_s[bi] = s if not (strong_only and s < protect) else np.float32(0.0)
        l_match[bj] = True
        for k in range(width):
            work[bi, k] = 0.0
            work[k, bj] = 0.0
    nq, nl = 0, 0
    for i in range(width):
        if Q[i] >= 0:
            nq += 1
        if L[i] >= 0:
            nl += 1
    num, den = 0.0, 0.0
    long_aligned = 0
    q_pinyin = True
    for i in range(width):
        if Q[i] >= 0 and (flags[Q[i]] & PINYIN) == 0:
            q_pinyin = False
        if match_j[i] >= 0:
            w = (np.float64(WQ[i]) + WL[match_j[i]]) / 2
            num += match_s[i] * w
            den += w
            if nchars[Q[i]] >= 4:
                long_aligned += 1
    # leftover weights with their factors (twin, legal-form or title word, place at an end, cut-off tail,
    # a one-word name's listed markers and generic words raised)
    n_aligned = 0
    for i in range(width):
        if match_j[i] >= 0:
            n_aligned += 1
    single = nq == 1 and n_aligned == 1
    j_last = match_j[max(nq - 1, 0)]
    was_cut = False  # the account's last token aligned as the start of listed token j_last (`cut_last`)
    if j_last >= 0:
        for i in range(width):
            if cut[i, j_last]:
                was_cut = True
    rq, rl, rs, lq_chars, ll_chars = 0.0, 0.0, 0.0, 0.0, 0.0
    n_left_q, n_left_l = 0, 0
    for i in range(width):
        left_q[i] = Q[i] >= 0 and match_j[i] < 0
        wq[i] = 0.0
        if left_q[i]:
            f = 1.0
            for k in range(width):
                if match_j[k] >= 0 and Q[k] == Q[i]:
                    f *= dup
                    break
            if flags[Q[i]] & AFFIX:
                f *= affix_w
            if (flags[Q[i]] & PLACE) and nq >= 3 and (i == 0 or i == nq - 1):
                f *= place_w
            wq[i] = WQ[i] * f
            rq += wq[i]
            lq_chars += nchars[Q[i]]
            n_left_q += 1
    for j in range(width):
        left_l[j] = L[j] >= 0 and not l_match[j]
        wl[j] = 0.0
        if left_l[j]:
            f = 1.0
            for k in range(width):
                if l_match[k] and L[k] == L[j]:
                    f *= dup
                    break
            if was_cut and j > j_last:
                f *= trunc
            place = (flags[L[j]] & PLACE) and nl >= 3 and (j == 0 or j == nl - 1)
            if place:
                f *= place_w
            wl[j] = WL[j] * f
            if single and (flags[L[j]] & MARKER):  # a one-word name: a name marker left over stands for a name
                wl[j] = max(wl[j], 1.0)
            if single and (flags[L[j]] & GENERIC):  # ... a descriptive word is what tells companies apart
                wl[j] = max(wl[j], generic_w)
            ll_chars += nchars[L[j]]
            n_left_l += 1
            if chinese and not place and q_pinyin:  # a Han syllable the account lacks
                rs += wl[j]
            else:
                rl += wl[j]
    # no merge: the score itself
    q_cost = eqc_whole if (rl < 1e-6 and rs < 1e-6 and nl >= 2 and not strict) else eqc
    unmatched = q_cost * rq + elc * rl + cc * min(rq, rl) + (eqc + cc) * rs
    best = _ratio(num, den + unmatched)
    # every leftover merged: a merge / split of all of them (their joined strings' OSA similarity, as
    # `_merge_sim` computes it), or the short-token typo (one edit); the merged weight aligns at that similarity
    both = n_left_q > 0 and n_left_l > 0 and (n_left_q > 1 or n_left_l > 1)
    if not (both or (typo_sim > 0 and n_left_q == 1 and n_left_l == 1)):
        return best
    # an option whose similarity-1 score cannot beat `best` nor reach `floor` is not compared at all
    need = max(best, floor)
    na = _join(Q, left_q, -1, chars, start, length, buf_q)
    nb = _join(L, left_l, -1, chars, start, length, buf_l)
    mw = (rq + rl + rs) / 2
    if _ratio(num + mw, den + mw) > need:
        r = 0.0
        if merge_split > 0 and both and _may_merge(lq_chars, ll_chars, min_sim, slack):
            r = 1.0 - _osa(buf_q, na, buf_l, nb, dp) / max(max(lq_chars, ll_chars) - slack, 1.0)
            if r < min_sim or (strict and r < 1.0):
                r = 0.0
        if (r == 0.0 and typo_sim > 0 and n_left_q == 1 and n_left_l == 1 and not chinese and long_aligned >= 2
                and lq_chars == ll_chars and lq_chars >= 2 and lq_chars <= short_len
                and _osa(buf_q, na, buf_l, nb, dp) == 1):
            r = typo_sim
        if r > 0:
            best = max(best, _ratio(num + r * mw, den + mw))
    # one leftover token of a side against all the other side's leftovers joined (`_partial_merge`)
    if merge_split > 0 and both and not strict:
        whole_q = eqc_whole if (rs < 1e-6 and nl >= 2) else eqc
        for i in range(width):
            if left_q[i] and n_left_l >= 2 and _may_merge(float(nchars[Q[i]]), ll_chars, min_sim, slack):
                mw = (wq[i] + rl + rs) / 2
                rest = whole_q * (rq - wq[i]) + (eqc + cc) * rs
                if _ratio(num + mw, den + mw + rest) > max(best, floor):
                    n1 = _join(Q, left_q, i, chars, start, length, buf_1)
                    r = 1.0 - _osa(buf_1, n1, buf_l, nb, dp) / max(max(float(nchars[Q[i]]), ll_chars) - slack, 1.0)
                    if r >= min_sim:
                        best = max(best, _ratio(num + r * mw, den + mw + rest))
        for j in range(width):
            if left_l[j] and n_left_q >= 2 and _may_merge(float(nchars[L[j]]), lq_chars, min_sim, slack):
                mw = (rq + wl[j]) / 2
                rest = elc * max(rl - wl[j], 0.0) + (eqc + cc) * rs
                if _ratio(num + mw, den + mw + rest) > max(best, floor):
                    n1 = _join(L, left_l, j, chars, start, length, buf_1)
                    r = 1.0 - _osa(buf_1, n1, buf_q, na, dp) / max(max(float(nchars[L[j]]), lq_chars) - slack, 1.0)
                    if r >= min_sim:
                        best = max(best, _ratio(num + r * mw, den + mw + rest))
    return best


@_compiled
def _join(tok, keep, only, chars, start, length, buf):  # pragma: no cover - compiled
    """The code points of the kept tokens joined in order (`only` ≥ 0: that token alone) into buf; their count."""
    n = 0
    for i in range(tok.shape[0]):
        if (only < 0 and keep[i]) or i == only:
            t = tok[i]
            for k in range(length[t]):
                buf[n] = chars[start[t] + k]
                n += 1
    return n


@_compiled
def _osa(a, na, b, nb, dp):  # pragma: no cover - compiled
    """Optimal string alignment distance (rapidfuzz's OSA: edits and adjacent transpositions, each once)."""
    # dp holds three rows of nb + 1: two back, one back, current
    for j in range(nb + 1):
        dp[1, j] = j
    for i in range(1, na + 1):
        dp[2, 0] = i
        for j in range(1, nb + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d = min(dp[1, j] + 1, dp[2, j - 1] + 1, dp[1, j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d = min(d, dp[0, j - 2] + 1)
            dp[2, j] = d
        for j in range(nb + 1):
            dp[0, j] = dp[1, j]
            dp[1, j] = dp[2, j]
    return dp[1, nb]


@_compiled
def greedy_assign(S):  # pragma: no cover - compiled
    """`scoring._align`'s greedy one-to-one assignment, per pair: the best remaining cell (ties to the
    diagonal by `_DIAG`, then to the first in row-major order, as numpy's argmax) until none is positive.
    S [P, w, w] cell similarities; returns match_j [P, w] int8 (-1 none) and match_s [P, w] float32, the
    same arrays the vectorised rounds gave (a lookup's few pairs paid a dozen numpy calls per round)."""
    P, width = S.shape[0], S.shape[1]
    match_j = np.full((P, width), -1, dtype=np.int8)
    match_s = np.zeros((P, width), dtype=np.float32)
    work = np.zeros((width, width), dtype=S.dtype)
    for p in range(P):
        for i in range(width):
            for j in range(width):
                s = S[p, i, j]
                if s > 0:
                    work[i, j] = s + _DIAG if i == j else s
                else:
                    work[i, j] = 0.0
        for _ in range(width):
            top = work[0, 0]
            bi, bj = 0, 0
            for i in range(width):
                for j in range(width):
                    if work[i, j] > top:
                        top = work[i, j]
                        bi, bj = i, j
            if not top > 0:
                break
            match_j[p, bi] = bj
            match_s[p, bi] = S[p, bi, bj]
            for k in range(width):
                work[bi, k] = 0.0
                work[k, bj] = 0.0
    return match_j, match_s


@_compiled
def cell_codes(Q, L, strict):  # pragma: no cover - compiled
    """The token-pair code of every cell where both tokens exist, pair by pair in row-major order (what
    `scoring._score_block`'s boolean-mask gathers gave): account id << 32 | listed id | strict << 62."""
    P, width = Q.shape
    n = 0
    for p in range(P):
        nq, nl = 0, 0
        for i in range(width):
            if Q[p, i] >= 0:
                nq += 1
            if L[p, i] >= 0:
                nl += 1
        n += nq * nl
    codes = np.empty(n, dtype=np.int64)
    k = 0
    for p in range(P):
        st = np.int64(1) << 62 if strict[p] else np.int64(0)
        for i in range(width):
            if Q[p, i] < 0:
                continue
            for j in range(width):
                if L[p, j] >= 0:
                    codes[k] = (np.int64(Q[p, i]) << 32) | np.int64(L[p, j]) | st
                    k += 1
    return codes


@_compiled
def cell_matrices(Q, L, strict, ntok_q, may_cut, inv, sims, prefix, nchars, cn_name, pinyin, syllable, abbreviable,
                  df, weights, prm):  # pragma: no cover - compiled
    """`scoring._score_block`'s cell similarities and token weights, per pair: S [P, w, w] (the token
    similarities, a cut-off last token or an abbreviated company word lifted to the prefix similarity), the
    cut cells (the account's last token begins the listed one), `begins` [P, w] (an account token begins a
    listed token), `chinese` [P] and the weights WQ, WL [P, w] (Han syllables at least `syllable_min_weight`).
    `may_cut` [P]: the account's name as written is long enough to have been cut at a field length.
    `inv`: each valid cell's index into sims / prefix, in `cell_codes` order. The same float32 values as the
    numpy expressions they replace (maxima of float32 values only)."""
    P, width = Q.shape
    long_len, long_sim, short_sim, syl_w = prm[0], np.float32(prm[1]), np.float32(prm[2]), np.float32(prm[3])
    named_df, table_sim = prm[4], np.float32(prm[5])  # table_sim: the least a nickname / variant match gives
    S = np.zeros((P, width, width), dtype=np.float32)
    cut = np.zeros((P, width, width), dtype=np.bool_)
    begins = np.zeros((P, width), dtype=np.bool_)
    chinese = np.zeros(P, dtype=np.bool_)
    WQ = np.zeros((P, width), dtype=np.float32)
    WL = np.zeros((P, width), dtype=np.float32)
    k = 0
    for p in range(P):
        nq, nl = 0, 0
        q_syl, l_syl = True, True
        for i in range(width):
            if Q[p, i] >= 0:
                nq += 1
                q_syl = q_syl and cn_name[Q[p, i]]
            if L[p, i] >= 0:
                nl += 1
                l_syl = l_syl and cn_name[L[p, i]]
        # Chinese-written pairs: the account in Han, or both names Chinese names in pinyin (two tokens or more)
        ch = strict[p] or (q_syl and nq >= 2 and l_syl and nl >= 2)
        chinese[p] = ch
        last = ntok_q[p] - 1
        for i in range(width):
            a = Q[p, i]
            if a < 0:
                continue
            for j in range(width):
                b = L[p, j]
                if b < 0:
                    continue
                s = sims[inv[k]]
                c = prefix[inv[k]]
                k += 1
                if c:
                    begins[p, i] = True  # a cut or an abbreviation
                # an abbreviated company word anywhere in the name, three letters or more ("Dev" ~ development)
                abbrev = c and not ch and nchars[a] >= 3 and abbreviable[b]
                # a Chinese name is short, never cut at a field length: "Chen Bin" is not a cut "CHEN Bingshen";
                # a name of three letters or more borne by many list names is whole ("Ali Saleh" ~ "Ali SALEHI"),
                # a cut seldom ends on one (two letters, "Jo", "He", are as often what a cut left)
                c = c and may_cut[p] and i == last and not ch and (df[a] < named_df or nchars[a] <= 2)
                cut[p, i, j] = c
                if c or abbrev:
                    # a long cut-off token is seldom another word that happens to begin the listed one
                    lift = long_sim if c and nchars[a] >= long_len else short_sim
                    s = max(s, lift)
                if ch and a != b and (syllable[a] or syllable[b]) and s < table_sim:
                    # two Chinese names in pinyin: a syllable a letter from another is another character's
                    # (Min / Ming, Jin / Jing), and one syllable is never two ('qiao' is not 崎茂 'qimao'), not a
                    # typo of it; romanisation variants are table matches
                    s = np.float32(0.0)
                S[p, i, j] = s
        for i in range(width):
            if Q[p, i] >= 0:
                w = np.float32(weights[Q[p, i]])
                WQ[p, i] = max(w, syl_w) if ch and pinyin[Q[p, i]] else w
            if L[p, i] >= 0:
                w = np.float32(weights[L[p, i]])
                WL[p, i] = max(w, syl_w) if ch and pinyin[L[p, i]] else w
    return S, cut, begins, chinese, WQ, WL


def cell_params(config: MatchConfig) -> np.ndarray:
    """The settings `cell_matrices` reads, in its order."""
    return np.asarray([config.prefix_long_len, config.prefix_long_sim, config.prefix_sim, config.syllable_min_weight,
                       config.other_name_df, config.nickname_sim], dtype=np.float64)


@_compiled
def pair_tokens(q_tok, l_tok, pq, pl, n):  # pragma: no cover - compiled
    """The distinct token ids (sorted) of the pairs (q_tok[pq[i]], l_tok[pl[i]]), ids below `n`: what
    `np.unique` of their token rows gave, without sorting hundreds of padded rows of 32 positions."""
    mark = np.zeros(n, dtype=np.bool_)
    for r in pq:
        for t in q_tok[r]:
            if t >= 0:
                mark[t] = True
    for r in pl:
        for t in l_tok[r]:
            if t >= 0:
                mark[t] = True
    count = 0
    for t in range(n):
        if mark[t]:
            count += 1
    out = np.empty(count, dtype=q_tok.dtype)
    k = 0
    for t in range(n):
        if mark[t]:
            out[k] = t
            k += 1
    return out


@_compiled
def token_roles(Q, L, flags):  # pragma: no cover - compiled
    """Per position: the account token is a legal-form or title word (AFFIX); a Chinese place name (PLACE)
    first or last in a name of three tokens or more, where a company's place of registration stands, on
    each side (elsewhere, a given name Jilin or a two-token name, it is a name like any other)."""
    P, width = Q.shape
    affix_q = np.zeros((P, width), dtype=np.bool_)
    place_q = np.zeros((P, width), dtype=np.bool_)
    place_l = np.zeros((P, width), dtype=np.bool_)
    for p in range(P):
        nq, nl = 0, 0
        for i in range(width):
            if Q[p, i] >= 0:
                nq += 1
                affix_q[p, i] = (flags[Q[p, i]] & AFFIX) != 0
            if L[p, i] >= 0:
                nl += 1
        for i in range(width):
            end_q = i == 0 or i == nq - 1
            end_l = i == 0 or i == nl - 1
            place_q[p, i] = Q[p, i] >= 0 and end_q and nq >= 3 and (flags[Q[p, i]] & PLACE) != 0
            place_l[p, i] = L[p, i] >= 0 and end_l and nl >= 3 and (flags[L[p, i]] & PLACE) != 0
    return affix_q, place_q, place_l


@_compiled
def pair_flags(match_j, QN, LN):  # pragma: no cover - compiled
    """Per pair: `disordered`, the aligned list positions, read in account order, neither rise nor rise after
    one rotation (the first moved to the end or the last to the front: surname first on one side, last on the
    other; the matcher counts it for names written in Han or Hangul); and `digits`, both names carry numbers and
    they differ (`QN`, `LN`: the number code per position, `tokens.is_number`: 747, 14th ~ 14)."""
    P, width = match_j.shape
    disordered = np.zeros(P, dtype=np.bool_)
    digits = np.zeros(P, dtype=np.bool_)
    for p in range(P):
        # how often the aligned list positions step back: 0 or 1 = the same order or a rotation
        descents, prev, first, last, top, low = 0, -1, -1, -1, -1, 32767
        for i in range(width):
            j = np.int64(match_j[p, i])
            if j < 0:
                continue
            if prev >= 0 and j < prev:
                descents += 1
            prev = j
            if first < 0:
                first = j
            last = j
            top = max(top, j)
            low = min(low, j)
        if first < 0:  # nothing aligned: the positions the numpy reading took (the row's ends, -1)
            first, last = np.int64(match_j[p, 0]), np.int64(match_j[p, width - 1])
        ordered = descents == 0 or (descents == 1 and (first == top or last == low))
        disordered[p] = not ordered
        digits[p] = _numbers_differ(QN[p], LN[p])
    return disordered, digits


@_compiled(inline="always")
def _numbers_differ(qn, ln):  # pragma: no cover - compiled
    """Both names carry numbers (codes per position, 0 = none) and the sets of their values differ (14th and
    14 are one number)."""
    nq, nl = 0, 0
    for i in range(len(qn)):
        nq += qn[i] != 0
        nl += ln[i] != 0
    if nq == 0 or nl == 0:  # most pairs: no arrays built
        return False
    qs, ls = np.unique(qn[qn != 0]), np.unique(ln[ln != 0])
    return len(qs) != len(ls) or not np.all(qs == ls)


@_compiled(inline="always")
def _sum32(x, n):  # pragma: no cover - compiled
    """numpy's float32 sum of x[:n] (`ndarray.sum(axis=1)` on a row): pairwise, eight accumulators from eight
    values on, in float32, so a compiled score adds in the same order and rounds the same."""
    if n < 8:
        res = np.float32(0.0)
        for i in range(n):
            res += x[i]
        return res
    r0, r1, r2, r3, r4, r5, r6, r7 = x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]
    i = 8
    while i < n - n % 8:
        r0 += x[i]
        r1 += x[i + 1]
        r2 += x[i + 2]
        r3 += x[i + 3]
        r4 += x[i + 4]
        r5 += x[i + 5]
        r6 += x[i + 6]
        r7 += x[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += x[i]
        i += 1
    return res


def align_params(config: MatchConfig) -> np.ndarray:
    """The settings `align_weights` and `align_score` read, in their order."""
    return np.asarray([config.duplicate_weight, config.truncated_weight, config.affix_extra_weight,
                       config.place_extra_weight, config.single_word_generic_weight, config.extra_query_cost,
                       config.extra_query_cost_whole, config.extra_list_cost, config.conflict_cost,
                       config.conflict_min_weight], dtype=np.float64)


@_compiled
def align_weights(match_j, match_s, Q, L, WQ0, WL0, cut_last, affix_q, place_q, place_l, chinese, flags,
                  prm):  # pragma: no cover - compiled
    """`scoring._align` after the assignment, per pair, in its float32 arithmetic: the aligned sum (num, den),
    which tokens are left over, their weights with the factors (twin, cut-off tail, legal-form or title word,
    place at an end, a name marker or descriptive word facing a one-word name) and the leftover weights
    rq (account), rs (listed Han syllables of a Chinese pair), rl (other listed)."""
    P, width = Q.shape
    f0 = np.float32(0.0)
    two = np.float32(2.0)
    dup, trunc, affix_w, place_w = np.float32(prm[0]), np.float32(prm[1]), np.float32(prm[2]), np.float32(prm[3])
    generic_w, one = np.float32(prm[4]), np.float32(1.0)
    num = np.zeros(P, dtype=np.float32)
    den = np.zeros(P, dtype=np.float32)
    rq = np.zeros(P, dtype=np.float32)
    rs = np.zeros(P, dtype=np.float32)
    rl = np.zeros(P, dtype=np.float32)
    WQ = np.zeros((P, width), dtype=np.float32)
    WL = np.zeros((P, width), dtype=np.float32)
    q_matched = np.zeros((P, width), dtype=np.bool_)
    q_left = np.zeros((P, width), dtype=np.bool_)
    l_left = np.zeros((P, width), dtype=np.bool_)
    l_matched = np.zeros(width, dtype=np.bool_)
    cell = np.zeros(width, dtype=np.float32)
    prod = np.zeros(width, dtype=np.float32)
    part = np.zeros(width, dtype=np.float32)
    for p in range(P):
        nq, matched = 0, 0
        for i in range(width):
            l_matched[i] = False
        for i in range(width):
            j = match_j[p, i]
            if Q[p, i] >= 0:
                nq += 1
            if j >= 0:
                q_matched[p, i] = True
                matched += 1
                l_matched[j] = True
                cell[i] = (WQ0[p, i] + WL0[p, j]) / two
            else:
                cell[i] = f0
            prod[i] = match_s[p, i] * cell[i]
        num[p] = _sum32(prod, width)
        den[p] = _sum32(cell, width)
        for i in range(width):
            q_left[p, i] = Q[p, i] >= 0 and not q_matched[p, i]
            l_left[p, i] = L[p, i] >= 0 and not l_matched[i]
        # a token repeated on one side ("Sergey Sergey Shoigu") costs little once its twin aligned
        for i in range(width):
            w = WQ0[p, i]
            if q_left[p, i]:
                for k in range(width):
                    if q_matched[p, k] and Q[p, k] == Q[p, i]:
                        w = w * dup
                        break
            WQ[p, i] = w
            w = WL0[p, i]
            if l_left[p, i]:
                for k in range(width):
                    if l_matched[k] and L[p, k] == L[p, i]:
                        w = w * dup
                        break
            WL[p, i] = w
        # a name cut at a field length: its last token aligned as the start of listed token jl, so the
        # listed tokens after jl are missing because of the cut, not because the names differ
        jl = np.int64(match_j[p, max(nq - 1, 0)])
        if jl >= 0 and cut_last[p, jl]:
            for j in range(jl + 1, width):
                if l_left[p, j]:
                    WL[p, j] = WL[p, j] * trunc
        # legal-form and title words left over on the account side (a reordered or cut legal form, a moved
        # title: the normaliser did not strip them) say little about who it is; a company's place of
        # registration in front of (or after) its name is optional on both sides
        for i in range(width):
            if q_left[p, i] and affix_q[p, i]:
                WQ[p, i] = WQ[p, i] * affix_w
            if q_left[p, i] and place_q[p, i]:
                WQ[p, i] = WQ[p, i] * place_w
            if l_left[p, i] and place_l[p, i]:
                WL[p, i] = WL[p, i] * place_w
        # a one-word name meeting one word of a listed name: a name marker left over ("Abu Al-Ward") stands
        # for a whole name, a descriptive word ("Hudson Institute") is all that tells two companies apart
        if matched == 1 and nq == 1:
            for j in range(width):
                if l_left[p, j] and (flags[L[p, j]] & MARKER) != 0:
                    WL[p, j] = max(WL[p, j], one)
                if l_left[p, j] and (flags[L[p, j]] & GENERIC) != 0:
                    WL[p, j] = max(WL[p, j], generic_w)
        for i in range(width):
            part[i] = WQ[p, i] if q_left[p, i] else f0
        rq[p] = _sum32(part, width)
        # Chinese names have no optional middle names: a listed token the account lacks is another name, in
        # Han and in all-pinyin Latin pairs ("Zhang Wei" is not "Zhao Wei Zhang"); a form of the account that
        # is not all pinyin (an organisation's English-listing reading) meets an added listed word like any
        # other name
        q_pinyin = True
        for i in range(width):
            if Q[p, i] >= 0 and (flags[Q[p, i]] & PINYIN) == 0:
                q_pinyin = False
        for j in range(width):
            syllable = l_left[p, j] and chinese[p] and not place_l[p, j] and q_pinyin
            part[j] = WL[p, j] if syllable else f0
            prod[j] = WL[p, j] if l_left[p, j] and not syllable else f0
        rs[p] = _sum32(part, width)
        rl[p] = _sum32(prod, width)
    return num, den, q_matched, q_left, l_left, WQ, WL, rq, rs, rl


@_compiled
def align_score(num, den, rq, rl, rs, cq, cl, cs, resid, Q, L, q_left, strict, affix_q, place_q, begins, nchars,
                prm):  # pragma: no cover - compiled
    """`scoring._align`'s score after the merges, per pair, in numpy's mixed precision: the weights the merge
    or split consumed, the costs of the leftovers (float64 from the account-side cost on), the ratio
    rounded to float32."""
    P, width = Q.shape
    f0, two, tiny = np.float32(0.0), np.float32(2.0), np.float32(1e-6)
    eqc, eqc_whole = prm[5], prm[6]
    elc, cc, least = np.float32(prm[7]), np.float32(prm[8]), np.float32(prm[9])
    syl_cost = np.float32(prm[5] + prm[8])
    out = np.zeros(P, dtype=np.float32)
    for p in range(P):
        merged = resid[p] > 0
        rq2, rl2, rs2 = max(rq[p] - cq[p], f0), max(rl[p] - cl[p], f0), max(rs[p] - cs[p], f0)
        mw = (cq[p] + cl[p] + cs[p]) / two
        n = num[p] + (resid[p] * mw if merged else f0)
        nl = 0
        named = False
        for i in range(width):
            if L[p, i] >= 0:
                nl += 1
            if (q_left[p, i] and nchars[Q[p, i]] >= 2 and not affix_q[p, i] and not place_q[p, i]
                    and not begins[p, i]):
                named = True
        # the whole listed name (two tokens or more) found inside a longer account name: extra account
        # tokens (added middle names, a patronymic) cost less than when the listed name is only partly there
        whole_list = rl2 < tiny and rs2 < tiny and nl >= 2 and not strict[p]
        query_cost = eqc_whole if whole_list else eqc
        # a substitution: an account token where the list has another name. A light account token (a
        # particle, a repeated name: "ABDUL KABIR ABDUL JAN" for "ABDUL KABIR MOHAMMAD JAN") still stands in
        # the listed name's place, so the account's leftovers count at least `conflict_min_weight` there
        # (moved legal-form, title and place words alone keep their light weight: they stand for no name;
        # nor does a token that begins a listed one, "Al" for Alexander, or a single letter: "Research a")
        conflict = max(rq2, least) if named and rq2 > tiny else rq2
        unmatched = (query_cost * np.float64(rq2) + np.float64(elc * rl2) + np.float64(cc * min(conflict, rl2))
                     + np.float64(syl_cost * rs2))
        d = np.float64(den[p] + (mw if merged else f0)) + unmatched
        out[p] = np.float32(np.float64(n) / max(d, 1e-9)) if d > 0 else f0
    return out


@_compiled
def name_score_bound(S, Q, L, WQ, WL, cut, strict, chinese, nchars, flags, chars, start, length, prm,
                     floor):  # pragma: no cover - compiled
    """Per pair: an upper bound on `_align`'s score (the better of its two readings).

    S [P, w, w] float32 cell similarities (with the cut-off prefix lift), Q / L [P, w] token ids (-1 pad),
    WQ / WL [P, w] float32 token weights (with the Han-syllable floor), cut [P, w, w] the cells where the
    account's cut-off last token begins a listed token, strict / chinese [P]; per token id: nchars, flags
    (AFFIX | PLACE | PINYIN) and its code points chars[start:start + length]; prm = `bound_params`; `floor`:
    the alignment score that matters, so a merge whose similarity-1 score stays under it and under the
    pair's best so far is not compared (a pair bounded under `floor` may then be bounded lower than its
    score, still under `floor`; pass -inf for the bound of every pair).

    Exact where `_align` is: the greedy assignment (float32 cells, diagonal tie-break, first maximum), the
    aligned sum, the leftover weights with their factors (twin, legal-form or title word, place at an end,
    cut-off tail), the costs, and each merge, split or short-token typo the leftovers allow (the same
    length test, OSA similarity of the same joined strings). One simplification, upward: every partial
    merge that passes is counted, not only the best one. Only `_align`'s score is
    bounded: the whole-form share (`order_bonus`) is added by the caller. The bound is checked against the
    scores of real candidate pairs (tests/screening/matching/test_kernels.py): a feature step that raises
    `_align`'s score and is not mirrored here fails that test.
    """
    P, width = Q.shape
    out = np.zeros(P, dtype=np.float64)
    work = np.zeros((width, width), dtype=np.float32)
    match_j = np.full(width, -1, dtype=np.int64)
    match_s = np.zeros(width, dtype=np.float32)
    l_match = np.zeros(width, dtype=np.bool_)
    wq = np.zeros(width, dtype=np.float64)
    wl = np.zeros(width, dtype=np.float64)
    left_q = np.zeros(width, dtype=np.bool_)
    left_l = np.zeros(width, dtype=np.bool_)
    room = width * max(1, length.max()) + 1
    buf_q = np.zeros(room, dtype=chars.dtype)
    buf_l = np.zeros(room, dtype=chars.dtype)
    buf_1 = np.zeros(room, dtype=chars.dtype)
    dp = np.zeros((3, room + 1), dtype=np.int64)
    protect = np.float32(prm[10])
    for p in range(P):
        b = _alignment_bound(S[p], Q[p], L[p], WQ[p], WL[p], cut[p], strict[p], chinese[p], nchars, flags, chars,
                             start, length, prm, floor, False, work, match_j, match_s, l_match, wq, wl, left_q, left_l,
                             buf_q, buf_l, buf_1, dp)
        # `_align` reads the pair again on its strong cells when a weak cell could hide a merge or split
        weak = False
        if prm[13] > 0:
            for i in range(width):
                for j in range(width):
                    if S[p, i, j] > 0 and S[p, i, j] < protect:
                        weak = True
        if weak:
            b = max(b, _alignment_bound(S[p], Q[p], L[p], WQ[p], WL[p], cut[p], strict[p], chinese[p], nchars, flags,
                                        chars, start, length, prm, floor, True, work, match_j, match_s, l_match, wq, wl,
                                        left_q, left_l, buf_q, buf_l, buf_1, dp))
        out[p] = b
    return out


@_compiled
def _covered_bound(W, total, r, m, extra, tiny):  # pragma: no cover - compiled
    """The bound of account unit `r` with the positions `m` covered: their weights summed in float64, then
    the float32 arithmetic of the numpy expression `key_bounds` replaced."""
    b, sum_ = 0, 0.0
    while m != 0 and b < W.shape[1]:
        if m & 1:
            sum_ += W[r, b]
        m >>= 1
        b += 1
    cw = np.float32(sum_)
    den = cw + extra * (total[r] - cw)
    return cw / max(den, tiny) if den > 0 else np.float32(0.0)


@_compiled
def key_bounds(W, total, rows, units, covered, cut_off, cut_mask, cut_cid, cu_off, cu_unit, extra,
               floor=-np.inf):  # pragma: no cover - compiled
    """`blocking.upper_bound` per pair in one pass: the covered positions (the pair's own, and those of
    its account unit's cut keys that the listed unit holds: a binary search in the key's sorted units), their
    weights summed in float64, then the same float32 arithmetic as the numpy expression it replaced
    (`extra` a float32: numpy casts the Python float to the arrays' float32).

    `floor`: a pair that stays under it with every cut key of its unit counted is not searched; its value is
    then that bound (under `floor`, not its own). Most pairs of common names are such: measured on 20,000
    Arabic names, 655 candidates each, 96 % of them under the floor."""
    out = np.empty(rows.shape[0], dtype=np.float32)
    tiny = np.float32(1e-9)
    for i in range(rows.shape[0]):
        r = rows[i]
        m = covered[i]
        every = m
        for k in range(cut_off[r], cut_off[r + 1]):
            every |= cut_mask[k]
        if every != m:
            most = _covered_bound(W, total, r, every, extra, tiny)
            if most < floor:
                out[i] = most
                continue
        for k in range(cut_off[r], cut_off[r + 1]):
            if cut_mask[k] & ~m:
                # a binary search in the key's sorted units (np.searchsorted on the slice measured 15 % slower)
                lo, end = cu_off[cut_cid[k]], cu_off[cut_cid[k] + 1]
                hi = end
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if cu_unit[mid] < units[i]:
                        lo = mid + 1
                    else:
                        hi = mid
                if lo < end and cu_unit[lo] == units[i]:
                    m |= cut_mask[k]
        out[i] = _covered_bound(W, total, r, m, extra, tiny)
    return out


@_compiled
def factorize(codes):  # pragma: no cover - compiled
    """(distinct values in order of first appearance, index of each value among them): what
    `np.unique(codes, return_inverse=True)` gives but for the order, by hashing instead of sorting (the
    scorer's cells of one block are millions of token-pair codes, most of them repeated)."""
    n = codes.shape[0]
    size = 16
    while size < 2 * n:
        size *= 2
    mask = np.uint64(size - 1)
    slots = np.full(size, -1, dtype=np.int32)
    uniq = np.empty(n, dtype=codes.dtype)
    inv = np.empty(n, dtype=np.int64)
    m = 0
    for i in range(n):
        c = codes[i]
        h = np.uint64(c) * np.uint64(11400714819323198485)
        j = np.int64((h ^ (h >> np.uint64(29))) & mask)
        while slots[j] >= 0 and uniq[slots[j]] != c:
            j = (j + 1) & (size - 1)
        if slots[j] < 0:
            slots[j] = m
            uniq[m] = c
            m += 1
        inv[i] = slots[j]
    return uniq[:m].copy(), inv


def unique_inverse(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(codes, return_inverse=True)`, sorting only the distinct values (`factorize` finds them)."""
    uniq, inv = factorize(codes)
    order = np.argsort(uniq)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return uniq[order], rank[inv]


# --------------------------------------------------------------------------------------------------------
# the screen before the cells: which pairs can reach the floor at all, without their token similarities
# --------------------------------------------------------------------------------------------------------

_OCR_LETTERS = np.asarray([ord(c) for c in "olzeasgtbg"], dtype=np.int64)  # tokens.ocr_fold's digit readings


def screen_params(config: MatchConfig) -> np.ndarray:
    """The settings `pairs_may_reach` reads, in its order."""
    return np.asarray([config.token_min_sim, config.edit_slack, config.squeeze_sim, config.initial_sim,
                       config.phonetic_sim, config.phonetic_min_len, config.nickname_sim, config.variant_sim,
                       max(config.prefix_sim, config.prefix_long_sim), config.syllable_min_weight,
                       config.duplicate_weight, config.truncated_weight, config.affix_extra_weight,
                       config.place_extra_weight, min(config.extra_query_cost, config.extra_query_cost_whole),
                       min(config.extra_list_cost, config.extra_query_cost), config.conflict_cost,
                       config.merge_min_sim, float(config.merge_split), config.short_typo_sim,
                       config.short_token_len], dtype=np.float64)


_SIDES: dict[tuple[int, ...], tuple] = {}


def _equivalence_sides(equivalents: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The token ids that begin and that end a pair of the equivalence tables, sorted. Per vocabulary (its
    tables do not change), not per call: sorting the thousands of codes again cost a lookup more than its
    whole pre-screen. The entry holds the arrays it was made from, so their ids cannot be reused under it."""
    key = tuple(id(a) for a in equivalents)
    hit = _SIDES.get(key)
    if hit is None or any(a is not b for a, b in zip(hit[0], equivalents)):
        codes = np.concatenate(equivalents)
        hit = (tuple(equivalents), np.unique(codes >> 32), np.unique(codes & 0xFFFFFFFF))
        if len(_SIDES) >= 8:  # a process holds an index or two; a stale entry is only recomputed
            _SIDES.clear()
        _SIDES[key] = hit
    return hit[1], hit[2]


def _in_sorted(values: np.ndarray, members: np.ndarray) -> np.ndarray:
    """`np.isin(values, members)` for sorted `members`, by binary search."""
    if len(members) == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(members, values), len(members) - 1)
    return members[pos] == values


def screen_pairs(q_tok: np.ndarray, l_tok: np.ndarray, strict: np.ndarray, pq: np.ndarray, pl: np.ndarray, table,
                 equivalents: tuple[np.ndarray, ...], config: MatchConfig, toks: np.ndarray, chars: np.ndarray,
                 start: np.ndarray, length: np.ndarray, nchars: np.ndarray, flags: np.ndarray,
                 threshold: float) -> np.ndarray:
    """`pairs_may_reach` for the pairs (q_tok[pq[i]], l_tok[pl[i]]) of a token table (tokens.TokenTable):
    the per-token rows of the pairs' tokens `toks` (code points chars[start[t]:start[t] + length[t]]),
    then the pairs split over a thread per core (the kernel releases the GIL)."""
    slot = np.zeros(len(table), dtype=np.int64)
    slot[toks] = np.arange(len(toks))
    text, low, up, hist = token_masks(chars, start, length, toks.astype(np.int64))
    nick, variant, particle = equivalents
    # only the cells of tokens that begin and end a pair of the equivalence tables are looked up there
    lefts, rights = _equivalence_sides(equivalents)
    td = np.empty((len(toks), 9), dtype=np.int64)
    td[:, TD_NCHARS] = nchars[toks]
    td[:, TD_FIRST] = table.first[toks]
    td[:, TD_BITS] = (np.where(table.alpha[toks], TD_ALPHA, 0) | np.where(table.rn[toks], TD_RN, 0)
                      | np.where(_in_sorted(toks, lefts), TD_EQUIV, 0)
                      | np.where(_in_sorted(toks, rights), TD_EQUIV_R, 0))
    for col, name in ((TD_FOLDED, "folded"), (TD_SQUEEZE, "squeeze"), (TD_PHON, "phon"), (TD_SOUND, "sound")):
        td[:, col] = getattr(table, name)[toks]
    td[:, TD_OCR_LOW], td[:, TD_OCR_UP] = low.view(np.int64), up.view(np.int64)
    pq, pl = pq.astype(np.int64, copy=False), pl.astype(np.int64, copy=False)
    weights, prm = table.weights(config), screen_params(config)

    def run(part: slice) -> np.ndarray:
        return pairs_may_reach(q_tok, l_tok, pq[part], pl[part], strict, slot, weights, nchars, table.pinyin,
                               table.cn_name, flags, td, text, hist, nick, variant, particle, prm, threshold - 1e-6)

    threads = min(len(pq) // 2000 + 1, (os.cpu_count() or 1) if config.workers < 1 else config.workers)
    if threads <= 1:
        return run(slice(None))
    step = -(-len(pq) // threads)
    with ThreadPoolExecutor(threads) as pool:
        return np.concatenate(list(pool.map(run, [slice(k, k + step) for k in range(0, len(pq), step)])))


def code_points(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The texts' code points one after another (uint32), and each text's count (int64)."""
    chars = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return chars, np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))


def text_bits(texts: list[str]) -> np.ndarray:
    """Per text, `token_masks`'s bit set of its characters (code point mod 64)."""
    chars, sizes = code_points(texts)
    return token_masks(chars, np.cumsum(sizes) - sizes, sizes, np.arange(len(texts), dtype=np.int64))[0]


@_compiled
def token_masks(chars, start, length, toks):  # pragma: no cover - compiled
    """Per token of `toks`: bit sets of its characters (code point mod 64), for lower bounds on edit
    distances (a character of one token whose bit the other lacks costs an edit: OSA's transpositions
    only move characters both share): the text's, and the OCR reading's lower and upper (tokens.ocr_fold
    may read an ASCII digit as a letter, so the reading's bits lie between the two); and the text's
    character counts per bit (a multiset: joined leftovers are compared on it)."""
    n = toks.shape[0]
    text = np.zeros(n, dtype=np.uint64)
    low = np.zeros(n, dtype=np.uint64)
    up = np.zeros(n, dtype=np.uint64)
    hist = np.zeros((n, 64), dtype=np.int16)
    one = np.uint64(1)
    for k in range(n):
        t = toks[k]
        for c in range(length[t]):
            cp = np.int64(chars[start[t] + c])
            bit = one << np.uint64(cp % 64)
            hist[k, cp % 64] += 1
            text[k] |= bit
            if 48 <= cp <= 57:
                up[k] |= bit | (one << np.uint64(_OCR_LETTERS[cp - 48] % 64))
            else:
                low[k] |= bit
                up[k] |= bit
    return text, low, up, hist


_M1, _M2, _M4, _H01 = (np.uint64(0x5555555555555555), np.uint64(0x3333333333333333), np.uint64(0x0F0F0F0F0F0F0F0F),
                       np.uint64(0x0101010101010101))


@_compiled
def _popcount(x):  # pragma: no cover - compiled
    x = x - ((x >> np.uint64(1)) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return np.int64((x * _H01) >> np.uint64(56))


@_compiled
def _has(codes, code):  # pragma: no cover - compiled
    if codes.shape[0] == 0:
        return False
    k = np.searchsorted(codes, code)
    return k < codes.shape[0] and codes[k] == code


# the per-token columns of `pairs_may_reach` (one row per token of the pairs: one cache line)
TD_NCHARS, TD_FIRST, TD_BITS, TD_FOLDED, TD_SQUEEZE, TD_PHON, TD_OCR_LOW, TD_OCR_UP, TD_SOUND = range(9)
TD_ALPHA, TD_RN, TD_EQUIV, TD_EQUIV_R = 1, 2, 4, 8  # EQUIV(_R): the token begins (ends) a table pair


@_compiled
def _cell_top(a, b, sa, sb, td, text, nick, variant, particle, prm):  # pragma: no cover - compiled
    """The most `token_similarity` plus the scorer's cut-off / abbreviation lift can give tokens a, b (ids;
    sa, sb: their rows of `td`, `text`); and whether a can begin b."""
    if a == b:
        return 1.0, False
    la, lb = td[sa, TD_NCHARS], td[sb, TD_NCHARS]
    bits_a, bits_b = td[sa, TD_BITS], td[sb, TD_BITS]
    longest = max(la, lb)
    top = 0.0
    if (bits_a | bits_b) & TD_RN:  # "rn" read as "m" changes the lengths: no distance bound
        top = 1.0
    else:
        lo_a, lo_b = np.uint64(td[sa, TD_OCR_LOW]), np.uint64(td[sb, TD_OCR_LOW])
        up_a, up_b = np.uint64(td[sa, TD_OCR_UP]), np.uint64(td[sb, TD_OCR_UP])
        d = max(abs(la - lb), _popcount(lo_a & ~up_b), _popcount(lo_b & ~up_a))
        top = min(1.0, max(0.0, 1.0 - d / max(longest - prm[1], 1.0)))
    both_alpha = (bits_a & bits_b & TD_ALPHA) != 0
    first_eq = td[sa, TD_FIRST] == td[sb, TD_FIRST]
    if both_alpha and (td[sa, TD_FOLDED] == td[sb, TD_FOLDED] or td[sa, TD_SQUEEZE] == td[sb, TD_SQUEEZE]):
        top = max(top, prm[2])
    if longest <= prm[20] and td[sa, TD_SOUND] == td[sb, TD_SOUND]:  # short tokens read alike (NTC ~ NTK)
        top = max(top, prm[2])
    if (la == 1 or lb == 1) and first_eq and both_alpha:
        top = max(top, prm[3])
    if td[sa, TD_PHON] != 0 and td[sa, TD_PHON] == td[sb, TD_PHON] and longest >= prm[5]:
        top = max(top, prm[4])
    if (bits_a & TD_EQUIV) and (bits_b & TD_EQUIV_R):
        code = np.int64(a) * 4294967296 + np.int64(b)
        if _has(particle, code) or _has(variant, code):
            top = max(top, prm[7])
        if _has(nick, code):
            top = max(top, prm[6])
    if top < prm[0]:
        top = 0.0
    begins = la >= 2 and la < lb and (bits_a & TD_ALPHA) != 0 and first_eq and (text[sa] & ~text[sb]) == 0
    if begins:
        top = max(top, prm[8])
    return top, begins


@_compiled(inline="always")
def _may_be_alike(lx, mx, ly, my, min_sim, slack):  # pragma: no cover - compiled
    """Whether strings of lengths lx, ly and character bits mx, my could be `min_sim` alike under the edit
    rule 1 - d / (longest - slack), after `scoring._may_merge`'s length test (d is at least the length
    difference, and at least the count of bits one side lacks)."""
    longest = max(lx, ly)
    room = max(longest - slack, 1.0)
    if min(lx, ly) < 4 or 1.0 - abs(lx - ly) / room < min_sim - 1e-9:
        return False
    d = max(_popcount(mx & ~my), _popcount(my & ~mx))
    return 1.0 - d / room >= min_sim - 1e-9


@_compiled(inline="always")
def _alike_by_counts(lx, hx, ly, hy, min_sim, slack):  # pragma: no cover - compiled
    """The same with character counts: d is at least the longer length less the characters both hold."""
    longest = max(lx, ly)
    common = 0
    for b in range(64):
        common += min(hx[b], hy[b])
    return 1.0 - (longest - common) / max(longest - slack, 1.0) >= min_sim - 1e-9


@_compiled(inline="always")
def _lengths_may_meet(x_lo, x_hi, y_lo, y_hi, min_sim, slack):  # pragma: no cover - compiled
    """Whether some lengths lx in [x_lo, x_hi], ly in [y_lo, y_hi] pass `scoring._may_merge`'s length test
    (for a gap between the ranges its two nearest ends are the best: a longer string at the same
    difference is never closer under 1 - diff / (longest - slack) once longest - slack ≥ 1)."""
    if x_hi < 4 or y_hi < 4:
        return False
    if x_hi < y_lo:
        lx, ly = max(x_hi, 4.0), y_lo
    elif y_hi < x_lo:
        lx, ly = x_lo, max(y_hi, 4.0)
    else:
        return True
    return 1.0 - abs(lx - ly) / max(max(lx, ly) - slack, 1.0) >= min_sim - 1e-9


@_compiled(inline="always")
def _set_hist(slots, members, n, hist, out):  # pragma: no cover - compiled
    for b in range(64):
        out[b] = 0
    for i in range(n):
        if (members >> i) & 1:
            for b in range(64):
                out[b] += hist[slots[i], b]


@_compiled(inline="always")
def _side_sets(ids, slots, n, free, nchars, tm, lens, masks, counts, members, done):  # pragma: no cover - compiled
    """Every set of a side's tokens that can be its leftovers (the tokens with no possible cell, plus any
    subset of the others): length, character bits, size and members (a bit set) per set; their number."""
    nfree = 0
    for i in range(n):
        if free[i]:
            nfree += 1
    for x in range(1 << nfree):
        lens[x], masks[x], counts[x], members[x], done[x] = 0.0, np.uint64(0), 0, 0, False
        k = 0
        for i in range(n):
            take = True
            if free[i]:
                take = ((x >> k) & 1) == 1
                k += 1
            if take:
                lens[x] += nchars[ids[i]]
                masks[x] |= tm[slots[i]]
                counts[x] += 1
                members[x] |= 1 << i
    return 1 << nfree


@_compiled(inline="always")
def _merge_possible(qi, qs, nq, free_q, li, ls, nl, free_l, nchars, tm, hist, min_sim, slack, lens_q, masks_q,
                    counts_q, members_q, done_q, hists_q, lens_l, masks_l, counts_l, members_l, done_l, hists_l,
                    one):  # pragma: no cover - compiled
    """Whether a merge or split `_align` tries could reach `merge_min_sim`: the leftovers of both sides
    joined (two or more on a side), or one leftover token against the other side's leftovers joined (two or
    more). A token with no possible cell is always left over; the others may be. Character counts of a
    set are summed when its lengths and bits first pass."""
    # first on lengths alone: a side's leftovers hold its tokens with no possible cell, and at most all
    zq, fq, zl, fl = 0.0, 0.0, 0.0, 0.0
    for i in range(nq):
        if free_q[i]:
            fq += nchars[qi[i]]
        else:
            zq += nchars[qi[i]]
    for j in range(nl):
        if free_l[j]:
            fl += nchars[li[j]]
        else:
            zl += nchars[li[j]]
    maybe = _lengths_may_meet(zq, zq + fq, zl, zl + fl, min_sim, slack)
    for i in range(nq):
        maybe = maybe or _lengths_may_meet(float(nchars[qi[i]]), float(nchars[qi[i]]), zl, zl + fl, min_sim, slack)
    for j in range(nl):
        maybe = maybe or _lengths_may_meet(zq, zq + fq, float(nchars[li[j]]), float(nchars[li[j]]), min_sim, slack)
    if not maybe:
        return False
    mq = _side_sets(qi, qs, nq, free_q, nchars, tm, lens_q, masks_q, counts_q, members_q, done_q)
    ml = _side_sets(li, ls, nl, free_l, nchars, tm, lens_l, masks_l, counts_l, members_l, done_l)
    for x in range(mq):
        for y in range(ml):
            if (counts_q[x] > 0 and counts_l[y] > 0 and (counts_q[x] > 1 or counts_l[y] > 1)
                    and _may_be_alike(lens_q[x], masks_q[x], lens_l[y], masks_l[y], min_sim, slack)):
                if not done_q[x]:
                    _set_hist(qs, members_q[x], nq, hist, hists_q[x])
                    done_q[x] = True
                if not done_l[y]:
                    _set_hist(ls, members_l[y], nl, hist, hists_l[y])
                    done_l[y] = True
                if _alike_by_counts(lens_q[x], hists_q[x], lens_l[y], hists_l[y], min_sim, slack):
                    return True
    for i in range(nq):  # one account token against the listed leftovers joined
        for y in range(ml):
            li_ = float(nchars[qi[i]])
            if counts_l[y] > 1 and _may_be_alike(li_, tm[qs[i]], lens_l[y], masks_l[y], min_sim, slack):
                if not done_l[y]:
                    _set_hist(ls, members_l[y], nl, hist, hists_l[y])
                    done_l[y] = True
                _set_hist(qs, 1 << i, nq, hist, one)
                if _alike_by_counts(li_, one, lens_l[y], hists_l[y], min_sim, slack):
                    return True
    for j in range(nl):
        for x in range(mq):
            lj = float(nchars[li[j]])
            if counts_q[x] > 1 and _may_be_alike(lens_q[x], masks_q[x], lj, tm[ls[j]], min_sim, slack):
                if not done_q[x]:
                    _set_hist(qs, members_q[x], nq, hist, hists_q[x])
                    done_q[x] = True
                _set_hist(ls, 1 << j, nl, hist, one)
                if _alike_by_counts(lens_q[x], hists_q[x], lj, one, min_sim, slack):
                    return True
    return False


_SURE = 1.0 - 2 * 1e-4  # a cell under this can never win against an equal pair's 1.0, diagonal tie-break and all


@_compiled(inline="always")
def _held(qi, nq, li, nl, top, held_q, held_l):  # pragma: no cover - compiled
    """The tokens `_align` surely aligns: an account token equal to a listed token (similarity 1) where no
    other cell of its row or column can reach 1 (`greedy_assign` takes the best remaining cell first, ties
    to the diagonal by `_DIAG`; the strong-cells second reading keeps such a cell too). They are never
    leftovers, so never part of a merge or split."""
    for i in range(nq):
        held_q[i] = False
    for j in range(nl):
        held_l[j] = False
    for i in range(nq):
        for j in range(nl):
            if qi[i] != li[j] or held_l[j]:
                continue
            alone = True
            for k in range(nl):
                if k != j and top[i, k] >= _SURE:
                    alone = False
            for k in range(nq):
                if k != i and top[k, j] >= _SURE:
                    alone = False
            if alone:
                held_q[i] = True
                held_l[j] = True
                break


@_compiled(inline="always")
def _unheld(ids, slots, free, n, held, ids_out, slots_out, free_out):  # pragma: no cover - compiled
    """A side's tokens that can be left over (not `_held`), compacted; their count."""
    m = 0
    for i in range(n):
        if not held[i]:
            ids_out[m], slots_out[m], free_out[m] = ids[i], slots[i], free[i]
            m += 1
    return m


_SCREEN_WIDTH = 16  # wider pairs are kept (not screened)
_SCREEN_FREE = 6  # pairs with more tokens that could align on a side are kept (their leftover sets are many)


@_compiled
def _gather(row, slot, ids, slots):  # pragma: no cover - compiled
    """A form's token ids and their slots (at most len(ids); one more than that = too wide); their count."""
    n = 0
    for k in range(row.shape[0]):
        if row[k] >= 0:
            if n == ids.shape[0]:
                return n + 1
            ids[n], slots[n] = row[k], slot[row[k]]
            n += 1
    return n


@_compiled
def _side_weights(ids, n, chinese, weights, pinyin, syl, w, free):  # pragma: no cover - compiled
    """`scoring._score_block`'s token weights (float32, a Chinese pair's syllables at least `syl`)."""
    for i in range(n):
        x = np.float32(weights[ids[i]])
        if chinese and pinyin[ids[i]] and x < syl:
            x = syl
        w[i] = x
        free[i] = False


@_compiled
def _least_charges(ids, n, w, flags, dup, affix_w, tail_w, place_w, out):  # pragma: no cover - compiled
    """Per token, the least weight `_alignment_bound` can charge it at when left over: each factor that
    could apply (a twin, a legal-form or title word, a cut-off tail, a place first or last of three)."""
    for i in range(n):
        f = tail_w
        for k in range(n):
            if k != i and ids[k] == ids[i]:
                f *= dup
                break
        if flags[ids[i]] & AFFIX:
            f *= affix_w
        if (flags[ids[i]] & PLACE) and n >= 3 and (i == 0 or i == n - 1):
            f *= place_w
        out[i] = w[i] * f


@_compiled
def pairs_may_reach(QT, LT, pq, pl, strict, slot, weights, nchars, pinyin, cn_name, flags, td, tm, hist, nick, variant,
                    particle, prm, threshold):  # pragma: no cover - compiled
    """Per pair (QT[pq[p]], LT[pl[p]]): False only when `_align`'s score (and so `name_score_bound`) is
    provably under `threshold`, from per-token data alone, before any token similarity is computed.

    Each cell's similarity is bounded from above (`_cell_top`: 1 for equal tokens; the edit rule from the
    lengths and the characters one token lacks; every lift that could apply: folded, squeezed, initial,
    phonetic key, nickname / variant / particle tables, a cut-off or abbreviated prefix). Whatever
    one-to-one alignment the greedy picks among cells that can be non-zero, its score is
    Σ s·c / (Σ c + unmatched) with c = (WQ + WL) / 2 and unmatched at least
    a·rq + b·rl + cc·min(rq, rl) (a, b the least of the query / list costs, the Han-syllable charge
    counted as a list leftover, each leftover weight with the smallest factor it could get: twin,
    legal-form or title, place at an end, cut-off tail). Reaching `threshold` means
    Σ s·c − t·(Σ c + unmatched) ≥ 0 for some alignment; −cc·min(rq, rl) is the larger of −cc·rq and
    −cc·rl, so two linear problems, each bounded by letting every account token (then every listed
    token) take its best cell. A merge, split or short-token typo could lift the score past that, so a
    pair where one is possible is kept (`_merge_possible`; the typo needs every other token aligned).
    """
    P = pq.shape[0]
    out = np.ones(P, dtype=np.bool_)
    W = _SCREEN_WIDTH
    qi = np.zeros(W, dtype=np.int64)
    li = np.zeros(W, dtype=np.int64)
    qs = np.zeros(W, dtype=np.int64)
    ls = np.zeros(W, dtype=np.int64)
    wq = np.zeros(W, dtype=np.float64)
    wl = np.zeros(W, dtype=np.float64)
    fq = np.zeros(W, dtype=np.float64)
    fl = np.zeros(W, dtype=np.float64)
    free_q = np.zeros(W, dtype=np.bool_)
    free_l = np.zeros(W, dtype=np.bool_)
    held_q = np.zeros(W, dtype=np.bool_)
    held_l = np.zeros(W, dtype=np.bool_)
    qi_m = np.zeros(W, dtype=np.int64)
    qs_m = np.zeros(W, dtype=np.int64)
    li_m = np.zeros(W, dtype=np.int64)
    ls_m = np.zeros(W, dtype=np.int64)
    free_qm = np.zeros(W, dtype=np.bool_)
    free_lm = np.zeros(W, dtype=np.bool_)
    top = np.zeros((W, W), dtype=np.float64)
    gain = np.zeros((W, W), dtype=np.float64)
    col_best = np.zeros(W, dtype=np.float64)
    sets = 1 << _SCREEN_FREE
    lens_q = np.zeros(sets, dtype=np.float64)
    lens_l = np.zeros(sets, dtype=np.float64)
    masks_q = np.zeros(sets, dtype=np.uint64)
    masks_l = np.zeros(sets, dtype=np.uint64)
    counts_q = np.zeros(sets, dtype=np.int64)
    counts_l = np.zeros(sets, dtype=np.int64)
    members_q = np.zeros(sets, dtype=np.int64)
    members_l = np.zeros(sets, dtype=np.int64)
    done_q = np.zeros(sets, dtype=np.bool_)
    done_l = np.zeros(sets, dtype=np.bool_)
    hists_q = np.zeros((sets, 64), dtype=np.int64)
    hists_l = np.zeros((sets, 64), dtype=np.int64)
    one = np.zeros(64, dtype=np.int64)
    # cells of the current account-side form (pairs come grouped by it) per list token's slot: a form meets the
    # same list tokens in many pairs (about six times each on distinct names)
    seen = np.zeros(td.shape[0], dtype=np.int64)
    memo_top = np.zeros((td.shape[0], W), dtype=np.float64)
    memo_begins = np.zeros((td.shape[0], W), dtype=np.bool_)
    current, generation = -1, 0
    t = threshold
    if t <= 0:
        return out
    syl = np.float32(prm[9])
    dup, trunc, affix_w, place_w = prm[10], prm[11], prm[12], prm[13]
    a_cost, b_cost, cc = prm[14], prm[15], prm[16]
    min_sim, merge_split, typo_sim, short_len = prm[17], prm[18], prm[19], prm[20]
    slack = prm[1]
    for p in range(P):
        nq, nl = _gather(QT[pq[p]], slot, qi, qs), _gather(LT[pl[p]], slot, li, ls)
        if nq == 0 or nl == 0 or nq > W or nl > W:
            continue  # kept
        chinese = strict[pq[p]]
        if not chinese and nq >= 2 and nl >= 2:
            chinese = True
            for i in range(nq):
                if not cn_name[qi[i]]:
                    chinese = False
            for j in range(nl):
                if not cn_name[li[j]]:
                    chinese = False
        _side_weights(qi, nq, chinese, weights, pinyin, syl, wq, free_q)
        _side_weights(li, nl, chinese, weights, pinyin, syl, wl, free_l)
        if pq[p] != current:  # a new account-side form: its cells with earlier list tokens are forgotten
            current = pq[p]
            generation += 1
        any_begins = False
        for j in range(nl):
            sb = ls[j]
            if seen[sb] != generation:  # the cells of this list token with the form's tokens, computed once
                seen[sb] = generation
                for i in range(nq):
                    memo_top[sb, i], memo_begins[sb, i] = _cell_top(qi[i], li[j], qs[i], sb, td, tm, nick, variant,
                                                                    particle, prm)
            for i in range(nq):
                s = memo_top[sb, i]
                top[i, j] = s
                if s > 0:
                    free_q[i] = True
                    free_l[j] = True
                if memo_begins[sb, i]:
                    any_begins = True
        # the least weight each token can be charged at when left over (a legal-form or title word on the
        # account side; a listed token after a cut-off last token)
        _least_charges(qi, nq, wq, flags, dup, affix_w, 1.0, place_w, fq)
        _least_charges(li, nl, wl, flags, dup, 1.0, trunc if any_begins else 1.0, place_w, fl)
        # each possible cell's gain over the threshold, the same in both problems
        for i in range(nq):
            for j in range(nl):
                if top[i, j] > 0:
                    gain[i, j] = (top[i, j] - t) * ((wq[i] + wl[j]) / 2)
        reach = False
        for variant_k in range(2):
            alpha_c = a_cost + cc if variant_k == 0 else a_cost
            beta_c = b_cost if variant_k == 0 else b_cost + cc
            base = 0.0
            for i in range(nq):
                base += alpha_c * fq[i]
            for j in range(nl):
                base += beta_c * fl[j]
            for j in range(nl):
                col_best[j] = 0.0
            # every account token's best cell (rows) and every listed token's (cols), in one pass
            rows, cols = 0.0, 0.0
            for i in range(nq):
                best = 0.0
                for j in range(nl):
                    if top[i, j] > 0:
                        v = gain[i, j] + t * (alpha_c * fq[i] + beta_c * fl[j])
                        best = max(best, v)
                        col_best[j] = max(col_best[j], v)
                rows += best
            for j in range(nl):
                cols += col_best[j]
            if min(rows, cols) - t * base >= -1e-9:
                reach = True
                break
        if reach:
            continue
        if merge_split > 0 and (nq > 1 or nl > 1):
            # merges and splits join leftovers only: the tokens surely aligned are left out of them
            _held(qi, nq, li, nl, top, held_q, held_l)
            mq_ = _unheld(qi, qs, free_q, nq, held_q, qi_m, qs_m, free_qm)
            ml_ = _unheld(li, ls, free_l, nl, held_l, li_m, ls_m, free_lm)
            nfq, nfl = 0, 0
            for i in range(mq_):
                if free_qm[i]:
                    nfq += 1
            for j in range(ml_):
                if free_lm[j]:
                    nfl += 1
            if nfq > _SCREEN_FREE or nfl > _SCREEN_FREE:
                continue
            if _merge_possible(qi_m, qs_m, mq_, free_qm, li_m, ls_m, ml_, free_lm, nchars, tm, hist, min_sim, slack,
                               lens_q, masks_q, counts_q, members_q, done_q, hists_q, lens_l, masks_l, counts_l,
                               members_l, done_l, hists_l, one):
                continue
        if typo_sim > 0 and not chinese and nq >= 3 and _typo_possible(qi, qs, nq, free_q, li, ls, nl, free_l, nchars,
                                                                        tm, short_len):
            continue
        out[p] = False
    return out


@_compiled
def _typo_possible(qi, qs, nq, free_q, li, ls, nl, free_l, nchars, tm, short_len):  # pragma: no cover - compiled
    """The short-token typo (`_align`): the one account token and the one listed token left over, of equal
    length in [2, short_token_len] and one edit apart, every other token aligned, two of the account's
    aligned tokens four characters or longer."""
    for i in range(nq):
        la = nchars[qi[i]]
        if la < 2 or la > short_len:
            continue
        ok = True
        long_free = 0
        for k in range(nq):
            if k != i:
                if not free_q[k]:
                    ok = False
                elif nchars[qi[k]] >= 4:
                    long_free += 1
        if not ok or long_free < 2:
            continue
        for j in range(nl):
            if nchars[li[j]] != la:
                continue
            others = True
            for k in range(nl):
                if k != j and not free_l[k]:
                    others = False
            if (others and _popcount(tm[qs[i]] & ~tm[ls[j]]) <= 1 and _popcount(tm[ls[j]] & ~tm[qs[i]]) <= 1):
                return True
    return False


# --------------------------------------------------------------------------------------------------------
# the batch key join (blocking.key_candidates_batch): the union of the key equi-joins, grouped by pair
# --------------------------------------------------------------------------------------------------------


@_compiled
def _grow(a, n):  # pragma: no cover - compiled
    out = np.empty(max(2 * a.shape[0], n), dtype=a.dtype)
    out[:a.shape[0]] = a
    return out


@_compiled
def key_join(qt_off, qt_kid, qt_bit, qp_off, qp_tok, qp_mask, qn_off, qn_kid, qn_mask, qn_bit, k2t_off, k2t_tok,
             k2n_off, k2n_unit, k2u_off, k2u_unit, t2u_off, t2u_unit, n_ltok, lmask):  # pragma: no cover - compiled
    """Distinct (account unit, list unit) pairs with their rule bits and covered positions OR-ed: the
    union of (1) account tokens meeting list tokens on a single-token key, spread to the units holding
    them, (2) account tokens' keys meeting list names' keys, (3) account names' keys meeting every list
    key. Account-side CSRs: qt_* keys of a batch token (key id, rule bit), qp_* the (token, mask) places of
    a unit, qn_* a unit's name keys (key id, mask, rule bit); list-side CSRs by key id (k2t tokens, k2n
    units by name keys, k2u units by any key) and by list token (t2u units). `lmask`: list units allowed.

    Token pairs are found once per account token (a token in a hundred names is joined once); a unit's
    pairs are gathered in arrays indexed by list unit with a stamp, so nothing is sorted or hashed."""
    n_qt = qt_off.shape[0] - 1
    # (1a) per account token, its distinct list tokens and the rule bits of the keys they share
    stamp_t = np.full(n_ltok, -1, dtype=np.int64)
    bits_t = np.zeros(n_ltok, dtype=np.int32)
    tp_off = np.zeros(n_qt + 1, dtype=np.int64)
    tp_tok = np.empty(1024, dtype=np.int32)
    tp_bits = np.empty(1024, dtype=np.int32)
    m = 0
    for qt in range(n_qt):
        first = m
        for j in range(qt_off[qt], qt_off[qt + 1]):
            kid, bit = qt_kid[j], qt_bit[j]
            for r in range(k2t_off[kid], k2t_off[kid + 1]):
                lt = k2t_tok[r]
                if stamp_t[lt] != qt:
                    stamp_t[lt] = qt
                    bits_t[lt] = 0
                    if m == tp_tok.shape[0]:
                        tp_tok = _grow(tp_tok, m + 1)
                        tp_bits = _grow(tp_bits, m + 1)
                    tp_tok[m] = lt
                    m += 1
                bits_t[lt] |= bit
        for r in range(first, m):
            tp_bits[r] = bits_t[tp_tok[r]]
        tp_off[qt + 1] = m
    # (1b, 2, 3) per account unit, its list units
    n_lu = lmask.shape[0]
    n_qu = qp_off.shape[0] - 1
    stamp = np.full(n_lu, -1, dtype=np.int64)
    rules = np.zeros(n_lu, dtype=np.int32)
    cov = np.zeros(n_lu, dtype=np.int64)
    touched = np.empty(n_lu, dtype=np.int32)
    cap = 1 << 16
    out_q = np.empty(cap, dtype=np.int32)
    out_l = np.empty(cap, dtype=np.int32)
    out_r = np.empty(cap, dtype=np.int32)
    out_c = np.empty(cap, dtype=np.int64)
    n = 0
    for u in range(n_qu):
        nt = 0
        for p in range(qp_off[u], qp_off[u + 1]):
            qt, mask = qp_tok[p], qp_mask[p]
            for r in range(tp_off[qt], tp_off[qt + 1]):
                lt, bits = tp_tok[r], tp_bits[r]
                for s in range(t2u_off[lt], t2u_off[lt + 1]):
                    lu = t2u_unit[s]
                    if not lmask[lu]:
                        continue
                    if stamp[lu] != u:
                        stamp[lu] = u
                        rules[lu] = 0
                        cov[lu] = 0
                        touched[nt] = lu
                        nt += 1
                    rules[lu] |= bits
                    cov[lu] |= mask
            for j in range(qt_off[qt], qt_off[qt + 1]):
                kid, bit = qt_kid[j], qt_bit[j]
                for s in range(k2n_off[kid], k2n_off[kid + 1]):
                    lu = k2n_unit[s]
                    if not lmask[lu]:
                        continue
                    if stamp[lu] != u:
                        stamp[lu] = u
                        rules[lu] = 0
                        cov[lu] = 0
                        touched[nt] = lu
                        nt += 1
                    rules[lu] |= bit
                    cov[lu] |= mask
        for j in range(qn_off[u], qn_off[u + 1]):
            kid, mask, bit = qn_kid[j], qn_mask[j], qn_bit[j]
            for s in range(k2u_off[kid], k2u_off[kid + 1]):
                lu = k2u_unit[s]
                if not lmask[lu]:
                    continue
                if stamp[lu] != u:
                    stamp[lu] = u
                    rules[lu] = 0
                    cov[lu] = 0
                    touched[nt] = lu
                    nt += 1
                rules[lu] |= bit
                cov[lu] |= mask
        if n + nt > out_q.shape[0]:
            out_q = _grow(out_q, n + nt)
            out_l = _grow(out_l, n + nt)
            out_r = _grow(out_r, n + nt)
            out_c = _grow(out_c, n + nt)
        for i in range(nt):
            lu = touched[i]
            out_q[n] = u
            out_l[n] = lu
            out_r[n] = rules[lu]
            out_c[n] = cov[lu]
            n += 1
    return out_q[:n].copy(), out_l[:n].copy(), out_r[:n].copy(), out_c[:n].copy()
