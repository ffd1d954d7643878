"""Public sanctions lists: one adapter module per source under `lists/sources/`.

Adding a source = adding a module with a `SPEC` and naming it in `SOURCE_MODULES`.
"""

from __future__ import annotations

import importlib

from lists.spec import ListSpec

SOURCE_MODULES: tuple[str, ...] = (
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


def _load_registry() -> dict[str, ListSpec]:
    registry: dict[str, ListSpec] = {}
    for module_name in SOURCE_MODULES:
        spec: ListSpec = importlib.import_module(f"lists.sources.{module_name}").SPEC
        registry[spec.key] = spec
    return registry


REGISTRY: dict[str, ListSpec] = _load_registry()


def get_spec(key: str) -> ListSpec:
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(f"unknown list source {key!r}; known: {', '.join(sorted(REGISTRY))}") from None
