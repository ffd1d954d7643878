"""Helpers the XML adapters share (UN, EU FSF, UK FCDO, OFAC Enhanced XML).

Kept apart from lists/parsing.py so the CSV and workbook adapters do not depend on lxml.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from lists.model import Quarantined
from lists.parsing import ListFormatError, clean, read_bytes, to_country

# Published files are untrusted input: no entity expansion, no network access. huge_tree: the
# full lists have text nodes beyond libxml2's default limits.
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def parse_xml(data: bytes, what: str) -> etree._Element:
    """The root element of a published XML document; broken XML is a ListFormatError naming `what`."""
    try:
        return etree.fromstring(data, XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ListFormatError(f"{what} is not well-formed XML: {exc}") from exc


def read_xml(path: Path, label: str, root_tag: str) -> etree._Element:
    """The root of one published XML file (plain or `.gz`), checked to be `root_tag` (`{ns}name`
    for a namespaced root), so that a different file is refused rather than read as empty."""
    root = parse_xml(read_bytes(path), f"{label}: {path.name}")
    if root.tag != root_tag:
        expected = etree.QName(root_tag)
        where = f" in namespace {expected.namespace}" if expected.namespace else ""
        raise ListFormatError(f"{label}: root element is <{root.tag}>, expected <{expected.localname}>{where}")
    return root


def raw_xml(el: etree._Element) -> str:
    """An element as published (without its tail), for quarantine notes."""
    return etree.tostring(el, encoding="unicode", with_tail=False)


def xml_text(el: etree._Element, path: str) -> str | None:
    """The cleaned text of the first element at `path`; None when absent or empty."""
    return clean(el.findtext(path))


def xml_texts(el: etree._Element, path: str, namespaces: dict[str, str] | None = None) -> list[str]:
    """The cleaned, non-empty texts of every element at `path`, in document order."""
    return [t for t in (clean(x.text) for x in el.iterfind(path, namespaces)) if t]


class EntryNotes:
    """One entry's remarks and quarantine notes while its XML record is read.

    Problems are filed under the entry's source_id with the offending element, so the rest of the
    entry is kept (and stays screenable) while the reviewer sees exactly what was not understood.
    `not_a_country` holds the list's own "no country" markers (UN: `na`), skipped without a note.
    """

    def __init__(
        self, source_id: str, quarantine: list[Quarantined], not_a_country: frozenset[str] = frozenset()
    ) -> None:
        self.source_id = source_id
        self.quarantine = quarantine
        self.not_a_country = not_a_country
        self.remarks: list[str] = []

    def reject(self, reason: str, el: etree._Element) -> None:
        self.quarantine.append(Quarantined(reason, raw_xml(el), self.source_id))

    def country(self, value: str | None, el: etree._Element, role: str) -> str | None:
        """ISO-2 for a published country name; an unrecognised one is quarantined (the entry is kept)."""
        if value is None or value.lower() in self.not_a_country:
            return None
        code = to_country(value)
        if code is None:
            self.reject(f"unrecognised {role} country {value!r}", el)
        return code
