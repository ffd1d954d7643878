"""The store's registered migrations: fresh stores, upgrades of a 0.1.0 store, refusals, locks."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from screening import exc
from screening.cli import main
from screening.store import connect, migrations, registry
from screening.store.migrations import Migrations

FIXTURES = Path(__file__).parents[2] / "fixtures" / "store"


def test_fresh_store_records_every_registered_migration(tmp_path: Path) -> None:
    con = connect(tmp_path / "s.duckdb")
    recorded = con.execute("SELECT migration_set, name FROM schema_migrations").fetchall()
    assert recorded == [(m.set_name, m.name) for m in migrations.registered()]
    assert {s for s, _ in recorded} == set(registry.MIGRATION_SETS)
    assert migrations.status(con).pending == []


def _legacy_store(path: Path) -> None:
    """A store as release 0.1.0 wrote it: its schema, rows, no migrations table."""
    con = duckdb.connect(str(path))
    con.execute((FIXTURES / "schema_0.1.0.sql").read_text())
    con.execute(
        "INSERT INTO list_versions (version_id, source, loaded_at, origin, sha256, entry_count, name_count,"
        " quarantined, parser_version) VALUES (1, 'un_sc', now(), 'x.xml', 'abc', 3, 4, 0, '1')"
    )
    con.execute("INSERT INTO account_imports VALUES (1, 'a.csv', 'h', now(), 2, 0, 2, 0, 0)")
    con.close()


def test_upgrades_a_store_written_by_release_0_1_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.duckdb"
    _legacy_store(path)
    with pytest.raises(exc.MigrationRequired, match="screening db migrate"):
        connect(path, read_only=True)

    # a later migration of this release that adds a column: it must reach the old store
    later = Migrations("later")

    @later()
    def m001_add_column(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("ALTER TABLE list_versions ADD COLUMN later_note VARCHAR")

    monkeypatch.setitem(sys.modules, "tests_later_migrations", type(sys)("tests_later_migrations"))
    sys.modules["tests_later_migrations"].migrations = later  # type: ignore[attr-defined]
    monkeypatch.setattr(registry, "MIGRATION_SETS", {**registry.MIGRATION_SETS, "later": "tests_later_migrations:migrations"})

    con = connect(path)
    assert con.execute("SELECT source, entry_count FROM list_versions").fetchall() == [("un_sc", 3)]
    assert con.execute("SELECT count(*) FROM account_imports").fetchall() == [(1,)]
    assert "later_note" in [r[0] for r in con.execute("DESCRIBE list_versions").fetchall()]
    assert ("later", "m001_add_column") in migrations.applied(con)
    con.close()
    ro = connect(path, read_only=True)  # now fully migrated: a reader may open it
    assert ro.execute("SELECT count(*) FROM current_versions").fetchall() == [(1,)]


def test_a_failing_migration_leaves_nothing_half_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.duckdb"
    connect(path).close()
    broken = Migrations("broken")

    @broken()
    def m001_ok(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("CREATE TABLE broken_ok (x INTEGER)")

    @broken()
    def m002_fails(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("CREATE TABLE broken_bad (x NOT_A_TYPE)")

    monkeypatch.setitem(sys.modules, "tests_broken_migrations", type(sys)("tests_broken_migrations"))
    sys.modules["tests_broken_migrations"].migrations = broken  # type: ignore[attr-defined]
    monkeypatch.setattr(registry, "MIGRATION_SETS", {**registry.MIGRATION_SETS, "broken": "tests_broken_migrations:migrations"})
    with pytest.raises(duckdb.Error):
        connect(path)
    monkeypatch.undo()
    con = connect(path)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert "broken_ok" not in tables
    assert not any(s == "broken" for s, _ in migrations.applied(con))


def test_a_store_migrated_by_a_newer_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    con = connect(path)
    con.execute("INSERT INTO schema_migrations VALUES ('alerts', 'm099_from_the_future', now())")
    con.close()
    with pytest.raises(exc.MigrationRequired, match="newer release"):
        connect(path)


def test_db_status_and_migrate_commands(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _legacy_store(path)
    runner = CliRunner()
    status = runner.invoke(main, ["--db", str(path), "db", "status", "--json"])
    assert status.exit_code == 0, status.output
    assert "lists.m001_list_store" in status.stdout
    assert '"applied": []' in status.stdout
    migrate = runner.invoke(main, ["--db", str(path), "db", "migrate"])
    assert migrate.exit_code == 0
    assert "applied 9 migration(s)" in migrate.stdout
    again = runner.invoke(main, ["--db", str(path), "db", "status"])
    assert "0 pending" in again.stdout


def test_a_locked_store_is_waited_for_then_refused_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    connect(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r})
            print("held", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = subprocess.run(
            [sys.executable, "-m", "screening", "--db", str(path), "db", "status"],
            capture_output=True, text=True, env={**_env(), "SCREENING_LOCK_WAIT_SECONDS": "0.5"},
        )
        assert result.returncode == exc.StoreLocked.exit_code == 4
        assert "held by another process" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        holder.communicate("")
    # once the holder is gone the store opens again
    assert connect(path, read_only=True).execute("SELECT 1").fetchall() == [(1,)]


def _env() -> dict[str, str]:
    import os

    root = str(Path(__file__).parents[3])
    return {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
