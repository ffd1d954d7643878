"""Helpers every adapter shares: reading published files, cleaning values, dates and countries.

Kept here once so each source module stays a small declaration plus one parse function.
"""

from __future__ import annotations

import calendar
import datetime as dt
import gzip
import re
from pathlib import Path

import countrynames

from lists.model import BirthDate, Name, NameType

OFAC_NULL = "-0-"
_WS = re.compile(r"\s+")


def read_bytes(path: Path) -> bytes:
    """The published bytes; a `.gz` copy (as bundled in the snapshot) is read transparently."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data


def read_text(path: Path) -> str:
    """Decode a published text file: UTF-8 (BOM tolerated), CP1252 as fallback, DOS EOF byte dropped."""
    data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.rstrip("\x1a")


def find_file(folder: Path, name: str) -> Path | None:
    """The file `name` in a version folder, matched case-insensitively, plain or gzipped."""
    wanted = {name.lower(), name.lower() + ".gz"}
    for child in sorted(folder.iterdir()):
        if child.name.lower() in wanted:
            return child
    return None


def clean(value: object) -> str | None:
    """Strip and collapse whitespace; empty strings and OFAC's `-0-` null marker become None."""
    if value is None:
        return None
    text = _WS.sub(" ", str(value)).strip()
    if not text or text == OFAC_NULL:
        return None
    return text


def split_multi(value: object, sep: str = ";") -> list[str]:
    """Split a joined multi-value cell into its cleaned, non-empty parts."""
    text = clean(value)
    if text is None:
        return []
    return [part for part in (clean(p) for p in text.split(sep)) if part]


def to_country(value: object) -> str | None:
    """Country name or code → ISO-2 (upper case), or None when it is not a recognisable country."""
    text = clean(value)
    if text is None:
        return None
    code = countrynames.to_code(text, fuzzy=False)  # also validates bare codes: "UK" → GB, "TX" → None
    if not code:
        return None
    # A subdivision (Crimea → UA-CRI) belongs to its country; a former country (USSR → SUHH) has no ISO-2.
    code = code.split("-")[0]
    return code.upper() if len(code) == 2 else None


_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_name) if m})
_APPROX = re.compile(r"\b(circa|ca\.?|approx(?:imately)?\.?|about|c\.)\s*", re.I)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_MY_SLASH = re.compile(r"^(\d{1,2})/(\d{4})$")
_D_MON_Y = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{4})$")
_MON_Y = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4})\s*(?:-|–|to|and)\s*(\d{4})$", re.I)
_MIN_YEAR, _MAX_YEAR = 1850, 2100


def _year_ok(year: int) -> bool:
    return _MIN_YEAR <= year <= _MAX_YEAR


def _month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_birth_date(value: object) -> BirthDate | None:
    """Parse one published date of birth in any of the forms the lists use.

    Handles `1957-07-30`, `30/07/1957`, `00/00/1994` and `dd/mm/1994` (unknown parts), `30 Jul 1957`,
    `Jul 1957`, `1957`, `1960 to 1962`, `1955-1958`, with `circa` / `approximately` marking an
    approximate date. Returns None for text that holds no usable date (the caller quarantines or
    keeps it as remarks).
    """
    text = clean(value)
    if text is None:
        return None
    body = text
    approximate = bool(_APPROX.search(body))
    body = _APPROX.sub("", body).strip().strip(",;")
    parsed = _parse_date_body(body)
    if parsed is None:
        return None
    start, end, precision = parsed
    if approximate and precision != "range":
        precision = "approximate"
    return BirthDate(start, end, precision, text)


def _parse_date_body(body: str) -> tuple[dt.date, dt.date, str] | None:
    body = body.replace("dd/mm/", "00/00/").replace("DD/MM/", "00/00/")
    try:
        if m := _ISO.match(body):
            y, mo, d = (int(g) for g in m.groups())
            return _day_or_less(y, mo, d)
        if m := _DMY.match(body):
            d, mo, y = (int(g) for g in m.groups())
            return _day_or_less(y, mo, d)
        if m := _MY_SLASH.match(body):
            mo, y = int(m.group(1)), int(m.group(2))
            return _day_or_less(y, mo, 0)
        if m := _D_MON_Y.match(body):
            mo = _MONTHS.get(m.group(2).lower())
            if mo is None:
                return None
            return _day_or_less(int(m.group(3)), mo, int(m.group(1)))
        if m := _MON_Y.match(body):
            mo = _MONTHS.get(m.group(1).lower())
            if mo is None:
                return None
            return _day_or_less(int(m.group(2)), mo, 0)
        if m := _YEAR.match(body):
            return _day_or_less(int(m.group(1)), 0, 0)
        if m := _RANGE.match(body):
            y1, y2 = int(m.group(1)), int(m.group(2))
            if not (_year_ok(y1) and _year_ok(y2)) or y2 < y1:
                return None
            return dt.date(y1, 1, 1), dt.date(y2, 12, 31), "range"
    except ValueError:
        return None
    return None


