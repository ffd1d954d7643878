"""Labelled name variants of real list names, one small generator per variation type (docs/evaluation.md §2).

Why: the matcher is calibrated and regression-tested on manipulated copies of the names it must find
(control, manipulated and negative records, AML Analytics / EBA GL/2024/14 style). Each generator takes
one list-side name and returns a variant, or None when the type does not apply to that name; the table
`VARIATIONS` says which taxonomy item (A1 … F34) it covers and whether the matcher must hit it
(`must_hit`), should hit it (`should_hit`) or must stay below the review threshold (`must_not_hit`).
Generation is deterministic for a seed: candidates are read from the store in a fixed order and drawn with
a seeded RNG per type.

The generators are an oracle, so they do not use the matcher's code: their script detection, pinyin and
Wade-Giles romanisation are their own (an error in the normaliser must show up as a miss, not be repeated in
the test data), and `lint-imports` keeps this package away from `screening.matching` and
`screening.normalize`. Two name tables *are* shared with the matcher (`nicknames.csv` and `name_variants/`
under `screening/resources/matching/`, read in `tables.py`), so an error in those tables is invisible here.

One module per section of the taxonomy: `normalisation` (A), `typos` (B), `structure` (C), `han` (D19–D23,
Chinese names), `cultural` (the rest of D), `record` (E), `negatives` (F); `registry` is the table of types,
`listed` reads the list-side names, `generate` builds the labelled set; `model`, `tables` and `text` hold
what they share.
"""

from screening.evaluation.variants.generate import VARIANT_SCHEMA, generate_variants, make_variant, variants_as_accounts
from screening.evaluation.variants.han import han_to_pinyin
from screening.evaluation.variants.listed import LISTED_SQL, load_listed
from screening.evaluation.variants.model import Expected, Generator, Listed, Script, Variant, VariationType
from screening.evaluation.variants.registry import VARIATIONS, VARIATIONS_BY_KEY
from screening.evaluation.variants.tables import tables, wade_giles_of_pinyin
from screening.evaluation.variants.text import script_of

__all__ = [
    "LISTED_SQL", "VARIANT_SCHEMA", "VARIATIONS", "VARIATIONS_BY_KEY", "Expected", "Generator", "Listed", "Script",
    "Variant", "VariationType", "generate_variants", "han_to_pinyin", "load_listed", "make_variant", "script_of",
    "tables", "variants_as_accounts", "wade_giles_of_pinyin",
]
