"""`screening lookup`, invoked through click with a store of its own."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from screening.cli import Context
from screening.registration.cli import lookup_command


def test_lookup_command(store: Path) -> None:
    result = CliRunner().invoke(lookup_command, ["Igor Sechin", "--type", "person", "--no-eligibility", "--json"],
                                obj=Context(store))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["decision"] == "block"


def test_an_impossible_dob_is_a_usage_error(store: Path) -> None:
    from screening.cli import main

    result = CliRunner().invoke(main, ["--db", str(store), "lookup", "Igor Sechin", "--dob", "1984-02-30"])
    assert result.exit_code == 2
    assert "error: --dob '1984-02-30' is not a valid date (YYYY-MM-DD)" in result.output


def test_lookup_on_a_store_without_lists(tmp_path: Path) -> None:
    from screening.store import connect

    connect(tmp_path / "empty.duckdb").close()
    result = CliRunner().invoke(lookup_command, ["Igor Sechin", "--json"], obj=Context(tmp_path / "empty.duckdb"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["decision"] == "review"
    assert data["reasons"][0] == "lists unavailable: no list version in force (run `screening lists refresh`)"
