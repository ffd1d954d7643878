"""The labelled variant set: every registered type run over the listed names, deterministic for a seed."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

import duckdb
import polars as pl

from screening.evaluation.variants.listed import load_listed
from screening.evaluation.variants.model import Listed, Variant, VariationType
from screening.evaluation.variants.registry import VARIATIONS, VARIATIONS_BY_KEY
from screening.evaluation.variants.text import same_name_key

VARIANT_SCHEMA = {
    "variant_id": pl.String,
    "variation_type": pl.String,
    "section": pl.String,
    "expected": pl.String,
    "strength": pl.String,
    "source": pl.String,
    "source_id": pl.String,
    "entry_subject_type": pl.String,
    "original": pl.String,
    "original_name_type": pl.String,
    "original_quality": pl.String,
    "variant": pl.String,
    "subject_type": pl.String,
    "birth_date": pl.Date,
    "country": pl.String,
    "id_type": pl.String,
    "id_number": pl.String,
}


def _interleave_by_source(items: Sequence[Listed], rng: random.Random) -> list[Listed]:
    """Shuffle within each source, then take one from each source in turn (every list is represented)."""
    by_source: dict[str, list[Listed]] = {}
    for it in items:
        by_source.setdefault(it.source, []).append(it)
    queues = []
    for src in sorted(by_source):
        q = by_source[src][:]
        rng.shuffle(q)
        queues.append(q)
    out: list[Listed] = []
    for i in range(max((len(q) for q in queues), default=0)):
        out.extend(q[i] for q in queues if i < len(q))
    return out


def _names_a_listed_name(name: str, listed_keys: set[str]) -> bool:
    """A negative that is a listed name (legal form, case, order and punctuation aside), or one once its
    numbers are gone ("VALFAJR 5 SHIPPING CO." where "VALFAJR SHIPPING CO." is listed): not a trap but a hit."""
    return same_name_key(name) in listed_keys or same_name_key(name, drop_numbers=True) in listed_keys


def make_variant(vtype: VariationType, item: Listed, rng: random.Random) -> Variant | None:
    """Run one generator and drop results that are empty or, for non-control types, unchanged."""
    out = vtype.generate(item, rng)
    if out is None:
        return None
    variant = out if isinstance(out, Variant) else Variant(out)
    if variant.name is None or not variant.name.strip():
        return None
    control = vtype.key in ("exact", "original_script", "weak_alias", "weak_alias_dob", "entity_type_mismatch")
    if not control and variant.name == item.name and variant.birth_date is None and variant.id_number is None:
        return None
    return variant


def generate_variants(
    listed: Sequence[Listed] | duckdb.DuckDBPyConnection,
    *,
    seed: int = 0,
    per_type: int = 100,
    types: Iterable[str] | None = None,
) -> pl.DataFrame:
    """Up to `per_type` labelled variants per variation type, deterministic for a seed.

    Strong names feed every type except the weak-alias ones. Names are drawn round-robin across sources
    so small lists are represented. Negatives are dropped when they equal another listed name.
    """
    items = load_listed(listed) if isinstance(listed, duckdb.DuckDBPyConnection) else list(listed)
    listed_keys = {same_name_key(it.name) for it in items} - {""}
    strong_keys = {(it.source, it.source_id, same_name_key(it.name)) for it in items if it.quality == "strong"}
    wanted = [VARIATIONS_BY_KEY[k] for k in types] if types else list(VARIATIONS)
    rows: list[dict[str, Any]] = []
    for vtype in wanted:
        rng = random.Random(f"{seed}:{vtype.key}")
        weak_type = vtype.key.startswith("weak_alias")
        pool = [it for it in items if (it.quality == "weak") == weak_type]
        if weak_type:  # a weak alias that is also a strong name of the same entry (legal form, case, order
            # and punctuation aside) is not weak-only
            pool = [it for it in pool if (it.source, it.source_id, same_name_key(it.name)) not in strong_keys]
        made = 0
        seen: set[str] = set()
        for item in _interleave_by_source(pool, rng):
            if made >= per_type:
                break
            variant = make_variant(vtype, item, rng)
            if variant is None or variant.name in seen:
                continue
            if vtype.expected == "must_not_hit" and vtype.key != "weak_alias" and _names_a_listed_name(variant.name,
                                                                                                     listed_keys):
                continue
            seen.add(variant.name)
            made += 1
            rows.append(
                {
                    "variant_id": f"{vtype.key}:{made:04d}",
                    "variation_type": vtype.key,
                    "section": vtype.section,
                    "expected": vtype.expected,
                    "strength": vtype.strength,
                    "source": item.source,
                    "source_id": item.source_id,
                    "entry_subject_type": item.subject_type,
                    "original": item.name,
                    "original_name_type": item.name_type,
                    "original_quality": item.quality,
                    "variant": variant.name,
                    "subject_type": variant.subject_type or item.subject_type,
                    "birth_date": variant.birth_date,
                    "country": variant.country,
                    "id_type": variant.id_type,
                    "id_number": variant.id_number,
                }
            )
    return pl.DataFrame(rows, schema=VARIANT_SCHEMA)


def variants_as_accounts(variants: pl.DataFrame) -> pl.DataFrame:
    """The labelled variants as an account frame (docs/architecture.md §3.2 columns) for `screen_accounts`."""
    from screening.accounts import ACCOUNT_SCHEMA

    given = {
        "account_id": pl.col("variant_id"),
        "subject_type": pl.col("subject_type"),
        "name": pl.col("variant"),
        "birth_date": pl.col("birth_date"),
        "country": pl.col("country"),
        "nationality": pl.col("country"),
        "id_type": pl.col("id_type"),
        "id_number": pl.col("id_number"),
    }
    return variants.select(
        given.get(col, pl.lit(None)).cast(dtype).alias(col) for col, dtype in ACCOUNT_SCHEMA.items()
    )
