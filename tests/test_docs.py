"""The repository documents itself: every `docs/<file>.md §N` cited in code, help texts and data names a
section that exists, every document the code, data or README names is in the repository, and nothing
cites the design notes kept outside it (DESIGN §n, domain.md …)."""

from __future__ import annotations

import re

from tests.conftest import REPO

CITATION = re.compile(r"docs/(\w+)\.md §(\d+(?:\.\d+)?)")
DOCUMENT = re.compile(r"[\w./<>-]*\b[\w-]+\.md\b")  # a path may hold a <placeholder>
# Notes outside the repository that the code used to cite; a fresh clone cannot follow them.
OUTSIDE = re.compile(r"\bDESIGN(?:\.md| §)|\bdomain(?:\.md| §)|\b(?:architecture-review|style-anchors|workflow-anchors)\b")
SCANNED = ("screening", "lists", "jobs", "reports", "tests", "README.md", "docs")


def _files():
    for top in SCANNED:
        path = REPO / top
        yield from ([path] if path.is_file() else (p for p in path.rglob("*") if p.suffix in (".py", ".md", ".yml")))


def test_cited_sections_exist() -> None:
    cited = {(m.group(1), m.group(2), str(f.relative_to(REPO)))
             for f in _files() for m in CITATION.finditer(f.read_text(encoding="utf-8"))}
    assert cited, "the code cites the architecture document"
    for doc, section, where in sorted(cited):
        text = (REPO / "docs" / f"{doc}.md").read_text(encoding="utf-8")
        assert re.search(rf"^#+ {re.escape(section)}\.? ", text, re.M), f"{where} cites docs/{doc}.md §{section}"


def test_named_documents_are_in_the_repository() -> None:
    names = {p.name for p in [*_files(), *(REPO / "docs").glob("*.md")] if p.suffix == ".md"}
    for f in _files():
        if f.name == "test_docs.py":
            continue
        for ref in DOCUMENT.findall(f.read_text(encoding="utf-8")):
            found = any(REPO.glob(re.sub(r"<[^>]+>", "*", ref))) if "/" in ref else ref in names
            assert found, f"{f.relative_to(REPO)} names {ref}"


def test_nothing_cites_notes_outside_the_repository() -> None:
    found = [f"{f.relative_to(REPO)}: {m.group(0)}" for f in _files() if f.name != "test_docs.py"
             for m in OUTSIDE.finditer(f.read_text(encoding="utf-8"))]
    assert not found, found
