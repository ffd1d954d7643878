"""Downloads against a real local HTTP server serving the real list files, faults included.

Whatever goes wrong (timeout, 500, truncated body, malformed or empty file, changed columns), the
last good version stays in force and the failure is recorded with its reason.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from lists.parsing import read_bytes
from lists.refresh import refresh, snapshot_manifest

UN_BYTES = read_bytes(snapshot_manifest()["un_sc"].path)
DPL_BYTES = read_bytes(snapshot_manifest()["us_bis_dpl"].path)


def _serve_un(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, body: bytes = UN_BYTES,
              etag: str = '"v1"') -> None:
    monkeypatch.setenv("SCREENING_URL_UN_SC", httpserver.url_for("/consolidated.xml"))
    httpserver.expect_request("/consolidated.xml").respond_with_handler(_conditional(body, etag))


def _conditional(body: bytes, etag: str):
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, headers={"ETag": etag, "Last-Modified": "Fri, 27 Feb 2026 00:00:09 GMT"},
                        content_type="application/xml")
    return handler


def _last_check(con) -> tuple:
    return con.execute(
        "SELECT status, reason, http_status FROM list_fetches ORDER BY fetch_id DESC LIMIT 1").fetchone()


def _current_un(con) -> tuple | None:
    return con.execute("SELECT version_id, entry_count FROM current_versions WHERE source = 'un_sc'").fetchone()


def test_download_then_conditional_get(con, httpserver: HTTPServer, monkeypatch, tmp_path: Path) -> None:
    _serve_un(httpserver, monkeypatch)
    [first] = refresh(con, ["un_sc"], raw_dir=tmp_path / "raw")
    assert (first.status, first.entries) == ("loaded", 1003)
    version = con.execute("SELECT etag, last_modified, origin FROM current_versions").fetchone()
    assert version[0] == '"v1"' and version[2].startswith("http://")
    [second] = refresh(con, ["un_sc"], raw_dir=tmp_path / "raw")
    assert second.status == "unchanged"
    assert _last_check(con)[0] == "unchanged" and _last_check(con)[2] == 304
    assert con.execute("SELECT count(*) FROM list_versions").fetchone()[0] == 1
    assert httpserver.log[-1][0].headers.get("If-None-Match") == '"v1"'


def _good_then(con, httpserver: HTTPServer, monkeypatch, tmp_path: Path, handler) -> tuple:
    """Load a good version, then serve `handler` for the next request; return the outcome."""
    _serve_un(httpserver, monkeypatch)
    refresh(con, ["un_sc"], raw_dir=tmp_path / "raw")
    good = _current_un(con)
    httpserver.clear()
    httpserver.expect_request("/consolidated.xml").respond_with_handler(handler)
    [outcome] = refresh(con, ["un_sc"], raw_dir=tmp_path / "raw")
    assert _current_un(con) == good, "the last good version must stay in force"
    return outcome, _last_check(con)


def test_http_500_is_retried_then_recorded(con, httpserver, monkeypatch, tmp_path) -> None:
    outcome, check = _good_then(con, httpserver, monkeypatch, tmp_path, lambda r: Response("boom", status=500))
    assert outcome.status == "failed" and "HTTP 500" in outcome.detail
    assert check[0] == "failed" and check[2] == 500
    assert len([entry for entry in httpserver.log]) == 2  # one try + one retry


def test_timeout(con, httpserver, monkeypatch, tmp_path) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return Response(UN_BYTES)
    outcome, check = _good_then(con, httpserver, monkeypatch, tmp_path, slow)
    assert outcome.status == "failed" and "Timeout" in outcome.detail
    assert check[0] == "failed"


def test_truncated_body(con, httpserver, monkeypatch, tmp_path) -> None:
    def truncated(request: Request) -> Response:
        response = Response(UN_BYTES[: len(UN_BYTES) // 2])
        response.headers["Content-Length"] = str(len(UN_BYTES))
        response.automatically_set_content_length = False
        return response
    outcome, check = _good_then(con, httpserver, monkeypatch, tmp_path, truncated)
    assert outcome.status in ("failed", "rejected")
    assert check[1] and check[0] == outcome.status


def test_malformed_xml(con, httpserver, monkeypatch, tmp_path) -> None:
    bad = UN_BYTES.replace(b"</INDIVIDUALS>", b"</INDIVIDUALZ>", 1)
    outcome, check = _good_then(con, httpserver, monkeypatch, tmp_path, lambda r: Response(bad))
    assert outcome.status == "rejected" and "unparseable" in outcome.detail
    assert check[0] == "rejected"


def test_empty_file(con, httpserver, monkeypatch, tmp_path) -> None:
    outcome, check = _good_then(con, httpserver, monkeypatch, tmp_path, lambda r: Response(b""))
    assert outcome.status in ("failed", "rejected") and "empty" in outcome.detail
    assert check[0] == outcome.status


def test_changed_columns_are_refused(con, httpserver: HTTPServer, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SCREENING_URL_US_BIS_DPL", httpserver.url_for("/dpl.txt"))
    httpserver.expect_request("/dpl.txt").respond_with_data(DPL_BYTES)
    [good] = refresh(con, ["us_bis_dpl"], raw_dir=tmp_path / "raw")
    assert good.status == "loaded"
    httpserver.clear()
    renamed = DPL_BYTES.replace(b'"Name"', b'"Full_Name"', 1)
    httpserver.expect_request("/dpl.txt").respond_with_data(renamed)
    [outcome] = refresh(con, ["us_bis_dpl"], raw_dir=tmp_path / "raw")
    assert outcome.status == "rejected" and "Name" in outcome.detail
    assert con.execute("SELECT count(*) FROM list_versions").fetchone()[0] == 1


def test_retry_recovers_from_a_transient_503(con, httpserver: HTTPServer, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SCREENING_URL_UN_SC", httpserver.url_for("/consolidated.xml"))
    httpserver.expect_ordered_request("/consolidated.xml").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/consolidated.xml").respond_with_data(UN_BYTES)
    [outcome] = refresh(con, ["un_sc"], raw_dir=tmp_path / "raw")
    assert outcome.status == "loaded"


def test_multi_file_source_from_a_mirror(con, httpserver: HTTPServer, monkeypatch, tmp_path) -> None:
    """OFAC's CSV set from a mirror base URL; the optional files may be missing (404)."""
    folder = snapshot_manifest()["us_ofac_cons"].path
    monkeypatch.setenv("SCREENING_URL_US_OFAC_CONS", httpserver.url_for("/ofac/"))
    for name in ("cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv"):
        httpserver.expect_request(f"/ofac/{name}").respond_with_data(read_bytes(folder / f"{name}.gz"))
    [outcome] = refresh(con, ["us_ofac_cons"], raw_dir=tmp_path / "raw")
    assert (outcome.status, outcome.entries) == ("loaded", 442)
    assert con.execute("SELECT count(*) FROM current_names WHERE name_type <> 'primary'").fetchone()[0] >= 1073
