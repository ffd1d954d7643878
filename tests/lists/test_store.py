"""The versioned store on real published files: versions, idempotence, diffs, atomicity, refusals."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from lists import get_spec
from lists.model import ListEntry, Name, ParsedList
from lists.refresh import snapshot_manifest
from lists.status import last_diff, source_status
from lists.store import ListLoadError, load_version
from screening.exc import ListRefused
from screening.store import connect
from tests.conftest import un_xml_dated

UN = get_spec("un_sc")


def _un_snapshot() -> Path:
    return snapshot_manifest()["un_sc"].path


def _versions(con, source: str) -> list[tuple]:
    return con.execute(
        "SELECT version_id, entry_count FROM list_versions WHERE source = ? ORDER BY version_id", [source]
    ).fetchall()


def test_load_records_version_metadata(db_path: Path, tmp_path: Path) -> None:
    con = connect(db_path)
    result = load_version(con, UN, _un_snapshot(), raw_dir=tmp_path / "raw")
    assert (result.status, result.entries) == ("loaded", 1003)
    row = con.execute(
        """SELECT publisher_date, sha256, entry_count, name_count, parser_version, origin, raw_path
           FROM list_versions WHERE version_id = ?""", [result.version_id]).fetchone()
    assert row[0] == dt.date(2026, 2, 27)
    # hash of the decompressed content = the published file's SHA-256 (as published)
    assert row[1] == "66b392a4090868d2d39161e8d748efd39138377b0e6e60b7921aa67a4f99c8bf"
    assert row[2] == 1003 and row[3] == con.execute(
        "SELECT count(*) FROM list_names WHERE version_id = ?", [result.version_id]).fetchone()[0]
    assert row[4] == UN.parser_version
    assert Path(row[6]).is_dir() and any(Path(row[6]).iterdir())
    assert con.execute("SELECT count(*) FROM current_entries WHERE source = 'un_sc'").fetchone()[0] == 1003


def test_identical_file_creates_no_new_version(db_path: Path) -> None:
    con = connect(db_path)
    first = load_version(con, UN, _un_snapshot())
    again = load_version(con, UN, _un_snapshot())
    assert again.status == "unchanged" and again.version_id == first.version_id
    assert len(_versions(con, "un_sc")) == 1
    statuses = [r[0] for r in con.execute("SELECT status FROM list_fetches ORDER BY fetch_id").fetchall()]
    assert statuses == ["loaded", "unchanged"]


def test_un_history_diffs(db_path: Path, shared_lists: Path) -> None:
    con = connect(db_path)
    for folder in ("2024-11-30/consolidated.xml", "2025-11-15/consolidatedLegacyByPRN.xml",
                   "2026-02-27/consolidated.xml"):
        load_version(con, UN, shared_lists / "un_sc" / folder, check_shrink=False)
    counts = con.execute(
        "SELECT entry_count, added, removed FROM list_versions WHERE source = 'un_sc' ORDER BY version_id"
    ).fetchall()
    assert counts == [(879, 879, 0), (1000, 126, 5), (1003, 4, 1)]
    info, rows = last_diff(con, "un_sc")
    added = sorted(rows.filter(rows["change"] == "added")["source_id"].to_list())
    removed = rows.filter(rows["change"] == "removed")["source_id"].to_list()
    assert added == ["SDi.007", "SDi.008", "SDi.009", "SDi.010"]
    assert removed == ["IQi.074"]
    assert info["previous_publisher_date"] == dt.date(2025, 11, 15)


def test_ofac_sdn_history_diff(db_path: Path, shared_lists: Path) -> None:
    con = connect(db_path)
    sdn = get_spec("us_ofac_sdn")
    old = load_version(con, sdn, shared_lists / "ofac_sdn" / "2023-12-28", as_of=dt.date(2023, 12, 28))
    new = load_version(con, sdn, shared_lists / "ofac_sdn" / "2024-05-03", as_of=dt.date(2024, 5, 3))
    assert (old.entries, new.entries) == (13821, 14965)
    assert (new.added, new.removed) == (1256, 112)
    assert old.complete and not new.complete  # the 2024-05-03 copy has no alt.csv / add.csv


def test_parse_failure_keeps_previous_version(db_path: Path, tmp_path: Path) -> None:
    con = connect(db_path)
    good = load_version(con, UN, _un_snapshot())
    broken = tmp_path / "consolidated.xml"
    broken.write_bytes(_un_snapshot_bytes()[:50_000])  # cut mid-element: malformed XML
    with pytest.raises(ListLoadError, match="unparseable"):
        load_version(con, UN, broken)
    assert _versions(con, "un_sc") == [(good.version_id, 1003)]
    reason = con.execute("SELECT status, reason FROM list_fetches ORDER BY fetch_id DESC LIMIT 1").fetchone()
    assert reason[0] == "rejected" and "unparseable" in reason[1]


def test_crash_half_way_leaves_no_partial_version(db_path: Path) -> None:
    """A failure inside the publishing transaction (a NULL name hits NOT NULL) rolls everything back."""
    con = connect(db_path)
    good = load_version(con, UN, _un_snapshot())
    parsed = UN.parse(_un_snapshot())
    bad_entry = ListEntry("XXi.999", "person", "Broken Row", names=[Name(None, "aka")])  # type: ignore[arg-type]
    crashing = dataclasses.replace(UN, parse=lambda _p: ParsedList(parsed.entries[:-1] + [bad_entry], parsed.publisher_date))
    with pytest.raises(duckdb.ConstraintException, match="NOT NULL"):
        load_version(con, crashing, _modified_copy(db_path))
    assert _versions(con, "un_sc") == [(good.version_id, 1003)]
    for table in ("list_entries", "list_names", "list_diffs"):
        leftover = con.execute(f"SELECT count(*) FROM {table} WHERE version_id <> ?", [good.version_id]).fetchone()
        assert leftover[0] == 0, table
    assert con.execute("SELECT count(*) FROM current_entries").fetchone()[0] == 1003


def test_shrunken_list_is_refused(db_path: Path, shared_lists: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENING_MAX_SHRINK", "0.1")
    con = connect(db_path)
    load_version(con, UN, _un_snapshot())
    with pytest.raises(ListLoadError, match="fell from 1003 to 879"):
        load_version(con, UN, shared_lists / "un_sc" / "2024-11-30" / "consolidated.xml")
    assert con.execute("SELECT entry_count FROM current_versions WHERE source = 'un_sc'").fetchone()[0] == 1003


def test_empty_file_is_refused(db_path: Path, tmp_path: Path) -> None:
    empty = tmp_path / "consolidated.xml"
    empty.write_bytes(b"")
    con = connect(db_path)
    with pytest.raises(ListLoadError, match="empty file"):
        load_version(con, UN, empty)
    assert _versions(con, "un_sc") == []


def test_missing_required_file_is_refused(db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "sdn"
    folder.mkdir()
    (folder / "alt.csv").write_bytes(b"")
    with pytest.raises(ListLoadError, match="sdn.csv"):
        load_version(connect(db_path), get_spec("us_ofac_sdn"), folder)


def test_snapshot_data_counts_as_stale(db_path: Path) -> None:
    from lists.refresh import load_snapshot

    con = connect(db_path)
    outcome = load_snapshot(con, UN, raw_dir=None)
    assert outcome.status == "loaded" and outcome.snapshot_as_of == dt.date(2026, 2, 27)
    status = source_status(con).row(0, named=True)
    assert status["is_snapshot"] and status["stale"] and status["mandatory"] == UN.mandatory




def _un_snapshot_bytes() -> bytes:
    from lists.parsing import read_bytes

    return read_bytes(_un_snapshot())


def _modified_copy(db_path: Path) -> Path:
    """A file with different content (so it is not 'unchanged'); the crashing parser ignores it."""
    path = db_path.parent / "modified.xml"
    path.write_bytes(_un_snapshot_bytes() + b"\n<!-- modified -->\n")
    return path


# ---- no rollback ------------------------------------------------------------------------------


def _fetches(con, source: str = "un_sc") -> list[dict]:
    return con.sql(
        """SELECT status, reason, publisher_date, version_id, forced_reason FROM list_fetches
           WHERE source = ? ORDER BY fetch_id""", params=[source]).pl().to_dicts()


def test_an_older_publisher_date_is_refused(db_path: Path, tmp_path: Path) -> None:
    con = connect(db_path)
    newer = load_version(con, UN, un_xml_dated(tmp_path, dt.date(2026, 11, 20)))
    with pytest.raises(ListRefused, match="older than the version in force") as refused:
        load_version(con, UN, un_xml_dated(tmp_path, dt.date(2026, 11, 2)))
    assert refused.value.exit_code == 5
    assert con.execute("SELECT version_id, publisher_date FROM current_versions").fetchall() == [
        (newer.version_id, dt.date(2026, 11, 20))]
    last = _fetches(con)[-1]
    assert last["status"] == "rejected" and last["publisher_date"] == dt.date(2026, 11, 2)
    assert "2026-11-02 is older than the version in force" in last["reason"] and last["version_id"] is None


def test_a_forced_rollback_is_recorded_with_its_reason(db_path: Path, tmp_path: Path) -> None:
    con = connect(db_path)
    load_version(con, UN, un_xml_dated(tmp_path, dt.date(2026, 11, 20)))
    forced = load_version(con, UN, un_xml_dated(tmp_path, dt.date(2026, 11, 2)),
                          force_reason="UN file of 2026-11-20 truncated upstream; ticket OPS-17")
    assert forced.status == "loaded"
    [row] = con.execute("SELECT version_id, publisher_date, forced_reason FROM current_versions").fetchall()
    assert row[:2] == (forced.version_id, dt.date(2026, 11, 2))
    assert row[2].startswith("UN file of 2026-11-20 truncated upstream; ticket OPS-17 (overrode: publisher date")
    last = _fetches(con)[-1]
    assert last["status"] == "loaded" and last["forced_reason"] == row[2]


def test_an_undated_file_cannot_replace_a_dated_version(db_path: Path) -> None:
    cn = get_spec("cn_sanctions")
    path = snapshot_manifest()["cn_sanctions"].path
    con = connect(db_path)
    load_version(con, cn, path, as_of=dt.date(2026, 11, 1))
    changed = _cn_without_last_row(db_path.parent)
    with pytest.raises(ListRefused, match="no publisher date"):
        load_version(con, cn, changed)
    assert _fetches(con, "cn_sanctions")[-1]["status"] == "rejected"


def test_a_return_to_earlier_content_with_a_later_date_is_a_new_version(db_path: Path) -> None:
    """A → B → A, byte-identical to A: with a date not older than B's it is in force again (undated file)."""
    cn = get_spec("cn_sanctions")
    a, b = snapshot_manifest()["cn_sanctions"].path, _cn_without_last_row(db_path.parent)
    con = connect(db_path)
    first = load_version(con, cn, a, as_of=dt.date(2026, 11, 1))
    second = load_version(con, cn, b, as_of=dt.date(2026, 11, 5))
    with pytest.raises(ListRefused, match="older than the version in force"):
        load_version(con, cn, a, as_of=dt.date(2026, 11, 3))
    third = load_version(con, cn, a, as_of=dt.date(2026, 11, 5))
    assert third.status == "loaded" and third.version_id not in (first.version_id, second.version_id)
    assert (third.added, third.removed, third.changed) == (1, 0, 0)
    in_force = con.execute("SELECT version_id, sha256, publisher_date FROM current_versions").fetchall()
    assert in_force[0] == (third.version_id, first.sha256, dt.date(2026, 11, 5))
    again = load_version(con, cn, a, as_of=dt.date(2026, 11, 5))  # the same file, same date: nothing new
    assert again.status == "unchanged" and again.version_id == third.version_id