def _day_or_less(year: int, month: int, day: int) -> tuple[dt.date, dt.date, str] | None:
    """Exact date when all parts are known; month or year span when the smaller parts are zero."""
    if not _year_ok(year):
        return None
    if month == 0:
        return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"
    if day == 0:
        start, end = _month_span(year, month)
        return start, end, "month"
    day_date = dt.date(year, month, day)
    return day_date, day_date, "exact"


def parse_date(value: object, formats: tuple[str, ...] = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y")) -> dt.date | None:
    """A plain calendar date (listing / publication dates) in the first matching format."""
    text = clean(value)
    if text is None:
        return None
    text = text.split("T")[0]
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# Legal forms and business words that make a name an organization (matched as whole words, upper case).
_ORG_WORDS = re.compile(
    r"(?<![\w.])(?:INC|INCORPORATED|LLC|L\.L\.C|LTD|LIMITED|CO|CORP|CORPORATION|COMPANY|GMBH|AG|AB|S\.?A|"
    r"S\.?L|S\.?R\.?L|S\.?R\.?O|B\.?V|N\.?V|PLC|LLP|PTE|PVT|F\.?Z\.?E|F\.?Z\.?C|FZCO|JSC|PJSC|OJSC|CJSC|OAO|"
    r"ZAO|OOO|BHD|ANSTALT|ESTABLISHMENT|AIR|AIRLINES?|AIRWAYS|AVIATION|TRADING|TRADE|GROUP|INTERNATIONAL|"
    r"INTERNACIONAL|SERVICES?|ELECTRONICS?|TECHNOLOGY|TECHNOLOGIES|TECHNIK|INDUSTRIES|INDUSTRIE|"
    r"INDUSTRIAL|ENTERPRISES?|SYSTEMS|METALS|COMPUTERS|CONTRACTING|LOGISTICS|UNIVERSITY|INSTITUTE)"
    r"(?![\w])\.?"
    r"|\.(?:COM|NET|ORG)\b",
    re.IGNORECASE,
)
# Alias markers written inside a published name.
_MARKER = r"(?<![\w/])(?:a\.?\s?k\.?\s?a|a/k/a|d\.?\s?b\.?\s?a|d/b/a|f\.?\s?k\.?\s?a|f/k/a)(?![\w/])\.?"
_BRACKETED = re.compile(r"\s*[(\[]\s*(?P<marker>" + _MARKER + r")\s*[:,]?\s*(?P<alias>[^)\]]+?)\s*[)\]]", re.I)
_INFIX = re.compile(r"(?:\s*,\s*|\s+)(" + _MARKER + r")\s+", re.I)
_SUCCESSOR = re.compile(r"[;,]?\s+and any successor,? sub-unit,? or subsidiary thereof\.?\s*$", re.I)


def looks_like_organization(name: str) -> bool:
    """True when the name carries a legal form or business word; the DPL and the CSL's untyped
    Commerce/State rows publish no subject type."""
    return bool(_ORG_WORDS.search(name))


def embedded_names(name: str) -> list[Name]:
    """Names hidden in a published name: `X A/K/A Y`, `X (a.k.a. Y; Z)`, `X D/B/A Y`, and the ISN form
    `X and any successor, sub-unit, or subsidiary thereof`. The published name stays primary; the bare
    name becomes a variation and the aliases aka (fka for f/k/a)."""
    found: list[Name] = []
    base = name
    for match in _BRACKETED.finditer(name):
        kind = _marker_type(match.group("marker"))
        found += [Name(a, kind) for a in (clean(p) for p in match.group("alias").split(";")) if a]
    base = clean(_BRACKETED.sub(" ", base)) or name
    base = clean(_SUCCESSOR.sub("", base)) or base
    pieces = _INFIX.split(base)
    base = clean(pieces[0]) or base
    for marker, alias in zip(pieces[1::2], pieces[2::2]):
        if text := clean(alias):
            found.append(Name(text, _marker_type(marker)))
    if base != name:
        found.insert(0, Name(base, "variation"))
    unique: dict[str, Name] = {}
    for item in found:
        if item.name != name:
            unique.setdefault(item.name, item)
    return list(unique.values())


def _marker_type(marker: str) -> NameType:
    return "fka" if marker.lower().lstrip().startswith("f") else "aka"
