"""OFAC's two lists, read by one package: the SDN list (`us_ofac_sdn`) and the Consolidated non-SDN list
(`us_ofac_cons`) publish the same legacy CSV layouts, and the Consolidated list also an Enhanced XML.

- `_csv.py`: the legacy CSV set (four header-less layouts, Remarks continuations, aliases, addresses);
- `_remarks.py`: the Remarks grammar (DOB, POB, nationality, documents, weak `a.k.a. 'X'` aliases);
- `_enhanced_xml.py`: the Consolidated list's Enhanced XML;
- `_fields.py`: countries and identifiers from OFAC's text values, shared by both forms;
- `lookups.yml` (read by `lookups.py`): every value map (document labels, types, roles) as data.

The adapters the registry loads stay `lists/sources/us_ofac_sdn.py` and `us_ofac_cons.py` (`SPEC`, `parse`).
Formats: docs/sources.md (OFAC).
"""

from __future__ import annotations

REGIME = "US"
# OFAC's Sanctions List Service: where the SDN and Consolidated files are published.
SLS_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"
