"""Array shapes shared by the list index and the account batches: padded token-id matrices of
distinct forms (`UnitTable`) and values grouped by an owner (`Ragged`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from screening import normalize
from screening.matching.tokens import TokenTable, Vocab

MAX_TOKENS = 32  # tokens of a form beyond this are dropped (none of the lists comes close)


@dataclass(frozen=True)
class UnitTable:
    """Distinct normalised forms ("units") with their token ids, padded to a matrix (-1 = none)."""

    text: np.ndarray  # object
    tok: np.ndarray  # int32 [n, width]
    ntok: np.ndarray  # int16
    strict: np.ndarray  # bool: derived from a Han name (pinyin syllables must match exactly)
    # int32: characters of the longest name as written that gave the form (account side; None on the list side)
    chars: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.text)


def form_tokens(form: str) -> list[str]:
    return [t for t in normalize.tokens(form) if t][:MAX_TOKENS]


def build_units(texts: Sequence[str], vocab: Vocab, strict: np.ndarray | None = None) -> tuple[UnitTable, TokenTable]:
    """Token-id matrix of `texts` (forms) against `vocab`; new tokens get ids after the vocabulary."""
    toks = [form_tokens(t) for t in texts]
    flat = [t for ts in toks for t in ts]
    ids, table = vocab.encode(flat)
    return _pad(texts, toks, ids, strict), table


def _pad(texts: Sequence[str], toks: list[list[str]], ids: np.ndarray, strict: np.ndarray | None = None) -> UnitTable:
    n = len(texts)
    ntok = np.fromiter((len(t) for t in toks), dtype=np.int16, count=n)
    width = max(1, int(ntok.max()) if n else 1)
    mat = np.full((n, width), -1, dtype=np.int32)
    rows = np.repeat(np.arange(n), ntok)
    starts = np.cumsum(ntok) - ntok
    cols = np.arange(len(ids)) - np.repeat(starts, ntok)
    mat[rows, cols] = ids
    text = np.empty(n, dtype=object)
    text[:] = list(texts)
    return UnitTable(text, mat, ntok, np.zeros(n, dtype=bool) if strict is None else np.asarray(strict, dtype=bool))



@dataclass(frozen=True)
class Ragged:
    """Values grouped by an owner index: values[offsets[i]:offsets[i + 1]] belong to owner i."""

    offsets: np.ndarray  # int64 [n + 1]
    columns: dict[str, np.ndarray]

    @classmethod
    def group(cls, owner: np.ndarray, n: int, **columns: np.ndarray) -> "Ragged":
        order = np.argsort(owner, kind="stable")
        counts = np.bincount(owner, minlength=n)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return cls(offsets, {k: np.asarray(v)[order] for k, v in columns.items()})

    def expand(self, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in `owners`, row in the values) for every value of every owner."""
        starts = self.offsets[owners]
        counts = self.offsets[owners + 1] - starts
        pos = np.repeat(np.arange(len(owners)), counts)
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return pos, starts[pos] + within

