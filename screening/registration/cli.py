"""`screening lookup`: one subject screened as the registration flow does."""

from __future__ import annotations

import json

import click

from screening.cli import Context, emit
from screening.exc import UsageError
from screening.registration import lookup
from screening.registration.decision import parse_birth_date


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
              help="Fold the eligibility checks of the same record into the decision.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def lookup_command(ctx: Context, name: str, subject_type: str | None, name_latin: str | None, birth_date: str | None,
                   country: str | None, nationality: str | None, id_number: str | None, id_type: str | None,
                   eligibility: bool, as_json: bool) -> None:
    """Screen one subject as the registration flow does: clear / review / block, with reasons."""
    _, bad_dob = parse_birth_date(birth_date)
    if bad_dob:
        raise UsageError(f"--dob {birth_date!r} is not a valid date (YYYY-MM-DD)")
    result = lookup(name, subject_type=subject_type, name_latin=name_latin, birth_date=birth_date, country=country,
                    nationality=nationality, id_number=id_number, id_type=id_type, db=ctx.db,
                    eligibility=eligibility)
    lines = [f"{result.decision.upper()}  ({result.elapsed_ms:.1f} ms, config {result.config_hash})"]
    lines += [f"  reason: {r}" for r in result.reasons]
    for hit in result.hits:
        reasons = json.loads(hit["reasons"])
        lines.append(f"  {hit['band']:<12} {hit['score']:.3f}  {hit['entry_name']}  [{hit['source']} {hit['source_id']}]"
                     f"  matched {hit['matched_name']!r} ({hit['alias_quality']})")
        lines.append(f"      {reasons['name']['alignment']}  "
                     + ", ".join(f"{f['feature']}:{f['level']}" for f in reasons["features"]))
    if result.eligibility:
        lines.append(f"  eligibility: {result.eligibility.get('status')}")
    lines.append("  lists: " + ", ".join(f"{v['source']}#{v['version_id']}" for v in result.list_versions))
    emit(result.to_dict(), as_json, "\n".join(lines))
