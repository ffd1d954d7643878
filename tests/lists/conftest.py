"""Fixtures of the list tests: a store of one's own, and downloads that give up fast on a local server."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.store import connect


@pytest.fixture(autouse=True)
def fast_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENING_HTTP_TIMEOUT", "1")
    monkeypatch.setenv("SCREENING_HTTP_RETRIES", "1")


@pytest.fixture
def con(db_path: Path):
    return connect(db_path)
