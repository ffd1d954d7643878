"""The nightly report opened in a real headless Chromium (Debian's package, driven by Playwright).

On the fixture store with hostile names: nothing leaves the page, no dialog or console error, every
chart drawn with a size, no unmasked ID number in the text, Chinese glyphs drawn by a CJK font, table
row counts equal to the store's, and a PNG screenshot and PDF kept under out/ci/ for people to look at.
Skips (with the reason) only on a developer machine without Chromium; under CI=true it fails instead.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.reports.conftest import ACCOUNTS

pytestmark = pytest.mark.browser

ARTEFACTS = REPO / "out" / "ci"
CJK_FONTS = ("WenQuanYi", "Noto Sans CJK", "Noto Serif CJK", "Source Han", "Droid Sans Fallback", "AR PL")
RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def _chromium() -> str:
    binary = os.environ.get("SCREENING_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        binary = None
    if binary:
        return binary
    reason = ("Chromium or the playwright package is not installed "
              "(Debian: apt-get install chromium; pip install playwright)")
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"browser test cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    """One Playwright driver for the module (its sync API cannot be started twice at once) and Debian's binary."""
    binary = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p, binary


@contextmanager
def opened(chromium, store_template: Path, work: Path, lang: str, artefact: str):
    """The report written from a copy of `store_template` and opened in Chromium (a new empty profile), with
    what the page did; its screenshot and PDF are kept under out/ci/ as `<artefact>.png` / `.pdf`."""
    p, binary = chromium
    from reports import render
    from reports.nightly import today
    from screening.store import connect

    store = work / "store.duckdb"
    shutil.copy(store_template, store)
    con = connect(store)
    report = render.write(con, today(), work / "report", lang=lang)
    seen: dict[str, list] = {"requests": [], "dialogs": [], "console": [], "errors": []}
    with tempfile.TemporaryDirectory(prefix="report-chromium-") as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=binary, headless=True, args=render.CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900}, service_workers="block")
        page_url = report.html.resolve().as_uri()

        def route(r):  # every request the page makes is recorded; only the page itself may load
            seen["requests"].append(r.request.url)
            if r.request.url == page_url:
                r.continue_()
            else:
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        page.on("console", lambda m: seen["console"].append((m.type, m.text)))
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))
        page.goto(page_url, wait_until="load")
        page.wait_for_timeout(300)
        try:
            yield page, report, con, seen
        finally:
            ARTEFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTEFACTS / f"{artefact}.png"), full_page=True)
            page.pdf(path=str(ARTEFACTS / f"{artefact}.pdf"), format="A4", print_background=True)
            context.close()
            con.close()


