"""Writing a nightly report: snapshot.json, report.html, the CSV exports, and its record in the store.

Why this shape: the HTML is rendered by Jinja2 with autoescape from the snapshot alone (names are
hostile; `safe.clean_text` already removed bidi controls and masked ID-like runs), with charts as inline
SVG and a Content-Security-Policy that forbids every script, font, image or connection from outside —
the file opens the same on an air-gapped machine. The HTML's SHA-256 goes into table `reports`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from reports import charts, nightly, queries
from reports.labels import LABELS, LANGS
from reports.safe import clean_text
from screening import exc, settings
from screening.export import write_table
from screening.logs import get_logger
from screening.store import transaction

log = get_logger(__name__)

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
       "base-uri 'none'; form-action 'none'")
CSV_MAX_CHARS = 4000  # a cell longer than this is cut (list remarks can be long; names are not)


@dataclass
class Report:
    """What `write` produced."""

    report_id: int
    out_dir: Path
    html: Path
    snapshot: Path
    exports: dict[str, Path]
    html_sha256: str
    snapshot_sha256: str
    data: dict[str, Any] = field(repr=False)
    pdf: Path | None = None


def write(con: duckdb.DuckDBPyConnection, for_date: dt.date, out_dir: Path, *, lang: str = "zh",
          pdf: bool = False, now: dt.datetime | None = None) -> Report:
    """Build the snapshot, write every file into `out_dir`, record the report in the store."""
    if lang not in LANGS:
        raise exc.UsageError(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
    data = nightly.build(con, for_date, now=now)
    data["lang"] = lang
    out_dir.mkdir(parents=True, exist_ok=True)
    exports = write_exports(con, data, out_dir)
    snapshot_bytes = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode()
    snapshot_sha = hashlib.sha256(snapshot_bytes).hexdigest()
    with transaction(con):
        report_id = con.execute("SELECT nextval('report_seq')").fetchall()[0][0]
        html = render_html(data, lang=lang, report_id=report_id, snapshot_sha256=snapshot_sha,
                           exports={k: p.name for k, p in exports.items()})
        html_bytes = html.encode()
        html_sha = hashlib.sha256(html_bytes).hexdigest()
        head = _audit_head(data)
        con.execute(
            "INSERT INTO reports VALUES (?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?)",
            [report_id, for_date, data["period"]["start"], data["period"]["end"], lang, snapshot_sha, html_sha,
             json.dumps(data["figures"], sort_keys=True), head.get("seq"), head.get("hash"), str(out_dir)],
        )
        (out_dir / "snapshot.json").write_bytes(snapshot_bytes)
        (out_dir / "report.html").write_bytes(html_bytes)
    report = Report(report_id, out_dir, out_dir / "report.html", out_dir / "snapshot.json", exports, html_sha,
                    snapshot_sha, data)
    if pdf:
        report.pdf = print_pdf(report.html)
    log.info("report written", report_id=report_id, for_date=str(for_date), out_dir=str(out_dir))
    return report


def default_out_dir(db: Path | str, for_date: dt.date) -> Path:
    """Where a report goes unless told: `reports/<date>/` beside the store, or `reports/<date>.2/`, `.3/` …
    for a later report of the same day, so an earlier report's files (which `--verify` checks against the
    store's record) are never overwritten."""
    base = Path(db).resolve().parent / "reports" / for_date.isoformat()
    out, n = base, 1
    while (out / "report.html").exists():
        n += 1
        out = base.with_name(f"{base.name}.{n}")
    return out


def write_nightly(db: Path | str, *, for_date: dt.date | None = None, out_dir: Path | None = None, lang: str = "zh",
                  pdf: bool = False) -> Report:
    """Open the store, write the report of `for_date` (default today, Asia/Shanghai), close the store:
    the CLI, the `report.nightly` job and the demo all come through here."""
    from screening.store import connect

    day = for_date or nightly.today()
    con = connect(db)
    try:
        return write(con, day, out_dir or default_out_dir(db, day), lang=lang, pdf=pdf)
    finally:
        con.close()


