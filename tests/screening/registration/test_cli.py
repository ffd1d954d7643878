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
