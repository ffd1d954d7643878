"""Metrics for the evaluation: threshold sweeps, recall per class and type, alert rates, latency.

Why separate: the maths is small and must be right, so it is tested on hand-made labelled data,
independently of the matcher that produces the scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

DEFAULT_THRESHOLDS: tuple[float, ...] = tuple(round(0.50 + 0.025 * i, 3) for i in range(21))  # 0.50 … 1.00


def threshold_sweep(labels: Sequence[bool] | np.ndarray, scores: Sequence[float] | np.ndarray,
                    thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> pl.DataFrame:
    """Precision, recall and F1 of "score ≥ t ⇒ match" for each threshold t.

    Precision is 1.0 by convention when nothing is predicted (no false alarms), recall 1.0 when there
    are no positives; F1 is 0 when precision + recall is 0.
    """
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=float)
    t = np.asarray(thresholds, dtype=float)
    predicted = s[None, :] >= t[:, None]  # thresholds × pairs
    tp = (predicted & y).sum(axis=1)
    fp = (predicted & ~y).sum(axis=1)
    fn = (~predicted & y).sum(axis=1)
    tn = (~predicted & ~y).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 1.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 1.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return pl.DataFrame(
        {"threshold": t, "tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall, "f1": f1}
    )


def best_f1(sweep: pl.DataFrame) -> dict[str, float]:
    """The sweep row with the highest F1 (the lowest such threshold on ties)."""
    row = sweep.sort(["f1", "threshold"], descending=[True, False]).row(0, named=True)
    return {k: float(v) for k, v in row.items()}


def at_threshold(labels: Sequence[bool] | np.ndarray, scores: Sequence[float] | np.ndarray, threshold: float) -> dict[str, float]:
    """Precision / recall / F1 at one threshold."""
    return {k: float(v) for k, v in threshold_sweep(labels, scores, [threshold]).row(0, named=True).items()}


def hit_rates(results: pl.DataFrame, by: Sequence[str], threshold: float) -> pl.DataFrame:
    """Share of rows whose `score` reaches `threshold`, grouped by `by` (recall for positive classes,
    false-hit rate for negative ones)."""
    return (
        results.with_columns((pl.col("score") >= threshold).alias("_hit"))
        .group_by(list(by))
        .agg(pl.len().alias("n"), pl.col("_hit").sum().alias("hits"))
        .with_columns((pl.col("hits") / pl.col("n")).alias("rate"))
        .sort(list(by))
    )


def per_1000(count: int, population: int) -> float:
    """A count per 1,000 of a population (alerts per 1,000 screened)."""
    return 1000.0 * count / population if population else 0.0


@dataclass(frozen=True)
class Latency:
    calls: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float


def latency(seconds: Sequence[float] | np.ndarray) -> Latency:
    """Latency percentiles in milliseconds from per-call durations in seconds."""
    ms = np.asarray(seconds, dtype=float) * 1000.0
    if ms.size == 0:
        return Latency(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    p50, p90, p99 = np.percentile(ms, [50, 90, 99])
    return Latency(int(ms.size), float(p50), float(p90), float(p99), float(ms.max()), float(ms.mean()))
