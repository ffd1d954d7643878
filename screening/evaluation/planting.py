"""Planted matches: real list entries hidden in a synthetic account base, with labels.

Why: a demo or a benchmark over purely synthetic accounts shows only false positives. Planting
variants of real list names (with the entry's DOB / nationality some of the time) gives a base with a
known answer, so a run's recall is measured on the same frame as its alert rate.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import duckdb
import polars as pl

from screening.accounts import SUBJECT_TYPES
from screening.evaluation.variants import VARIATIONS, Listed, Variant, VariationType, load_listed, make_variant
from screening.evaluation.variants.generate import _interleave_by_source
from screening.evaluation.variants.record import _account_birth_date

LABEL_COLUMNS = ("planted_source", "planted_source_id", "planted_variation")

# Types planted by default: everything the matcher must or should find, except those whose point is a
# different subject type or a weak alias (they test policy, not recall).
PLANT_TYPES: tuple[VariationType, ...] = tuple(
    v for v in VARIATIONS if v.expected != "must_not_hit" and v.key not in ("entity_type_mismatch", "weak_alias_dob")
)


def _plant_one(item: Listed, rng: random.Random, types: Sequence[VariationType]) -> tuple[Variant, str] | None:
    """A variant of `item` from a randomly chosen applicable type (a few tries, else the exact name)."""
    for vtype in rng.sample(list(types), min(8, len(types))):
        variant = make_variant(vtype, item, rng)
        if variant is not None:
            return variant, vtype.key
    return None


def plant_matches(
    accounts: pl.DataFrame,
    con: duckdb.DuckDBPyConnection,
    *,
    n: int,
    seed: int,
    sources: Sequence[str] | None = None,
    types: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Replace `n` accounts' names with variants of real list entries of the same subject type.

    Planted persons declare the entry's date of birth (or none, never a contradicting one) and half of
    the planted accounts its country, the way a listed party registering would look. The label columns
    `planted_source`, `planted_source_id`, `planted_variation` are null on untouched rows. Deterministic
    for a seed and a store.
    """
    rng = random.Random(f"plant:{seed}")
    wanted = [v for v in PLANT_TYPES if types is None or v.key in types]
    strong = [it for it in load_listed(con, sources) if it.quality == "strong"]
    pools = {kind: _interleave_by_source([it for it in strong if it.subject_type == kind], rng)
             for kind in ("person", "organization")}
    kinds = [SUBJECT_TYPES.get((k or "").strip().lower()) for k in accounts.get_column("subject_type").to_list()]
    eligible = [i for i, kind in enumerate(kinds) if pools.get(kind)]
    chosen = sorted(rng.sample(eligible, min(n, len(eligible))))
    cursor = {kind: rng.randrange(len(pool)) if pool else 0 for kind, pool in pools.items()}

    labelled = accounts.with_row_index("_row").with_columns(
        pl.lit(None, pl.String).alias(c) for c in LABEL_COLUMNS
    )
    rows = labelled.filter(pl.col("_row").is_in(chosen)).to_dicts()
    planted: list[dict] = []
    for row in rows:
        kind = kinds[row["_row"]]
        pool = pools[kind]
        for _ in range(50):
            item = pool[cursor[kind] % len(pool)]
            cursor[kind] += 1
            made = _plant_one(item, rng, wanted)
            if made is not None:
                break
        else:  # pragma: no cover - only with a store whose names fit no type at all
            continue
        variant, vkey = made
        planted.append(_planted_row(row, item, variant, vkey, rng))

    if not planted:
        return labelled.drop("_row")
    patch = pl.DataFrame(planted, schema=labelled.schema)
    return labelled.update(patch, on="_row", include_nulls=True).drop("_row")


def _planted_row(row: dict, item: Listed, variant: Variant, vkey: str, rng: random.Random) -> dict:
    """The account row after planting: name, labels, and the entry's DOB / country / passport where fitting.

    A planted person never keeps a synthetic birth date that contradicts the listed one (that would be
    a namesake, not the listed person): with a listed DOB the account declares it (three in four) or
    none; without one it keeps its own. Half of the planted accounts also take the entry's country.
    """
    out = dict(row)
    out["name"] = variant.name
    if "name_latin" in row:
        out["name_latin"] = None
    birth, country = variant.birth_date, variant.country
    changed_identity = False
    if item.is_person and "birth_date" in row:
        if birth is None and item.birth_date is not None:
            birth = _account_birth_date(item, rng) if rng.random() < 0.75 else None
        if item.birth_date is not None or birth is not None:
            out["birth_date"] = birth
            changed_identity = True
    if country is None and item.country and rng.random() < 0.5:
        country = item.country
    if country is not None:
        for col in ("country", "nationality"):
            if col in row:
                out[col] = country
        changed_identity = True
    if variant.id_number is not None:
        out["id_type"], out["id_number"] = variant.id_type, variant.id_number
    elif changed_identity and item.is_person and "id_type" in row:
        # the synthetic resident ID (which embeds a birth date) no longer fits: a passport instead
        out["id_type"], out["id_number"] = "passport", f"E{rng.randrange(10**7, 10**8)}"
    out["planted_source"], out["planted_source_id"], out["planted_variation"] = item.source, item.source_id, vkey
    return out


def planted_recall(accounts: pl.DataFrame, hits: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Per planted variation type: how many planted accounts were hit on their own entry at `threshold`."""
    planted = accounts.filter(pl.col("planted_source").is_not_null()).select(
        "account_id", "planted_source", "planted_source_id", "planted_variation"
    )
    found = (
        hits.filter(pl.col("score") >= threshold)
        .select("account_id", pl.col("source").alias("planted_source"), pl.col("source_id").alias("planted_source_id"))
        .unique()
        .with_columns(pl.lit(True).alias("found"))
    )
    return (
        planted.join(found, on=["account_id", "planted_source", "planted_source_id"], how="left")
        .group_by("planted_variation")
        .agg(pl.len().alias("planted"), pl.col("found").fill_null(False).sum().alias("found"))
        .sort("planted_variation")
    )