def verify(db: Path | str, html: Path) -> dict[str, Any]:
    """The store's record of this report file; NotFound when the file was changed or is not from this store."""
    from screening.store import connect, fetch_one

    digest = hashlib.sha256(html.read_bytes()).hexdigest()
    con = connect(db, read_only=True)
    try:
        row = fetch_one(con, "SELECT report_id, for_date, created_at FROM reports WHERE html_sha256 = ?", [digest])
    finally:
        con.close()
    if row is None:
        raise exc.NotFound(f"{html} is not a report recorded in this store: it was changed, or comes from another "
                           f"store (SHA-256 {digest})")
    return {"report_id": row[0], "for_date": row[1].isoformat(), "created_at": row[2].isoformat(),
            "html_sha256": digest}


def report_job(ctx: Any) -> dict[str, Any]:
    """The `report.nightly` job function (jobs/runner.py's JobContext: `db`, `params`): today's report."""
    report = write_nightly(ctx.db, lang=ctx.params.get("lang", "zh"))
    return summary(report)


def summary(report: Report, lang: str = "en") -> dict[str, Any]:
    """The files written and the next steps, for the CLI and the demo."""
    words = LABELS[lang]
    return {
        "report_id": report.report_id,
        "html": str(report.html),
        "pdf": str(report.pdf) if report.pdf else None,
        "snapshot": str(report.snapshot),
        "exports": {k: str(p) for k, p in report.exports.items()},
        "html_sha256": report.html_sha256,
        "checks": {c["check"]: c["status"] for c in report.data["checks"]},
        "next_steps": _steps(report.data, words),
    }


def summary_text(report: Report, lang: str = "en", steps: int | None = None) -> str:
    """Where the report is and what an officer does next (the first `steps` of it), in a few lines."""
    s = summary(report, lang)
    s["next_steps"] = s["next_steps"][:steps]
    failed = [LABELS[lang]["checks"][k] for k, v in s["checks"].items() if v == "fail"]
    lines = [f"Report {s['report_id']}: {s['html']}"]
    if s["pdf"]:
        lines.append(f"PDF copy: {s['pdf']}")
    if s["exports"]:
        lines.append("CSV exports: " + ", ".join(Path(p).name for p in s["exports"].values()))
    if failed:
        lines.append("Failed checks: " + "; ".join(failed))
    if s["next_steps"]:
        lines.append("What to do next:")
        lines += [f"  {i}. {step}" for i, step in enumerate(s["next_steps"], 1)]
    return "\n".join(lines)


