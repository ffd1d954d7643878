"""OFAC Specially Designated Nationals list, legacy CSV set (formats: docs/sources.md, OFAC).

A version folder holds `sdn.csv` (one row per listed party) and, optionally, `add.csv` (addresses),
`alt.csv` (strong aliases) and `sdn_comments.csv` (the rest of Remarks cut at 1,000 characters). The
reading — most of it the Remarks grammar — is shared with the Consolidated list in `lists/sources/us_ofac/`.
"""

from __future__ import annotations

from pathlib import Path

from lists.model import ParsedList
from lists.sources.us_ofac import REGIME, SLS_EXPORTS
from lists.sources.us_ofac._csv import CsvFiles, parse_csv_set
from lists.spec import ListSpec

SDN_FILES = CsvFiles(prim="sdn.csv", add="add.csv", alt="alt.csv", comments="sdn_comments.csv")


def parse(path: Path) -> ParsedList:
    """Parse an SDN version folder (sdn.csv plus optional add / alt / sdn_comments)."""
    return parse_csv_set(path, SDN_FILES)


SPEC = ListSpec(
    key="us_ofac_sdn",
    title="OFAC Specially Designated Nationals and Blocked Persons List (SDN)",
    regime=REGIME,
    parse=parse,
    urls={
        "sdn.csv": f"{SLS_EXPORTS}/SDN.CSV",
        "add.csv": f"{SLS_EXPORTS}/ADD.CSV",
        "alt.csv": f"{SLS_EXPORTS}/ALT.CSV",
        "sdn_comments.csv": f"{SLS_EXPORTS}/SDN_COMMENTS.CSV",
    },
    optional_files=frozenset({"add.csv", "alt.csv", "sdn_comments.csv"}),
    min_entries=5000,
    mandatory=True,
    parser_version="1",
)
