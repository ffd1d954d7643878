"""Helpers every adapter shares: reading published files, cleaning values, dates and countries.

Kept here once so each source module stays a small declaration plus one parse function.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import gzip
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import countrynames

from lists.model import BirthDate, Name, NameType, Quarantined
from screening.exc import InputError
from screening.scripts import detect_script

OFAC_NULL = "-0-"


class ListFormatError(InputError):
    """A published list file that is not in its source's format (wrong layout, missing columns or files,
    broken XML): the message names the file. Loading it is refused; the version in force stays."""
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


def locate_file(path: Path, label: str, names: tuple[str, ...], suffixes: tuple[str, ...] = ()) -> Path:
    """The published file of a version folder; a file path is returned as it is.

    The first of `names` found wins; failing that, the folder's only file ending in one of
    `suffixes` (a renamed download). None found, or several candidates, is a ListFormatError.
    """
    if not path.is_dir():
        return path
    for name in names:
        found = find_file(path, name)
        if found is not None:
            return found
    if not suffixes:
        raise ListFormatError(f"{label}: no {' or '.join(names)} in {path}")
    candidates = sorted(p for p in path.iterdir() if p.name.lower().endswith(suffixes))
    if len(candidates) != 1:
        kind = suffixes[0].strip(".").upper()  # (".xml", ".xml.gz") -> "XML"
        raise ListFormatError(f"{label}: expected one {kind} file in {path}, found {len(candidates)}")
    return candidates[0]


def read_csv(
    path: Path,
    required: Iterable[str],
    what: str,
    quarantine: list[Quarantined],
    id_column: str | None = None,
    delimiter: str = ",",
) -> Iterator[tuple[dict[str, str], str]]:
    """The rows of a published CSV with a header row: each keyed by the cleaned header, with its
    non-empty cells joined as the raw text for quarantine notes.

    A header lacking a `required` column means the file is not `what` (`a China sanctions CSV`)
    and raises ListFormatError at once. A row of empty cells is skipped; a row with more or fewer fields
    than the header is quarantined (under its `id_column` value) rather than read shifted.
    """
    reader = csv.reader(io.StringIO(read_text(path)), delimiter=delimiter)
    header = [clean(h) or "" for h in next(reader, [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise ListFormatError(f"{path.name}: not {what}, missing column(s) {', '.join(missing)}")
    return _csv_rows(reader, header, quarantine, id_column, delimiter)


def _csv_rows(
    reader: Iterator[list[str]], header: list[str], quarantine: list[Quarantined], id_column: str | None, delimiter: str
) -> Iterator[tuple[dict[str, str], str]]:
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, cells))
        raw = delimiter.join(c for c in cells if c)
        if len(cells) != len(header):
            source_id = row.get(id_column) if id_column else None
            quarantine.append(Quarantined(f"row does not have the header's {len(header)} fields", raw, source_id))
            continue
        yield row, raw


def unique_id(key: str, seen: dict[str, int]) -> str:
    """Identical rows keep distinct ids: the n-th repeat of a key gets `-n` (file order)."""
    seen[key] = seen.get(key, 0) + 1
    return key if seen[key] == 1 else f"{key}-{seen[key]}"


def clean(value: object) -> str | None:
    """Strip and collapse whitespace; empty strings and OFAC's `-0-` null marker become None."""
    if value is None:
        return None
    text = _WS.sub(" ", str(value)).strip()
    if not text or text == OFAC_NULL:
        return None
    return text


def joined(*parts: str | None, sep: str = ", ") -> str | None:
    """The non-empty parts joined (an address, a full name); None when there are none."""
    return clean(sep.join(p for p in parts if p)) or None


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
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_MY_SLASH = re.compile(r"^(\d{1,2})/(\d{4})$")
_D_MON_Y = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{4})$")
_MON_Y = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4})\s*(?:-|–|to|and)\s*(\d{4})$", re.I)
# A month word as the lists spell it: `Jan`, `Jan.`, `January`, `Sept`, `Aprl`.
MONTH_PATTERN = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_MONTH_WORD = re.compile(MONTH_PATTERN, re.I)
_MONTH_FIRST = re.compile(rf"^({MONTH_PATTERN})\s+(\d{{1,2}}),?\s+(\d{{4}})$", re.I)
_SPAN_SEP = " to "
_MIN_YEAR, _MAX_YEAR = 1850, 2100


def _year_ok(year: int) -> bool:
    return _MIN_YEAR <= year <= _MAX_YEAR


def _month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_birth_date(value: object) -> BirthDate | None:
    """Parse one published date of birth in any of the forms the lists use.

    Handles `1957-07-30`, `1957-07`, `30/07/1957`, `00/00/1994` and `dd/mm/1994` (unknown parts),
    `30 Jul 1957`, `Jul 1957`, `1957`, `1960 to 1962`, `1955-1958`, with `circa` / `approximately`
    marking an approximate date; the looser spellings `24 Jan.1973`, `21. Jul 1997`, `29-Aprl-1967`,
    `16 Sept 1973`, `March 16, 1972`; and `01 Jan 1961 to 31 Dec 1963` spans (OFAC). Returns None
    for text that holds no usable date (the caller quarantines or keeps it as remarks).
    """
    text = clean(value)
    if text is None:
        return None
    parsed = _parse_one_date(text)
    if parsed is None and _SPAN_SEP in text:
        parsed = _parse_span(text)
    if parsed is None:
        return None
    start, end, precision = parsed
    return BirthDate(start, end, precision, text)


