"""Public sanctions lists: one adapter module per source under `lists/sources/`.

Adding a source = adding `lists/sources/<key>.py` with a `SPEC` and naming the key in `SOURCE_KEYS`.
Adapters are imported on first use, so one broken adapter cannot stop the others from loading.
"""

from __future__ import annotations

import importlib
from functools import cache

from lists.spec import ListSpec

SOURCE_KEYS: tuple[str, ...] = (
    "us_ofac_sdn",
    "us_ofac_cons",
    "un_sc",
    "eu_fsf",
    "gb_fcdo",
    "gb_ofsi",
    "au_dfat",
    "us_csl",
    "us_bis_dpl",
    "cn_sanctions",
    "opensanctions",
)


@cache
def get_spec(key: str) -> ListSpec:
    if key not in SOURCE_KEYS:
        raise KeyError(f"unknown list source {key!r}; known: {', '.join(SOURCE_KEYS)}")
    spec: ListSpec = importlib.import_module(f"lists.sources.{key}").SPEC
    assert spec.key == key, f"lists/sources/{key}.py declares key {spec.key!r}"
    return spec


def all_specs() -> list[ListSpec]:
    return [get_spec(key) for key in SOURCE_KEYS]
