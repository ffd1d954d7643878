"""CLI: `screening eval` (+ `eval plant`), `screening bench`, `screening demo`, `screening accounts synth`.

The root command's registry (`screening/cli.py`) loads these lazily; `synth` is attached to the `accounts`
group there, so the production account CLI never imports evaluation code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import polars as pl

from screening.cli import Context, emit
from screening.store import connect


def _csv(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def format_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], headers: Sequence[str] | None = None) -> str:
    """A plain fixed-width table (numbers right-aligned, floats to 3 decimals)."""
    def cell(v: Any) -> str:
        if isinstance(v, bool):
            return "yes" if v else "NO"
        if isinstance(v, float):
            return f"{v:.4g}" if abs(v) >= 10 or v == 0 else f"{v:.4f}".rstrip("0").rstrip(".")
        return "" if v is None else str(v)

    headers = list(headers or columns)
    body = [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(h)] + [len(b[i]) for b in body]) for i, h in enumerate(headers)]
    numeric = [all(isinstance(r.get(c), (int, float)) or r.get(c) is None for r in rows) for c in columns]
    def line(vals: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(vals, widths, numeric, strict=True)).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(b) for b in body])


def _write_json(data: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str, ensure_ascii=False), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# eval


def eval_text(report: dict[str, Any]) -> str:
    """The evaluation report for people."""
    from screening.evaluation.demo import snapshot_banner

    out: list[str] = []
    banner = snapshot_banner(report.get("lists", []))
    if banner:
        out += [banner, ""]
    cfg = report["config"]
    out.append(f"Matching configuration {cfg['hash']}: review ≥ {cfg['review']}, block_review ≥ {cfg['block_review']}, "
               f"low ≥ {cfg['low']}")
    nb = report.get("name_bench")
    if nb:
        r, b = nb["at_review_threshold"], nb["best_f1"]
        out += ["", f"name_bench ({nb['pairs']} labelled pairs, {nb['positives']} matches):",
                f"  at review {r['threshold']:.3f}: precision {r['precision']:.3f}  recall {r['recall']:.3f}  F1 {r['f1']:.3f}",
                f"  best F1 {b['f1']:.3f} at threshold {b['threshold']:.3f} (precision {b['precision']:.3f}, "
                f"recall {b['recall']:.3f})",
                format_table(nb["sweep"], ["threshold", "precision", "recall", "f1", "tp", "fp", "fn"])]
    va = report.get("variants")
    if va:
        out += ["", f"Labelled variants of the lists in force ({va['variants']} variants; rate = hits at the review "
                    "threshold: recall for must/should_hit, false-hit rate for must_not_hit):",
                format_table(va["per_type"], ["expected", "section", "variation_type", "n", "hits", "rate"]),
                "", format_table(va["per_class"], ["expected", "n", "hits", "rate"]),
                "", "Hit rate by class over thresholds:",
                format_table(va["sweep"], ["threshold", "must_hit", "should_hit", "must_not_hit"])]
    if report.get("clean"):
        out += _clean_lines(report["clean"], "Clean synthetic accounts")
    if report.get("independent_clean"):
        ind = report["independent_clean"]
        out += _clean_lines(ind, f"Clean accounts from an independent generator ({ind['generator']})")
    ss = report.get("self_screen")
    if ss:
        out += ["", f"Self-screen: {ss['names']:,} strong list names; own entry found {ss['own_found']:,}, first "
                    f"{ss['own_first']:,} ({100 * ss['own_first_rate']:.2f} %); tied with another entry "
                    f"{ss['tied_with_other_entries']:,}",
                format_table(ss["by_source"], ["source", "names", "own_first"])]
    xs = report.get("cross_script")
    if xs:
        out += ["", f"Cross-script cases ({xs['cases']} with their listed name in force; "
                    f"{len(xs['not_in_force'])} not in force):",
                format_table(xs["per_case"], ["case", "n", "hits", "rate"])]
    if report.get("targets"):
        out += ["", "Targets:", format_table(report["targets"], ["target", "value", "goal", "met"])]
    return "\n".join(out)


def _clean_lines(cl: dict, title: str) -> list[str]:
    """The lines of a clean-base report (eval.clean_report)."""
    out = ["", f"{title}: {cl['accounts']:,} screened, {cl['alerted_accounts']} alerted → "
               f"{cl['alerts_per_1000']:.2f} alerts per 1,000 ({cl['block_review_accounts']} at block_review)"]
    out += [f"  namesakes (bear a listed name as written or reordered, e.g. 胡强 = 'QIANG HU'; must-hit, so an "
            f"alert is correct): {cl['namesakes']:,} accounts ({cl['exact_namesakes']} exact, "
            f"{cl['reordered_namesakes']} reordered), {cl['namesakes_alerted']} alerted",
            f"  clean accounts (no namesake): {cl['alerted_clean']} alerted of {cl['clean_accounts']:,} → "
            f"{cl['alerts_per_1000_clean']:.2f} alerts per 1,000 (of them {cl['alerted_clean_spelling_namesakes']} "
            f"one name spelt another way, e.g. Tarek / Tariq: counted; the other "
            f"{cl['alerted_clean'] - cl['alerted_clean_spelling_namesakes']} → "
            f"{cl['alerts_per_1000_clean_spellings_apart']:.2f} per 1,000)",
            format_table(cl["by_kind"], ["base", "subject_type", "script", "accounts", "alerted", "per_1000", "namesakes",
                                         "alerted_clean", "per_1000_clean"])]
    if cl.get("namesake_examples"):
        out.append("  Namesakes (examples):")
        for e in cl["namesake_examples"][:15]:
            out.append(f"    {e.get('match', 'exact'):9} {'ALERT' if e['alerted'] else 'clear'} {e['account_name']!r} = "
                       f"{e['listed_name']!r} [{e['source']}:{e['source_id']}, {e.get('listed_type')}, {e['quality']}]")
    if cl["examples"]:
        out.append("  Alerts (those on clean accounts first):")
    for e in cl["examples"][:15]:
        tag = f" ({e['namesake']} namesake)" if e.get("namesake") else ""
        out.append(f"    {e['score']:.3f} {e['variant']!r} ~ {e.get('matched_name')!r} "
                   f"[{e['source']}:{e['source_id']}]{tag}")
    return out


@click.group("eval", invoke_without_command=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--per-type", type=int, default=100, show_default=True, help="Variants per variation type.")
@click.option("--sources", default=None, help="Comma-separated list keys to draw variants / self-screen from.")
@click.option("--clean", "clean_n", type=int, default=10_000, show_default=True, help="Clean synthetic accounts (plus a fifth as many hard clean names).")
@click.option("--self-screen-limit", type=int, default=0, show_default=True,
              help="Sample this many strong names for the self-screen (0 = every one).")
@click.option("--parts", default="name_bench,variants,clean,independent_clean,self_screen,cross_script",
              show_default=True)
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Matching settings file (YAML/JSON) overriding the defaults.")
@click.option("--failures", is_flag=True, help="Write every miss / false hit to --failures-file.")
@click.option("--failures-file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("out/eval_failures.csv"), show_default=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the JSON report here.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def eval_group(ctx: click.Context, seed: int, per_type: int, sources: str | None, clean_n: int,
               self_screen_limit: int, parts: str, config_path: Path | None, failures: bool, failures_file: Path,
               out_path: Path | None, as_json: bool) -> None:
    """Evaluate the matcher: name_bench F1, recall per variation type, alerts per 1,000 clean, self-screen."""
    if ctx.invoked_subcommand is not None:
        return
    from lists.refresh import ensure_lists
    from screening.evaluation.eval import EvalOptions, match_config, run_eval

    obj: Context = ctx.obj
    con = connect(obj.db)
    if ensure_lists(con, obj.db):
        click.echo("The store had no lists: loaded the bundled DATED snapshot.", err=True)
    config = None
    if config_path is not None:
        from screening.matching import MatchConfig

        config = MatchConfig.from_file(config_path)
    options = EvalOptions(seed=seed, per_type=per_type, sources=_csv(sources), clean_n=clean_n,
                          self_screen_limit=self_screen_limit or None, parts=_csv(parts) or [],
                          config=match_config(config))
    result = run_eval(con, options)
    if out_path:
        _write_json(result.report, out_path)
    if failures:
        failures_file.parent.mkdir(parents=True, exist_ok=True)
        result.failures.write_csv(failures_file)
    emit(result.report, as_json, eval_text(result.report)
         + (f"\n\nFailures ({result.failures.height}) written to {failures_file}" if failures else ""))


@eval_group.command("plant")
@click.option("--synth", "synth_n", type=int, default=None, help="Synthesise this many accounts first.")
@click.option("--accounts", "accounts_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Or read an account file (CSV / Parquet / JSON lines).")
@click.option("-n", "--n", "n", type=int, default=50, show_default=True, help="Accounts to plant list entries in.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--sources", default=None, help="Comma-separated list keys to plant from.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Labelled accounts file (.csv or .parquet).")
@click.pass_obj
def plant_command(obj: Context, synth_n: int | None, accounts_path: Path | None, n: int, seed: int,
                  sources: str | None, out_path: Path) -> None:
    """Hide variants of real list entries in an account base; label columns planted_source/_source_id/_variation."""
    from lists.refresh import ensure_lists
    from screening.accounts import normalise_accounts, read_accounts
    from screening.evaluation.planting import plant_matches

    if (synth_n is None) == (accounts_path is None):
        raise click.UsageError("give exactly one of --synth N or --accounts FILE")
    con = connect(obj.db)
    ensure_lists(con, obj.db)
    if synth_n is not None:
        from screening.evaluation.synth import synth_accounts

        accounts = normalise_accounts(synth_accounts(synth_n, seed)).accounts
    else:
        accounts = read_accounts(accounts_path).accounts
    labelled = plant_matches(accounts, con, n=n, seed=seed, sources=_csv(sources))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if out_path.suffix == ".parquet":
        labelled.write_parquet(out_path)
    else:
        labelled.write_csv(out_path)
    planted = labelled.filter(pl.col("planted_source").is_not_null()).height
    click.echo(f"{labelled.height:,} accounts, {planted} with planted list entries → {out_path}")


# ---------------------------------------------------------------------------------------------
# bench


@click.command("bench")
@click.option("--sizes", default="100000,1000000", show_default=True, help="Account batch sizes to screen.")
@click.option("--lookups", type=int, default=10_000, show_default=True, help="lookup() calls timed.")
@click.option("--baseline-sample", type=int, default=300, show_default=True,
              help="Accounts the naive brute-force rapidfuzz baseline screens.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--profile", type=click.Choice(["platform", "distinct"]), default="platform", show_default=True,
              help="Synthetic accounts: the platform base (names repeat) or distinct names in mixed scripts.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("out/bench.json"),
              show_default=True, help="JSON results file.")
@click.option("--http", "http_only", is_flag=True,
              help="Only the HTTP lookup API on loopback: a real `screening serve`, 2,000 sequential requests "
                   "(p50/p99), then 8 concurrent clients (throughput, errors).")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="spark: the full rescreen on Spark local[1] and local[2] beside the local engine, same accounts "
                   "(generated into Parquet files a chunk at a time); an estimate of the run's length is printed "
                   "first (needs the spark extra).")
@click.option("--spark-cores", default="1,2", show_default=True,
              help="With --engine spark: the local[k] masters to run (the scaling note needs two).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def bench_command(obj: Context, sizes: str, lookups: int, baseline_sample: int, seed: int, profile: str,
                  out_path: Path, http_only: bool, engine: str, spark_cores: str, as_json: bool) -> None:
    """Throughput, memory, index build and lookup latency, with a naive baseline for the speed-up."""
    if engine == "spark":
        from screening.evaluation.spark_bench import run_spark_bench, spark_bench_text

        cores = [int(k) for k in _csv(spark_cores) or [] if k.isdigit()]
        if not cores or len(cores) != len(_csv(spark_cores) or []) or min(cores) < 1:
            raise click.BadParameter("give one or more core counts, e.g. 1,2", param_hint="--spark-cores")
        report = run_spark_bench(obj.db, [int(s) for s in _csv(sizes) or []], seed=seed, profile=profile,
                                 cores=cores)
        _write_json(report, out_path)
        emit(report, as_json, spark_bench_text(report) + f"\n\nJSON: {out_path}")
        return
    if http_only:
        from screening.evaluation.http_bench import http_text, run_http_bench

        report = run_http_bench(obj.db)
        _write_json(report, out_path)
        emit(report, as_json, http_text(report) + f"\n\nJSON: {out_path}")
        return
    from screening.evaluation.bench import bench_text, run_bench

    report = run_bench(obj.db, sizes=[int(s) for s in _csv(sizes) or []], lookups=lookups,
                       baseline_sample=baseline_sample, seed=seed, profile=profile)
    _write_json(report, out_path)
    emit(report, as_json, bench_text(report) + f"\n\nJSON: {out_path}")


# ---------------------------------------------------------------------------------------------
# demo


@click.command("demo")
@click.option("-n", "--accounts", "n", type=int, default=20_000, show_default=True, help="Synthetic accounts.")
@click.option("--plant", type=int, default=60, show_default=True, help="Accounts given real list entries.")
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the planted-entry labels go (default: the store's folder).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def demo_command(obj: Context, n: int, plant: int, seed: int, out_dir: Path | None, as_json: bool) -> None:
    """The main job on the embedded default: the nightly chain (`screening nightly --offline`) on the bundled
    dated lists and a synthetic account base with planted list entries; ends with the report and next steps.
    Exit 1 when a step of the chain failed."""
    import sys

    from screening.evaluation.demo import run_demo, summary_text

    data = run_demo(Path(obj.db), out_dir=out_dir or Path(obj.db).parent, n=n, planted=plant, seed=seed,
                    say=lambda line: click.echo(line, err=True), quiet_commands=as_json)
    emit(data, as_json, summary_text(data))
    if data["exit_code"]:
        sys.exit(1)


# ---------------------------------------------------------------------------------------------
# accounts synth


@click.command("synth")
@click.option("--n", "n", type=int, default=10_000, show_default=True, help="Number of accounts.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV, Parquet or JSONL.")
@click.option("--update-of", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Instead of a new base: the next import of this one (benign changes and a few transfers).")
@click.option("--plant", "plant", type=int, default=0, show_default=True,
              help="Hide variants of real list entries (from the store at --db; the bundled snapshot is loaded "
                   "if it has no lists) in this many accounts. Adds label columns planted_source, "
                   "planted_source_id, planted_variation (empty on untouched rows), so a screen of the file "
                   "measures recall as well as alerts.")
@click.option("--plant-sources", default=None, help="Comma-separated list keys to plant from (default: all).")
@click.option("--profile", type=click.Choice(["platform", "distinct"]), default="platform", show_default=True,
              help="platform: the Chinese platform base (names repeat as in life); distinct: almost every name "
                   "new, in mixed scripts (Latin, Cyrillic, Arabic, Han, Hangul, kana), for speed measures.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def synth_command(obj: Context, n: int, seed: int, out: Path, update_of: Path | None, plant: int,
                  plant_sources: str | None, profile: str, as_json: bool) -> None:
    """Write a synthetic account base (deterministic for a seed; with --plant, for a seed and a store)."""
    import time

    from lists.refresh import ensure_lists
    from screening.accounts import read_accounts, write_accounts
    from screening.evaluation.planting import plant_matches
    from screening.evaluation.synth import synth_accounts, synth_update
    from screening.evaluation.synth_distinct import distinct_accounts

    started = time.perf_counter()
    if update_of is not None:
        df = synth_update(read_accounts(update_of).accounts, seed)
    else:
        df = (distinct_accounts if profile == "distinct" else synth_accounts)(n, seed)
    planted = 0
    if plant > 0:
        con = connect(obj.db)
        try:
            ensure_lists(con, obj.db)
            df = plant_matches(df, con, n=plant, seed=seed, sources=_csv(plant_sources))
        finally:
            con.close()
        planted = df.filter(pl.col("planted_source").is_not_null()).height
    write_accounts(df, out)
    seconds = time.perf_counter() - started
    emit({"out": str(out), "accounts": df.height, "planted": planted, "seconds": round(seconds, 2)}, as_json,
         f"{df.height:,} accounts written to {out} in {seconds:.1f} s"
         + (f" ({planted} with planted list entries, labelled in planted_* columns)" if plant > 0 else ""))
