"""`screening eligibility bench`: evaluation code, reached through the root registry (production's
eligibility CLI does not import it)."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from screening.cli import main


def test_bench_through_the_eligibility_group(tmp_path) -> None:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "s.duckdb"), "eligibility", "bench", "--n", "2000",
                                       "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["accounts"] == 2000
    assert sum(data["status"].values()) == 2000
    listed = CliRunner().invoke(main, ["eligibility", "--help"]).output
    assert "bench" in listed


def test_production_clis_do_not_load_evaluation_code() -> None:
    """Importing the account and eligibility CLIs loads no evaluation module (the registry attaches them)."""
    code = ("import sys, screening.accounts.cli, screening.eligibility.cli; "
            "print(sorted(m for m in sys.modules if m.startswith('screening.evaluation')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_single_record_bench_prints_latency_percentiles(tmp_path) -> None:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "s.duckdb"), "eligibility", "bench", "--single", "20",
                                       "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["records"] == 20 and sum(data["status"].values()) == 20
    assert 0 < data["p50_ms"] <= data["p90_ms"] <= data["p99_ms"] <= data["max_ms"]
    assert data["cpu_ms_per_record"] > 0 and len(data["load_average"]) == 3
    refused = CliRunner().invoke(main, ["eligibility", "bench", "--single", "0"])
    assert refused.exit_code == 2
