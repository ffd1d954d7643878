"""`screening screen`, `screening lookup` and `screening match …` (index, config, features, compare).

Registered in screening/cli.py SUBCOMMANDS as
    "screen": "screening.matching.cli:screen_command",
    "lookup": "screening.matching.cli:lookup_command",
    "match": "screening.matching.cli:match_group".
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from screening.cli import Context, emit
from screening.matching.config import DEFAULT_CONFIG, MatchConfig, describe_config

KIND_CHOICE = click.Choice(["onboarding", "delta", "account-change", "full"])


def _config(path: Path | None) -> MatchConfig:
    return MatchConfig.from_file(path) if path else DEFAULT_CONFIG


@click.command("screen")
@click.option("--accounts", "accounts_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Accounts file: CSV, Parquet or JSON lines (DESIGN §3.2 columns).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the hits here (CSV or Parquet by extension).")
@click.option("--min-score", type=float, default=None, help="Floor of the written hits (default: the review band).")
@click.option("--kind", type=KIND_CHOICE, default="full", show_default=True, help="Run kind recorded with the run.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="YAML of MatchConfig overrides (see `screening match config`).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def screen_command(ctx: Context, accounts_path: Path, out: Path | None, min_score: float | None, kind: str,
                   config_path: Path | None, as_json: bool) -> None:
    """Screen an accounts file against the lists in force; store the run and its hits."""
    from screening.accounts import read_accounts
    from screening.db import connect
    from screening.matching.screen import screen_accounts, write_hits

    imported = read_accounts(accounts_path)
    con = connect(ctx.db)
    config = _config(config_path)
    result = screen_accounts(con, imported.accounts, kind=kind, min_score=min_score, progress=not as_json,
                             config=config)
    if out:
        write_hits(result.hits, out)
    summary = {
        "run_id": result.run_id, "kind": result.kind, "accounts": result.population,
        "quarantined": imported.quarantine.height, "hits": result.hits.height, "bands": result.counts,
        "config_hash": result.config_hash, "duration_s": result.duration_s, "stats": result.stats,
        "list_versions": result.list_versions, "out": str(out) if out else None,
    }
    bands = ", ".join(f"{k} {v}" for k, v in result.counts.items())
    text = (f"run {result.run_id} ({result.kind}): {result.population} accounts "
            f"({imported.quarantine.height} quarantined) in {result.duration_s:.1f}s — {result.hits.height} hits "
            f"written ({bands} stored); config {result.config_hash}" + (f"; hits in {out}" if out else ""))
    emit(summary, as_json, text)


@click.command("lookup")
@click.argument("name")
@click.option("--type", "subject_type", type=click.Choice(["person", "organization"]), default=None)
@click.option("--latin", "name_latin", default=None, help="The name in Latin letters, when NAME is in another script.")
@click.option("--dob", "birth_date", default=None, help="Date of birth, YYYY-MM-DD.")
@click.option("--country", default=None, help="Country (ISO-2).")
@click.option("--nationality", default=None, help="Nationality (ISO-2).")
@click.option("--id", "id_number", default=None, help="ID number (RIC, passport, USCC …).")
@click.option("--id-type", default=None, help="RIC, passport, HK_MO_PERMIT, TW_PERMIT, FOREIGN_PR, USCC, OTHER.")
@click.option("--eligibility/--no-eligibility", default=True, show_default=True,
              help="Also run the eligibility checks for the same record.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def lookup_command(ctx: Context, name: str, subject_type: str | None, name_latin: str | None, birth_date: str | None,
                   country: str | None, nationality: str | None, id_number: str | None, id_type: str | None,
                   eligibility: bool, as_json: bool) -> None:
    """Screen one subject as the registration flow does: clear / review / block, with reasons."""
    from screening.matching.explain import format_steps
    from screening.matching.registration import lookup

    result = lookup(name, subject_type=subject_type, name_latin=name_latin, birth_date=birth_date, country=country,
                    nationality=nationality, id_number=id_number, id_type=id_type, db=ctx.db,
                    eligibility=eligibility)
    lines = [f"{result.decision.upper()}  ({result.elapsed_ms:.1f} ms, config {result.config_hash})"]
    lines += [f"  reason: {r}" for r in result.reasons]
    for hit in result.hits:
        reasons = json.loads(hit["reasons"])
        lines.append(f"  {hit['band']:<12} {hit['score']:.3f}  {hit['entry_name']}  [{hit['source']} {hit['source_id']}]"
                     f"  matched {hit['matched_name']!r} ({hit['alias_quality']})")
        lines.append(f"      {reasons['name']['alignment']}")
        lines.append(f"      {format_steps(reasons['features'])}")
    if result.eligibility:
        lines.append(f"  eligibility: {result.eligibility.get('status')}")
    lines.append("  lists: " + ", ".join(f"{v['source']}#{v['version_id']}" for v in result.list_versions))
    emit(result.to_dict(), as_json, "\n".join(lines))


@click.group("match")
def match_group() -> None:
    """The matcher: list index, settings, feature table, pairwise compare."""


@match_group.command("index")
@click.option("--rebuild", is_flag=True, help="Drop the stored index of the versions in force and build it again.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def index_command(ctx: Context, rebuild: bool, as_json: bool) -> None:
    """Build (and store) the list index of every version in force that lacks one."""
    from screening.db import connect
    from screening.matching.index_store import ensure_index, ensure_schema

    con = connect(ctx.db)
    ensure_schema(con)
    if rebuild:
        for table in ("match_index_forms", "match_index_keys", "match_index_builds"):
            con.execute(f"DELETE FROM {table} WHERE version_id IN (SELECT version_id FROM current_versions)")
    built = ensure_index(con)
    text = "\n".join(f"{b['source']} v{b['version_id']}: {b['names']} names, {b['forms']} forms, {b['keys']} keys "
                     f"in {b['seconds']}s" for b in built) or "index up to date"
    emit(built, as_json, text)


@match_group.command("config")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--json", "as_json", is_flag=True)
def config_command(config_path: Path | None, as_json: bool) -> None:
    """The matching settings: value, default, whether it changes scores, what it does; and the hash."""
    config = _config(config_path)
    rows = describe_config(config)
    text = "\n".join(f"{r['name']:<24} {r['value']!s:<10} {'' if r['scoring'] else '(speed) '}{r['description']}"
                     for r in rows) + f"\nhash {config.hash}"
    emit({"hash": config.hash, "settings": rows}, as_json, text)


@match_group.command("features")
@click.option("--json", "as_json", is_flag=True)
def features_command(as_json: bool) -> None:
    """The feature table: every rule of the score in order, its effect, value and meaning."""
    from screening.matching.features import describe_features

    rows = describe_features()
    text = "Every rule of the score, in the order it runs (each reason lists the steps that applied):\n" + "\n".join(
        f"{r['stage']:<5} {r['feature']:<17} {r['level']:<10} {r['effect']:<6} "
        f"{'' if r['value'] is None else r['value']:<7} {r['description']}" for r in rows)
    emit(rows, as_json, text)


@match_group.command("compare")
@click.argument("a")
@click.argument("b")
@click.option("--type", "subject_type", type=click.Choice(["person", "organization", "vessel"]), default=None)
@click.option("--a-dob", default=None)
@click.option("--b-dob", default=None, help="YYYY-MM-DD, YYYY-MM or YYYY.")
@click.option("--a-country", default=None)
@click.option("--b-country", default=None)
@click.option("--b-weak", is_flag=True, help="B is a weak alias.")
@click.option("--json", "as_json", is_flag=True)
def compare_command(a: str, b: str, subject_type: str | None, a_dob: str | None, b_dob: str | None,
                    a_country: str | None, b_country: str | None, b_weak: bool, as_json: bool) -> None:
    """Score name A (account side) against name B (listed side), with the reasons."""
    from screening.matching.pairwise import compare

    r = compare(a, b, subject_type=subject_type, a_birth_date=a_dob, b_birth_date=b_dob, a_country=a_country,
                b_country=b_country, b_weak=b_weak)
    name = r.reasons.get("name") or {}
    text = (f"score {r.score:.3f} (name {r.name_score:.3f}) band {r.band or '-'}\n"
            f"  {name.get('alignment', 'no alignment')}\n"
            + "".join(f"  {f['feature']:<18} {f['level']:<10} {f['effect']:<6} {'' if f['value'] is None else f['value']:<8}"
                      f" → {f['score_after']:.4f}  {f['text']}\n" for f in r.reasons.get("features", [])))
    emit(r.to_dict(), as_json, text.rstrip())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(match_group())
