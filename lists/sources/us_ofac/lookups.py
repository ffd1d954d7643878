"""OFAC's value maps, loaded from `lookups.yml` (data, reviewed like data; see the comments there)."""

from __future__ import annotations

from pathlib import Path

import yaml

_DATA = yaml.safe_load((Path(__file__).resolve().parent / "lookups.yml").read_text(encoding="utf-8"))

# legacy CSV and Remarks
SUBJECT_TYPES: dict[str | None, str] = _DATA["sdn_types"]
ALT_TYPES: dict[str, str] = _DATA["alt_types"]
REMARK_ALIAS_TYPES: dict[str, str] = _DATA["remark_alias_types"]
REMARK_COUNTRY_ROLES: dict[str, str] = _DATA["remark_country_roles"]
NO_COUNTRY: frozenset[str] = frozenset(_DATA["no_country"])
REGION_COUNTRIES: dict[str, str] = _DATA["region_countries"]
ID_TYPES: dict[str, str] = _DATA["id_types"]

# Enhanced XML
ENTITY_TYPES: dict[str, str] = _DATA["entity_types"]
ALIAS_TYPES: dict[str, str] = _DATA["alias_types"]
SCRIPTS: dict[str, str] = _DATA["scripts"]
COUNTRY_FEATURES: dict[str, str] = _DATA["country_features"]
INFO_FEATURES: frozenset[str] = frozenset(_DATA["info_features"])
INFO_FEATURE_PREFIXES: tuple[str, ...] = tuple(_DATA["info_feature_prefixes"])
ADDRESS_PARTS: tuple[str, ...] = tuple(_DATA["address_parts"])
