"""Refresh against a real local HTTP server: an old file from a mirror, dates from Last-Modified, and the
manual China list that a download never replaces by default."""

from __future__ import annotations

import datetime as dt

import pytest
from pytest_httpserver import HTTPServer

from lists.parsing import read_bytes
from lists.refresh import default_sources, http_date, refresh, snapshot_manifest
from lists.status import source_status
from tests.conftest import un_xml_dated

TODAY = dt.date.today()
DPL_BYTES = read_bytes(snapshot_manifest()["us_bis_dpl"].path)
CN_BYTES = read_bytes(snapshot_manifest()["cn_sanctions"].path)


def _serve(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, env: str, name: str, body: bytes,
           last_modified: str | None = None) -> None:
    httpserver.clear()
    monkeypatch.setenv(env, httpserver.url_for(f"/{name}"))
    headers = {"Last-Modified": last_modified} if last_modified else {}
    httpserver.expect_request(f"/{name}").respond_with_data(body, headers=headers)


def _fetches(con, source: str) -> list[dict]:
    return con.sql("SELECT status, reason, publisher_date, from_publisher FROM list_fetches WHERE source = ? "
                   "ORDER BY fetch_id", params=[source]).pl().to_dicts()


def test_a_mirror_serving_an_old_file_cannot_roll_the_list_back(con, httpserver, monkeypatch, tmp_path) -> None:
    current = un_xml_dated(tmp_path / "new", TODAY)
    _serve(httpserver, monkeypatch, "SCREENING_URL_UN_SC", "consolidated.xml", current.read_bytes())
    [loaded] = refresh(con, ["un_sc"], raw_dir=tmp_path / "raw")
    assert loaded.status == "loaded"
    old = un_xml_dated(tmp_path / "old", dt.date(2024, 11, 30))
    _serve(httpserver, monkeypatch, "SCREENING_URL_UN_SC", "consolidated.xml", old.read_bytes())
    [outcome] = refresh(con, ["un_sc"], raw_dir=tmp_path / "raw")
    assert outcome.status == "rejected" and "older than the version in force" in outcome.detail
    assert con.execute("SELECT version_id, publisher_date FROM current_versions").fetchall() == [
        (loaded.version_id, TODAY)]
    last = _fetches(con, "un_sc")[-1]
    assert (last["status"], last["publisher_date"]) == ("rejected", dt.date(2024, 11, 30))


def test_an_old_file_on_a_first_download_is_loaded_but_stale(con, httpserver, monkeypatch, tmp_path) -> None:
    old = un_xml_dated(tmp_path, dt.date(2024, 11, 30))
    _serve(httpserver, monkeypatch, "SCREENING_URL_UN_SC", "consolidated.xml", old.read_bytes())
    [outcome] = refresh(con, ["un_sc"], raw_dir=tmp_path / "raw")
    assert outcome.status == "loaded"
    row = source_status(con).row(0, named=True)
    assert row["stale"] and row["checked_hours_ago"] == 0  # downloaded just now, and still stale
    assert row["stale_reason"] == f"published {(TODAY - dt.date(2024, 11, 30)).days} days ago (max 7)"


def test_an_undated_download_is_dated_by_last_modified(con, httpserver, monkeypatch, tmp_path) -> None:
    _serve(httpserver, monkeypatch, "SCREENING_URL_US_BIS_DPL", "dpl.txt", DPL_BYTES,
           "Fri, 20 Nov 2026 10:00:00 GMT")
    [first] = refresh(con, ["us_bis_dpl"], raw_dir=tmp_path / "raw")
    assert first.status == "loaded"
    row = source_status(con).row(0, named=True)
    assert (row["publisher_date"], row["date_source"]) == (dt.date(2026, 11, 20), "http_last_modified")
    older_copy = DPL_BYTES[: DPL_BYTES.rstrip(b"\n").rfind(b"\n") + 1]  # one entry fewer, served as older
    _serve(httpserver, monkeypatch, "SCREENING_URL_US_BIS_DPL", "dpl.txt", older_copy,
           "Mon, 02 Nov 2026 10:00:00 GMT")
    [outcome] = refresh(con, ["us_bis_dpl"], raw_dir=tmp_path / "raw")
    assert outcome.status == "rejected" and "2026-11-02 is older" in outcome.detail
    # A -> B -> A: the first content again, served later, is a new version in force
    _serve(httpserver, monkeypatch, "SCREENING_URL_US_BIS_DPL", "dpl.txt", older_copy,
           "Sun, 22 Nov 2026 10:00:00 GMT")
    [b] = refresh(con, ["us_bis_dpl"], raw_dir=tmp_path / "raw")
    _serve(httpserver, monkeypatch, "SCREENING_URL_US_BIS_DPL", "dpl.txt", DPL_BYTES,
           "Tue, 24 Nov 2026 10:00:00 GMT")
    [a_again] = refresh(con, ["us_bis_dpl"], raw_dir=tmp_path / "raw")
    assert b.status == "loaded" and a_again.status == "loaded" and a_again.version_id > b.version_id
    assert con.execute("SELECT version_id, publisher_date FROM current_versions").fetchall() == [
        (a_again.version_id, dt.date(2026, 11, 24))]


def test_the_manual_china_list_is_not_replaced_by_a_download(con, httpserver, monkeypatch, tmp_path) -> None:
    assert "cn_sanctions" not in default_sources(offline=False)
    assert "cn_sanctions" in default_sources(offline=True)  # the bundled starting point
    _serve(httpserver, monkeypatch, "SCREENING_URL_CN_SANCTIONS", "sanctions.csv", CN_BYTES)
    [skipped] = refresh(con, ["cn_sanctions"], raw_dir=tmp_path / "raw")
    assert skipped.status == "skipped" and "manual list" in skipped.detail
    assert httpserver.log == [] and _fetches(con, "cn_sanctions") == []
    [taken] = refresh(con, ["cn_sanctions"], raw_dir=tmp_path / "raw", include_manual=True)
    assert taken.status == "loaded" and len(httpserver.log) == 1


def test_http_date() -> None:
    assert http_date("Fri, 20 Nov 2026 23:30:00 -0100") == dt.date(2026, 11, 21)
    assert http_date("not a date") is None and http_date(None) is None
