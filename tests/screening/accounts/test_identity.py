"""The ID hash key: its fingerprint in the store, an import under another key refused, re-keying, and the
development key warned in every summary and recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from screening.accounts import read_accounts, store_import
from screening.accounts.identity import NO_KEY_WARNING, key_fingerprint, key_warnings
from screening.cli import main
from screening.exc import ActionRefused
from screening.store import connect

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "accounts"


def test_the_store_records_the_key_fingerprint_and_refuses_another_key(db_path: Path) -> None:
    con = connect(db_path)
    store_import(con, read_accounts(FIXTURES / "mixed.csv"), key=b"key-one")
    assert con.sql("SELECT fingerprint, development FROM account_id_keys").fetchall() == [(key_fingerprint(b"key-one"), False)]
    before = con.sql("SELECT count(*) FROM account_imports").fetchall()
    with pytest.raises(ActionRefused, match="hashed under another key .*accounts rekey"):
        store_import(con, read_accounts(FIXTURES / "next_import.csv"), key=b"key-two")
    assert con.sql("SELECT count(*) FROM account_imports").fetchall() == before  # nothing written
    assert con.sql("SELECT count(*) FROM account_identity_changes").fetchall() == [(0,)]
    assert key_fingerprint(b"key-one") != key_fingerprint(b"key-two")
    assert b"key-one".hex() not in key_fingerprint(b"key-one")


def test_rekey_then_a_full_import_reports_no_false_identity_changes(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "s.duckdb"
    runner = CliRunner()
    monkeypatch.setenv("SCREENING_ID_HASH_KEY", "first-secret-key")
    assert runner.invoke(main, ["--db", str(db), "accounts", "import", str(FIXTURES / "mixed.csv")]).exit_code == 0
    monkeypatch.setenv("SCREENING_ID_HASH_KEY", "second-secret-key")
    refused = runner.invoke(main, ["--db", str(db), "accounts", "import", str(FIXTURES / "mixed.csv")])
    assert refused.exit_code == ActionRefused.exit_code
    assert "hashed under another key" in refused.output and "Traceback" not in refused.output
    assert runner.invoke(main, ["--db", str(db), "accounts", "rekey", "--reason", "rotation"]).exit_code == 2  # no --yes
    rekeyed = runner.invoke(main, ["--db", str(db), "accounts", "rekey", "--reason", "rotation", "--yes", "--json"])
    assert rekeyed.exit_code == 0, rekeyed.output
    assert json.loads(rekeyed.stdout)["fingerprint"] == key_fingerprint(b"second-secret-key")
    again = runner.invoke(main, ["--db", str(db), "accounts", "import", str(FIXTURES / "mixed.csv"), "--json"])
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert summary["identity_changed"] == 0 and summary["warnings"] == []
    con = connect(db, read_only=True)
    assert con.sql("SELECT count(*) FROM accounts WHERE id_hash IS NULL AND id_masked IS NOT NULL").fetchall() == [(0,)]
    assert con.sql("SELECT note FROM account_id_keys ORDER BY since").fetchall() == [("first import",), ("rotation",)]


def test_without_a_key_every_summary_warns_and_the_store_records_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SCREENING_ID_HASH_KEY", raising=False)
    assert key_warnings() == [NO_KEY_WARNING]
    db = tmp_path / "s.duckdb"
    result = CliRunner().invoke(main, ["--db", str(db), "accounts", "import", str(FIXTURES / "mixed.csv")])
    assert result.exit_code == 0, result.output
    assert f"WARNING: {NO_KEY_WARNING}" in result.output
    con = connect(db, read_only=True)
    assert con.sql("SELECT id_key_development FROM account_imports").fetchall() == [(True,)]
    assert con.sql("SELECT development FROM account_id_keys").fetchall() == [(True,)]
    monkeypatch.setenv("SCREENING_ID_HASH_KEY", "a-real-key")
    assert key_warnings() == []
