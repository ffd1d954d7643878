"""The matching commands, invoked through click with a store of their own."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from screening.cli import Context
from screening.matching.cli import match_group




def test_match_commands(store: Path) -> None:
    runner = CliRunner()
    index = runner.invoke(match_group, ["index", "--json"], obj=Context(store))
    assert index.exit_code == 0 and json.loads(index.output) == []
    config = runner.invoke(match_group, ["config", "--json"], obj=Context(store))
    assert json.loads(config.output)["hash"]
    features = runner.invoke(match_group, ["features"], obj=Context(store))
    assert "dob" in features.output and "identifier" in features.output
    compared = runner.invoke(match_group, ["compare", "Olaf Scholze", "Olaf Scholz", "--json"], obj=Context(store))
    assert json.loads(compared.output)["band"] in ("review", "block_review")