def parse_birth_dates(values: Iterable[str], notes: list[str]) -> list[BirthDate]:
    """Every readable date of birth; an unreadable one is named in `notes` (the entry's remarks)."""
    dates = []
    for value in values:
        parsed = parse_birth_date(value)
        if parsed is None:
            notes.append(f"unreadable date of birth {value!r}")
        else:
            dates.append(parsed)
    return dates


def _parse_one_date(text: str) -> tuple[dt.date, dt.date, str] | None:
    approximate = bool(_APPROX.search(text))
    body = _APPROX.sub("", text).strip().strip(",;")
    # The strict forms first, so that the normalisation can only add readings, never change one.
    parsed = _parse_date_body(body) or _parse_date_body(_normalise_date(body))
    if parsed is None:
        return None
    start, end, precision = parsed
    if approximate and precision != "range":
        precision = "approximate"
    return start, end, precision


def _parse_span(text: str) -> tuple[dt.date, dt.date, str] | None:
    """`01 Jan 1961 to 31 Dec 1963`: from the first date's start to the second's end."""
    first, _, last = text.partition(_SPAN_SEP)
    start, end = _parse_one_date(first), _parse_one_date(last)
    if start is None or end is None or end[1] < start[0]:
        return None
    return start[0], end[1], span_precision(start[0], end[1])


def span_precision(start: dt.date, end: dt.date) -> str:
    """A range that covers exactly one calendar year or month is that year or month."""
    if start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return "year"
    next_day = end + dt.timedelta(days=1)
    if start.day == 1 and (start.year, start.month) == (end.year, end.month) and next_day.day == 1:
        return "month"
    return "range"


def _normalise_date(text: str) -> str:
    """`29-Aprl-1967` → `29 Apr 1967`, `March 16, 1972` → `16 Mar 1972`, `24 Jan.1973` → `24 Jan 1973`,
    `21. Jul 1997` → `21 Jul 1997`, `09/11/ 1954` → `09/11/1954`, `Sept` → `Sep`."""
    text = re.sub(r"\s*([/.])\s*(?=\d)", r"\1", text)
    text = re.sub(r"(?<=\d)\.(?=\s*[A-Za-z])|(?<=\d)-(?=[A-Za-z])|(?<=[A-Za-z.])-(?=\d)", " ", text)
    if m := _MONTH_FIRST.match(text):
        text = f"{m.group(2)} {m.group(1)} {m.group(3)}"
    return clean(_MONTH_WORD.sub(lambda m: f" {m.group(0)[:3]} ", text)) or ""


def _parse_date_body(body: str) -> tuple[dt.date, dt.date, str] | None:
    body = body.replace("dd/mm/", "00/00/").replace("DD/MM/", "00/00/")
    try:
        if m := _ISO.match(body):
            y, mo, d = (int(g) for g in m.groups())
            return _day_or_less(y, mo, d)
        if m := _ISO_MONTH.match(body):
            y, mo = int(m.group(1)), int(m.group(2))
            return _day_or_less(y, mo, 0)
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


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d.%m.%y")


def parse_date(value: object, formats: tuple[str, ...] = DATE_FORMATS) -> dt.date | None:
    """A plain calendar date (listing / publication dates) in the first matching format.

    The default formats cover what the lists publish, `13.07.20` (China's notices) included; a list
    with one known, ambiguous form (UK `dd/mm/yyyy`) passes its own.
    """
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


# Notes the UN writes inside a name, not part of it.
_NAME_NOTES = re.compile(r"\s*\(original script\)|^\s*original script:\s*|\s+-\s+sub-unit name\s*$", re.I)


def alternative_names(name: str) -> list[str]:
    """The names a published name lists in a trailing bracket: `جبهة فتح الشام (Jabhat Fath al Sham;
    Jabhat Fath al-Sham; …)` and `Hay’at Tahrir al-Sham (HTS) (هيئة تحرير الشام (original script); Hay’at
    Tahrir al-Sham; …)` are several names, each of which a registrant may use alone. The bracket is
    split when it holds names separated by `;`, or one name in another script than the text before it
    (an original-script name and its transliteration, two words or more); an acronym (`(AEOI)`,
    `(CETC)` after a Han name) is left in place. The text before the bracket comes first; notes such as `(original script)` are dropped.
    Returns [] when the name lists nothing."""
    text = name.rstrip()
    if not text.endswith(")"):
        return []
    depth, start = 0, -1
    for i in range(len(text) - 1, -1, -1):  # the bracket that closes the name, nested ones included
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            start = i
            break
    head, body = clean(text[:start]), text[start + 1:-1]
    if start <= 0 or head is None:
        return []
    parts = _top_level_split(body)
    single = _NAME_NOTES.sub("", body)
    if len(parts) < 2 and (detect_script(head) == detect_script(single) or len(single.split()) < 2):
        return []
    names = [clean(_NAME_NOTES.sub("", part)) for part in [head, *parts]]
    return list(dict.fromkeys(n for n in names if n and n != name))


def _top_level_split(body: str) -> list[str]:
    """`a (x; y); b` → [`a (x; y)`, `b`]: the `;` outside nested brackets."""
    parts, depth, current = [], 0, []
    for ch in body:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == ";" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in (clean(x) for x in parts) if p]


def _marker_type(marker: str) -> NameType:
    return "fka" if marker.lower().lstrip().startswith("f") else "aka"