def write_exports(con: duckdb.DuckDBPyConnection, data: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Every exported part in full as CSV: text cleaned and masked, formula-like cells neutralised."""
    params = {"start": data["period"]["start"], "end": data["period"]["end"]}
    out = {}
    for section in data["sections"]:
        for part in section["parts"]:
            if not part["export"] or not part["available"]:
                continue
            df = queries.run(con, queries.PARTS[part["key"]], params)
            text = [c for c, t in df.schema.items() if t == pl.String]
            df = df.with_columns(pl.col(c).map_elements(lambda v: clean_text(v, CSV_MAX_CHARS), return_dtype=pl.String)
                                 for c in text)
            df = df.with_columns(_csv_time(c, t) for c, t in df.schema.items() if isinstance(t, pl.Datetime))
            out[part["key"]] = write_table(df, out_dir / part["export"])
    return out


def _csv_time(column: str, dtype: pl.Datetime) -> pl.Expr:
    """A time column of an export in Asia/Shanghai with its offset ("2026-12-03 20:35:00+08:00"): a
    spreadsheet shows the officers' clock and the value stays unambiguous."""
    col = pl.col(column) if dtype.time_zone else pl.col(column).dt.replace_time_zone("UTC")
    return col.dt.convert_time_zone(str(nightly.SHANGHAI)).dt.strftime("%Y-%m-%d %H:%M:%S%:z").alias(column)


def render_html(data: dict[str, Any], *, lang: str, report_id: int, snapshot_sha256: str,
                exports: dict[str, str]) -> str:
    """The report as one self-contained HTML page."""
    words = LABELS[lang]
    env = _environment()
    return env.get_template("nightly.html.j2").render(
        r=data, t=words, lang=lang, csp=CSP, report_id=report_id, snapshot_sha256=snapshot_sha256,
        exports=exports, charts=chart_set(data, words), font=charts.FONT,
        snapshot_lists=[r for r in _part(data, "cert_lists")["rows"] if r["is_snapshot"]],
        steps=_steps(data, words),
    )


def chart_set(data: dict[str, Any], words: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's charts: each an SVG, or the reason it has no data yet."""
    c = words["charts"]
    trend = data["trends"]

    def series(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
        return [{"for_date": row["for_date"], "value": row[key], "series": label}
                for row in trend for key, label in pairs if row.get(key) is not None]

    sizes = [{"for_date": row["for_date"], "value": n, "series": source}
             for row in trend for source, n in (row.get("list_entries") or {}).items()]
    reasons = [{"label": words["values"].get(r["category"], r["category"]) + " · " + r["code"], "value": r["accounts"],
                "series": words["values"].get(r["severity"], r["severity"])}
               for r in _part(data, "findings_by_reason")["rows"]]
    wanted = [
        ("alerts", "line", series(("alerts_opened", c["opened"]), ("alerts_closed", c["closed"])), "alerts"),
        ("fp_share", "line", series(("false_positive_share", c["share"])), "alerts"),
        ("backlog", "line", series(("backlog", c["open"])), "alerts"),
        ("list_sizes", "line", sizes, "list_versions"),
        ("findings", "bar", reasons, "eligibility_reasons"),
    ]
    out = []
    for key, kind, values, table in wanted:
        title = c[key]
        if values:
            out.append({"key": key, "title": title, "svg": charts.svg(charts.spec(kind, values, title=title), title)})
        else:
            why = words["missing_table"].format(table=table) if _missing(data, table) else words["no_data"]
            out.append({"key": key, "title": title, "svg": None,
                        "reason": words["chart_unavailable"].format(reason=why)})
    return out


# Headless Chromium with nothing that phones home (also used by the browser test).
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def print_pdf(html: Path) -> Path:
    """An archive copy through headless Chromium's print (the same engine the browser test uses)."""
    binary = settings.chromium_path() or shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        raise exc.UsageError("--pdf needs Chromium (Debian: apt-get install chromium); "
                             f"or set {settings.CHROMIUM_ENV} to its path")
    pdf = html.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="screening-chromium-") as profile:  # a new, empty profile
        command = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
                   f"--print-to-pdf={pdf}", html.resolve().as_uri()]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0 or not pdf.exists():
        raise exc.ScreeningError(f"Chromium could not print {html}: {done.stderr.strip()[-300:]}")
    return pdf


def _steps(data: dict[str, Any], words: dict[str, Any]) -> list[str]:
    return [words["steps"][s["step"]].format(**{"likely": 0, **s}) for s in data["next_steps"]]


def _part(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(p for s in data["sections"] for p in s["parts"] if p["key"] == key)


def _missing(data: dict[str, Any], table: str) -> bool:
    return any(table in p["missing"] for s in data["sections"] for p in s["parts"])


def _audit_head(data: dict[str, Any]) -> dict[str, Any]:
    rows = _part(data, "cert_audit")["rows"]
    return rows[0] if rows else {}


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["cell"] = _cell
    env.filters["local_time"] = local_time
    return env


NAME_COLUMNS = {"name", "entry_name"}
# columns whose values are internal names: shown in the officer's words (labels' `values`)
WORD_COLUMNS = {"band", "category", "severity", "status", "kind", "state", "policy_action", "basis"}


def local_time(value: str | dt.datetime) -> str:
    """A stored time (naive: UTC, the store's clock) as the officers read it: Asia/Shanghai, to the minute
    (the report's header states the zone)."""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(nightly.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _cell(value: Any, column: str, words: dict[str, Any]) -> Any:
    """One table cell in the officer's words; names isolated with <bdi> (escaped here, not trusted)."""
    if value is None:
        return "—"
    if isinstance(value, bool) or column in WORD_COLUMNS:
        value = words["values"].get(str(value), value)
    if isinstance(value, float):
        value = f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        value = local_time(value)
    if column in NAME_COLUMNS:
        return Markup("<bdi>") + escape(value) + Markup("</bdi>")
    return value
