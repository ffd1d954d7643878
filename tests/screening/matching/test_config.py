"""MatchConfig: documented, hashed, loaded from YAML; bands."""

from __future__ import annotations

import dataclasses

import pytest

from screening.matching.config import DEFAULT_CONFIG, MatchConfig, describe_config


def test_every_setting_is_described() -> None:
    rows = describe_config()
    assert {r["name"] for r in rows} == {f.name for f in dataclasses.fields(MatchConfig)}
    assert all(len(r["description"]) > 20 for r in rows)


def test_hash_follows_scoring_settings_only() -> None:
    assert MatchConfig().hash == DEFAULT_CONFIG.hash
    assert MatchConfig(review=0.81).hash != DEFAULT_CONFIG.hash
    assert MatchConfig(chunk_size=10).hash == DEFAULT_CONFIG.hash  # speed knob, not a scoring one


def test_bands_are_ordered_and_applied() -> None:
    c = DEFAULT_CONFIG
    assert c.low < c.review < c.block_review <= 1.0
    assert c.band(c.block_review) == "block_review"
    assert c.band(c.review) == "review"
    assert c.band(c.low) == "low"
    assert c.band(c.low - 0.01) is None


def test_from_file(tmp_path) -> None:
    path = tmp_path / "m.yml"
    path.write_text("review: 0.82\nlow: 0.7\n")
    loaded = MatchConfig.from_file(path)
    assert (loaded.review, loaded.low) == (0.82, 0.7)
    path.write_text("reviw: 0.82\n")
    with pytest.raises(ValueError, match="reviw"):
        MatchConfig.from_file(path)
