"""`screening match …` (index, config, features, compare).

Registered in screening/cli.py SUBCOMMANDS as
    "match": "screening.matching.cli:match_group".
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from screening.cli import Context, emit
from screening.matching.config import DEFAULT_CONFIG, MatchConfig, describe_config


def _config(path: Path | None) -> MatchConfig:
    return MatchConfig.from_file(path) if path else DEFAULT_CONFIG


@click.group("match")
def match_group() -> None:
    """The matcher: list index, settings, feature table, pairwise compare."""


@match_group.command("index")
@click.option("--rebuild", is_flag=True, help="Drop the stored index of the versions in force and build it again.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def index_command(ctx: Context, rebuild: bool, as_json: bool) -> None:
    """Build (and store) the list index of every version in force that lacks one."""
    from screening.store import connect
    from screening.matching.index_store import ensure_index

    con = connect(ctx.db)
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
    """The feature table: each qualifier, its levels and weights."""
    from screening.matching.features import describe_features

    rows = describe_features()
    text = "\n".join(f"{r['feature']:<18} {r['level']:<10} {r['weight']:+.2f}  {r['description']}" for r in rows)
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
            + "".join(f"  {f['feature']}: {f['level']} {f.get('weight', '')}\n" for f in r.reasons.get("features", [])))
    emit(r.to_dict(), as_json, text.rstrip())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(match_group())
