"""The repository documents itself: every `docs/<file>.md §N` cited in code, help texts and data names a
section that exists, and every document the README points to is in the repository."""

from __future__ import annotations

import re

from tests.conftest import REPO

CITATION = re.compile(r"docs/(\w+)\.md §(\d+(?:\.\d+)?)")
SCANNED = ("screening", "lists", "jobs", "reports", "tests", "README.md")


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


def test_readme_documents_are_in_the_repository() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in re.findall(r"`(docs/[\w.]+\.md)`", readme):
        assert (REPO / name).is_file(), name
