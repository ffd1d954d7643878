"""Load the normalisation tables from screening/resources/normalize/ (data, not code)."""
from __future__ import annotations

import csv
import functools
from pathlib import Path
from typing import Any

import yaml

RESOURCE_DIR = Path(__file__).resolve().parent.parent / "resources" / "normalize"


def load_yaml(name: str) -> Any:
    """Parse one YAML resource file (libyaml's safe loader where PyYAML has it: ~8× faster at start-up)."""
    with open(RESOURCE_DIR / name, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_csv(name: str) -> list[dict[str, str]]:
    """Rows of one CSV resource file; lines starting with '#' are comments (licence, provenance)."""
    with open(RESOURCE_DIR / name, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines))


@functools.cache
def char_map(name: str, key: str, value: str) -> dict[str, str]:
    """A one-character-to-string mapping table from a CSV file."""
    return {row[key]: row[value] for row in load_csv(name)}
