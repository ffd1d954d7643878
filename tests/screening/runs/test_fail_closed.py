"""Issue 10 on the bundled lists: every row screened or reported, never skipped.

A listed name with each kind of bad secondary field still hits; duplicates are all screened; rows
without a usable name are stored as unscreened and make the exit code 10; a name written backwards
behind a right-to-left override, buried in a very long string, or in a GBK file still hits; nothing
invisible is written raw."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from screening.accounts import normalise_accounts, read_accounts
from screening.cli import main
from screening.exc import EXIT_UNSCREENED
from screening.runs import screen_import
from screening.store import connect

SECHIN = ("us_ofac_sdn", "16692")  # SECHIN, Igor Ivanovich (bundled OFAC SDN snapshot)
MELLI = ("us_ofac_sdn", "25578")  # BANK MELLI IRAN
HTS = ("un_sc", "QDe.137")  # AL-NUSRAH FRONT FOR THE PEOPLE OF THE LEVANT, with a 45-word alias
NED = ("cn_sanctions", "f5d7efbff832-20be6a54")  # 美国国家民主基金会 (China's countermeasures list)
HEADER = ["account_id", "subject_type", "name", "birth_date", "country", "nationality", "id_type", "id_number",
          "registered_at", "self_supporting"]


def _csv(tmp_path: Path, rows: list[list[str]], name: str = "accounts.csv", encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([HEADER, *rows])
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _row(account_id: str, name: str, **fields: str) -> list[str]:
    values = {"subject_type": "person", "name": name} | fields
    return [account_id] + [values.get(c, "") for c in HEADER[1:]]


def _best(hits: pl.DataFrame, account_id: str, entry: tuple[str, str]) -> float:
    own = hits.filter((pl.col("account_id") == account_id) & (pl.col("source") == entry[0])
                      & (pl.col("source_id") == entry[1]))
    return float(own["score"].max()) if own.height else 0.0


def test_a_listed_name_with_each_kind_of_bad_secondary_field_still_hits(con, tmp_path: Path) -> None:
    name = "Igor Ivanovich Sechin"
    path = _csv(tmp_path, [
        _row("dob", name, birth_date="1984-02-30"),
        _row("dob-future", name, birth_date="2990-01-01"),
        _row("country-name", name, country="North Korea", nationality="Korea, Democratic People's Republic of"),
        _row("country-unknown", name, country="Narnia", nationality="ZZZ"),
        _row("type", name, subject_type="persons"),
        _row("type-missing", name, subject_type=""),
        _row("id-type", name, id_type="library card", id_number="X1"),
        _row("registered", name, registered_at="yesterday"),
        _row("flag", name, self_supporting="maybe"),
        _row("dup", "Zhang Wei"),
        _row("dup", name),  # a second row of the same account, another name: screened too
        _row("dup-org", "Bank Melli Iran", subject_type="organization"),
        _row("dup-org", "Bank Melli Iran", subject_type="organization", country="朝鲜"),
    ])
    imported = read_accounts(path)
    result = screen_import(con, imported)
    for account_id in ("dob", "dob-future", "country-name", "country-unknown", "type", "type-missing", "id-type",
                       "registered", "flag", "dup"):
        assert _best(result.hits, account_id, SECHIN) >= 0.88, account_id
    assert _best(result.hits, "dup-org", MELLI) >= 0.77
    assert result.population == 13 and result.unscreened.height == 0 and result.exit_code == 0
    stored = con.sql("SELECT account_id, line, field, reason FROM account_data_issues WHERE run_id = ? ORDER BY line",
                     params=[result.run_id]).pl()
    fields = {(r["account_id"], r["field"]) for r in stored.to_dicts()}
    assert fields >= {("dob", "birth_date"), ("dob-future", "birth_date"), ("country-unknown", "country"),
                      ("country-unknown", "nationality"), ("type", "subject_type"), ("type-missing", "subject_type"),
                      ("id-type", "id_type"), ("registered", "registered_at"), ("flag", "self_supporting"),
                      ("dup", "account_id"), ("dup-org", "account_id")}
    assert ("country-name", "country") not in fields  # North Korea / DPRK forms are understood (KP)
    assert imported.accounts.filter(pl.col("account_id") == "country-name")["nationality"].to_list() == ["KP"]
    assert stored.filter(pl.col("field") == "birth_date")["reason"].to_list() == [
        "unparseable birth_date '1984-02-30': dropped", "birth_date '2990-01-01' is in the future: dropped"]
    run = con.sql("SELECT population, unscreened, data_issues FROM screening_runs WHERE run_id = ?",
                  params=[result.run_id]).fetchall()
    assert run == [(13, 0, stored.height)]


def test_rows_without_a_usable_name_are_stored_counted_and_exit_10(store: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, [
        _row("ok", "Igor Ivanovich Sechin"),
        _row("empty", ""),
        _row("emoji", "🙂🙂 ★"),
        _row("controls", "\u202e\u200b\x07"),
    ])
    result = CliRunner().invoke(main, ["--db", str(store), "screen", "--accounts", str(path), "--json"])
    assert result.exit_code == EXIT_UNSCREENED, result.output
    summary = json.loads(result.stdout)
    assert summary["accounts"] == 1 and summary["hits"] >= 1
    assert summary["unscreened"] == [
        {"account_id": "empty", "line": 3, "reason": "no usable name: empty"},
        {"account_id": "emoji", "line": 4, "reason": "no usable name: no letters or digits in '🙂🙂 ★'"},
        {"account_id": "controls", "line": 5, "reason": "no usable name: only invisible characters"},
    ]
    con = connect(store, read_only=True)
    stored = con.sql("SELECT run_id, account_id, line FROM screening_unscreened ORDER BY line").fetchall()
    assert stored == [(summary["run_id"], "empty", 3), (summary["run_id"], "emoji", 4), (summary["run_id"], "controls", 5)]
    assert con.sql("SELECT unscreened FROM screening_runs WHERE run_id = ?", params=[summary["run_id"]]).fetchall() == [(3,)]
    con.close()
    text = CliRunner().invoke(main, ["--db", str(store), "screen", "--accounts", str(path)])
    assert text.exit_code == EXIT_UNSCREENED
    assert "3 rows NOT screened:" in text.output and "line 4: emoji: no usable name" in text.output


def test_bad_lines_set_aside_are_unscreened_too(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("account_id,subject_type,name\nA1,person,Igor Ivanovich Sechin\nA2,person\n", encoding="utf-8")
    refused = CliRunner().invoke(main, ["--db", str(store), "screen", "--accounts", str(path)])
    assert refused.exit_code == 3 and "line 3: 2 fields where the header has 3" in refused.output
    assert "Traceback" not in refused.output
    kept = CliRunner().invoke(main, ["--db", str(store), "screen", "--accounts", str(path), "--bad-lines", "quarantine",
                                     "--json"])
    assert kept.exit_code == EXIT_UNSCREENED
    assert json.loads(kept.stdout)["unscreened"] == [
        {"account_id": None, "line": 3, "reason": "line not read: 2 fields where the header has 3"}]


def test_a_name_behind_a_right_to_left_override_hits_and_nothing_invisible_is_written(store: Path,
                                                                                        tmp_path: Path) -> None:
    reversed_name = "\u202e" + "Igor Ivanovich Sechin"[::-1] + "\u202c"  # displays as Igor Ivanovich Sechin
    path = _csv(tmp_path, [_row("rlo\u200b", reversed_name), _row("zw", "Igor\u200b Ivanovich Se\u2066chin")])
    out = tmp_path / "hits.csv"
    result = CliRunner().invoke(main, ["--db", str(store), "screen", "--accounts", str(path), "--out", str(out),
                                       "--json"])
    assert result.exit_code == 0, result.output
    hits = pl.read_csv(out, schema_overrides={"source_id": pl.String})
    assert _best(hits, "rlo", SECHIN) >= 0.88 and _best(hits, "zw", SECHIN) >= 0.88
    assert set(hits.filter(pl.col("account_id") == "rlo")["query_name"]) == {"Igor Ivanovich Sechin"}
    for text in (out.read_text(encoding="utf-8"), result.stdout):
        assert not any(ch in text for ch in "\u202e\u202c\u200b\u2066")


def test_a_listed_name_buried_in_a_very_long_string_is_found(con) -> None:
    long = " ".join(["trading"] * 400 + ["Igor", "Ivanovich", "Sechin"] + ["holdings"] * 300)
    accounts = pl.DataFrame({"account_id": ["long", "plain"], "subject_type": ["person", "person"],
                             "name": [long, "Zhang Wei"]})
    result = screen_import(con, normalise_accounts(accounts))
    assert _best(result.hits, "long", SECHIN) >= 0.88
    assert result.hits.group_by("account_id", "source", "source_id").len()["len"].max() == 1  # one hit per entry
    assert result.data_issues == 1


def test_a_long_name_listed_word_for_word_hits_its_own_entry(con) -> None:
    # A 45-word alias of the UN entry QDe.137 (bundled UN snapshot): screened only as runs of words it hit
    # the entries with the shorter names inside it, never its own.
    listed = ("Hay’at Tahrir al-Sham (HTS) (هيئة تحرير الشام (original script); Hay’at Tahrir al-Sham; Hay’et Tahrir "
              "al-Sham; Hayat Tahrir al-Sham; Assembly for the Liberation of Syria; Assembly for the Liberation of "
              "the Levant; Liberation of al-Sham Commission; Liberation of the Levant Organisation Tahrir al-Sham; "
              "Tahrir al-Sham Hay’at)")
    accounts = pl.DataFrame({"account_id": ["hts"], "subject_type": ["organization"], "name": [listed]})
    result = screen_import(con, normalise_accounts(accounts))
    assert _best(result.hits, "hts", HTS) >= 0.88


def test_a_gbk_file_with_a_listed_han_name_hits(store: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, [_row("ned", "美国国家民主基金会", subject_type="organization", country="美国")],
                encoding="gbk")
    out = tmp_path / "hits.parquet"
    result = CliRunner().invoke(main, ["--db", str(store), "screen", "--accounts", str(path), "--out", str(out),
                                       "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["encoding"] == "gb18030 (detected)"
    assert _best(pl.read_parquet(out), "ned", NED) >= 0.88
