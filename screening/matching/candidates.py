"""Candidate pairs: distinct (account-side unit, list-side unit) pairs with the rules that found them,
and the counts of a run."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

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
        if len(self) == 0:
            return Candidates.empty()
        # sorted, each run of one pair OR-ed in one reduceat (np.unique's inverse and two ufunc.at cost a lookup
        # more than its handful of rows)
        codes = self.codes()
        order = np.argsort(codes, kind="stable")
        codes = codes[order]
        starts = np.flatnonzero(np.concatenate([[True], codes[1:] != codes[:-1]]))
        uniq = codes[starts]
        rules = np.bitwise_or.reduceat(self.rules[order], starts).astype(np.int32, copy=False)
        covered = np.bitwise_or.reduceat(self.covered[order], starts).astype(np.int64, copy=False)
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

    def add(self, other: MatchStats) -> None:
        """Add another part's counts (a worker's chunk)."""
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