def test_a_dated_file_returning_to_earlier_content_is_a_rollback(db_path: Path, tmp_path: Path) -> None:
    """A → B → A with the UN's own dates: A carries A's (older) date, so it is refused."""
    con = connect(db_path)
    a = un_xml_dated(tmp_path, dt.date(2026, 11, 1))
    load_version(con, UN, a)
    b = load_version(con, UN, un_xml_dated(tmp_path, dt.date(2026, 11, 2)))
    with pytest.raises(ListRefused):
        load_version(con, UN, a)
    assert con.execute("SELECT version_id FROM current_versions").fetchall() == [(b.version_id,)]


def test_the_snapshot_confirmed_by_a_real_load_becomes_a_publisher_version(db_path: Path) -> None:
    cn = get_spec("cn_sanctions")
    con = connect(db_path)
    from lists.refresh import load_snapshot

    snap = load_snapshot(con, cn, raw_dir=None)
    again = load_snapshot(con, cn, raw_dir=None)
    assert again.status == "unchanged" and again.version_id == snap.version_id
    confirmed = load_version(con, cn, snapshot_manifest()["cn_sanctions"].path, as_of=dt.date.today())
    assert confirmed.status == "loaded" and confirmed.version_id != snap.version_id
    row = source_status(con).row(0, named=True)
    assert not row["is_snapshot"] and not row["stale"] and row["date_source"] == "operator"


def _cn_without_last_row(folder: Path) -> Path:
    """The real China CSV with its last entry removed (a later publication of the list, as B)."""
    from lists.parsing import read_bytes

    lines = read_bytes(snapshot_manifest()["cn_sanctions"].path).splitlines(keepends=True)
    path = folder / "b" / "sanctions.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"".join(lines[:-1]))
    return path
