"""The alignment bound (`kernels.name_score_bound`) against the scorer it prunes for.

Real candidate pairs: listed names of the bundled snapshot varied the ways names vary (a typo, tokens
joined or split, reordered, cut at a field length, a token added or dropped) and synthetic distinct
accounts in mixed scripts, paired by the real blocking keys. If a feature step that raises `_align`'s
score is added or changed without the bound following it, `test_the_bound_is_never_below_the_score` fails.
"""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest

from screening.evaluation.synth_distinct import distinct_accounts
from screening.matching import blocking
from screening.matching.cache import get_index
from screening.matching.config import DEFAULT_CONFIG as C
from screening.matching.query import prepare_queries
from screening.matching.scoring import score_names, scores_and_bounds

from tests.screening.matching.test_blocking import SAMPLE_SQL, _typo

FIELDS = ("score", "aligned", "match_j", "match_s", "resid", "digits_mismatch", "patronymic", "joined", "disordered")
SAMPLE_HAN_SQL = """
SELECT DISTINCT e.subject_type, n.name FROM current_names n JOIN current_entries e USING (source, source_id)
WHERE n.script = 'Hani' AND e.subject_type IN ('person', 'organization') ORDER BY n.name LIMIT 60
"""


def _varied(name: str, rng: random.Random) -> str:
    words = name.replace(",", " ").split()
    k = rng.randrange(8)
    if k == 7:  # a short token spelt with a letter of the same sound (NTC ~ NTK: tokens.token_similarity)
        alike = str.maketrans("CKSZcksz", "KCZSkczs")
        return " ".join(w.translate(alike) if len(w) <= C.short_token_len else w for w in words)
    if k == 0:
        return _typo(name, rng)
    if k == 1 and len(words) >= 2:  # two tokens joined (a merge)
        i = rng.randrange(len(words) - 1)
        return " ".join(words[:i] + [words[i] + words[i + 1]] + words[i + 2:])
    if k == 2:  # the longest token split (a split)
        i = max(range(len(words)), key=lambda j: len(words[j]))
        w = words[i]
        return " ".join(words[:i] + [w[:len(w) // 2], w[len(w) // 2:]] + words[i + 1:]) if len(w) >= 6 else name
    if k == 3:
        return " ".join(reversed(words))
    if k == 4 and len(name) > 12:  # cut at a field length
        return name[:len(name) * 2 // 3]
    if k == 5:
        return name + " " + rng.choice(["Ali", "Petrov", "Trading", "Wang", "Ltd", "bin", "Beijing"])
    return " ".join(words[1:]) if len(words) >= 3 else name


@pytest.fixture(scope="module")
def pairs(ro_con):
    """Keyed candidate pairs (no pruning by the key bound) of varied listed names and distinct accounts."""
    con = ro_con
    rng = random.Random(11)
    listed = pl.concat([con.sql(SAMPLE_SQL).pl().select("subject_type", "name"), con.sql(SAMPLE_HAN_SQL).pl()])
    varied = [_varied(n, rng) for n in listed["name"].to_list()]
    mixed = distinct_accounts(500, 5)
    accounts = pl.DataFrame({
        "account_id": [f"a{i}" for i in range(listed.height + mixed.height)],
        "subject_type": listed["subject_type"].to_list() + mixed["subject_type"].to_list(),
        "name": varied + mixed["name"].to_list()})
    index = get_index(con, C)
    batch = prepare_queries(accounts, index)
    cand = blocking.key_candidates_batch(index, blocking.batch_keys(batch, C), C)
    assert len(cand) > 20_000
    return batch.units, index.units, cand.pq, cand.pl, batch.table, index.vocab.equivalents, C


@pytest.fixture(scope="module")
def full(pairs):
    """Every pair's scores without a floor, and its bound."""
    return scores_and_bounds(*pairs)


def test_the_bound_is_never_below_the_score(pairs, full) -> None:
    full, bound = full
    assert not np.isnan(bound).any()
    plain_run = score_names(*pairs)  # recording the bound changes no score
    assert all(np.array_equal(getattr(full, f), getattr(plain_run, f)) for f in FIELDS)
    excess = full.aligned.astype(np.float64) - bound
    worst = int(np.argmax(excess))
    assert excess[worst] <= 1e-5, (pairs[0].text[pairs[2][worst]], pairs[1].text[pairs[3][worst]],
                                   full.aligned[worst], bound[worst])
    # the sample reaches the parts of `_align` the bound mirrors: merges and splits, the short typo, cut names
    assert (full.resid > 0).sum() >= 20
    # and the bound is tight on pairs that aligned without a merge, but for the substitution charge
    # (scoring._align's `conflict_min_weight`), which only lowers a score and which the bound leaves out:
    # 3.5 % of this sample's plain pairs; the bound stays exact, it only prunes a little less
    plain = np.flatnonzero(full.resid == 0)
    slack = np.abs(excess[plain]) >= 1e-5
    loose = plain[np.argsort(excess[plain])[-5:]]
    assert slack.mean() < 0.05, (slack.mean(), [(pairs[0].text[pairs[2][k]], pairs[1].text[pairs[3][k]],
                                                 full.aligned[k], bound[k]) for k in loose])
    assert (bound < 0.5).mean() > 0.5


@pytest.mark.parametrize("floor", [0.35, 0.55, 0.75])
def test_pairs_that_can_reach_the_floor_score_exactly_as_without_it(pairs, full, floor: float) -> None:
    full = full[0]
    pruned = score_names(*pairs, floor=floor)
    need = full.score >= floor
    assert need.sum() >= 50
    for field in FIELDS:
        assert np.array_equal(getattr(full, field)[need], getattr(pruned, field)[need]), field
    assert not ((pruned.score >= floor) & ~need).any()
    # most pairs are not aligned at all
    assert (pruned.score > 0).sum() < 0.2 * len(need)


@pytest.mark.parametrize("floor", [0.3, 0.45, 0.55, 0.65, 0.75, 0.9])
def test_the_screen_before_the_cells_drops_only_pairs_the_bound_drops(pairs, full, floor: float) -> None:
    """`kernels.pairs_may_reach` decides from per-token data alone: a pair it drops must have an alignment
    bound (and so a score) under the threshold the bound prunes at; and it must drop most pairs."""
    from screening.matching.scoring import _Pruning

    scores, bound = full
    prune = _Pruning.of(*pairs[:5], C, floor)
    live = prune.may_reach(*pairs)
    dropped = ~live
    assert not (dropped & (bound >= prune.threshold)).any(), [
        (pairs[0].text[pairs[2][k]], pairs[1].text[pairs[3][k]], bound[k])
        for k in np.flatnonzero(dropped & (bound >= prune.threshold))[:5]]
    assert not (dropped & (scores.aligned >= prune.threshold)).any()
    # not vacuous: most keyed pairs are dropped, and the pairs kept are mostly pairs the bound keeps too
    assert dropped.mean() > 0.5
    assert (bound[live] >= prune.threshold).sum() > 0


def test_pairs_all_dropped_by_the_screen_score_zero(pairs) -> None:
    """A lookup whose every pair the screen rules out gets its (zero) scores, one row per pair."""
    from screening.matching.scoring import _Pruning

    live = _Pruning.of(*pairs[:5], C, 0.9).may_reach(*pairs)
    dropped = np.flatnonzero(~live)[:40]
    assert len(dropped) == 40
    sub = (pairs[0], pairs[1], pairs[2][dropped], pairs[3][dropped], *pairs[4:])
    out = score_names(*sub, floor=0.9)
    assert len(out.score) == 40 and not out.score.any() and (out.match_j == -1).all()


def test_protected_pairs_are_scored_in_full(pairs, full) -> None:
    full = full[0]
    protect = np.zeros(len(full.score), dtype=bool)
    protect[::7] = True
    pruned = score_names(*pairs, floor=0.9, protect=protect)
    for field in FIELDS:
        assert np.array_equal(getattr(full, field)[protect], getattr(pruned, field)[protect]), field


def test_factorize_gives_what_unique_gives_but_for_the_order() -> None:
    from screening.matching import kernels

    rng = np.random.default_rng(0)
    for codes in (rng.integers(0, 50, 10_000) << 32 | rng.integers(0, 7, 10_000),
                  rng.integers(-2**62, 2**62, 5_000), np.zeros(0, dtype=np.int64), np.array([3, 3, 3])):
        codes = codes.astype(np.int64)
        uniq, inv = kernels.factorize(codes)
        assert np.array_equal(uniq[inv], codes)
        assert np.array_equal(np.sort(uniq), np.unique(codes))
        if len(codes):
            assert uniq[0] == codes[0]  # first appearance first
        expected = np.unique(codes, return_inverse=True)
        assert all(np.array_equal(a, b) for a, b in zip(kernels.unique_inverse(codes), expected))


def _greedy_rounds(S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The vectorised rounds `kernels.greedy_assign` replaced (all pairs at once, one cell per round)."""
    P, width = S.shape[:2]
    work = np.where(S > 0, S + np.eye(width, dtype=np.float32) * 1e-4, 0.0).reshape(P, width * width)
    match_j, match_s = np.full((P, width), -1, dtype=np.int8), np.zeros((P, width), dtype=np.float32)
    live = np.arange(P)
    for _ in range(width):
        flat = work[live]
        k = flat.argmax(axis=1)
        act = flat[np.arange(len(live)), k] > 0
        live, k = live[act], k[act]
        i, j = k // width, k % width
        match_j[live, i], match_s[live, i] = j, S[live, i, j]
        view = work.reshape(P, width, width)
        view[live, i, :] = 0.0
        view[live, :, j] = 0.0
    return match_j, match_s


@pytest.mark.parametrize("width", [1, 2, 3, 5, 8, 16])
def test_greedy_assign_is_the_vectorised_rounds(width: int) -> None:
    """Ties (equal cells, the diagonal's tie-break), empty rows and padded cells: the same alignment."""
    from screening.matching.kernels import greedy_assign

    rng = np.random.default_rng(width)
    # few distinct values so that ties are frequent; a third of the cells zero
    S = rng.choice(np.asarray([0.0, 0.0, 0.5, 0.8, 0.8, 1.0], dtype=np.float32), size=(400, width, width))
    S[::7] = 0.0
    S[1::5, :, -1] = 0.0  # a padded listed token
    got, want = greedy_assign(S), _greedy_rounds(S)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


@pytest.mark.parametrize("width", [1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 32])
def test_compiled_sums_add_as_numpy_does(width: int) -> None:
    """`kernels._sum32` is numpy's float32 row sum bit for bit (pairwise from eight values on): the compiled
    score (align_weights) relies on it; a numpy that sums in another order fails here, not in a score."""
    from screening.matching.kernels import _sum32

    rng = np.random.default_rng(width)
    rows = (rng.random((300, width)) * rng.choice([1e-3, 1.0, 1e3], size=(300, width))).astype(np.float32)
    rows[rng.random((300, width)) < 0.3] = 0.0
    want = rows.sum(axis=1)
    got = np.asarray([_sum32(row, width) for row in rows], dtype=np.float32)
    np.testing.assert_array_equal(got, want)