@pytest.fixture(scope="module")
def browser_page(chromium, report_store_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """The fixture store's report in Chinese, opened in Chromium."""
    with opened(chromium, report_store_template, tmp_path_factory.mktemp("browser"), "zh", "report") as page:
        yield page


def charts_drawn(page) -> set[str]:
    """The charts drawn as SVG with a name and a size; every other chart must show why it is empty."""
    drawn = set()
    for figure in page.query_selector_all("figure.chart"):
        svg = figure.query_selector("svg")
        if svg is None:
            assert figure.query_selector(".unavailable").is_visible()
            continue
        box = svg.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50
        assert svg.get_attribute("aria-label") and svg.query_selector("title")
        drawn.add(figure.get_attribute("data-chart"))
    return drawn


def test_nothing_leaves_the_page_and_nothing_runs(browser_page) -> None:
    page, report, _, seen = browser_page
    assert seen["requests"] == [report.html.resolve().as_uri()]
    assert seen["dialogs"] == []
    assert [m for m in seen["console"] if m[0] in ("error", "warning")] == []
    assert seen["errors"] == []
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.images.length") == 0
    csp = page.evaluate("document.querySelector('meta[http-equiv=Content-Security-Policy]').content")
    assert "default-src 'none'" in csp and "script-src" not in csp


def test_hostile_names_are_text(browser_page) -> None:
    page, *_ = browser_page
    text = page.inner_text("body")
    assert "Human Rights Watch <img src=x onerror=alert(1)>" in text  # shown, not run
    assert "李四<script>alert('x')</script>" in text
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", text)
    assert page.evaluate("document.querySelectorAll('bdi').length") > 0


def test_no_unmasked_id_number(browser_page) -> None:
    page, *_ = browser_page
    text = page.inner_text("body")
    with ACCOUNTS.open(encoding="utf-8", newline="") as f:
        raw_ids = {row["id_number"] for row in csv.DictReader(f)} - {""}
    assert len(raw_ids) == 4  # R07 and R08 share one
    raw_ids.add("11010519491231002X")  # typed into R05's name field
    assert not RESIDENT_ID.search(text), RESIDENT_ID.search(text)
    assert not [i for i in raw_ids if i in text]
    assert "110105********002X" in text  # the name's ID is shown masked


def test_every_chart_drawn(browser_page) -> None:
    page, report, con, _ = browser_page
    assert len(page.query_selector_all("figure.chart")) == 5
    expected = {"list_sizes", "findings"}
    if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'alerts'").fetchall()[0][0]:
        expected |= {"alerts", "backlog"}  # zero alerts are a point; no closed alert leaves no false-positive share
    assert charts_drawn(page) == expected


def test_chinese_glyphs_rendered_by_a_cjk_font(browser_page) -> None:
    page, *_ = browser_page
    assert "每日筛查报告" in page.inner_text("h1")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cjk = [f for f in fonts if any(name in f["familyName"] for name in CJK_FONTS)]
    assert cjk and sum(f["glyphCount"] for f in cjk) >= len("每日筛查报告"), fonts


def test_table_rows_equal_the_store(browser_page) -> None:
    page, report, con, _ = browser_page

    def rows(part: str) -> int:
        return page.evaluate(f"document.querySelectorAll('[data-part={part}] tbody tr').length")

    findings = con.execute("SELECT count(*) FROM eligibility_reasons WHERE severity <> 'info'").fetchall()[0][0]
    hits = con.execute("SELECT count(DISTINCT (source, source_id)) FROM screening_hits").fetchall()[0][0]
    # no ID number: R01 R02 R04 R05 R10; a minor: R06; failing check characters: R07 R08 R09; a name
    # that needed bidi controls removed: R04
    assert rows("findings") == findings == 10
    assert rows("list_change_entries") == hits == 2
    assert rows("cert_lists") == rows("list_freshness") == rows("list_changes") == 2
    assert rows("account_imports") == rows("screening_runs") == rows("cert_runs") == 1
    assert rows("checks") == len(report.data["checks"])
    unavailable = page.evaluate("[...document.querySelectorAll('[data-available=no]')].map(e => e.dataset.part)")
    assert set(unavailable) == {p["key"] for s in report.data["sections"] for p in s["parts"] if not p["available"]}
    for part in unavailable:
        assert page.is_visible(f"[data-part={part}] .unavailable")


def test_pdf_copy_through_chromium(report_store: Path, tmp_path: Path) -> None:
    _chromium()
    from reports import render
    from reports.nightly import today
    from screening.store import connect

    con = connect(report_store)
    try:
        report = render.write(con, today(), tmp_path / "r", lang="en", pdf=True)
    finally:
        con.close()
    assert report.pdf is not None and report.pdf.read_bytes()[:5] == b"%PDF-"


def test_workflow_report_in_english(chromium, workflow_store_template: Path, tmp_path: Path) -> None:
    """With the officers' workflow in the store: every section answers, every chart is drawn."""
    with opened(chromium, workflow_store_template, tmp_path, "en", "report-workflow") as (page, report, con, seen):
        assert seen["requests"] == [report.html.resolve().as_uri()]
        assert seen["dialogs"] == seen["errors"] == [] and not [m for m in seen["console"] if m[0] == "error"]
        assert charts_drawn(page) == {"alerts", "fp_share", "backlog", "list_sizes", "findings"}
        alerts = con.execute("SELECT count(*) FROM alerts WHERE state <> 'auto_suppressed'").fetchall()[0][0]
        assert page.evaluate("document.querySelectorAll('[data-part=new_alerts] tbody tr').length") == alerts == 9
        assert page.evaluate("document.querySelectorAll('[data-part=pending_approvals] tbody tr').length") == 1
        text = page.inner_text("body")
        assert "likely match" in text and "block_review" not in text
        assert not RESIDENT_ID.search(text)
