"""OFAC Consolidated Sanctions List (the non-SDN lists: SSI, NS-PLC, NS-CMIC, NS-MBS, FSE, CAPTA…).

Published in two forms, both read by `lists/sources/us_ofac/` (formats: docs/sources.md, OFAC):

- the legacy CSV set `cons_prim.csv` + `cons_add.csv` + `cons_alt.csv` + `cons_comments.csv`, with the
  SDN layouts;
- the Enhanced XML, `CONS_ENHANCED.ZIP` holding `CONS_ENHANCED.XML`, which says more than the CSV (names
  per script, low-quality aliases flagged, dates of birth as intervals, typed documents, `dataAsOf`).

`parse(path)`: a version folder is the CSV set (a folder holding only the zip is read as the zip); a
`.zip` (or bare `.xml`) file is the Enhanced XML. source_id = ent_num (CSV) = entity id (XML).
"""

from __future__ import annotations

from pathlib import Path

from lists.model import ParsedList
from lists.parsing import ListFormatError, find_file
from lists.sources.us_ofac import REGIME, SLS_EXPORTS
from lists.sources.us_ofac._csv import CsvFiles, parse_csv_set
from lists.sources.us_ofac._enhanced_xml import parse_enhanced
from lists.spec import ListSpec

CONS_FILES = CsvFiles(prim="cons_prim.csv", add="cons_add.csv", alt="cons_alt.csv", comments="cons_comments.csv")
ENHANCED_ZIP = "CONS_ENHANCED.ZIP"


def parse(path: Path) -> ParsedList:
    """A CSV version folder, or the Enhanced XML zip (file, or the only file of a folder)."""
    if path.is_dir():
        if find_file(path, CONS_FILES.prim) is not None:
            return parse_csv_set(path, CONS_FILES)
        zip_path = find_file(path, ENHANCED_ZIP)
        if zip_path is not None:
            return parse_enhanced(zip_path)
        raise ListFormatError(f"{path}: neither {CONS_FILES.prim} nor {ENHANCED_ZIP} found")
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".zip", ".xml")):
        return parse_enhanced(path)
    raise ListFormatError(f"{path}: expected a CSV version folder, a .zip or an .xml file")


SPEC = ListSpec(
    key="us_ofac_cons",
    title="OFAC Consolidated Sanctions List (non-SDN)",
    regime=REGIME,
    parse=parse,
    urls={
        "cons_prim.csv": f"{SLS_EXPORTS}/CONS_PRIM.CSV",
        "cons_add.csv": f"{SLS_EXPORTS}/CONS_ADD.CSV",
        "cons_alt.csv": f"{SLS_EXPORTS}/CONS_ALT.CSV",
        "cons_comments.csv": f"{SLS_EXPORTS}/CONS_COMMENTS.CSV",
    },
    optional_files=frozenset({"cons_add.csv", "cons_alt.csv", "cons_comments.csv"}),
    min_entries=200,
    mandatory=False,
    parser_version="1",
)
