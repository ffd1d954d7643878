"""Metric maths on small hand-made labelled data (worked out by hand in the comments)."""

from __future__ import annotations

import polars as pl
import pytest

from screening.evaluation import metrics
from screening.evaluation.eval import check_targets, score_against_origin

LABELS = [True, True, True, False, False, True]
SCORES = [0.95, 0.85, 0.60, 0.90, 0.40, 0.75]


def test_sweep_counts_and_rates() -> None:
    sweep = metrics.threshold_sweep(LABELS, SCORES, [0.5, 0.8, 0.99])
    rows = {r["threshold"]: r for r in sweep.to_dicts()}
    # t=0.5: predicted 0.95 0.85 0.60 0.90 0.75 → tp 4, fp 1, fn 0, tn 1
    assert (rows[0.5]["tp"], rows[0.5]["fp"], rows[0.5]["fn"], rows[0.5]["tn"]) == (4, 1, 0, 1)
    assert rows[0.5]["precision"] == pytest.approx(0.8)
    assert rows[0.5]["recall"] == pytest.approx(1.0)
    assert rows[0.5]["f1"] == pytest.approx(2 * 0.8 / 1.8)
    # t=0.8: predicted 0.95 0.85 0.90 → tp 2, fp 1, fn 2
    assert (rows[0.8]["tp"], rows[0.8]["fp"], rows[0.8]["fn"]) == (2, 1, 2)
    assert rows[0.8]["precision"] == pytest.approx(2 / 3)
    assert rows[0.8]["recall"] == pytest.approx(0.5)
    assert rows[0.8]["f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    # t=0.99: nothing predicted → precision 1 by convention, recall 0, F1 0
    assert rows[0.99]["precision"] == 1.0 and rows[0.99]["recall"] == 0.0 and rows[0.99]["f1"] == 0.0


def test_best_f1_prefers_lowest_threshold_on_ties() -> None:
    sweep = metrics.threshold_sweep([True, False], [0.9, 0.1], [0.2, 0.5, 0.8, 0.95])
    best = metrics.best_f1(sweep)
    assert best["threshold"] == 0.2 and best["f1"] == 1.0


def test_at_threshold_matches_sweep_row() -> None:
    assert metrics.at_threshold(LABELS, SCORES, 0.8)["recall"] == pytest.approx(0.5)


def test_hit_rates_by_group() -> None:
    df = pl.DataFrame({"t": ["a", "a", "b", "b", "b"], "score": [0.9, 0.7, 0.8, 0.81, 0.1]})
    out = {r["t"]: r for r in metrics.hit_rates(df, ["t"], 0.8).to_dicts()}
    assert (out["a"]["n"], out["a"]["hits"], out["a"]["rate"]) == (2, 1, 0.5)
    assert (out["b"]["n"], out["b"]["hits"]) == (3, 2)


def test_per_1000_and_latency() -> None:
    assert metrics.per_1000(3, 2000) == 1.5
    assert metrics.per_1000(3, 0) == 0.0
    lat = metrics.latency([0.001] * 98 + [0.010, 0.020])
    assert lat.calls == 100
    assert lat.p50_ms == pytest.approx(1.0)
    assert 1.0 < lat.p99_ms <= 20.0
    assert lat.max_ms == pytest.approx(20.0)


def test_score_against_origin_ranks_the_origin_entry() -> None:
    labelled = pl.DataFrame({"account_id": ["v1", "v2", "v3"], "source": ["un_sc"] * 3, "source_id": ["A", "B", "C"]})
    hits = pl.DataFrame(
        {
            "account_id": ["v1", "v1", "v1", "v2", "v2"],
            "source": ["un_sc", "un_sc", "us_csl", "un_sc", "un_sc"],
            "source_id": ["A", "A", "X", "B", "Y"],
            "score": [0.9, 0.95, 0.80, 0.70, 0.99],
        }
    )
    out = {r["account_id"]: r for r in score_against_origin(labelled, hits).to_dicts()}
    assert out["v1"]["score"] == 0.95 and out["v1"]["rank"] == 1 and out["v1"]["top_entry"] == "un_sc:A"
    assert out["v2"]["score"] == 0.70 and out["v2"]["rank"] == 2 and out["v2"]["top_entry"] == "un_sc:Y"
    assert out["v3"]["score"] == 0.0 and out["v3"]["top_score"] == 0.0  # never hit


def test_check_targets_reads_the_report() -> None:
    report = {
        "variants": {"per_class": [{"expected": "must_hit", "rate": 1.0}, {"expected": "should_hit", "rate": 0.9},
                                   {"expected": "must_not_hit", "rate": 0.1}]},
        "clean": {"alerts_per_1000": 7.5, "alerts_per_1000_clean": 2.5, "alerts_per_1000_clean_spellings_apart": 1.5},
        "name_bench": {"at_review_threshold": {"f1": 0.80}, "best_f1": {"f1": 0.88}},
        "cross_script": {"per_case": [{"case": "cn_org", "rate": 0.95}, {"case": "ko_hanja", "rate": 0.5}]},
    }
    out = {t["target"]: t["met"] for t in check_targets(report)}
    # the clean targets count clean accounts (namesakes excluded), with and without the spelling namesakes;
    # name_bench F1 at the best threshold
    assert out == {"must_hit_recall": True, "should_hit_recall": False, "must_not_hit_rate": False,
                   "clean_alerts_per_1000_namesakes_excluded": False, "clean_alerts_per_1000_spellings_apart": True,
                   "name_bench_f1": True,
                   "cross_script_cn_org": True, "cross_script_ko_hanja": False}
