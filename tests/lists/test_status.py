"""Freshness from the list's own date: `source_status` on real files (the bundled snapshot, the real UN
XML with its `dateGenerated` changed, the undated China CSV)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lists import get_spec
from lists.refresh import load_snapshot, snapshot_manifest
from lists.status import source_status
from lists.store import load_version
from screening.exc import UsageError
from screening.store import connect
from tests.conftest import un_xml_dated

UN = get_spec("un_sc")
TODAY = dt.date.today()


def _status(con, source: str = "un_sc") -> dict:
    rows = source_status(con).filter(source=source).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_the_bundled_snapshot_is_always_stale(db_path: Path) -> None:
    con = connect(db_path)
    load_snapshot(con, UN, raw_dir=None)
    row = _status(con)
    assert row["stale"] and row["stale_at"] is None and row["is_snapshot"]
    assert "bundled snapshot" in row["stale_reason"]
    assert row["age_days"] == (TODAY - dt.date(2026, 2, 27)).days
    assert row["date_source"] == "file"  # the UN file carries its own date


def test_a_file_published_today_is_fresh(db_path: Path, tmp_path: Path) -> None:
    con = connect(db_path)
    load_version(con, UN, un_xml_dated(tmp_path, TODAY))
    row = _status(con)
    assert not row["stale"] and row["stale_reason"] is None
    assert row["age_days"] == 0 and row["checked_hours_ago"] == 0
    assert row["max_publication_days"] == 7 and row["max_age_hours"] == 48
    # fresh until the earlier of: check age (48 h) and publication age (7 days)
    assert row["stale_at"] <= dt.datetime.now() + dt.timedelta(hours=48, minutes=1)


def test_an_old_file_loaded_just_now_is_stale(db_path: Path, tmp_path: Path) -> None:
    con = connect(db_path)
    load_version(con, UN, un_xml_dated(tmp_path, TODAY - dt.timedelta(days=10)))
    row = _status(con)
    assert row["stale"] and row["checked_hours_ago"] == 0
    assert row["stale_reason"] == "published 10 days ago (max 7)"


def test_the_maximum_publication_age_is_configurable(db_path: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    con = connect(db_path)
    load_version(con, UN, un_xml_dated(tmp_path, TODAY - dt.timedelta(days=10)))
    monkeypatch.setenv("SCREENING_MAX_PUBLICATION_DAYS_UN_SC", "14")
    row = _status(con)
    assert not row["stale"] and row["max_publication_days"] == 14
    monkeypatch.setenv("SCREENING_MAX_PUBLICATION_DAYS_UN_SC", "two weeks")
    with pytest.raises(UsageError, match="SCREENING_MAX_PUBLICATION_DAYS_UN_SC"):
        source_status(con)


def test_no_check_within_the_check_age_is_stale(db_path: Path, tmp_path: Path) -> None:
    con = connect(db_path)
    load_version(con, UN, un_xml_dated(tmp_path, TODAY))
    # three days pass without a successful check of the publisher
    con.execute("UPDATE list_fetches SET checked_at = checked_at - INTERVAL 3 DAY")
    row = _status(con)
    assert row["stale"] and row["stale_reason"] == "last checked 72 h ago (max 48 h)"


def test_an_undated_file_without_as_of_is_stale(db_path: Path) -> None:
    con = connect(db_path)
    cn = get_spec("cn_sanctions")
    load_version(con, cn, snapshot_manifest()["cn_sanctions"].path)
    row = _status(con, "cn_sanctions")
    assert row["publisher_date"] is None and row["date_source"] is None
    assert row["stale"] and "no publisher date" in row["stale_reason"] and row["manual"]


def test_an_undated_file_takes_the_operators_date(db_path: Path) -> None:
    con = connect(db_path)
    cn = get_spec("cn_sanctions")
    load_version(con, cn, snapshot_manifest()["cn_sanctions"].path, as_of=TODAY - dt.timedelta(days=3))
    row = _status(con, "cn_sanctions")
    assert (row["date_source"], row["age_days"], row["stale"]) == ("operator", 3, False)
