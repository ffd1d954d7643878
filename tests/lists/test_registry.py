"""Every declared source has an adapter module, a fixture folder, tests and sane spec bounds."""

from __future__ import annotations

import pytest

from lists import SOURCE_KEYS, get_spec
from lists.refresh import snapshot_manifest
from tests.conftest import FIXTURES, REPO


@pytest.mark.parametrize("key", SOURCE_KEYS)
def test_source_is_complete(key: str) -> None:
    spec = get_spec(key)
    assert spec.key == key and spec.title and spec.regime
    assert spec.min_entries >= 1 and spec.max_age_hours > 0
    assert (FIXTURES / "lists" / key / "ORIGIN.md").is_file(), "fixture excerpt with its origin"
    assert (REPO / "tests" / "lists" / "sources" / f"test_{key}.py").is_file()
    assert set(spec.optional_files) <= set(spec.urls)


def test_unknown_source_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="unknown list source 'xx'"):
        get_spec("xx")


def test_snapshot_covers_every_licensed_default_source() -> None:
    """The offline default bundles every source except aggregators whose licence forbids it."""
    manifest = snapshot_manifest()
    for key in SOURCE_KEYS:
        spec = get_spec(key)
        assert (key in manifest) == (spec.licence is None), key
        if key in manifest:
            assert manifest[key].path.exists()
