"""The evaluation end to end on a small real store (UN, China, BIS DPL from the bundled snapshot)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
from click.testing import CliRunner

from screening.cli import Context
from screening.evaluation.cli import eval_group
from screening.evaluation.eval import EvalOptions, run_eval

SOURCES = ["un_sc", "cn_sanctions"]


def test_run_eval_small(con: duckdb.DuckDBPyConnection) -> None:
    options = EvalOptions(seed=1, per_type=4, sources=SOURCES, clean_n=300, self_screen_limit=200,
                          parts=["variants", "clean", "self_screen"])
    result = run_eval(con, options)
    report = result.report
    per_type = {r["variation_type"]: r for r in report["variants"]["per_type"]}
    # Chinese types come from the China list's Han names; every class is represented
    for key in ("exact", "han_pinyin", "han_simplified_traditional", "chinese_telegraph_code", "weak_alias"):
        assert per_type[key]["n"] > 0, key
    assert {r["expected"] for r in report["variants"]["per_class"]} == {"must_hit", "should_hit", "must_not_hit"}
    # the exact control must come back on its own entry: proves the origin join and the screen wiring
    assert per_type["exact"]["rate"] == 1.0
    ss = report["self_screen"]
    assert ss["names"] == 200 and ss["own_found"] >= 190
    assert report["clean"]["accounts"] == 300 + 300 // 5  # the synthetic base and its hard part
    assert {t["target"] for t in report["targets"]} >= {"must_hit_recall", "should_hit_recall", "clean_alerts_per_1000_namesakes_excluded"}
    # failures carry what the matcher helper needs
    assert set(result.failures.columns) >= {"part", "variation_type", "expected", "original", "variant", "score"}
    json.dumps(report, default=str)  # JSON-able


def test_eval_command_writes_json_and_failures(store_copy: Path, tmp_path: Path) -> None:
    out, failures = tmp_path / "eval.json", tmp_path / "fail.csv"
    result = CliRunner().invoke(
        eval_group,
        ["--parts", "variants", "--per-type", "3", "--sources", "cn_sanctions", "--out", str(out), "--failures",
         "--failures-file", str(failures)],
        obj=Context(store_copy),
    )
    assert result.exit_code == 0, result.output
    assert "DATED SNAPSHOTS" in result.output and "han_pinyin" in result.output
    report = json.loads(out.read_text())
    assert report["options"]["sources"] == ["cn_sanctions"]
    assert all(r["source"] == "cn_sanctions" for r in report["variants"]["by_source"])
    assert failures.exists() and pl.read_csv(failures).columns[0] == "part"


def test_name_bench_reads_labels_and_sweeps(tmp_path: Path) -> None:
    from screening.evaluation.eval import eval_name_bench, match_config, read_bench_cases

    bundled = read_bench_cases()
    assert bundled.height == 826 and bundled["is_match"].dtype == pl.Boolean and bundled["is_match"].sum() > 300
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "case_group,schema,name1,name2,is_match,quality,category,notes\n"
        "t,Person,Vladimir Putin,Vladimir Putin,true,,,\n"
        "t,Company,Rosneft Oil Company,Rosneft Oil Company,true,,,\n"
        "t,Person,Kim Jong Un,Kim Jong Un,TRUE,,,\n"
        "t,Person,Angela Merkel,Vladimir Putin,false,,,\n"
        "t,Company,Siemens AG,Rosneft Oil Company,false,,,\n"
        "t,Person,Olaf Scholz,Kim Jong Un,FALSE,,,\n",
        encoding="utf-8",
    )
    config = match_config()
    report, wrong = eval_name_bench(config, [0.5, config.review, 0.99], cases)
    assert report["pairs"] == 6 and report["positives"] == 3
    assert report["at_review_threshold"]["f1"] == 1.0 and wrong.height == 0
    assert report["best_f1"]["f1"] == 1.0 and len(report["sweep"]) == 3


def test_namesakes_exact_and_reordered(con: duckdb.DuckDBPyConnection) -> None:
    """An account bearing a listed name is an exact namesake; its tokens reversed, a reordered one."""
    from screening.evaluation.eval import namesakes

    (source, source_id, listed), = con.execute(
        "SELECT source, source_id, name FROM current_names n JOIN current_entries e USING (source, source_id) "
        "WHERE e.subject_type = 'person' AND n.quality = 'strong' AND regexp_matches(n.name, '^[A-Za-z]+ [A-Za-z]+$') "
        "ORDER BY source, source_id, name LIMIT 1"
    ).fetchall()
    first, last = listed.split()
    accounts = pl.DataFrame({
        "account_id": ["same", "reversed", "other"],
        "subject_type": ["person"] * 3,
        "name": [listed.upper(), f"{last} {first}", "Zzyzx Qwertyuiop"],
        "name_latin": [None, None, None],
    }, schema_overrides={"name_latin": pl.String})
    found = namesakes(con, accounts)
    own = found.filter((pl.col("source") == source) & (pl.col("source_id") == source_id))
    assert dict(own.select("account_id", "match").iter_rows()) == {"same": "exact", "reversed": "reordered"}
    assert "other" not in found["account_id"].to_list()
    # both names of an account exact namesakes: the one reported is the same every run (the first)
    both = accounts.head(1).with_columns(name_latin=pl.lit(listed.lower()))
    for _ in range(5):
        row = namesakes(con, both).filter((pl.col("source") == source) & (pl.col("source_id") == source_id))
        assert row["account_name"].to_list() == [min(listed.upper(), listed.lower())]


def test_clean_report_separates_namesakes(con: duckdb.DuckDBPyConnection) -> None:
    from screening.evaluation.eval import eval_clean, match_config

    report, wrong = eval_clean(con, match_config(), EvalOptions(seed=2, clean_n=2000))
    n, ns = report["accounts"], report["namesakes"]
    assert ns == report["exact_namesakes"] + report["reordered_namesakes"]
    assert report["alerted_accounts"] == report["namesakes_alerted"] + report["alerted_clean"]
    assert report["alerts_per_1000_clean"] == round(1000 * report["alerted_clean"] / (n - ns), 3)
    assert sum(r["namesakes"] for r in report["by_kind"]) == ns
    assert wrong.height == report["alerted_clean"]  # namesake alerts are not failures
    assert all(e["match"] in ("exact", "reordered") for e in report["namesake_examples"])


def test_syllable_bag_sees_split_and_reordered_pinyin_as_one_name() -> None:
    from screening.evaluation.eval import syllable_bag

    assert syllable_bag("chen haoli") == syllable_bag("hao li chen")  # 陈浩礼 as a Western list writes it
    assert syllable_bag("lin chunyan") == syllable_bag("lin chun yan")
    assert syllable_bag("chen haoli") != syllable_bag("chen hao")  # a syllable fewer is another name
    assert syllable_bag("mohammed hassan") == "hassan mohammed"  # not pinyin: tokens kept whole


def test_cross_script_measures_cases_in_force(con: duckdb.DuckDBPyConnection) -> None:
    """The small store holds UN, China and BIS lists: the UN's DPRK persons are measured, the US CSL and
    OFAC cases are reported as not in force, never counted as misses."""
    from screening.evaluation.eval import eval_cross_script, match_config

    report, wrong = eval_cross_script(con, match_config(), EvalOptions())
    per_case = {r["case"]: r for r in report["per_case"]}
    assert per_case["ko_hanja"]["n"] >= 4 and per_case["ko_hangul"]["n"] >= 4
    assert per_case["ko_hanja"]["rate"] == 1.0 and per_case["ko_hangul"]["rate"] == 1.0
    assert "cn_org" not in per_case and any(r["source"] == "us_csl" for r in report["not_in_force"])
    assert wrong.height == 0


def test_hard_clean_names_are_reproducible_and_mixed() -> None:
    from screening.evaluation.clean import hard_clean_accounts

    a, b = hard_clean_accounts(500, 3), hard_clean_accounts(500, 3)
    assert a.equals(b) and a.height == 500 and a["account_id"].str.starts_with("H").all()
    kinds = a.group_by("subject_type").len().sort("subject_type").rows()
    assert kinds == [("organization", 150), ("person", 350)]
    assert a.filter(pl.col("name").str.contains(r"[\u4e00-\u9fff]")).height > 100  # Han names
    assert a.filter(pl.col("name").str.contains(r"(?i)\b(?:ltd|plc|llc|inc|corp|limited|group)\b")).height == 150


def test_independent_clean_names_are_reproducible_and_mixed() -> None:
    """Faker's names in the platform's languages, the same for a seed; no real company a locale names."""
    from faker import Faker

    from screening.evaluation.independent import _real_companies, independent_clean_accounts

    a, b = independent_clean_accounts(2000, 1), independent_clean_accounts(2000, 1)
    assert a.equals(b) and a.height == 2000 and a["account_id"].str.starts_with("F").all()
    assert not a.equals(independent_clean_accounts(2000, 2))
    persons = a.filter(pl.col("subject_type") == "person")
    assert 0.75 < persons.height / a.height < 0.85 and persons["birth_date"].null_count() == 0
    for script in (r"[\u4e00-\u9fff]", r"[\uac00-\ud7af]", r"[\u0400-\u04ff]", r"[\u0600-\u06ff]", r"^[A-Za-z]"):
        assert a.filter(pl.col("name").str.contains(script)).height > 20, script
    real = _real_companies(Faker("ru_RU"))
    assert "Первый канал" in real and not a["name"].is_in(list(real)).any()


def test_independent_clean_report(con: duckdb.DuckDBPyConnection) -> None:
    from screening.evaluation.eval import eval_independent_clean, match_config

    report, wrong = eval_independent_clean(con, match_config(), EvalOptions(seed=1, clean_n=1000))
    assert report["generator"].startswith("faker ") and report["accounts"] == 1200
    assert {r["base"] for r in report["by_kind"]} == {"independent"}
    assert wrong.height == report["alerted_clean"] and set(wrong["part"]) <= {"independent_clean"}


def test_spelling_bag_sets_apart_one_name_spelt_another_way() -> None:
    """The clean target 'spellings apart' rests on this: a spelling group, a dropped particle or generic
    company word, any order; another name stays another bag."""
    from screening.evaluation.eval import spelling_bag

    assert spelling_bag("tarek ahmed") == spelling_bag("ahmed tariq")
    assert spelling_bag("mohammed nasser") == spelling_bag("mohamed al nasser")
    assert spelling_bag("apex group") == spelling_bag("apex")
    assert spelling_bag("tarek ahmed") != spelling_bag("tarek hassan")
    assert spelling_bag("apex group") != spelling_bag("atlas group")
    assert spelling_bag("ahmed khalil") == spelling_bag("ahmed khalil khalil")


def test_spelling_namesakes_read_han_and_hangul_names() -> None:
    """A Han or Hangul account name and a listed spelling of its reading are one name; another surname is not."""
    from screening.evaluation.eval import spelling_namesakes

    pairs = [("郑云", "YUN CHENG", True), ("王思", "WANG, Ssu", True), ("김영수", "Kim Yo'ng- su", True),
             ("Tarek Ahmed", "Tariq AHMED", True), ("Jennifer Huang", "Jennifer Zhuang", False),
             ("张明", "ZHANG Wei", False), ("김소영", "Young Su Kim", False),
             # a Hangul name's syllables are no particles: 이수빈 'i su bin' is not "Su Bin" (us_csl) less 'i'
             ("이수빈", "Su Bin", False)]
    frame = pl.DataFrame({"variant": [a for a, _, _ in pairs], "matched_name": [b for _, b, _ in pairs]})
    assert spelling_namesakes(frame).to_list() == [e for _, _, e in pairs]
